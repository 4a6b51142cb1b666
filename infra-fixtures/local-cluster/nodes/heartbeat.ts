/**
 * The two heartbeats a kubelet sends, so the node lifecycle controller can tell a live node from
 * a dead or partitioned one:
 *   - the Lease `kube-node-lease/<node>` (holderIdentity, leaseDurationSeconds, renewTime as
 *     MicroTime, owned by the Node so it goes with it), renewed every `renewIntervalMs`;
 *   - the node's conditions (MemoryPressure, DiskPressure, PIDPressure, Ready), whose
 *     lastHeartbeatTime moves every `statusUpdateIntervalMs`.
 *
 *   const hb = startNodeHeartbeat(store, 'node-a1');   // beats at once, then on the intervals
 *   hb.pause();    // partition / frozen kubelet: nothing is written, the node goes Unknown after the grace period
 *   hb.resume();   // beats at once: Ready=True (KubeletReady) again, plus the kubelet's NodeReady event
 *   hb.stop();     // for good
 *
 * Upstream kubelets post node status only on change or every 5 min once Leases carry liveness
 * (nodeStatusReportFrequency); pass `statusUpdateIntervalMs: 300_000` for that behaviour.
 * Events for condition changes come from `kubelet` with the node name as involvedObject.uid, as
 * the kubelet records them.
 */
import { createEventRecorder, type EventRecorder } from '../controllers/events.ts';
import { Store } from '../store/store.ts';
import type { StoredObject } from '../store/types.ts';
import { rfc3339Micro } from '../store/util.ts';
import { kubeletConditions, type NodeCondition } from './node-object.ts';

export interface NodeHeartbeatOptions {
  /** Lease spec.leaseDurationSeconds. Default 40 (kubelet nodeLeaseDurationSeconds). */
  leaseDurationSeconds?: number;
  /** Default 10 000 (a quarter of the lease duration, as the kubelet renews). */
  renewIntervalMs?: number;
  /** Default 10 000 (kubelet nodeStatusUpdateFrequency). */
  statusUpdateIntervalMs?: number;
  /** Clock for renewTime and condition timestamps. Default: the store's clock. */
  now?: () => Date;
  /** Failed writes (node deleted, validation). Default: logged once per distinct message. */
  onError?: (err: unknown) => void;
}

export interface NodeHeartbeat {
  pause(): void;
  resume(): void;
  stop(): void;
  readonly running: boolean;
}

export const kNodeLeaseNamespace = 'kube-node-lease';

/** Kubelet event reasons per condition and new status (pkg/kubelet/nodestatus/setters.go). */
const kConditionEvents: Record<string, Partial<Record<string, string>>> = {
  MemoryPressure: { True: 'NodeHasInsufficientMemory', False: 'NodeHasSufficientMemory' },
  DiskPressure: { True: 'NodeHasDiskPressure', False: 'NodeHasNoDiskPressure' },
  PIDPressure: { True: 'NodeHasInsufficientPID', False: 'NodeHasSufficientPID' },
  Ready: { True: 'NodeReady', False: 'NodeNotReady' },
};

function positive(field: string, value: unknown, integer: boolean): void {
  if (value === undefined) return;
  const ok =
    typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!ok)
    throw new Error(
      `startNodeHeartbeat: ${field} ${String(value)} must be a positive ${integer ? 'integer' : 'number'}`,
    );
}

function validate(store: unknown, nodeName: unknown, o: NodeHeartbeatOptions): void {
  if (!(store instanceof Store)) throw new Error('startNodeHeartbeat: store must be a local-cluster Store');
  if (typeof nodeName !== 'string' || !nodeName)
    throw new Error('startNodeHeartbeat: nodeName must be the name of a Node object, such as node-a1');
  positive('leaseDurationSeconds', o.leaseDurationSeconds, true);
  positive('renewIntervalMs', o.renewIntervalMs, false);
  positive('statusUpdateIntervalMs', o.statusUpdateIntervalMs, false);
  if (o.now !== undefined && typeof o.now !== 'function')
    throw new Error('startNodeHeartbeat: now must be a function returning a Date');
}

