import { afterAll, describe, expect, it } from 'vitest';
import { KubeletError } from '../../infra-fixtures/local-cluster/kubelet/index.ts';
import { podKeyOf } from '../../infra-fixtures/local-cluster/kubelet/types.ts';
import { get, makePod, recordingKubelet, serverContainer, waitFor } from './kubelet-fixtures.ts';

const node = { name: 'node-k1', address: '127.0.41.1' };
const { kubelet, rec } = recordingKubelet(node, { timeScale: 0.1, usage: { intervalMs: 60_000 } });

afterAll(() => kubelet.close());

describe('process kubelet: running pods', () => {
  it('runs a container as a real process with env, fieldRefs, $(VAR) args, and the pod IP as HOST', async () => {
    const pod = makePod(node.name, [
      serverContainer({
        args: ['--greet', '$(GREETING)', '$$(GREETING)'],
        env: [
          { name: 'HOST', value: '0.0.0.0' },
          { name: 'GREETING', value: 'hello' },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        ],
        startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
        readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 1 },
      }),
    ]);
    const key = podKeyOf(pod);
    kubelet.syncPod(pod);
    const ready = await waitFor('Ready=True', () => {
      const s = rec.latest(key);
      return s?.conditions.find((c) => c.type === 'Ready')?.status === 'True' && s;
    });
    expect(ready.phase).toBe('Running');
    expect(ready.podIP).toMatch(/^127\.41\.1\.\d+$/);
    expect(ready.hostIP).toBe(node.address);
    const c = ready.containerStatuses[0]!;
    expect(c).toMatchObject({ name: 'app', ready: true, started: true, restartCount: 0 });
    expect(c.state.running?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(c.containerID).toMatch(/^proc:\/\/\d+$/);
    // Before readiness the pod was reported Running but not Ready.
    expect(
      rec.statuses.get(key)!.some((s) => s.conditions.find((x) => x.type === 'Ready')?.status === 'False'),
    ).toBe(true);

    expect(await get(`http://${ready.podIP}:8080/hello`)).toBe(200);
    const first = JSON.parse(kubelet.logs(key).split('\n')[0]!);
    expect(first).toEqual({
      argv: ['--greet', 'hello', '$(GREETING)'],
      host: ready.podIP,
      port: '8080',
      greeting: 'hello',
      podName: pod.metadata.name,
      podIP: ready.podIP,
      nodeName: node.name,
      namespace: 'test',
    });
    expect(rec.events.filter((e) => e.key === key).map((e) => e.event.reason)).toEqual(
      expect.arrayContaining(['Pulled', 'Created', 'Started']),
    );
  });

  it('gives two pods with the same containerPort their own IPs on one node', async () => {
    const a = makePod(node.name, [serverContainer()]);
    const b = makePod(node.name, [serverContainer()]);
    kubelet.syncPod(a);
    kubelet.syncPod(b);
    const ips = await waitFor('both running', () => {
      const sa = rec.latest(podKeyOf(a));
      const sb = rec.latest(podKeyOf(b));
      return sa?.containerStatuses[0]?.ready && sb?.containerStatuses[0]?.ready && [sa.podIP!, sb.podIP!];
    });
    expect(ips[0]).not.toBe(ips[1]);
    await waitFor(
      'both listening',
      () =>
        kubelet.logs(podKeyOf(a)).includes('listening') && kubelet.logs(podKeyOf(b)).includes('listening'),
    );
    expect(await get(`http://${ips[0]}:8080/`)).toBe(200);
    expect(await get(`http://${ips[1]}:8080/`)).toBe(200);
    await Promise.all([kubelet.terminatePod(a, 1), kubelet.terminatePod(b, 1)]);
  });

  it('waits in ErrImagePull/ImagePullBackOff for an unmapped image, naming the image and the config file', async () => {
    const pod = makePod(node.name, [{ name: 'app', image: 'nginx:1.27' }]);
    const key = podKeyOf(pod);
    kubelet.syncPod(pod);
    const pull = await waitFor('ErrImagePull', () => rec.latest(key)?.containerStatuses[0]?.state.waiting);
    expect(pull.reason).toBe('ErrImagePull');
    expect(pull.message).toContain('image "nginx:1.27" is not mapped');
    expect(pull.message).toContain('test-runtime.yaml');
    expect(rec.latest(key)!.phase).toBe('Pending');
    await waitFor(
      'ImagePullBackOff',
      () => rec.latest(key)?.containerStatuses[0]?.state.waiting?.reason === 'ImagePullBackOff',
    );
    await kubelet.terminatePod(pod, 0);
  });

  it('captures logs in a bounded ring buffer with tailLines and timestamps, and reports unknown containers', async () => {
    const pod = makePod(
      node.name,
      [
        {
          name: 'talk',
          image: 'test/exec:1',
          command: ['sh', '-c', 'for i in $(seq 1 200); do echo line-$i; done; printf tail'],
        },
      ],
      { restartPolicy: 'Never' },
    );
    const key = podKeyOf(pod);
    const { kubelet: small, rec: smallRec } = recordingKubelet(
      { name: node.name, address: '127.0.41.2' },
      { logBytesPerContainer: 400 },
    );
    try {
      small.syncPod(pod);
      const done = await waitFor('exit', () => smallRec.latest(key)?.containerStatuses[0]?.state.terminated);
      expect(done).toMatchObject({ exitCode: 0, reason: 'Completed' });
      expect(smallRec.latest(key)!.phase).toBe('Succeeded');
      const all = small.logs(key).trimEnd().split('\n');
      expect(all.length).toBeLessThan(60); // 400 characters hold ~50 of these lines, the oldest went first
      expect(all).not.toContain('line-1');
      // The last line had no newline: it was kept when the stream ended.
      expect(small.logs(key, { tailLines: 2 })).toBe('line-200\ntail\n');
      expect(small.logs(key, { tailLines: 1, timestamps: true })).toMatch(
        /^\d{4}-\d\d-\d\dT[\d:.]+Z tail\n$/,
      );
      expect(() => small.logs(key, { container: 'nope' })).toThrow(KubeletError);
      expect(() => small.logs(key, { previous: true })).toThrow(/previous terminated container "talk"/);
      expect(() => small.logs('test/none')).toThrow(/pods "none" not found/);
      await small.terminatePod(pod, 0);
    } finally {
      await small.close();
    }
  });

  it('samples CPU of a busy process tree from /proc in millicores, and its RSS', async () => {
    const busy = makePod(node.name, [serverContainer({ env: [{ name: 'BUSY', value: '1' }] })]);
    const key = podKeyOf(busy);
    kubelet.syncPod(busy);
    await waitFor('running', () => rec.latest(key)?.containerStatuses[0]?.state.running);
    kubelet.sampleUsage();
    await new Promise((r) => setTimeout(r, 600));
    kubelet.sampleUsage();
    const usage = kubelet.podUsage(key)!;
    expect(usage.containers[0]!.name).toBe('app');
    expect(usage.containers[0]!.cpuMillicores).toBeGreaterThan(50);
    expect(usage.containers[0]!.memoryBytes).toBeGreaterThan(1024 * 1024);
    expect(usage.windowMs).toBeGreaterThan(0);
    expect(kubelet.nodeUsage().cpuMillicores).toBeGreaterThanOrEqual(usage.containers[0]!.cpuMillicores);
    await kubelet.terminatePod(busy, 1);
  });

  it('rejects a pod bound to another node or without containers', () => {
    expect(() => kubelet.syncPod(makePod('elsewhere', [serverContainer()]))).toThrow(
      /spec.nodeName is "elsewhere"/,
    );
    expect(() => kubelet.syncPod(makePod(node.name, []))).toThrow(/spec.containers must list at least one/);
  });
});
