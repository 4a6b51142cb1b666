import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  startNodeLifecycleController,
  type NodeLifecycleController,
  type NodeLifecycleOptions,
} from '../../infra-fixtures/local-cluster/controllers/index.ts';
import {
  nodeObject,
  startNodeHeartbeat,
  type NodeHeartbeat,
} from '../../infra-fixtures/local-cluster/nodes/index.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  vi.useRealTimers();
});

function fakeClock(): void {
  vi.useFakeTimers({
    now: Date.parse('2025-03-01T10:00:00.000Z'),
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
}

interface Cluster {
  store: Store;
  nlc: NodeLifecycleController;
  hb: Record<string, NodeHeartbeat>;
  errors: unknown[];
}

function cluster(
  nodes: Array<[name: string, zone: string]>,
  options: NodeLifecycleOptions = {},
  heartbeat: Parameters<typeof startNodeHeartbeat>[2] = {},
): Cluster {
  const store = new Store();
  const errors: unknown[] = [];
  const hb: Record<string, NodeHeartbeat> = {};
  nodes.forEach(([name, zone], i) => {
    store.create(
      'nodes',
      nodeObject({ name, zone, region: 'local', address: `127.0.${i + 1}.1`, memory: '8Gi' }),
    );
    hb[name] = startNodeHeartbeat(store, name, { ...heartbeat, onError: (e) => errors.push(e) });
  });
  const nlc = startNodeLifecycleController(store, { ...options, onError: (e) => errors.push(e) });
  cleanup.push(
    () => nlc.stop(),
    () => Object.values(hb).forEach((h) => h.stop()),
  );
  return { store, nlc, hb, errors };
}

/** A Running, Ready pod bound to `nodeName`, as the kubelet would have reported it. */
function runningPod(store: Store, name: string, nodeName: string, tolerations?: unknown[]): StoredObject {
  store.create('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: {
      nodeName,
      containers: [{ name: 'app', image: 'app:1' }],
      ...(tolerations ? { tolerations } : {}),
    },
  });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return store.mutate(
    'pods',
    'default',
    name,
    (p) => {
      p.status = {
        ...p.status,
        phase: 'Running',
        conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
          type,
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: now,
        })),
      };
    },
    { subresource: 'status' },
  );
}

const node = (store: Store, name: string) => store.get('nodes', '', name);
const readyOf = (obj: StoredObject | undefined) =>
  (obj?.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
const taints = (store: Store, name: string) =>
  ((node(store, name).spec.taints ?? []) as any[]).map((t) => `${t.key}:${t.effect}`).sort();
const pod = (store: Store, name: string) => store.tryGet('pods', 'default', name);
const deleting = (store: Store, name: string) => Boolean(pod(store, name)?.metadata.deletionTimestamp);
const events = (store: Store, reason: string): any[] =>
  store.list('events', { namespace: 'default' }).items.filter((e) => e.reason === reason);

/** Advances the fake clock in steps until `pred` holds; returns the fake milliseconds it took. */
async function advanceUntil(pred: () => boolean, limitMs: number, stepMs = 1000): Promise<number> {
  let elapsed = 0;
  while (!pred()) {
    if (elapsed >= limitMs) throw new Error(`not reached within ${limitMs} ms of fake time`);
    await vi.advanceTimersByTimeAsync(stepMs);
    await new Promise((r) => setImmediate(r));
    elapsed += stepMs;
  }
  return elapsed;
}

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await new Promise((r) => setImmediate(r));
}

