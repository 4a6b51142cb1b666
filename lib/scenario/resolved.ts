import type { ChaosLimits, ResolvedChaosEntry } from './chaos-schema.ts';
/**
 * Resolved scenario types: what every part of gauntlet after validation sees. Durations are
 * milliseconds, defaults are filled, everything is readonly. User-facing input types live in
 * `input.ts`; `resolveScenario()` turns one into the other.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface ResolvedRequest {
  readonly name: string;
  readonly method: HttpMethod;
  /** Path and query, starting with '/'. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Serialised body (JSON bodies are stringified at resolve time, once). */
  readonly body: string | undefined;
  /** Status codes that count as success. */
  readonly expectStatus: readonly number[];
  readonly weight: number;
}

export interface RampStage {
  /** Arrival rate (req/s) reached at the end of this stage, linearly from the previous target. */
  readonly target: number;
  readonly durationMs: number;
}

export type ResolvedProfile =
  | { readonly kind: 'constant-arrival-rate'; readonly rate: number; readonly durationMs: number }
  | {
      readonly kind: 'ramping-arrival-rate';
      readonly startRate: number;
      readonly stages: readonly RampStage[];
    }
  | { readonly kind: 'closed'; readonly connections: number; readonly durationMs: number };

/** Knobs of the load generator itself (not of the target). */
export interface ResolvedLoadOptions {
  /** Maximum requests in flight (like k6's maxVUs); a request that cannot start in time is dropped. */
  readonly maxInFlight: number;
  /** Per-request timeout. */
  readonly timeoutMs: number;
  /** A request whose turn comes later than this after its intended time is counted as dropped. */
  readonly maxScheduleLagMs: number;
  /** Keep-alive connections to the target. */
  readonly connections: number;
}

export type SlaMetric = 'latency' | 'error-rate' | 'availability' | 'achieved-rate';
export type Comparison = '<' | '<=' | '>' | '>=';

export interface ResolvedWindow {
  /** Seconds from run start; `end: null` means the end of the run. */
  readonly startS: number;
  readonly endS: number | null;
}

export type PhaseScope = 'run' | 'baseline' | 'during-fault' | 'recovery';

export interface ResolvedSla {
  /** Stable id used in verdict names and JUnit test case names, e.g. `p95<100ms`. */
  readonly id: string;
  readonly metric: SlaMetric;
  /** For latency: the percentile (50, 90, 95, 99, 99.9 …). */
  readonly percentile?: number;
  readonly op: Comparison;
  /** ms for latency; percent (0–100) for error-rate, availability and achieved-rate. */
  readonly value: number;
  readonly window: ResolvedWindow | null;
  /** Phase scope (chaos issue); `run` = the whole run. */
  readonly scope: PhaseScope;
  readonly abortOnFail: boolean;
  /** With abortOnFail: evaluate over the trailing N seconds, and not before N seconds have passed. */
  readonly abortWindowS: number;
}

/** A client-side figure a server-side SLA can be shown beside. */
export type ClientMetric = 'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'errors' | 'availability';

/**
 * A server-side SLA: a PromQL expression sampled over the run and judged like a client-side SLA
 * (lib/assert/promql-sla.ts). Needs Prometheus for the run (`--prometheus`, or the local cluster's).
 */
export interface ResolvedPromqlSla {
  /** Names the verdict (`sla [server] <id>`) and the gauge the samples are kept as (`promql:<id>`). */
  readonly id: string;
  readonly expr: string;
  readonly op: Comparison;
  /** In what the expression returns (`unit`). */
  readonly value: number;
  readonly unit: string | null;
  readonly reduce: 'worst' | 'mean' | 'last';
  readonly scope: PhaseScope;
  readonly abortOnFail: boolean;
  /** With abortOnFail: how long the condition must stay broken while the load runs. */
  readonly abortWindowS: number;
  /** Shown beside this client-side figure in the reports; null = no comparison. */
  readonly compareTo: ClientMetric | null;
}

/** An SLA as a condition only (no scope, window or abort): what "within the SLA" means. */
export type SlaCondition = Pick<ResolvedSla, 'id' | 'metric' | 'percentile' | 'op' | 'value'>;

