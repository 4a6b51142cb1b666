/**
 * The real kubectl (1.32 via the gcloud dispatcher, spec G1) driving the API server, controllers
 * and a stand-in kubelet. Every command is one a scenario or a human relies on.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import {
  startBasicControllers,
  type BasicControllers,
} from '../../infra-fixtures/local-cluster/controllers/basic.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import { addNode, eventually, kubectlRunner, startFakeKubelet, tempDir } from './api-helpers.ts';

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: novel-engine:1
        ports: [{name: http, containerPort: 8080}]
        resources: {requests: {cpu: 100m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

let store: Store;
let api: ApiServer;
let controllers: BasicControllers;
let kubelet: { stop(): void };
let tmp: Awaited<ReturnType<typeof tempDir>>;
let kubectl: ReturnType<typeof kubectlRunner>;

beforeAll(async () => {
  tmp = await tempDir('lc-kubectl-');
  store = new Store();
  for (const [i, zone] of ['zone-a', 'zone-b', 'zone-c'].entries())
    addNode(store, `node-${i + 1}`, zone, i + 1);
  controllers = startBasicControllers(store);
  kubelet = startFakeKubelet(store);
  api = await startApiServer({
    store,
    dir: tmp.dir,
    providers: {
      logs: (pod, opts) => `hello from ${pod.metadata.name}/${opts.container}\n`,
      usage: {
        pod: (pod) => ({
          containers: (pod.spec.containers as Array<{ name: string }>).map((c) => ({
            name: c.name,
            cpuMillicores: 12,
            memoryBytes: 32 * 1024 * 1024,
          })),
        }),
      },
    },
  });
  kubectl = kubectlRunner(api.kubeconfigPath, tmp.dir);
});

afterAll(async () => {
  await api?.close();
  await controllers?.stop();
  kubelet?.stop();
  await tmp?.cleanup();
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const webPods = () =>
  store.list('pods', { labelSelector: 'app=web' }).items.filter((p) => !p.metadata.deletionTimestamp);

describe('kubectl against the local API server', () => {
  it('talks to a 1.32 server through the dispatcher and lists nodes wide', async () => {
    expect((await stat(api.kubeconfigPath)).mode & 0o777).toBe(0o600);
    const version = JSON.parse(await ok(['version', '-o', 'json']));
    expect(version.serverVersion).toMatchObject({ major: '1', minor: '32' });
    expect(version.clientVersion.gitVersion).toMatch(/^v1\.32\./);
    const wide = await ok(['get', 'nodes', '-o', 'wide']);
    const [header, ...rows] = wide.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual([
      'NAME',
      'STATUS',
      'ROLES',
      'AGE',
      'VERSION',
      'INTERNAL-IP',
      'EXTERNAL-IP',
      'OS-IMAGE',
      'KERNEL-VERSION',
      'CONTAINER-RUNTIME',
    ]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(
      /^node-1\s+Ready\s+<none>\s+\d+s\s+v1\.32\.0\s+127\.0\.1\.1\s+<none>\s+Local Process Runtime/,
    );
  });

  it('applies a deployment, waits for the rollout and shows pods wide and across namespaces', async () => {
    expect(await ok(['apply', '-f', '-'], manifest)).toBe(
      'deployment.apps/web created\nservice/web created\n',
    );
    expect(await ok(['rollout', 'status', 'deployment/web', '--timeout=30s'])).toContain(
      'deployment "web" successfully rolled out',
    );
    expect(await ok(['apply', '-f', '-'], manifest)).toBe(
      'deployment.apps/web unchanged\nservice/web unchanged\n',
    );
    const wide = (await ok(['get', 'pods', '-o', 'wide'])).trim().split('\n');
    expect(wide[0]!.split(/\s{2,}/)).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(
      wide
        .slice(1)
        .filter((l) =>
          /^web-\S+\s+1\/1\s+Running\s+0\s+\S+\s+127\.1\.\d+\.\d+\s+node-\d\s+<none>\s+<none>$/.test(l),
        ),
    ).toHaveLength(3);
    const all = (await ok(['get', 'pods', '-A'])).trim().split('\n');
    expect(all[0]).toMatch(/^NAMESPACE\s+NAME\s+READY/);
    expect(all.slice(1).every((l) => l.startsWith('default '))).toBe(true);
    expect(await ok(['get', 'deploy', 'web'])).toMatch(/web\s+3\/3\s+3\s+3\s+/);
    expect(await ok(['get', 'endpoints', 'web'])).toMatch(
      /web\s+127\.1\.\d+\.\d+:8080,127\.1\.\d+\.\d+:8080,127\.1\.\d+\.\d+:8080\s+/,
    );
  });

  it('describes a pod with its scheduling events, reads logs and top', async () => {
    const pod = webPods()[0]!.metadata.name;
    const described = await ok(['describe', 'pod', pod]);
    expect(described).toMatch(/Controlled By:\s+ReplicaSet\/web-/);
    expect(described).toMatch(
      /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/web-/,
    );
    expect(described).toContain('node.kubernetes.io/unreachable:NoExecute op=Exists for 300s');
    expect(await ok(['logs', pod])).toBe(`hello from ${pod}/app\n`);
    expect(await ok(['top', 'pod', pod])).toMatch(new RegExp(`${pod}\\s+12m\\s+32Mi`));
  });

  it('scales, restarts and undoes a rollout', async () => {
    expect(await ok(['scale', 'deployment', 'web', '--replicas=4'])).toBe('deployment.apps/web scaled\n');
    await eventually(() => webPods().length === 4, 10_000, '4 pods');
    expect(await ok(['rollout', 'restart', 'deployment/web'])).toBe('deployment.apps/web restarted\n');
    expect(await ok(['rollout', 'status', 'deployment/web', '--timeout=30s'])).toContain(
      'successfully rolled out',
    );
    expect(store.list('replicasets', { labelSelector: 'app=web' }).items).toHaveLength(2);
    const history = await ok(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await ok(['rollout', 'undo', 'deployment/web'])).toBe('deployment.apps/web rolled back\n');
    expect(await ok(['rollout', 'status', 'deployment/web', '--timeout=30s'])).toContain(
      'successfully rolled out',
    );
    const d = store.get('deployments', 'default', 'web');
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(d.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
  });

  it('cordons and uncordons a node', async () => {
    expect(await ok(['cordon', 'node-2'])).toBe('node/node-2 cordoned\n');
    expect(await ok(['get', 'node', 'node-2'])).toMatch(/node-2\s+Ready,SchedulingDisabled/);
    expect(await ok(['cordon', 'node-2'])).toBe('node/node-2 already cordoned\n');
    expect(await ok(['uncordon', 'node-2'])).toBe('node/node-2 uncordoned\n');
    expect(store.get('nodes', '', 'node-2').spec.taints).toBeUndefined();
  });

  it('labels, annotates and deletes a pod, which gets replaced', async () => {
    const victim = webPods()[0]!;
    const name = victim.metadata.name;
    expect(await ok(['label', 'pod', name, 'chaos=victim'])).toBe(`pod/${name} labeled\n`);
    expect(await ok(['annotate', 'pod', name, 'note=x'])).toBe(`pod/${name} annotated\n`);
    expect(store.get('pods', 'default', name).metadata.labels?.chaos).toBe('victim');
    expect(await ok(['delete', 'pod', name, '--timeout=20s'])).toBe(`pod "${name}" deleted\n`);
    await eventually(
      () => webPods().length === 4 && webPods().every((p) => p.metadata.uid !== victim.metadata.uid),
      10_000,
      'replacement',
    );
  });

  it('watches pods with -w: rows keep coming without repeated headers', async () => {
    const child = spawn('kubectl', ['--kubeconfig', api.kubeconfigPath, 'get', 'pods', '-w'], {
      env: { ...process.env, KUBECACHEDIR: tmp.dir, HOME: tmp.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    try {
      await eventually(() => out.split('\n').length > 4, 10_000, 'initial rows');
      const name = webPods()[0]!.metadata.name;
      store.patch('pods', 'default', name, 'merge', { metadata: { labels: { watched: 'yes' } } });
      await eventually(
        () =>
          out
            .trim()
            .split('\n')
            .filter((l) => l.startsWith(`${name} `)).length >= 2,
        10_000,
        'watch event row',
      );
    } finally {
      child.kill('SIGTERM');
    }
    const lines = out.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('NAME'))).toHaveLength(1);
    expect(lines.slice(1).every((l) => /^web-\S+\s+\d\/1\s+\S+\s+\d+\s+\S+$/.test(l))).toBe(true);
  });

  it('accepts the protobuf bodies of typed commands (create …, autoscale)', async () => {
    expect(await ok(['create', 'namespace', 'typed'])).toBe('namespace/typed created\n');
    await ok(['-n', 'typed', 'create', 'configmap', 'cfg', '--from-literal=a=b']);
    await ok(['-n', 'typed', 'create', 'secret', 'generic', 'sec', '--from-literal=a=b']);
    await ok(['-n', 'typed', 'create', 'deployment', 'api', '--image=api:1', '--replicas=0', '--port=8080']);
    await ok(['-n', 'typed', 'create', 'service', 'clusterip', 'api', '--tcp=80:8080']);
    await ok(['-n', 'typed', 'create', 'pdb', 'api', '--selector=app=api', '--min-available=0']);
    expect(
      await ok(['-n', 'typed', 'autoscale', 'deployment', 'api', '--min=2', '--max=5', '--cpu-percent=50']),
    ).toBe('horizontalpodautoscaler.autoscaling/api autoscaled\n');
    expect(store.get('configmaps', 'typed', 'cfg').data).toEqual({ a: 'b' });
    expect(store.get('secrets', 'typed', 'sec').data).toEqual({ a: Buffer.from('b').toString('base64') });
    const d = store.get('deployments', 'typed', 'api');
    expect(d.spec.replicas).toBe(0);
    expect(d.spec.template.spec.containers[0]).toMatchObject({
      name: 'api',
      image: 'api:1',
      ports: [{ containerPort: 8080, protocol: 'TCP' }],
    });
    expect(store.get('services', 'typed', 'api').spec.ports).toEqual([
      { name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 },
    ]);
    expect(store.get('poddisruptionbudgets', 'typed', 'api').spec).toEqual({
      minAvailable: 0,
      selector: { matchLabels: { app: 'api' } },
    });
    expect(await ok(['-n', 'typed', 'get', 'hpa'])).toMatch(
      /api\s+Deployment\/api\s+cpu: <unknown>\/50%\s+2\s+5\s+0\s+/,
    );
  });

  it('drains a node through the eviction API', async () => {
    const r = await kubectl(
      ['drain', 'node-3', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=30s'],
      { timeoutMs: 40_000 },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('node/node-3 drained');
    expect(r.stdout).toMatch(/evicting pod default\/web-|pod\/web-\S+ evicted/);
    await eventually(
      () => webPods().length === 4 && webPods().every((p) => p.spec.nodeName !== 'node-3'),
      10_000,
      'pods off node-3',
    );
    await ok(['uncordon', 'node-3']);
  });
});
