/**
 * Rollouts and a zone partition on the assembled local cluster, under load through the ingress
 * from gauntlet's native engine: `kubectl rollout restart` + `rollout status` at 200 req/s without
 * a failed request, `rollout undo` back to the first template, and a `partition` whose pods keep
 * running while the ingress's attempts to them hang until its connect timeout and move on.
 */
import { AppsV1Api, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault, LocalCluster } from '../../infra-fixtures/local-cluster/cluster/index.ts';
import type { StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { isRunning } from '../../lib/local/process-tree.ts';
import { conditionStatus, podPids, rawGet } from './cluster-helpers.ts';
import {
  attemptOutcomes,
  clusterState,
  ingressCounter,
  kE2eTimings,
  ns,
  podsOf,
  readyPods,
  startE2eCluster,
  startLoad,
  startPodInformer,
  startWatch,
  until,
  zoneOf,
  type E2eCluster,
  type LoadOutcome,
  type PodInformer,
  type WatchRecorder,
} from './e2e-helpers.ts';

let e2e: E2eCluster;
let informer: PodInformer;
let rsWatch: WatchRecorder;
let original: { template: unknown; hash: string };

const cluster = (): LocalCluster => e2e.cluster;
const kubectl = (args: string[], timeoutMs = 30_000) => e2e.kubectl(args, { timeoutMs });
const hashOf = (p: { metadata?: { labels?: Record<string, string> } }) =>
  p.metadata?.labels?.['pod-template-hash'];
const readDeployment = (): Promise<V1Deployment> =>
  e2e.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'novel-engine', namespace: ns });
const threeReady = () =>
  until(cluster(), () => readyPods(cluster()).length === 3, 60_000, 'three ready stack pods');

/**
 * Every request answered as expected and none dropped, and (the load having been settled before
 * it was stopped) at least 95 % of the rate's requests in the window were answered: the few
 * cancelled at the stop were issued after everything under test.
 */
function expectClean(load: LoadOutcome, rate: number, detail: string): void {
  const { requests, latencyMs, scheduleLagMs } = load.summary;
  const context = `${detail}\n${JSON.stringify({ requests, latencyMs, scheduleLagMs })}\n${clusterState(cluster())}`;
  expect(
    { failed: requests.failed, dropped: requests.dropped, failures: load.failures.slice(0, 5) },
    context,
  ).toEqual({
    failed: 0,
    dropped: 0,
    failures: [],
  });
  expect(requests.intended, context).toBeGreaterThanOrEqual(Math.floor(rate * load.seconds * 0.95));
}

beforeAll(async () => {
  e2e = await startE2eCluster('e2e-rollout-');
  informer = await startPodInformer(e2e.kc);
  rsWatch = await startWatch(
    e2e.kc,
    `/apis/apps/v1/namespaces/${ns}/replicasets`,
    e2e.cluster.store.resourceVersion,
  );
  const d = await readDeployment();
  const [rs] = e2e.cluster.store.list('replicasets', { namespace: ns }).items;
  original = { template: d.spec?.template, hash: hashOf(rs!)! };
}, 120_000);

afterAll(async () => {
  rsWatch?.stop();
  await informer?.stop();
  if (!e2e) return;
  expect(await e2e.close(), 'pod processes still running after close()').toEqual([]);
}, 60_000);

