/**
 * Bounded-memory metrics of one run. Results are bucketed by the second of their *intended* send
 * time. A second stays live (counters + histogram) only while results for it can still arrive:
 * once the run has moved `lateAfterMs` past its end, it is compacted into a `SeriesPoint` whose
 * histogram is an encoded string, and the live histogram is dropped. Memory is therefore a handful
 * of live histograms plus ~200 bytes per elapsed second, however many requests the run makes, plus
 * at most `maxFailureSamples` failed requests kept one by one.
 */
import { errorKinds } from '../result/schema.ts';
import { createHistogram, decodeHistogram, latencyStatsOf, percentileMs, recordMs } from './histogram.ts';
import { SecondBucket, countsRecord, emptyPoint, errorIndex, mapRecord } from './second.ts';
import { toSparse, type SparseHistogram } from './sparse.ts';
import type {
  FailureSample,
  LoadSummary,
  MetricsSink,
  RequestOutcome,
  SeriesPoint,
  WindowStats,
} from './types.ts';
import { mergeWindow, type WindowPart } from './window.ts';

/** Compacted seconds whose sparse histogram is kept for fast windows (a few KB each). */
const kSparseCacheSeconds = 600;

export interface MetricsRecorderOptions {
  /** The engine's per-request timeout: no result can arrive later than this after its send. */
  readonly timeoutMs: number;
  /** Extra slack on top of the timeout (schedule lag, timer sweeps). @default 5000 */
  readonly marginMs?: number;
  /** The run clock; without it the recorder infers "now" from the latest time it was told. */
  readonly now?: () => number;
  /**
   * Failed requests kept one by one (for attributing failures to cluster causes); later failures
   * are only counted, so memory stays bounded however badly the target fails. @default 1000
   */
  readonly maxFailureSamples?: number;
}

export interface MetricsTotals {
  readonly intended: number;
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly dropped: number;
}

export interface SummaryArgs {
  readonly engine: string;
  readonly model: 'open' | 'closed';
  /** Length of the load phase, used for the rates. */
  readonly durationS: number;
}

function checkOptions(o: MetricsRecorderOptions): void {
  if (!(o.timeoutMs > 0))
    throw new RangeError(`timeoutMs must be a positive number of ms (got ${o.timeoutMs})`);
  if (o.marginMs !== undefined && !(o.marginMs >= 0)) {
    throw new RangeError(`marginMs must be a non-negative number of ms (got ${o.marginMs})`);
  }
  const cap = o.maxFailureSamples;
  if (cap !== undefined && !(Number.isInteger(cap) && cap >= 0)) {
    throw new RangeError(`maxFailureSamples must be a whole number ≥ 0 (got ${cap})`);
  }
}

export class MetricsRecorder implements MetricsSink {
  private readonly _lateAfterMs: number;
  private readonly _now: (() => number) | undefined;
  private readonly _live = new Map<number, SecondBucket>();
  /** Compacted points by second; holes are seconds that never saw a request. */
  private readonly _points: (SeriesPoint | undefined)[] = [];
  /** Sparse copies of recently compacted histograms, oldest first, so windows skip the decode. */
  private readonly _sparse = new Map<number, SparseHistogram>();
  private _last: SecondBucket | undefined;
  private _latestMs = 0;
  private _sweptUpTo = -1;
  private _lastSecond = -1;
  private _totals = { intended: 0, sent: 0, ok: 0, failed: 0, dropped: 0 };
  private readonly _errors = new Float64Array(errorKinds.length);
  private readonly _statusCodes = new Map<number, number>();
  private readonly _latency = createHistogram();
  private readonly _service = createHistogram();
  private readonly _lag = createHistogram();
  private readonly _maxFailures: number;
  private readonly _failures: FailureSample[] = [];
  private _failuresDropped = 0;

  constructor(options: MetricsRecorderOptions) {
    checkOptions(options);
    this._lateAfterMs = options.timeoutMs + (options.marginMs ?? 5000);
    this._now = options.now;
    this._maxFailures = options.maxFailureSamples ?? 1000;
  }

  intended(intendedAt: number): void {
    this._bucket(intendedAt).intended++;
    this._totals.intended++;
    this._advance(intendedAt);
  }

  dropped(intendedAt: number): void {
    this._bucket(intendedAt).dropped++;
    this._totals.dropped++;
    this._advance(intendedAt);
  }

  record(o: RequestOutcome): void {
    const latency = o.doneAt - o.intendedAt;
    this._bucket(o.intendedAt).record(latency, o.ok, o.status, o.error);
    const t = this._totals;
    t.sent++;
    if (o.ok) t.ok++;
    else {
      t.failed++;
      this._errors[errorIndex(o.error)]!++;
      this._sampleFailure(o, latency);
    }
    if (o.status !== undefined) this._statusCodes.set(o.status, (this._statusCodes.get(o.status) ?? 0) + 1);
    recordMs(this._latency, latency);
    recordMs(this._service, o.doneAt - o.sentAt);
    recordMs(this._lag, o.sentAt - o.intendedAt);
    this._advance(o.doneAt);
  }

  /** Compact every second that can no longer receive results, given the current time. */
  sweep(nowMs: number = this._now?.() ?? this._latestMs): void {
    if (nowMs > this._latestMs) this._latestMs = nowMs;
    const finalBefore = Math.floor((this._latestMs - this._lateAfterMs) / 1000);
    if (finalBefore <= this._sweptUpTo) return;
    this._sweptUpTo = finalBefore;
    for (const [t, b] of this._live) if (t < finalBefore) this._compact(b);
  }

