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
  readonly scope: 'run' | 'baseline' | 'during-fault' | 'recovery';
  readonly abortOnFail: boolean;
  /** With abortOnFail: evaluate over the trailing N seconds, and not before N seconds have passed. */
  readonly abortWindowS: number;
}

export interface ResolvedTarget {
  readonly kind: 'url';
  /** Base URL, origin (+ optional base path), no trailing slash. */
  readonly url: string;
}

export interface ResolvedScenario {
  readonly name: string;
  readonly description: string;
  readonly target: ResolvedTarget;
  readonly requests: readonly ResolvedRequest[];
  readonly profile: ResolvedProfile;
  readonly load: ResolvedLoadOptions;
  readonly slas: readonly ResolvedSla[];
  /** Reserved for the chaos schedule; validated as an (empty for now) list. */
  readonly chaos: readonly unknown[];
  /** The duration multiplier applied (1 = as written). */
  readonly scale: number;
}

/** Total planned duration of a load profile, ms. */
export function profileDurationMs(p: ResolvedProfile): number {
  if (p.kind === 'ramping-arrival-rate') return p.stages.reduce((s, st) => s + st.durationMs, 0);
  return p.durationMs;
}
