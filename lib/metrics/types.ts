import type { ErrorKind, FailureSample, LatencyStats, LoadSummary, SeriesPoint } from '../result/schema.ts';

/** What a load engine reports for one request. Times are ms on the run clock. */
export interface RequestOutcome {
  /** When the request should have been sent (open model), or was sent (closed model). */
  readonly intendedAt: number;
  /** When it was actually handed to the connection. */
  readonly sentAt: number;
  /**
   * When the engine's loop issued it (before any wait for a free connection), for engines that
   * can tell. `dispatchedAt − intendedAt` is the generator's own lateness; `sentAt − dispatchedAt`
   * is time spent waiting for a connection the target still held.
   */
  readonly dispatchedAt?: number;
  /** When the response (or the error) completed. */
  readonly doneAt: number;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** Success by the scenario's expected statuses. */
  readonly ok: boolean;
  /** Why it failed, when it did. */
  readonly error?: ErrorKind;
  /** The scenario request's name (kept only in the failure sample). */
  readonly request?: string;
  /** Where it went, when the engine knows (kept only in the failure sample). */
  readonly target?: string;
}

/** Windowed statistics over a range of whole seconds. */
export interface WindowStats {
  readonly startS: number;
  readonly endS: number;
  readonly intended: number;
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly dropped: number;
  /** Latency percentile (ms) over the window, null when no request completed. */
  percentile(p: number): number | null;
  readonly latency: LatencyStats;
}

/**
 * Bounded-memory metrics of one run: per-second buckets (by intended send time) of counters and
 * HDR histograms, plus whole-run histograms. Nothing is kept per request but a capped sample of
 * failures (the first N), which lets verdicts attribute failures to what the cluster did.
 */
export interface MetricsSink {
  /** A request was scheduled at `intendedAt` (counts toward the intended rate). */
  intended(intendedAt: number): void;
  /** A scheduled request could not be started in time (concurrency cap or schedule lag). */
  dropped(intendedAt: number): void;
  /** A completed request (success or failure). */
  record(outcome: RequestOutcome): void;
}
export type { ErrorKind, FailureSample, LatencyStats, LoadSummary, SeriesPoint };