function defaultOnError(nodeName: string): (err: unknown) => void {
  let last = '';
  return (err) => {
    const message = err instanceof Error ? err.message : String(err);
    if (message === last) return;
    last = message;
    console.error(`node heartbeat ${nodeName}: ${message}`);
  };
}

export function startNodeHeartbeat(
  store: Store,
  nodeName: string,
  options: NodeHeartbeatOptions = {},
): NodeHeartbeat {
  validate(store, nodeName, options);
  const leaseDurationSeconds = options.leaseDurationSeconds ?? 40;
  const now = options.now ?? (() => store.now());
  const onError = options.onError ?? defaultOnError(nodeName);
  const events = createEventRecorder(store, 'kubelet', nodeName);
  let timers: NodeJS.Timeout[] = [];
  let running = false;
  let stopped = false;

  const guarded = (fn: () => void) => () => {
    try {
      fn();
    } catch (err) {
      onError(err);
    }
  };
  const renew = guarded(() => renewLease(store, nodeName, leaseDurationSeconds, now()));
  const post = guarded(() => postStatus(store, nodeName, now(), events));

  function resume(): void {
    if (stopped)
      throw new Error(`heartbeat of node ${nodeName} was stopped; start a new one with startNodeHeartbeat`);
    if (running) return;
    running = true;
    post();
    renew();
    timers = [
      setInterval(renew, options.renewIntervalMs ?? 10_000),
      setInterval(post, options.statusUpdateIntervalMs ?? 10_000),
    ];
  }

  function pause(): void {
    for (const t of timers) clearInterval(t);
    timers = [];
    running = false;
  }

  resume();
  return {
    pause,
    resume,
    stop() {
      pause();
      stopped = true;
    },
    get running() {
      return running;
    },
  };
}

function renewLease(store: Store, nodeName: string, leaseDurationSeconds: number, at: Date): void {
  const node = store.tryGet('nodes', '', nodeName);
  // The kubelet sets the owner once it can see its Node, so the Lease is collected with it.
  const owner = node
    ? [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid }]
    : undefined;
  const spec = { holderIdentity: nodeName, leaseDurationSeconds, renewTime: rfc3339Micro(at) };
  if (!store.tryGet('leases', kNodeLeaseNamespace, nodeName)) {
    store.create('leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: nodeName,
        namespace: kNodeLeaseNamespace,
        ...(owner ? { ownerReferences: owner } : {}),
      },
      spec,
    });
    return;
  }
  store.mutate('leases', kNodeLeaseNamespace, nodeName, (lease) => {
    lease.spec = { ...lease.spec, ...spec };
    const refs = lease.metadata.ownerReferences ?? [];
    if (owner && !refs.some((r) => r.kind === 'Node' && r.uid === owner[0]!.uid))
      lease.metadata.ownerReferences = owner;
  });
}

function postStatus(store: Store, nodeName: string, at: Date, events: EventRecorder): void {
  const changed: NodeCondition[] = [];
  const saved: StoredObject = store.mutate(
    'nodes',
    '',
    nodeName,
    (node) => {
      const previous: NodeCondition[] = node.status?.conditions ?? [];
      const next = kubeletConditions(at, previous);
      for (const c of next) {
        const before = previous.find((p) => p.type === c.type);
        if (before?.status !== c.status) changed.push(c);
      }
      node.status = { ...node.status, conditions: next };
    },
    { subresource: 'status' },
  );
  for (const c of changed) {
    const reason = kConditionEvents[c.type]?.[c.status];
    if (!reason) continue;
    events.record(
      { apiVersion: 'v1', kind: 'Node', metadata: { name: saved.metadata.name, uid: nodeName } },
      'Normal',
      reason,
      `Node ${nodeName} status is now: ${reason}`,
    );
  }
}
