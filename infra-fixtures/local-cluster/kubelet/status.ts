/**
 * Pure pieces of the pod status: the phase from container states (the kubelet's getPhase), the
 * conditions with lastTransitionTime kept until the status really flips, and the QoS class.
 */
import type {
  Container,
  ContainerStatus,
  PodCondition,
  PodConditionType,
  PodPhase,
  PodStatus,
  RestartPolicy,
} from './types.ts';

/**
 * Pending while a container has never run; Running while one runs or will be restarted; then
 * Succeeded when every container exited 0, else Failed. A terminating pod whose processes are all
 * gone is terminal whatever its restart policy.
 */
export function podPhase(
  statuses: readonly ContainerStatus[],
  policy: RestartPolicy,
  terminated: boolean,
): PodPhase {
  let neverRan = 0;
  let running = 0;
  let failed = 0;
  for (const s of statuses) {
    const exit = s.state.terminated ?? s.lastState.terminated;
    if (s.state.running) running++;
    else if (!exit) neverRan++;
    else if (exit.exitCode !== 0) failed++;
  }
  if (terminated) return failed > 0 || neverRan > 0 ? 'Failed' : 'Succeeded';
  if (neverRan > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (policy === 'Always') return 'Running';
  if (failed === 0) return 'Succeeded';
  return policy === 'OnFailure' ? 'Running' : 'Failed';
}

export interface ConditionInput {
  readonly type: PodConditionType;
  readonly ok: boolean;
  readonly reason?: string;
  readonly message?: string;
}

/** Keeps each condition's lastTransitionTime unless its status changed. */
export function mergeConditions(
  previous: readonly PodCondition[] | undefined,
  next: readonly ConditionInput[],
  now: string,
): PodCondition[] {
  return next.map((c) => {
    const status = c.ok ? 'True' : 'False';
    const before = previous?.find((p) => p.type === c.type);
    const condition: PodCondition = {
      type: c.type,
      status,
      lastProbeTime: null,
      lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now,
    };
    if (c.reason) condition.reason = c.reason;
    if (c.message) condition.message = c.message;
    return condition;
  });
}

/** The Ready/ContainersReady pair, with the kubelet's reason and message when not ready. */
export function readinessConditions(
  statuses: readonly ContainerStatus[],
  terminal: boolean,
): ConditionInput[] {
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  if (unready.length === 0 && !terminal) {
    return [
      { type: 'ContainersReady', ok: true },
      { type: 'Ready', ok: true },
    ];
  }
  const reason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const message = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  return [
    { type: 'ContainersReady', ok: false, reason, ...(message ? { message } : {}) },
    { type: 'Ready', ok: false, reason, ...(message ? { message } : {}) },
  ];
}

function quantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(value.trim());
  if (!m) return undefined;
  const scale: Record<string, number> = {
    '': 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  const factor = scale[m[2] as string];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

/** Guaranteed: cpu and memory limits everywhere, requests equal to them; BestEffort: nothing set. */
export function qosClass(containers: readonly Container[]): PodStatus['qosClass'] {
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const { requests = {}, limits = {} } = c.resources ?? {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const resource of ['cpu', 'memory']) {
      const limit = quantity(limits[resource]);
      const request = quantity(requests[resource]) ?? limit;
      if (limit === undefined || request !== limit) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
