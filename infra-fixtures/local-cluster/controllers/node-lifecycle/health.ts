/**
 * Per-node liveness as upstream's tryUpdateNodeHealth judges it. The probe time is the
 * controller's own clock at the moment it saw the Ready condition's lastHeartbeatTime change or
 * the node Lease's renewTime advance, so kubelet clock skew does not matter. When the probe is
 * older than the grace period (the startup grace period for a node that never posted Ready),
 * Ready, MemoryPressure, DiskPressure and PIDPressure become Unknown.
 */
import { jsonEqual } from '../../store/json.ts';
import type { Store } from '../../store/store.ts';
import type { StoredObject } from '../../store/types.ts';
import { rfc3339 } from '../../store/util.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface NodeHealth {
  /** node.status as last seen or written by the controller. */
  status: any;
  probeMs: number;
  readyTransitionMs: number;
  /** renewTime of the newest Lease seen. */
  leaseRenewTime?: string;
}

export interface HealthContext {
  store: Store;
  now(): Date;
  health: Map<string, NodeHealth>;
  gracePeriodMs: number;
  startupGracePeriodMs: number;
}

export interface HealthResult {
  node: StoredObject;
  /** Ready as the kubelet last posted it (Unknown, at creation time, when it never did). */
  observed: Condition;
  /** Ready after this pass; undefined when the node still has none. */
  current: Condition | undefined;
}

const kLeaseNamespace = 'kube-node-lease';
const kControllerOwned = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export function conditionOf(status: any, type: string): Condition | undefined {
  return ((status?.conditions ?? []) as Condition[]).find((c) => c.type === type);
}

/** MicroTime → microseconds since the epoch (Date keeps only milliseconds). */
function micros(text: string): number {
  const m = /\.(\d+)Z$/.exec(text);
  const whole = Date.parse(text.replace(/\.\d+Z$/, 'Z'));
  return whole * 1000 + (m ? Number((m[1] ?? '').padEnd(6, '0').slice(0, 6)) : 0);
}

export function tryUpdateNodeHealth(ctx: HealthContext, node: StoredObject): HealthResult {
  const name = node.metadata.name;
  const nowMs = ctx.now().getTime();
  let h = ctx.health.get(name);
  const ready = conditionOf(node.status, 'Ready');
  let observed: Condition;
  let grace: number;
  if (!ready) {
    const created = node.metadata.creationTimestamp;
    observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: created, lastTransitionTime: created };
    grace = ctx.startupGracePeriodMs;
    const createdMs = Date.parse(created) || nowMs;
    if (h) h.status = node.status;
    else h = { status: node.status, probeMs: createdMs, readyTransitionMs: createdMs };
  } else {
    observed = { ...ready };
    grace = ctx.gracePeriodMs;
  }
  const saved = h ? conditionOf(h.status, 'Ready') : undefined;
  const savedLease = h?.leaseRenewTime;
  if (!h || (!saved && ready) || (saved && !ready)) {
    h = { status: node.status, probeMs: nowMs, readyTransitionMs: nowMs, leaseRenewTime: savedLease };
  } else if (saved && ready && saved.lastHeartbeatTime !== ready.lastHeartbeatTime) {
    const transition = saved.lastTransitionTime !== ready.lastTransitionTime ? nowMs : h.readyTransitionMs;
    h = { status: node.status, probeMs: nowMs, readyTransitionMs: transition, leaseRenewTime: savedLease };
  }
  const renewTime = ctx.store.tryGet('leases', kLeaseNamespace, name)?.spec?.renewTime;
  if (typeof renewTime === 'string' && (savedLease === undefined || micros(savedLease) < micros(renewTime))) {
    h.leaseRenewTime = renewTime;
    h.probeMs = nowMs;
  }
  ctx.health.set(name, h);

  let current = conditionOf(node.status, 'Ready');
  if (nowMs <= h.probeMs + grace) return { node, observed, current };

  const at = rfc3339(new Date(nowMs));
  const conditions: Condition[] = structuredClone(node.status?.conditions ?? []);
  for (const type of kControllerOwned) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata.creationTimestamp,
        lastTransitionTime: at,
      });
    } else if (c.status !== 'Unknown') {
      Object.assign(c, {
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastTransitionTime: at,
      });
    }
  }
  current = conditions.find((c) => c.type === 'Ready');
  if (jsonEqual(current, observed)) return { node, observed, current };
  const updated = ctx.store.mutate(
    'nodes',
    '',
    name,
    (draft) => {
      draft.status = { ...draft.status, conditions };
    },
    { subresource: 'status' },
  );
  ctx.health.set(name, {
    status: updated.status,
    probeMs: h.probeMs,
    readyTransitionMs: nowMs,
    leaseRenewTime: h.leaseRenewTime,
  });
  return { node: updated, observed, current };
}
