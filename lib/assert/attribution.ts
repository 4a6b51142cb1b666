/**
 * Which Kubernetes change explains a failed request. The timeline's candidates are the cluster
 * events that take capacity away (a pod terminating or deleted, an endpoint removed, a node not
 * ready, an eviction, a pod turning not ready) and the starts of chaos spans. A failure is
 * attributed to the earliest candidate while the request was in flight (from its intended send
 * time until it failed), which is what broke a request already under way (a timeout, a reset);
 * failing that, to the latest candidate before it was sent, within the lookback. The gap is from
 * the cause to the failure.
 */
import type { RunTimeline } from '../result/timeline.ts';

export const defaultCauseKinds = [
  'pod-terminating',
  'pod-deleted',
  'endpoint-removed',
  'node-not-ready',
  'eviction',
  'pod-not-ready',
] as const;

export interface Cause {
  readonly t: number;
  /** The event kind, or `chaos` for the start of a chaos span. */
  readonly kind: string;
  readonly object: string;
  readonly message: string;
}

export interface Attribution {
  readonly cause: Cause;
  /** From the cause to the failure, ms (≥ 0). */
  readonly gapMs: number;
}

/** Candidate causes in time order; at one instant a chaos start sorts before the events it caused. */
export function causesOf(
  t: Pick<RunTimeline, 'events' | 'spans'>,
  kinds: readonly string[] = defaultCauseKinds,
): Cause[] {
  const chaos: Cause[] = t.spans
    .filter((s) => s.kind === 'chaos')
    .map((s) => {
      const action = typeof s.detail?.action === 'string' ? s.detail.action : s.name;
      const target = typeof s.detail?.target === 'string' ? s.detail.target : s.name;
      return { t: s.start, kind: 'chaos', object: target, message: `${action} started: ${s.name}` };
    });
  const events: Cause[] = t.events
    .filter((e) => kinds.includes(e.kind))
    .map((e) => ({ t: e.t, kind: e.kind, object: e.object, message: e.message }));
  // Stable sort keeps chaos starts ahead of events at the same instant.
  return [...chaos, ...events].sort((a, b) => a.t - b.t);
}

/** Index of the first cause with t >= at (causes sorted by t). */
function firstFrom(causes: readonly Cause[], at: number): number {
  let lo = 0;
  let hi = causes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((causes[mid] as Cause).t < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The cause of a failure of a request intended at `sentS` that failed at `failedS` (seconds), or
 * null when nothing happened in flight nor within `lookbackS` before.
 */
export function attribute(
  causes: readonly Cause[],
  sentS: number,
  failedS: number,
  lookbackS: number,
): Attribution | null {
  const i = firstFrom(causes, sentS);
  const inFlight = causes[i];
  const cause =
    inFlight !== undefined && inFlight.t <= failedS
      ? inFlight
      : i > 0 && sentS - (causes[i - 1] as Cause).t <= lookbackS
        ? (causes[i - 1] as Cause)
        : undefined;
  if (!cause) return null;
  return { cause, gapMs: Math.round((failedS - cause.t) * 1000) };
}

/** 'pod-terminating pod/api-1', 'chaos node/worker-2'. */
export function causeLabel(c: Cause): string {
  return `${c.kind} ${c.object}`;
}