  /** The run is over: compact everything that is still live. */
  finish(): void {
    for (const b of this._live.values()) this._compact(b);
  }

  /** Highest second whose scheduling is over (its results may still be arriving), -1 if none. */
  lastCompleteSecond(): number {
    const now = Math.max(this._latestMs, this._now?.() ?? 0);
    return Math.min(Math.floor(now / 1000) - 1, this._lastSecond);
  }

  /** Number of seconds still holding a live histogram (the memory that is not yet compacted). */
  liveSeconds(): number {
    return this._live.size;
  }

  /** One second's point (live seconds are summarised without encoding their histogram). */
  point(t: number): SeriesPoint {
    const b = this._live.get(t);
    if (b) return b.toPoint(false);
    return this._points[t] ?? emptyPoint(t);
  }

  /** All seconds 0..last, empty ones as zero points; live seconds are encoded but kept live. */
  series(): SeriesPoint[] {
    const out: SeriesPoint[] = [];
    for (let t = 0; t <= this._lastSecond; t++) {
      const b = this._live.get(t);
      out.push(b ? b.toPoint(true) : (this._points[t] ?? emptyPoint(t)));
    }
    return out;
  }

  /** Stats over [startS, endS), live and compacted seconds alike. */
  window(startS: number, endS: number): WindowStats {
    const parts: WindowPart[] = [];
    const last = Math.min(Math.ceil(endS) - 1, this._lastSecond);
    for (let t = Math.max(0, Math.ceil(startS)); t <= last; t++) {
      const b = this._live.get(t);
      if (b) parts.push({ point: b, hist: b.hist });
      else {
        const p = this._points[t];
        if (p) parts.push({ point: p, hist: this._sparseOf(p) });
      }
    }
    return mergeWindow(parts, startS, endS);
  }

  totals(): MetricsTotals {
    return { ...this._totals };
  }

  summary(args: SummaryArgs): LoadSummary {
    const t = this._totals;
    const rate = (n: number) => (args.durationS > 0 ? Math.round((n / args.durationS) * 100) / 100 : 0);
    const lag = latencyStatsOf(this._lag);
    return {
      engine: args.engine,
      model: args.model,
      intendedRps: rate(t.intended),
      achievedRps: rate(t.sent),
      requests: { ...t },
      latencyMs: latencyStatsOf(this._latency),
      serviceTimeMs: latencyStatsOf(this._service),
      scheduleLagMs: { p50: lag.p50, p99: lag.p99, max: lag.max },
      errors: countsRecord(this._errors),
      statusCodes: mapRecord(this._statusCodes),
    };
  }

  /** The first failed requests in the order they completed (at most `maxFailureSamples`). */
  failures(): FailureSample[] {
    return this._failures.slice();
  }

  /** Failed requests left out of `failures()` because the sample was full. */
  failuresDropped(): number {
    return this._failuresDropped;
  }

  /** Whole-run latency percentile (ms), e.g. for p99.9. */
  latencyPercentile(p: number): number | null {
    return percentileMs(this._latency, p);
  }

  private _sampleFailure(o: RequestOutcome, latencyMs: number): void {
    if (this._failures.length >= this._maxFailures) {
      this._failuresDropped++;
      return;
    }
    const f: FailureSample = {
      t: Math.round(o.intendedAt) / 1000,
      kind: o.error ?? 'other',
      latencyMs: Math.max(0, Math.round(latencyMs * 100) / 100),
    };
    if (o.status !== undefined) f.status = o.status;
    if (o.request !== undefined) f.request = o.request;
    if (o.target !== undefined) f.target = o.target;
    this._failures.push(f);
  }

  private _bucket(intendedAt: number): SecondBucket {
    const t = intendedAt > 0 ? Math.floor(intendedAt / 1000) : 0;
    const last = this._last;
    if (last !== undefined && last.t === t) return last;
    let b = this._live.get(t);
    if (b === undefined) {
      const compacted = this._points[t];
      b = compacted ? SecondBucket.fromPoint(compacted) : new SecondBucket(t);
      this._points[t] = undefined;
      this._sparse.delete(t);
      this._live.set(t, b);
      if (t > this._lastSecond) this._lastSecond = t;
    }
    this._last = b;
    return b;
  }

  private _compact(b: SecondBucket): void {
    this._points[b.t] = b.toPoint(true);
    if (b.hist.totalCount > 0) this._cacheSparse(b.t, toSparse(b.hist));
    this._live.delete(b.t);
    if (this._last === b) this._last = undefined;
  }

  private _sparseOf(p: SeriesPoint): SparseHistogram | undefined {
    if (p.hist === undefined) return undefined;
    let s = this._sparse.get(p.t);
    if (s === undefined) {
      s = toSparse(decodeHistogram(p.hist));
      this._cacheSparse(p.t, s);
    }
    return s;
  }

  private _cacheSparse(t: number, s: SparseHistogram): void {
    this._sparse.set(t, s);
    if (this._sparse.size > kSparseCacheSeconds) {
      const oldest = this._sparse.keys().next().value;
      if (oldest !== undefined) this._sparse.delete(oldest);
    }
  }

  private _advance(ms: number): void {
    if (ms > this._latestMs) this._latestMs = ms;
    if (Math.floor((this._latestMs - this._lateAfterMs) / 1000) > this._sweptUpTo) this.sweep();
  }
}

export function createMetricsRecorder(options: MetricsRecorderOptions): MetricsRecorder {
  return new MetricsRecorder(options);
}