describe('rollouts under load through the ingress', () => {
  it('rollout restart + rollout status complete while 200 req/s see no failed request', async () => {
    await threeReady();
    const oldPods = readyPods(cluster()).map((p) => p.metadata.name);
    const podMark = informer.events.length;
    const rsMark = rsWatch.events.length;
    const load = await startLoad(cluster().ingressUrl, 200, 120_000);
    let outcome: LoadOutcome;
    try {
      // A healthy pipeline first (the generator warm, its connections open), then the window under test.
      await until(cluster(), () => load.sent() >= 400, 60_000, 'load flowing');
      await load.settle(100, 60_000);
      await load.mark();
      const restart = await kubectl(['rollout', 'restart', 'deployment/novel-engine', '-n', ns]);
      expect(restart.stdout.trim()).toBe('deployment.apps/novel-engine restarted');
      const status = await kubectl(
        ['rollout', 'status', 'deployment/novel-engine', '-n', ns, '--timeout=120s'],
        130_000,
      );
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('Waiting for deployment "novel-engine" rollout to finish');
      expect(status.stdout.trim().split('\n').at(-1)).toBe(
        'deployment "novel-engine" successfully rolled out',
      );
      // rollout status ends when the old pods are terminating; their drain is part of the rollout.
      await until(
        cluster(),
        () => oldPods.every((n) => !cluster().store.tryGet('pods', ns, n)),
        60_000,
        'old pods gone',
      );
      await load.settle(100, 60_000);
    } finally {
      outcome = await load.stop();
    }
    expectClean(outcome, 200, `load from ${load.startedAt}\n${await attemptOutcomes(cluster())}`);

    const d = await readDeployment();
    const restartedAt = d.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
    expect(restartedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    // The old pods are gone: what is left is the new ReplicaSet's.
    const newHash = hashOf(podsOf(cluster())[0]!)!;
    expect(newHash).not.toBe(original.hash);
    expect(podsOf(cluster()).every((p) => hashOf(p) === newHash)).toBe(true);

    // client-node saw the new ReplicaSet appear, the old one scaled to 0, old pods go, new ones come.
    const rsEvents = rsWatch.events.slice(rsMark);
    expect(rsEvents.find((e) => e.name === `novel-engine-${newHash}`)?.type).toBe('ADDED');
    expect(
      rsEvents.some(
        (e) =>
          e.name === `novel-engine-${original.hash}` &&
          e.type === 'MODIFIED' &&
          e.object.spec?.replicas === 0,
      ),
    ).toBe(true);
    const podEvents = informer.events.slice(podMark);
    for (const name of oldPods) {
      const mine = podEvents.filter((e) => e.name === name);
      expect(mine.some((e) => e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp)).toBe(true);
      expect(mine.at(-1)?.type).toBe('DELETED');
    }
    const added = podEvents.filter((e) => e.type === 'ADDED');
    expect(added.map((e) => hashOf(e.object))).toEqual(podsOf(cluster()).map(() => newHash));
    expect(informer.list().map((p) => hashOf(p))).toEqual(podsOf(cluster()).map(() => newHash));
  }, 240_000);

  it('rollout undo returns to the first template and its ReplicaSet', async () => {
    const before = await readDeployment();
    const restartedAt = before.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
    expect(restartedAt).toBeDefined();
    const undo = await kubectl(['rollout', 'undo', 'deployment/novel-engine', '-n', ns]);
    expect(undo.stdout.trim()).toBe('deployment.apps/novel-engine rolled back');
    const status = await kubectl(
      ['rollout', 'status', 'deployment/novel-engine', '-n', ns, '--timeout=120s'],
      130_000,
    );
    expect(status.stdout.trim().split('\n').at(-1)).toBe('deployment "novel-engine" successfully rolled out');

    const after = await readDeployment();
    expect(after.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
    expect(after.spec?.template).toEqual(original.template);
    // Revision 1 is reused as revision 3: the same ReplicaSet, scaled back up.
    expect(after.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    await threeReady();
    expect(readyPods(cluster()).every((p) => hashOf(p) === original.hash)).toBe(true);
    const history = await kubectl(['rollout', 'history', 'deployment/novel-engine', '-n', ns]);
    expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
    const rev2 = await kubectl(['rollout', 'history', 'deployment/novel-engine', '-n', ns, '--revision=2']);
    expect(rev2.stdout).toContain(`kubectl.kubernetes.io/restartedAt: ${restartedAt}`);
    const rs = cluster().store.get('replicasets', ns, `novel-engine-${original.hash}`);
    expect(rs.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  }, 240_000);
});

describe('zone partition under load through the ingress', () => {
  it('attempts to the cut-off pods hang until the connect timeout and move on; the nodes go NotReady', async () => {
    await threeReady();
    // Once the old pods are gone, let terminating leftovers of the undo finish too.
    await until(cluster(), () => podsOf(cluster()).length === 3, 60_000, 'no terminating pods');
    const victim: StoredObject = readyPods(cluster()).find(
      (p) => zoneOf(cluster(), p.spec?.nodeName) === 'zone-b',
    )!;
    const zoneB = cluster()
      .nodes.filter((n) => n.zone === 'zone-b')
      .map((n) => n.name);
    const attempts = (outcome: string) =>
      ingressCounter(cluster(), 'ingress_upstream_attempts_total', { pod: victim.metadata.name, outcome });
    const before = await attempts('blackholed');
    const rate = 100;
    const load = await startLoad(cluster().ingressUrl, rate, 120_000);
    let outcome: LoadOutcome;
    let notReadyAfterMs = 0;
    let fault: Fault | undefined;
    try {
      await until(cluster(), () => load.sent() >= 200, 60_000, 'load flowing');
      await load.settle(50, 60_000);
      await load.mark();
      fault = await cluster().fault({ zone: 'zone-b', mode: 'partition' });
      const started = Date.now();
      await until(
        cluster(),
        () => zoneB.every((n) => conditionStatus(cluster().store.get('nodes', '', n), 'Ready') !== 'True'),
        20_000,
        'zone-b NotReady',
      );
      notReadyAfterMs = Date.now() - started;
      const nodes = await kubectl(['get', 'nodes', '--no-headers']);
      for (const n of zoneB) expect(nodes.stdout).toMatch(new RegExp(`^${n}\\s+NotReady\\s`, 'm'));
      // The node lifecycle controller marks its pods not ready: out of the endpoints, then the ingress.
      await until(
        cluster(),
        () => conditionStatus(cluster().store.get('pods', ns, victim.metadata.name), 'Ready') === 'False',
        10_000,
        'partitioned pod not ready',
      );
      await new Promise((r) =>
        setTimeout(
          r,
          cluster().options.real.ingressPropagationDelayMs + 2 * kE2eTimings.ingressConnectTimeoutMs,
        ),
      );
      // Out of the ingress's endpoints: with the load still on, no attempt goes there any more.
      const settled = await attempts('blackholed');
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await attempts('blackholed')).toBe(settled);
      await load.settle(50, 60_000);
    } finally {
      outcome = await load.stop();
    }
    // A partition is not a power-off: the process still runs and answers whoever can reach it.
    const now = cluster().store.get('pods', ns, victim.metadata.name);
    expect(podPids(now), clusterState(cluster())).toEqual(podPids(victim));
    expect(podPids(now).every(isRunning), clusterState(cluster())).toBe(true);
    expect((await rawGet(victim.status!.podIP as string, 8080, '/healthz', 5_000)).kind).toBe('response');

    // Heartbeats stopped: NotReady after the 2 s grace (the last lease may predate the cut by 250 ms).
    expect(notReadyAfterMs).toBeGreaterThanOrEqual(1_500);
    // The ingress's attempts to the cut-off pod hung (blackholed, never refused) and were retried
    // on another zone: no request failed, but some waited the connect timeout.
    const blackholed = (await attempts('blackholed')) - before;
    expect(blackholed).toBeGreaterThan(0);
    expect(await attempts('refused')).toBe(0);
    expect(outcome.summary.latencyMs.max).toBeGreaterThanOrEqual(kE2eTimings.ingressConnectTimeoutMs);
    expectClean(outcome, rate, `load from ${load.startedAt}\n${await attemptOutcomes(cluster())}`);

    const servedBeforeRecovery = await attempts('200');
    await cluster().recover(fault!.id);
    await until(
      cluster(),
      () => zoneB.every((n) => conditionStatus(cluster().store.get('nodes', '', n), 'Ready') === 'True'),
      20_000,
      'zone-b Ready again',
    );
    await threeReady();
    // Back in the ingress's rotation: it answers through the ingress again.
    await until(
      cluster(),
      async () => {
        await fetch(`${cluster().ingressUrl}/healthz`).then((r) => r.arrayBuffer());
        return (await attempts('200')) > servedBeforeRecovery;
      },
      20_000,
      'partitioned pod serving through the ingress again',
    );
  }, 240_000);
});