/** No failed request in the scope; failures are attributed to Kubernetes causes. */
export interface ResolvedZeroDowntime {
  readonly kind: 'zero-downtime';
  readonly scope: PhaseScope;
  /** Narrows the scope further (seconds from run start). */
  readonly window: ResolvedWindow | null;
  /** How far before a failure a cause may lie. */
  readonly lookbackMs: number;
}

/** After each fault ends, the per-second series is back within the SLA for `stableForS` seconds within `withinMs`. */
export interface ResolvedRecoveryTime {
  readonly kind: 'recovery-time';
  readonly withinMs: number;
  readonly sla: readonly SlaCondition[];
  /** Whole seconds (rounded up). */
  readonly stableForS: number;
  /** Only fault spans with this name or action; null = every fault. */
  readonly fault: string | null;
}

/** Which replica count autoscaling follows; `auto` = hpa.desired when observed, else deployment.desired. */
export interface ReplicaSource {
  readonly gauge: 'hpa.desired' | 'deployment.desired' | 'auto';
  /** Label filter: { hpa: name } or { deployment: name }; empty = every series summed. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Each check is null when the scenario does not ask for it; at least one is set. */
export interface ResolvedAutoscaling {
  readonly kind: 'autoscaling';
  readonly source: ReplicaSource;
  /** When the load steps up (s from run start); null = detect from the intended rate. */
  readonly loadStepS: number | null;
  /** When the load drops; null = detect. */
  readonly loadDropS: number | null;
  readonly scaleUpWithinMs: number | null;
  readonly minPeak: number | null;
  readonly maxDirectionChanges: number | null;
  readonly scaleDown: { readonly to: number; readonly withinMs: number } | null;
}

/** Judged on the cluster snapshot taken before the load (RunTimeline.preflight). */
export interface ResolvedPreflight {
  readonly kind: 'preflight';
  readonly minZones: number;
}

/**
 * After each judged fault, every named alert fires within `withinMs` (fault inject → Alertmanager
 * startsAt); judged from the run's `alert-firing` events and the `monitoring` budget event.
 */
export interface ResolvedAlertDetection {
  readonly kind: 'alert-detection';
  readonly alerts: readonly string[];
  readonly withinMs: number;
  /** Only chaos spans with this name or action; null = every fault. */
  readonly fault: string | null;
  /** Only alerts carrying these labels count; empty = any. */
  readonly labels: Readonly<Record<string, string>>;
}

export type ResolvedVerification =
  | ResolvedZeroDowntime
  | ResolvedRecoveryTime
  | ResolvedAutoscaling
  | ResolvedPreflight
  | ResolvedAlertDetection;

export interface ResolvedUrlTarget {
  readonly kind: 'url';
  /** Base URL, origin (+ optional base path), no trailing slash. */
  readonly url: string;
}

/** A workload in a cluster; its URL is read from the API when the run starts (lib/cluster/target.ts). */
export interface ResolvedKubernetesTarget {
  readonly kind: 'kubernetes';
  readonly namespace: string;
  readonly deployment?: string;
  readonly selector?: string;
  readonly service?: string;
  readonly ingress?: string;
  /** Fixed URL overriding discovery. */
  readonly url?: string;
}

export type ResolvedTarget = ResolvedUrlTarget | ResolvedKubernetesTarget;

export interface ResolvedScenario {
  readonly name: string;
  readonly description: string;
  readonly target: ResolvedTarget;
  readonly requests: readonly ResolvedRequest[];
  readonly profile: ResolvedProfile;
  readonly load: ResolvedLoadOptions;
  readonly slas: readonly ResolvedSla[];
  /** Server-side SLAs (`{ promql, id, op, value }` entries of `slas`), in the order written. */
  readonly promqlSlas: readonly ResolvedPromqlSla[];
  /** Verdicts beyond SLAs, in the order written. */
  readonly verify: readonly ResolvedVerification[];
  /** The chaos schedule, offsets in ms on the run's clock. */
  readonly chaos: readonly ResolvedChaosEntry[];
  readonly chaosLimits: ChaosLimits;
  /** The duration multiplier applied (1 = as written). */
  readonly scale: number;
}

/** Total planned duration of a load profile, ms. */
export function profileDurationMs(p: ResolvedProfile): number {
  if (p.kind === 'ramping-arrival-rate') return p.stages.reduce((s, st) => s + st.durationMs, 0);
  return p.durationMs;
}
