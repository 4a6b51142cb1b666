/**
 * The real kubectl and client-node against the assembled local cluster running the Novel Engine
 * stack as real processes: what kubectl prints for pods, HPA, metrics and events; `delete pod`,
 * `drain` held back by the PodDisruptionBudget while a node is frozen, `uncordon` and `scale`; and
 * the ADDED/MODIFIED/DELETED events a client-node informer and watches receive meanwhile.
 */
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { eventually } from './api-helpers.ts';
import { conditionStatus } from './cluster-helpers.ts';
import {
  clusterState,
  ns,
  podsOf,
  readyPods,
  startE2eCluster,
  startPodInformer,
  startWatch,
  tableRows,
  until,
  zoneOf,
  type E2eCluster,
  type PodInformer,
  type SeenEvent,
  type WatchRecorder,
} from './e2e-helpers.ts';

let e2e: E2eCluster;
let informer: PodInformer;
let nodeWatch: WatchRecorder;
let deploymentWatch: WatchRecorder;

const cluster = () => e2e.cluster;
const kubectl = (args: string[], timeoutMs = 30_000) => e2e.kubectl(args, { timeoutMs });
const threeReady = () =>
  until(cluster(), () => readyPods(cluster()).length === 3, 60_000, 'three ready stack pods');
const since = (events: SeenEvent[], from: number, name: string) =>
  events.slice(from).filter((e) => e.name === name);

beforeAll(async () => {
  e2e = await startE2eCluster('e2e-kubectl-');
  informer = await startPodInformer(e2e.kc);
  const rv = e2e.cluster.store.resourceVersion;
  nodeWatch = await startWatch(e2e.kc, '/api/v1/nodes', rv);
  deploymentWatch = await startWatch(e2e.kc, `/apis/apps/v1/namespaces/${ns}/deployments`, rv);
}, 120_000);

afterAll(async () => {
  nodeWatch?.stop();
  deploymentWatch?.stop();
  await informer?.stop();
  if (!e2e) return;
  expect(await e2e.close(), 'pod processes still running after close()').toEqual([]);
}, 60_000);

