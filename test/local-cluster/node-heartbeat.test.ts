import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  nodeObject,
  startNodeHeartbeat,
  type NodeHeartbeat,
} from '../../infra-fixtures/local-cluster/nodes/index.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';

const start = Date.parse('2025-03-01T10:00:00.000Z');
let beats: NodeHeartbeat[] = [];

beforeEach(() => {
  vi.useFakeTimers({
    now: start,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
});
afterEach(() => {
  for (const b of beats) b.stop();
  beats = [];
  vi.useRealTimers();
});

function setup(options: Parameters<typeof startNodeHeartbeat>[2] = {}) {
  const store = new Store();
  const node = store.create('nodes', nodeObject({ name: 'node-a1', address: '127.0.1.1', zone: 'zone-a' }));
  const errors: unknown[] = [];
  const hb = startNodeHeartbeat(store, 'node-a1', { onError: (e) => errors.push(e), ...options });
  beats.push(hb);
  return { store, node, hb, errors };
}

const lease = (store: Store) => store.get('leases', 'kube-node-lease', 'node-a1');
const ready = (store: Store) =>
  store.get('nodes', '', 'node-a1').status.conditions.find((c: { type: string }) => c.type === 'Ready');

describe('node heartbeat', () => {
  it('creates the node Lease at once and renews it every interval', async () => {
    const { store, node, hb, errors } = setup();
    expect(hb.running).toBe(true);
    const first = lease(store);
    expect(first.apiVersion).toBe('coordination.k8s.io/v1');
    expect(first.spec).toEqual({
      holderIdentity: 'node-a1',
      leaseDurationSeconds: 40,
      renewTime: '2025-03-01T10:00:00.000000Z',
    });
    expect(first.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Node', name: 'node-a1', uid: node.metadata.uid },
    ]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lease(store).spec.renewTime).toBe('2025-03-01T10:00:10.000000Z');
    await vi.advanceTimersByTimeAsync(25_000);
    expect(lease(store).spec.renewTime).toBe('2025-03-01T10:00:30.000000Z');
    expect(errors).toEqual([]);
  });

  it('moves the conditions lastHeartbeatTime at the status interval and keeps the transition time', async () => {
    const { store } = setup({ statusUpdateIntervalMs: 15_000 });
    expect(ready(store).lastHeartbeatTime).toBe('2025-03-01T10:00:00Z');
    await vi.advanceTimersByTimeAsync(14_000);
    expect(ready(store).lastHeartbeatTime).toBe('2025-03-01T10:00:00Z');
    await vi.advanceTimersByTimeAsync(1_000);
    const conditions = store.get('nodes', '', 'node-a1').status.conditions;
    expect(conditions).toHaveLength(4);
    for (const c of conditions) {
      expect(c.lastHeartbeatTime).toBe('2025-03-01T10:00:15Z');
      expect(c.lastTransitionTime).toBe('2025-03-01T10:00:00Z');
    }
  });

  it('writes nothing while paused and reports Ready again at once on resume', async () => {
    const { store, hb } = setup();
    hb.pause();
    expect(hb.running).toBe(false);
    const rv = lease(store).metadata.resourceVersion;
    const nodeRv = store.get('nodes', '', 'node-a1').metadata.resourceVersion;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lease(store).metadata.resourceVersion).toBe(rv);
    expect(store.get('nodes', '', 'node-a1').metadata.resourceVersion).toBe(nodeRv);

    // Meanwhile the node lifecycle controller gave up on the node.
    store.mutate(
      'nodes',
      '',
      'node-a1',
      (n) => {
        for (const c of n.status.conditions) {
          Object.assign(c, {
            status: 'Unknown',
            reason: 'NodeStatusUnknown',
            message: 'Kubelet stopped posting node status.',
            lastTransitionTime: '2025-03-01T10:00:50Z',
          });
        }
      },
      { subresource: 'status' },
    );
    hb.resume();
    hb.resume(); // idempotent
    expect(hb.running).toBe(true);
    expect(ready(store)).toEqual({
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
      lastHeartbeatTime: '2025-03-01T10:01:00Z',
      lastTransitionTime: '2025-03-01T10:01:00Z',
    });
    expect(lease(store).spec.renewTime).toBe('2025-03-01T10:01:00.000000Z');
    // The kubelet records its own condition changes, with the node name as uid.
    const events = store.list('events', { namespace: 'default' }).items;
    const nodeReady = events.find((e) => e.reason === 'NodeReady');
    expect(nodeReady).toMatchObject({
      type: 'Normal',
      message: 'Node node-a1 status is now: NodeReady',
      source: { component: 'kubelet', host: 'node-a1' },
      involvedObject: { kind: 'Node', name: 'node-a1', uid: 'node-a1' },
    });
    expect(events.map((e) => e.reason).sort()).toEqual([
      'NodeHasNoDiskPressure',
      'NodeHasSufficientMemory',
      'NodeHasSufficientPID',
      'NodeReady',
    ]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lease(store).spec.renewTime).toBe('2025-03-01T10:01:10.000000Z');
  });

  it('cannot be resumed after stop', async () => {
    const { store, hb } = setup();
    hb.stop();
    expect(hb.running).toBe(false);
    expect(() => hb.resume()).toThrow(/was stopped; start a new one/);
    const rv = store.resourceVersion;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(store.resourceVersion).toBe(rv);
  });

  it('creates the Lease before the Node exists and adds the owner once it does', async () => {
    const store = new Store();
    const errors: unknown[] = [];
    const hb = startNodeHeartbeat(store, 'node-late', {
      renewIntervalMs: 1000,
      onError: (e) => errors.push(e),
    });
    beats.push(hb);
    expect(store.get('leases', 'kube-node-lease', 'node-late').metadata.ownerReferences).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 404 });
    const node = store.create('nodes', nodeObject({ name: 'node-late', address: '127.0.3.1' }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.get('leases', 'kube-node-lease', 'node-late').metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Node', name: 'node-late', uid: node.metadata.uid },
    ]);
  });

  it('validates its arguments', () => {
    const store = new Store();
    expect(() => startNodeHeartbeat(store, '')).toThrow(/nodeName must be/);
    expect(() => startNodeHeartbeat(store, 'n', { renewIntervalMs: 0 })).toThrow(
      /renewIntervalMs 0 must be a positive/,
    );
    expect(() => startNodeHeartbeat(store, 'n', { leaseDurationSeconds: 1.5 })).toThrow(
      /leaseDurationSeconds 1.5 must be a positive integer/,
    );
    expect(() => startNodeHeartbeat({} as Store, 'n')).toThrow(/store must be/);
  });
});
