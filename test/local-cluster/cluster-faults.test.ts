/**
 * The assembled local cluster with real processes and the real kubectl: topology, the Novel Engine
 * stack behind the ingress, the fault admin endpoint, and the pause and zone-stop faults playing
 * out the node lifecycle. One cluster for the whole file, on a fast clock: timeScale 0.01 makes
 * the pods' 300 s unreachable toleration 3 s; the kubelet keeps real time so the app's probes do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../infra-fixtures/local-cluster/cluster/index.ts';
import type { StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { isRunning } from '../../lib/local/process-tree.ts';
import { eventually, kubectlRunner, tempDir } from './api-helpers.ts';
import { adminRequest, conditionStatus, podPids, rawGet, requireKubectl } from './cluster-helpers.ts';

const ns = 'novel-engine';
let cluster: LocalCluster;
let kubectl: ReturnType<typeof kubectlRunner>;
let cleanup: () => Promise<void>;
const pids = new Set<number>();

const stackPods = (): StoredObject[] =>
  cluster.store.list('pods', { namespace: ns, labelSelector: 'app.kubernetes.io/name=novel-engine' }).items;
const zoneOf = (node: string | undefined): string | undefined =>
  cluster.nodes.find((n) => n.name === node)?.zone;
const notReadyNodes = (): string[] =>
  cluster.store
    .list('nodes')
    .items.filter((n) => conditionStatus(n, 'Ready') !== 'True')
    .map((n) => n.metadata.name);
const remember = () => stackPods().forEach((p) => podPids(p).forEach((pid) => pids.add(pid)));

beforeAll(async () => {
  await requireKubectl();
  const tmp = await tempDir('cluster-faults-');
  cleanup = tmp.cleanup;
  kubectl = kubectlRunner(`${tmp.dir}/kubeconfig`, `${tmp.dir}/cache`);
  cluster = await startLocalCluster({
    dir: tmp.dir,
    timeScale: 0.01,
    kubeletTimeScale: 1,
    // 1.5 s of grace against heartbeats every 250 ms: a busy 2-core box may lag, never by six beats.
    nodeMonitorGracePeriodMs: 150_000,
    leaseRenewIntervalMs: 25_000,
    nodeStatusUpdateIntervalMs: 25_000,
  });
}, 60_000);

afterAll(async () => {
  if (!cluster) return;
  remember();
  await cluster.close();
  await cleanup();
  const left = [...pids].filter(isRunning);
  expect(left, 'pod processes still running after close()').toEqual([]);
});

describe('the assembled local cluster', () => {
  it('shows 6 Ready nodes in 3 zones to kubectl', async () => {
    const r = await kubectl(['get', 'nodes', '-L', 'topology.kubernetes.io/zone', '--no-headers']);
    expect(r.stderr).toBe('');
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
    expect(rows.map((c) => c[0])).toEqual(['node-a1', 'node-a2', 'node-b1', 'node-b2', 'node-c1', 'node-c2']);
    expect(rows.every((c) => c[1] === 'Ready')).toBe(true);
    expect(rows.map((c) => c[c.length - 1])).toEqual([
      'zone-a',
      'zone-a',
      'zone-b',
      'zone-b',
      'zone-c',
      'zone-c',
    ]);
  });

  it('deploys the stack and serves it through the ingress address published in the Ingress status', async () => {
    await cluster.deployStack({ timeoutMs: 90_000 });
    const r = await kubectl(['get', 'ingress', 'novel-engine', '-n', ns, '-o', 'json']);
    const lb = JSON.parse(r.stdout).status.loadBalancer.ingress as Array<{
      ip: string;
      ports: Array<{ port: number }>;
    }>;
    expect(lb).toHaveLength(1);
    expect(lb[0]!.ip).toBe('127.0.0.1');
    const url = `http://${lb[0]!.ip}:${lb[0]!.ports[0]!.port}`;
    expect(url).toBe(cluster.ingressUrl);
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
    const table = await kubectl(['get', 'ingress', '-n', ns, '--no-headers']);
    expect(table.stdout).toMatch(/novel-engine\s+nginx\s+\*\s+127\.0\.0\.1\s+80/);

    // At least one pod per zone (the zone spread), each on an IP of its node's pod range. The HPA
    // may already have added pods when a busy machine makes the apps' start-up CPU look high.
    const pods = stackPods();
    expect(pods.length).toBeGreaterThanOrEqual(3);
    expect(new Set(pods.map((p) => zoneOf(p.spec?.nodeName)))).toEqual(
      new Set(['zone-a', 'zone-b', 'zone-c']),
    );
    for (const p of pods) {
      const node = cluster.nodes.find((n) => n.name === p.spec?.nodeName)!;
      expect(p.status?.podIP).toMatch(
        new RegExp(`^${node.podCIDR.replace(/0\/24$/, '').replaceAll('.', '\\.')}\\d+$`),
      );
      expect(podPids(p)).toHaveLength(1);
    }
    remember();

    // Kubelet events, logs and metrics reach kubectl through the bridges.
    const events = cluster.store.list('events', { namespace: ns }).items;
    expect(
      events.some(
        (e) => e.reason === 'Started' && (e.source as { component: string }).component === 'kubelet',
      ),
    ).toBe(true);
    const logs = await kubectl(['logs', '-n', ns, pods[0]!.metadata.name, '--tail', '5']);
    expect(logs.code).toBe(0);
    expect(logs.stdout.length).toBeGreaterThan(0);
    const top = await eventually(
      async () => {
        const t = await kubectl(['top', 'pods', '-n', ns, '--no-headers']);
        return t.code === 0 && t.stdout.trim().split('\n').length === 3 ? t.stdout : undefined;
      },
      15_000,
      'kubectl top pods',
    );
    expect(top).toMatch(/novel-engine-\S+\s+\d+m\s+\d+Mi/);
  });

  it('answers fault requests on the admin endpoint, with Status errors naming the field', async () => {
    const path = '/local-cluster/v1/faults';
    const noToken = await adminRequest(cluster, 'GET', path, undefined, null);
    expect(noToken.status).toBe(401);
    expect(noToken.body.kind).toBe('Status');

    const cases: Array<[unknown, number, string]> = [
      [{}, 400, 'mode'],
      [{ zone: 'zone-a', mode: 'melt' }, 400, 'mode'],
      [{ mode: 'stop' }, 400, 'zone'],
      [{ zone: 'zone-a', node: 'node-a1', mode: 'stop' }, 400, 'zone'],
      [{ zone: 'zone-q', mode: 'stop' }, 404, 'zone'],
      [{ node: 'node-z9', mode: 'pause' }, 404, 'node'],
      [{ zone: 'zone-a', mode: 'stop', force: true }, 400, 'force'],
    ];
    for (const [body, code, field] of cases) {
      const r = await adminRequest(cluster, 'POST', path, body);
      expect({ body, status: r.status, kind: r.body.kind }).toEqual({ body, status: code, kind: 'Status' });
      expect((r.body.details as { causes: Array<{ field: string }> }).causes[0]!.field).toBe(field);
      expect(String(r.body.message)).toContain(field);
    }
    expect((await adminRequest(cluster, 'POST', path, '{not json')).status).toBe(400);
    expect((await adminRequest(cluster, 'GET', `${path}/fault-999`)).status).toBe(404);
    expect((await adminRequest(cluster, 'PUT', path, {})).status).toBe(405);
    const topology = await adminRequest(cluster, 'GET', '/local-cluster/v1/topology');
    expect(topology.body).toMatchObject({ region: 'local-1' });
    expect(
      (topology.body.zones as Array<{ name: string; nodes: unknown[] }>).map((z) => [z.name, z.nodes.length]),
    ).toEqual([
      ['zone-a', 2],
      ['zone-b', 2],
      ['zone-c', 2],
    ]);

    // kubelet-down on the zone-b node without a stack pod: the node goes NotReady, then comes back.
    const idle = cluster.nodes.find(
      (n) => n.zone === 'zone-b' && !stackPods().some((p) => p.spec?.nodeName === n.name),
    )!;
    const created = await adminRequest(cluster, 'POST', path, { node: idle.name, mode: 'kubelet-down' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mode: 'kubelet-down', node: idle.name, nodes: [idle.name] });
    expect(String(created.body.startedAt)).toMatch(/^\d{4}-\d\d-\d\dT/);
    const overlap = await adminRequest(cluster, 'POST', path, { zone: 'zone-b', mode: 'stop' });
    expect(overlap.status).toBe(409);
    expect(String(overlap.body.message)).toContain(String(created.body.id));
    const listed = await adminRequest(cluster, 'GET', path);
    expect((listed.body.items as Array<{ id: string }>).map((f) => f.id)).toEqual([created.body.id]);
    await eventually(() => notReadyNodes().includes(idle.name), 15_000, `${idle.name} NotReady`);
    const recovered = await adminRequest(cluster, 'DELETE', `${path}/${String(created.body.id)}`);
    expect(recovered.status).toBe(200);
    expect(recovered.body.recoveredAt).toBeDefined();
    await eventually(() => !notReadyNodes().includes(idle.name), 15_000, `${idle.name} Ready again`);
    expect((await adminRequest(cluster, 'GET', path)).body.items).toEqual([]);
  });

  it('pause: a request to a paused pod hangs (not refused) and is answered once the node resumes', async () => {
    const pod = stackPods().find((p) => zoneOf(p.spec?.nodeName) === 'zone-c')!;
    const ip = pod.status!.podIP as string;
    expect((await rawGet(ip, 8080, '/healthz', 5000)).kind).toBe('response');
    const fault = await cluster.fault({ node: pod.spec!.nodeName as string, mode: 'pause' });
    let late: Promise<string> | undefined;
    const outcome = await rawGet(ip, 8080, '/healthz', 800, (p) => (late = p));
    await cluster.recover(fault.id);
    expect(outcome.kind).toBe('hang');
    const head = await Promise.race([
      late!,
      new Promise<string>((r) => setTimeout(() => r('no reply'), 10_000)),
    ]);
    expect(head).toBe('HTTP/1.1 200 OK');
  });

  it('zone stop: NotReady after the grace, pods replaced in other zones, nodes back on recovery', async () => {
    const zoneA = cluster.nodes.filter((n) => n.zone === 'zone-a').map((n) => n.name);
    const victim = stackPods().find((p) => zoneOf(p.spec?.nodeName) === 'zone-a')!;
    const victimPids = podPids(victim);
    const started = Date.now();
    const fault = await cluster.fault({ zone: 'zone-a', mode: 'stop' });
    expect(fault.nodes).toEqual(zoneA);
    // Power off: the processes are gone at once and the pod's address refuses connections.
    expect(victimPids.filter(isRunning)).toEqual([]);
    expect((await rawGet(victim.status!.podIP as string, 8080, '/healthz', 2000)).kind).toBe('refused');

    await eventually(() => zoneA.every((n) => notReadyNodes().includes(n)), 20_000, 'zone-a NotReady');
    const elapsed = Date.now() - started;
    // Grace is 1.5 s of wall time; the last lease renewal may predate the fault by 250 ms.
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    const nodesTable = await kubectl(['get', 'nodes', '--no-headers']);
    for (const n of zoneA) expect(nodesTable.stdout).toMatch(new RegExp(`${n}\\s+NotReady`));

    // After the 300 s (3 s here) toleration the pod is evicted; it stays Terminating on the dead
    // node while its replacement runs elsewhere.
    await eventually(
      () => {
        const live = stackPods().filter((p) => !p.metadata.deletionTimestamp);
        return (
          live.length === 3 &&
          live.every((p) => conditionStatus(p, 'Ready') === 'True' && zoneOf(p.spec?.nodeName) !== 'zone-a')
        );
      },
      60_000,
      'three ready replicas outside zone-a',
    );
    remember();
    const stuck = cluster.store.tryGet('pods', ns, victim.metadata.name);
    expect(stuck?.metadata.deletionTimestamp).toBeDefined();
    expect((await fetch(`${cluster.ingressUrl}/readyz`)).status).toBe(200);

    await cluster.recover(fault.id);
    await eventually(() => zoneA.every((n) => !notReadyNodes().includes(n)), 20_000, 'zone-a Ready again');
    // Back from the reboot, the kubelet finishes the deletion it could not report.
    await eventually(
      () => !cluster.store.tryGet('pods', ns, victim.metadata.name),
      30_000,
      'evicted pod removed',
    );
    const final = await kubectl(['get', 'nodes', '--no-headers']);
    expect(
      final.stdout
        .trim()
        .split('\n')
        .every((l) => /\sReady\s/.test(l)),
    ).toBe(true);
  });
});