describe('kubectl output on the running stack', () => {
  it('get pods -o wide: one Running pod per zone, on its node with an address of that node', async () => {
    await threeReady();
    const r = await kubectl(['get', 'pods', '-n', ns, '-o', 'wide']);
    expect(r.stderr).toBe('');
    const [header, ...rows] = tableRows(r.stdout);
    expect(header).toEqual([
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
    const pods = new Map(readyPods(cluster()).map((p) => [p.metadata.name, p]));
    expect(rows.map((r) => r[0]).sort()).toEqual([...pods.keys()].sort());
    for (const [name, ready, status, restarts, age, ip, node, nominated, gates] of rows) {
      const pod = pods.get(name!)!;
      expect({ ready, status, restarts, nominated, gates }).toEqual({
        ready: '1/1',
        status: 'Running',
        restarts: '0',
        nominated: '<none>',
        gates: '<none>',
      });
      expect(age).toMatch(/^(\d+m)?\d+s$|^\d+m$/);
      expect(ip).toBe(pod.status?.podIP);
      expect(node).toBe(pod.spec?.nodeName);
      const spec = cluster().nodes.find((n) => n.name === node)!;
      expect(ip!.startsWith(spec.podCIDR.replace(/0\/24$/, ''))).toBe(true);
    }
    expect(new Set(rows.map((r) => zoneOf(cluster(), r[6])))).toEqual(
      new Set(['zone-a', 'zone-b', 'zone-c']),
    );
  }, 120_000);

  it('describe pod: placement, owner, container, probes, conditions and the events that started it', async () => {
    await threeReady();
    const pod = readyPods(cluster())[0]!;
    const name = pod.metadata.name;
    const node = cluster().nodes.find((n) => n.name === pod.spec?.nodeName)!;
    const rs = (pod.metadata.ownerReferences as Array<{ kind: string; name: string }>)[0]!;
    const r = await kubectl(['describe', 'pod', '-n', ns, name]);
    expect(r.code).toBe(0);
    const field = (label: string) => new RegExp(`^${label}:\\s+(.*)$`, 'm').exec(r.stdout)?.[1]?.trim();
    expect({
      name: field('Name'),
      namespace: field('Namespace'),
      node: field('Node'),
      status: field('Status'),
      ip: field('IP'),
      owner: field('Controlled By'),
      qos: field('QoS Class'),
    }).toEqual({
      name,
      namespace: ns,
      node: `${node.name}/${node.address}`,
      status: 'Running',
      ip: pod.status?.podIP,
      owner: `ReplicaSet/${rs.name}`,
      qos: 'Burstable',
    });
    expect(rs.kind).toBe('ReplicaSet');
    expect(r.stdout).toMatch(/^ {4}Image:\s+novel-engine:1\.0\.0$/m);
    expect(r.stdout).toMatch(/^ {4}Port:\s+8080\/TCP$/m);
    expect(r.stdout).toMatch(/^ {4}State:\s+Running$/m);
    expect(r.stdout).toMatch(/^ {4}Restart Count:\s+0$/m);
    expect(r.stdout).toMatch(/^ {6}cpu:\s+200m$/m);
    expect(r.stdout).toMatch(
      /^ {4}Readiness:\s+http-get http:\/\/:http\/readyz delay=0s timeout=1s period=2s #success=1 #failure=1$/m,
    );
    expect(r.stdout).toMatch(/^ {2}Ready\s+True\s*$/m);
    expect(r.stdout).toMatch(/topology\.kubernetes\.io\/zone:DoNotSchedule when max skew 1 is exceeded/);
    expect(r.stdout).toMatch(
      new RegExp(
        `Normal\\s+Scheduled\\s+.*default-scheduler\\s+Successfully assigned ${ns}/${name} to ${node.name}`,
      ),
    );
    expect(r.stdout).toMatch(/Normal\s+Started\s+.*kubelet\s+Started container api/);
  }, 120_000);

  it('get hpa: the Deployment reference, measured CPU against the 70 % target, 3 to 20 pods', async () => {
    // The first sync has no CPU samples yet (<unknown>); a later one has a window after readiness.
    const r = await eventually(
      async () => {
        const out = await kubectl(['get', 'hpa', '-n', ns]);
        return /cpu: \d+%\/70%/.test(out.stdout) ? out : undefined;
      },
      45_000,
      'HPA with measured CPU',
    );
    const [header, row] = tableRows(r.stdout);
    expect(header).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
    expect(row!.slice(0, 6)).toEqual([
      'novel-engine',
      'Deployment/novel-engine',
      expect.stringMatching(/^cpu: \d+%\/70%$/),
      '3',
      '20',
      '3',
    ]);
  }, 120_000);

  it('top pods and top nodes: CPU and memory of the pod processes, summed on their nodes', async () => {
    await threeReady();
    const pods = readyPods(cluster());
    const top = await eventually(
      async () => {
        const t = await kubectl(['top', 'pods', '-n', ns]);
        return t.code === 0 && tableRows(t.stdout).length === 4 ? t.stdout : undefined;
      },
      20_000,
      'kubectl top pods',
    );
    const [header, ...rows] = tableRows(top);
    expect(header).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(rows.map((r) => r[0]).sort()).toEqual(pods.map((p) => p.metadata.name).sort());
    for (const [, cpu, memory] of rows) {
      expect(cpu).toMatch(/^\d+m$/);
      // A Node.js process: tens of MiB at least, under the 256Mi limit.
      expect(Number(/^(\d+)Mi$/.exec(memory!)?.[1])).toBeGreaterThan(10);
      expect(Number(/^(\d+)Mi$/.exec(memory!)?.[1])).toBeLessThan(256);
    }
    const nodes = await kubectl(['top', 'nodes']);
    const [nodeHeader, ...nodeRows] = tableRows(nodes.stdout);
    expect(nodeHeader).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    expect(nodeRows.map((r) => r[0])).toEqual(cluster().nodes.map((n) => n.name));
    for (const p of pods) {
      const row = nodeRows.find((r) => r[0] === p.spec?.nodeName)!;
      expect(Number(/^(\d+)Mi$/.exec(row[3]!)?.[1])).toBeGreaterThan(10);
    }
  }, 120_000);

  it('get events: scheduler, kubelet, ReplicaSet and Deployment events; field selectors filter them', async () => {
    await threeReady();
    const pods = readyPods(cluster());
    const r = await kubectl(['get', 'events', '-n', ns]);
    const [header, ...rows] = tableRows(r.stdout);
    expect(header).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    const has = (type: string, reason: string, object: string, message: string | RegExp) =>
      rows.some(
        (row) =>
          row[1] === type &&
          row[2] === reason &&
          row[3] === object &&
          (typeof message === 'string' ? row[4] === message : message.test(row[4] ?? '')),
      );
    for (const p of pods) {
      const name = p.metadata.name;
      const rs = (p.metadata.ownerReferences as Array<{ name: string }>)[0]!.name;
      expect(
        has(
          'Normal',
          'Scheduled',
          `pod/${name}`,
          `Successfully assigned ${ns}/${name} to ${p.spec?.nodeName}`,
        ),
      ).toBe(true);
      expect(has('Normal', 'Started', `pod/${name}`, 'Started container api')).toBe(true);
      expect(has('Normal', 'SuccessfulCreate', `replicaset/${rs}`, `Created pod: ${name}`)).toBe(true);
    }
    expect(
      has(
        'Normal',
        'ScalingReplicaSet',
        'deployment/novel-engine',
        /^Scaled up replica set novel-engine-\w+ to 3$/,
      ),
    ).toBe(true);

    const scheduled = await kubectl(['get', 'events', '-n', ns, '--field-selector', 'reason=Scheduled']);
    const scheduledRows = tableRows(scheduled.stdout).slice(1);
    expect(scheduledRows.length).toBeGreaterThanOrEqual(3);
    expect(scheduledRows.every((row) => row[2] === 'Scheduled')).toBe(true);
    const one = pods[0]!.metadata.name;
    const forPod = await kubectl([
      'get',
      'events',
      '-n',
      ns,
      '--field-selector',
      `involvedObject.name=${one}`,
    ]);
    const forPodRows = tableRows(forPod.stdout).slice(1);
    expect(forPodRows.length).toBeGreaterThan(0);
    expect(forPodRows.every((row) => row[3] === `pod/${one}`)).toBe(true);
  }, 120_000);
});

describe('kubectl operations on the stack, seen by client-node', () => {
  it('delete pod: waits until the process is gone; the replacement starts in the same zone', async () => {
    await threeReady();
    const victim = readyPods(cluster())[0]!;
    const name = victim.metadata.name;
    const zone = zoneOf(cluster(), victim.spec?.nodeName);
    const before = new Set(podsOf(cluster()).map((p) => p.metadata.name));
    const mark = informer.events.length;

    const r = await kubectl(['delete', 'pod', '-n', ns, name], 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`pod "${name}" deleted`);
    // kubectl returns once the object is gone, which the kubelet allows only after preStop and exit.
    expect(cluster().store.tryGet('pods', ns, name)).toBeUndefined();

    await threeReady();
    const replacement = readyPods(cluster()).find((p) => !before.has(p.metadata.name))!;
    expect(replacement).toBeDefined();
    // Zone spread with maxSkew 1: the only zone without a pod is the victim's.
    expect(zoneOf(cluster(), replacement.spec?.nodeName), clusterState(cluster())).toBe(zone);

    await eventually(
      () => since(informer.events, mark, replacement.metadata.name).some((e) => isReady(e.object)),
      10_000,
      'informer sees the replacement Ready',
    );
    const victimEvents = since(informer.events, mark, name);
    const terminating = victimEvents.findIndex(
      (e) => e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp,
    );
    const deleted = victimEvents.findIndex((e) => e.type === 'DELETED');
    expect(terminating).toBeGreaterThanOrEqual(0);
    expect(deleted).toBeGreaterThan(terminating);
    expect(since(informer.events, mark, replacement.metadata.name)[0]?.type).toBe('ADDED');
    expect(informer.list().map((p) => p.metadata?.name)).not.toContain(name);
  }, 120_000);

  it('drain: an eviction the PDB refuses while a node is frozen is retried, then completes; uncordon', async () => {
    await threeReady();
    const [target, other] = readyPods(cluster());
    const node = target!.spec?.nodeName as string;
    const frozen = other!.spec?.nodeName as string;
    const name = target!.metadata.name;
    const podMark = informer.events.length;
    const nodeMark = nodeWatch.events.length;

    // A frozen node's pod turns not ready once the node is NotReady: the budget then allows nothing.
    const pause = await cluster().fault({ node: frozen, mode: 'pause' });
    let drain: ReturnType<E2eCluster['kubectlLive']> | undefined;
    try {
      await eventually(
        () =>
          cluster().store.get('poddisruptionbudgets', ns, 'novel-engine').status?.disruptionsAllowed === 0,
        20_000,
        'PDB allows no disruption',
      );
      const pdb = await kubectl(['get', 'pdb', '-n', ns, '--no-headers']);
      expect(pdb.stdout).toMatch(/^novel-engine\s+N\/A\s+1\s+0\s+/);

      drain = e2e.kubectlLive(
        ['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s'],
        150_000,
      );
      await drain.waitFor(
        new RegExp(
          `error when evicting pods/"${name}" -n "${ns}" \\(will retry after 5s\\): ` +
            "Cannot evict pod as it would violate the pod's disruption budget\\.",
        ),
        30_000,
      );
      // Refused, not skipped: the pod still runs, and kubectl keeps trying.
      expect(cluster().store.get('pods', ns, name).metadata.deletionTimestamp).toBeUndefined();
      expect(drain.stdout()).not.toContain('drained');
    } catch (err) {
      drain?.kill();
      throw err;
    } finally {
      await cluster().recover(pause.id);
    }
    const r = await drain!.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`node/${node} cordoned`);
    expect(r.stdout).toContain(`evicting pod ${ns}/${name}`);
    expect(r.stdout).toContain(`pod/${name} evicted`);
    expect(r.stdout).toContain(`node/${node} drained`);
    expect(cluster().store.tryGet('pods', ns, name)).toBeUndefined();
    await threeReady();
    expect(readyPods(cluster()).every((p) => p.spec?.nodeName !== node)).toBe(true);

    const evicted = since(informer.events, podMark, name);
    expect(
      evicted.some(
        (e) =>
          e.type === 'MODIFIED' &&
          e.object.metadata.deletionTimestamp &&
          (e.object.status?.conditions as Array<{ type: string; reason?: string }>).some(
            (c) => c.type === 'DisruptionTarget' && c.reason === 'EvictionByEvictionAPI',
          ),
      ),
    ).toBe(true);
    expect(evicted.at(-1)?.type).toBe('DELETED');

    const cordoned = await kubectl(['get', 'node', node, '--no-headers']);
    expect(cordoned.stdout).toMatch(new RegExp(`^${node}\\s+Ready,SchedulingDisabled\\s`));
    const un = await kubectl(['uncordon', node]);
    expect(un.stdout.trim()).toBe(`node/${node} uncordoned`);
    const back = await kubectl(['get', 'node', node, '--no-headers']);
    expect(back.stdout).toMatch(new RegExp(`^${node}\\s+Ready\\s`));
    const stored = cluster().store.get('nodes', '', node);
    expect(stored.spec?.unschedulable).toBeFalsy();
    expect((stored.spec?.taints ?? []).map((t: { key: string }) => t.key)).not.toContain(
      'node.kubernetes.io/unschedulable',
    );
    const seen = since(nodeWatch.events, nodeMark, node).map((e) => Boolean(e.object.spec?.unschedulable));
    expect(seen).toContain(true);
    expect(seen.at(-1)).toBe(false);
    // The frozen node came back too.
    await eventually(
      () => conditionStatus(cluster().store.get('nodes', '', frozen), 'Ready') === 'True',
      15_000,
      `${frozen} Ready again`,
    );
  }, 150_000);

  it('scale: with the HPA removed, kubectl scales the Deployment up across zones and back down', async () => {
    await threeReady();
    // An HPA owns the replica count; an operator takes it out of the loop before scaling by hand.
    const del = await kubectl(['delete', 'hpa', 'novel-engine', '-n', ns]);
    expect(del.stdout.trim()).toBe('horizontalpodautoscaler.autoscaling "novel-engine" deleted');
    const podMark = informer.events.length;
    const depMark = deploymentWatch.events.length;
    const original = new Set(podsOf(cluster()).map((p) => p.metadata.name));

    const up = await kubectl(['scale', 'deployment/novel-engine', '-n', ns, '--replicas=5']);
    expect(up.stdout.trim()).toBe('deployment.apps/novel-engine scaled');
    await until(cluster(), () => readyPods(cluster()).length === 5, 60_000, 'five ready pods');
    const perZone = new Map<string, number>();
    for (const p of readyPods(cluster())) {
      const z = zoneOf(cluster(), p.spec?.nodeName)!;
      perZone.set(z, (perZone.get(z) ?? 0) + 1);
    }
    expect([...perZone.values()].sort()).toEqual([1, 2, 2]);
    const table = await eventually(
      async () => {
        const t = await kubectl(['get', 'deployment', 'novel-engine', '-n', ns, '--no-headers']);
        return /^novel-engine\s+5\/5\s+5\s+5\s/.test(t.stdout) ? t.stdout : undefined;
      },
      10_000,
      'kubectl get deployment 5/5',
    );
    expect(table).toBeDefined();
    const added = informer.events
      .slice(podMark)
      .filter((e) => e.type === 'ADDED' && !original.has(e.name))
      .map((e) => e.name);
    expect(added, clusterState(cluster())).toHaveLength(2);

    const down = await kubectl(['scale', 'deployment/novel-engine', '-n', ns, '--replicas=3']);
    expect(down.stdout.trim()).toBe('deployment.apps/novel-engine scaled');
    await until(cluster(), () => podsOf(cluster()).length === 3, 60_000, 'two pods removed');
    await eventually(
      () => informer.events.slice(podMark).filter((e) => e.type === 'DELETED').length === 2,
      10_000,
      'informer sees two DELETED',
    );
    const core = e2e.kc.makeApiClient(CoreV1Api);
    const listed = await core.listNamespacedPod({ namespace: ns });
    expect(listed.items.filter((p) => p.status?.phase === 'Running')).toHaveLength(3);
    expect(informer.list()).toHaveLength(3);

    const replicas = deploymentWatch.events
      .slice(depMark)
      .filter((e) => e.type === 'MODIFIED')
      .map((e) => e.object.spec?.replicas as number);
    expect(replicas.indexOf(5)).toBeGreaterThanOrEqual(0);
    expect(replicas.lastIndexOf(3)).toBeGreaterThan(replicas.indexOf(5));
    const apps = e2e.kc.makeApiClient(AppsV1Api);
    const d = await apps.readNamespacedDeployment({ name: 'novel-engine', namespace: ns });
    expect(d.spec?.replicas).toBe(3);
    let last: unknown;
    await eventually(
      async () => {
        const s = (await apps.readNamespacedDeployment({ name: 'novel-engine', namespace: ns })).status;
        last = { s, pods: podsOf(cluster()).map((p) => [p.metadata.name, p.status?.conditions]) };
        return s?.readyReplicas === 3;
      },
      10_000,
      'deployment status 3 ready',
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(last)}`);
    });
  }, 150_000);
});

function isReady(pod: StoredObject): boolean {
  return conditionStatus(pod, 'Ready') === 'True';
}