describe('node lifecycle controller (upstream 1.32 defaults, fake clock)', () => {
  it('leaves heartbeating nodes Ready and untainted', async () => {
    fakeClock();
    const { store, errors } = cluster([
      ['node-a1', 'zone-a'],
      ['node-b1', 'zone-b'],
    ]);
    runningPod(store, 'web-1', 'node-a1');
    await advance(10 * 60_000);
    for (const name of ['node-a1', 'node-b1']) {
      expect(readyOf(node(store, name))).toBe('True');
      expect(node(store, name).spec.taints).toBeUndefined();
    }
    expect(readyOf(pod(store, 'web-1'))).toBe('True');
    expect(events(store, 'NodeNotReady')).toEqual([]);
    expect(events(store, 'RegisteredNode').map((e) => e.message)).toEqual(
      expect.arrayContaining([
        'Node node-a1 event: Registered Node node-a1 in Controller',
        'Node node-b1 event: Registered Node node-b1 in Controller',
      ]),
    );
    expect(errors).toEqual([]);
  });

  it('marks a silent node Unknown after the grace period, taints it, marks its pods not ready and evicts them', async () => {
    fakeClock();
    const { store, hb, errors } = cluster([
      ['node-a1', 'zone-a'],
      ['node-b1', 'zone-b'],
    ]);
    runningPod(store, 'web-a', 'node-a1');
    runningPod(store, 'zero-a', 'node-a1', [
      { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
    ]);
    runningPod(store, 'forever-a', 'node-a1', [
      { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    ]);
    runningPod(store, 'web-b', 'node-b1');
    await advance(30_000);

    hb['node-a1']!.pause();
    const toUnknown = await advanceUntil(() => readyOf(node(store, 'node-a1')) === 'Unknown', 120_000);
    // Grace is 50 s from when the controller last saw the Lease move (renewed every 10 s, seen within 5 s).
    expect(toUnknown).toBeGreaterThanOrEqual(40_000);
    expect(toUnknown).toBeLessThanOrEqual(61_000);
    for (const c of node(store, 'node-a1').status.conditions) {
      expect(c).toMatchObject({
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
      });
    }
    expect(taints(store, 'node-a1')).toContain(`${UNREACHABLE}:NoSchedule`);
    expect(node(store, 'node-a1').spec.taints.find((t: any) => t.effect === 'NoSchedule').timeAdded).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    for (const name of ['web-a', 'zero-a', 'forever-a']) {
      expect(readyOf(pod(store, name))).toBe('False');
      // Only Ready changes; ContainersReady stays as the kubelet left it.
      expect(pod(store, name)!.status.conditions.find((c: any) => c.type === 'ContainersReady').status).toBe(
        'True',
      );
    }
    expect(readyOf(pod(store, 'web-b'))).toBe('True');
    expect(events(store, 'NodeNotReady').filter((e) => e.involvedObject.kind === 'Node')).toMatchObject([
      {
        type: 'Normal',
        message: 'Node node-a1 status is now: NodeNotReady',
        source: { component: 'node-controller' },
        involvedObject: { name: 'node-a1', uid: node(store, 'node-a1').metadata.uid },
      },
    ]);
    expect(
      events(store, 'NodeNotReady')
        .filter((e) => e.involvedObject.kind === 'Pod')
        .map((e) => [e.type, e.involvedObject.name, e.message])
        .sort(),
    ).toEqual([
      ['Warning', 'forever-a', 'Node is not ready'],
      ['Warning', 'web-a', 'Node is not ready'],
      ['Warning', 'zero-a', 'Node is not ready'],
    ]);

    // The NoExecute taint follows on the next monitor pass; zone-b is healthy, so no rate limit bites.
    await advanceUntil(() => taints(store, 'node-a1').includes(`${UNREACHABLE}:NoExecute`), 6_000);
    expect(taints(store, 'node-a1')).toEqual([`${UNREACHABLE}:NoExecute`, `${UNREACHABLE}:NoSchedule`]);
    await advanceUntil(() => deleting(store, 'zero-a'), 1_000, 100);
    expect(
      pod(store, 'zero-a')!.status.conditions.find((c: any) => c.type === 'DisruptionTarget'),
    ).toMatchObject({
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
    });
    expect(events(store, 'TaintManagerEviction').map((e) => [e.message, e.source.component])).toEqual([
      ['Marking for deletion Pod default/zero-a', 'taint-eviction-controller'],
    ]);

    // The default 300 s toleration of web-a counts from when the taint reached it.
    const toEviction = await advanceUntil(() => deleting(store, 'web-a'), 320_000);
    expect(toEviction).toBeGreaterThanOrEqual(299_000);
    expect(toEviction).toBeLessThanOrEqual(301_000);
    expect(deleting(store, 'forever-a')).toBe(false);
    expect(deleting(store, 'web-b')).toBe(false);
    expect(readyOf(node(store, 'node-b1'))).toBe('True');

    // Back online: Ready at once, NoSchedule taint gone at once, NoExecute on the next pass.
    hb['node-a1']!.resume();
    expect(readyOf(node(store, 'node-a1'))).toBe('True');
    await advance(0);
    expect(taints(store, 'node-a1')).toEqual([`${UNREACHABLE}:NoExecute`]);
    await advanceUntil(() => node(store, 'node-a1').spec.taints === undefined, 6_000);
    await advance(10 * 60_000);
    expect(deleting(store, 'forever-a')).toBe(false);
    expect(readyOf(node(store, 'node-a1'))).toBe('True');
    expect(errors).toEqual([]);
  });

  it('cancels a pending eviction when the node comes back in time', async () => {
    fakeClock();
    const { store, hb, errors } = cluster([
      ['node-a1', 'zone-a'],
      ['node-b1', 'zone-a'],
    ]);
    runningPod(store, 'web-a', 'node-a1');
    await advance(15_000);
    hb['node-a1']!.pause();
    await advanceUntil(() => taints(store, 'node-a1').includes(`${UNREACHABLE}:NoExecute`), 120_000);
    await advance(60_000);
    hb['node-a1']!.resume();
    await advanceUntil(() => node(store, 'node-a1').spec.taints === undefined, 6_000);
    expect(events(store, 'TaintManagerEviction').map((e) => e.message)).toEqual([
      'Cancelling deletion of Pod default/web-a',
    ]);
    await advance(400_000);
    expect(deleting(store, 'web-a')).toBe(false);
    expect(errors).toEqual([]);
  });

  it('gives a node whose kubelet reports Ready=False the not-ready taints instead', async () => {
    fakeClock();
    const { store, nlc, hb, errors } = cluster(
      [
        ['node-a1', 'zone-a'],
        ['node-b1', 'zone-b'],
      ],
      { monitorPeriodMs: 3_600_000 },
    );
    runningPod(store, 'web-a', 'node-a1');
    runningPod(store, 'zero-a', 'node-a1', [
      { key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
    ]);
    await nlc.syncOnce();
    hb['node-a1']!.pause();
    store.mutate(
      'nodes',
      '',
      'node-a1',
      (n) => {
        const c = n.status.conditions.find((x: any) => x.type === 'Ready');
        Object.assign(c, {
          status: 'False',
          reason: 'KubeletNotReady',
          message: 'container runtime is down',
          lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        });
      },
      { subresource: 'status' },
    );
    await advance(1000);
    await nlc.syncOnce();
    expect(taints(store, 'node-a1')).toEqual([`${NOT_READY}:NoExecute`, `${NOT_READY}:NoSchedule`]);
    expect(readyOf(node(store, 'node-a1'))).toBe('False');
    expect(deleting(store, 'zero-a')).toBe(true);
    expect(deleting(store, 'web-a')).toBe(false);
    // The kubelet owns pod readiness while it is still reporting.
    expect(readyOf(pod(store, 'web-a'))).toBe('True');
    await advance(299_000);
    await nlc.syncOnce();
    expect(deleting(store, 'web-a')).toBe(false);
    await advance(1_000);
    await nlc.syncOnce();
    expect(deleting(store, 'web-a')).toBe(true);
    expect(errors).toEqual([]);
  });

  it('evicts nothing when every zone has lost all its nodes, and waits a full grace period after', async () => {
    fakeClock();
    const { store, hb, errors } = cluster([
      ['node-a1', 'zone-a'],
      ['node-b1', 'zone-b'],
    ]);
    runningPod(store, 'web-a', 'node-a1');
    await advance(15_000);
    hb['node-a1']!.pause();
    hb['node-b1']!.pause();
    await advanceUntil(
      () => readyOf(node(store, 'node-a1')) === 'Unknown' && readyOf(node(store, 'node-b1')) === 'Unknown',
      120_000,
    );
    await advance(10 * 60_000);
    expect(taints(store, 'node-a1')).toEqual([`${UNREACHABLE}:NoSchedule`]);
    expect(taints(store, 'node-b1')).toEqual([`${UNREACHABLE}:NoSchedule`]);
    expect(readyOf(pod(store, 'web-a'))).toBe('False');
    expect(deleting(store, 'web-a')).toBe(false);

    // One zone back: node-a1 is tainted again, after the drained rate limiter allows (10 s).
    hb['node-b1']!.resume();
    const toTaint = await advanceUntil(
      () => taints(store, 'node-a1').includes(`${UNREACHABLE}:NoExecute`),
      60_000,
    );
    expect(toTaint).toBeGreaterThanOrEqual(5_000);
    expect(toTaint).toBeLessThanOrEqual(20_000);
    expect(errors).toEqual([]);
  });

  it('taints the nodes of a failed zone one per 10 s', async () => {
    fakeClock();
    const { store, hb, errors } = cluster([
      ['node-a1', 'zone-a'],
      ['node-a2', 'zone-a'],
      ['node-b1', 'zone-b'],
    ]);
    await advance(15_000);
    hb['node-a1']!.pause();
    hb['node-a2']!.pause();
    const tainted = (name: string) => taints(store, name).includes(`${UNREACHABLE}:NoExecute`);
    await advanceUntil(() => tainted('node-a1') || tainted('node-a2'), 120_000);
    const gap = await advanceUntil(() => tainted('node-a1') && tainted('node-a2'), 30_000, 500);
    expect(gap).toBeGreaterThanOrEqual(8_000);
    expect(gap).toBeLessThanOrEqual(15_000);
    expect(taints(store, 'node-b1')).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('validates its options', () => {
    const store = new Store();
    expect(() => startNodeLifecycleController(store, { gracePeriodMs: -1 })).toThrow(
      /gracePeriodMs -1 must be a positive number/,
    );
    expect(() => startNodeLifecycleController(store, { unhealthyZoneThreshold: 2 })).toThrow(
      /unhealthyZoneThreshold 2 must be a fraction/,
    );
    expect(() => startNodeLifecycleController({} as Store)).toThrow(/store must be/);
  });
});

describe('node lifecycle controller (real timers, small periods)', () => {
  it('goes Unknown after the grace period, evicts after tolerationSeconds, and recovers', async () => {
    const { store, hb, errors } = cluster(
      [
        ['node-a1', 'zone-a'],
        ['node-b1', 'zone-b'],
      ],
      { monitorPeriodMs: 200, gracePeriodMs: 2000 },
      { renewIntervalMs: 250, statusUpdateIntervalMs: 250 },
    );
    runningPod(store, 'web-a', 'node-a1', [
      { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3 },
    ]);
    runningPod(store, 'forever-a', 'node-a1', [{ operator: 'Exists' }]);
    const poll = async (pred: () => boolean, limitMs: number): Promise<number> => {
      const t0 = Date.now();
      while (!pred()) {
        if (Date.now() - t0 > limitMs) throw new Error(`not reached within ${limitMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return Date.now() - t0;
    };
    // Heartbeats keep it Ready well past the grace period.
    await new Promise((r) => setTimeout(r, 3000));
    expect(readyOf(node(store, 'node-a1'))).toBe('True');

    hb['node-a1']!.pause();
    const paused = Date.now();
    const toUnknown = await poll(() => readyOf(node(store, 'node-a1')) === 'Unknown', 8000);
    expect(readyOf(pod(store, 'web-a'))).toBe('False');
    await poll(() => taints(store, 'node-a1').includes(`${UNREACHABLE}:NoExecute`), 3000);
    const tainted = Date.now();
    await poll(() => deleting(store, 'web-a'), 8000);
    const toEviction = Date.now() - tainted;
    expect(deleting(store, 'forever-a')).toBe(false);

    hb['node-a1']!.resume();
    expect(readyOf(node(store, 'node-a1'))).toBe('True');
    const toUntainted = await poll(() => node(store, 'node-a1').spec.taints === undefined, 3000);
    console.log(
      `real timers: Unknown ${toUnknown} ms after pause (grace 2000), eviction ${toEviction} ms after the NoExecute taint (toleration 3000), untainted ${toUntainted} ms after resume; total ${Date.now() - paused} ms`,
    );
    // Grace counts from the last renewal the controller saw (up to 250 ms before the pause).
    expect(toUnknown).toBeGreaterThanOrEqual(1500);
    expect(toUnknown).toBeLessThan(6000);
    // Measured from when this poll noticed the taint, so a little under 3000 on a busy machine.
    expect(toEviction).toBeGreaterThanOrEqual(2500);
    expect(toEviction).toBeLessThan(6000);
    expect(errors).toEqual([]);
  });
});
