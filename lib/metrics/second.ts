/**
 * One live second of a run: counters plus a latency histogram, until it is compacted into a
 * `SeriesPoint`. Error kinds are counted in a fixed array indexed like `errorKinds`, so the hot path
 * never allocates.
 */
import { errorKinds } from '../result/schema.ts';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  percentileMs,
  recordMs,
  type Histogram,
} from './histogram.ts';
import type { ErrorKind, SeriesPoint } from './types.ts';

const kErrorIndex = new Map<string, number>(errorKinds.map((k, i) => [k, i]));
const kOtherIndex = errorKinds.indexOf('other');

export function errorIndex(kind: ErrorKind | undefined): number {
  return kind === undefined ? kOtherIndex : (kErrorIndex.get(kind) ?? kOtherIndex);
}

export function countsRecord(counts: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < errorKinds.length; i++) {
    const n = counts[i] ?? 0;
    if (n > 0) out[errorKinds[i] as string] = n;
  }
  return out;
}

export function mapRecord(m: ReadonlyMap<number, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort((a, b) => a - b)) out[String(k)] = m.get(k) ?? 0;
  return out;
}

export function emptyPoint(t: number): SeriesPoint {
  return {
    t,
    intended: 0,
    sent: 0,
    ok: 0,
    failed: 0,
    dropped: 0,
    p50: null,
    p95: null,
    p99: null,
    max: null,
    errors: {},
    statusCodes: {},
  };
}

export class SecondBucket {
  intended = 0;
  sent = 0;
  ok = 0;
  failed = 0;
  dropped = 0;
  readonly errors = new Int32Array(errorKinds.length);
  readonly statusCodes = new Map<number, number>();
  readonly hist: Histogram;

  constructor(
    readonly t: number,
    hist?: Histogram,
  ) {
    this.hist = hist ?? createHistogram();
  }

  /** Re-open a compacted second for a straggling result (rare: only after the late horizon). */
  static fromPoint(p: SeriesPoint): SecondBucket {
    const b = new SecondBucket(p.t, p.hist ? decodeHistogram(p.hist) : undefined);
    b.intended = p.intended;
    b.sent = p.sent;
    b.ok = p.ok;
    b.failed = p.failed;
    b.dropped = p.dropped;
    for (const [k, n] of Object.entries(p.errors)) b.errors[errorIndex(k as ErrorKind)]! += n;
    for (const [k, n] of Object.entries(p.statusCodes ?? {})) b.statusCodes.set(Number(k), n);
    return b;
  }

  record(latencyMs: number, ok: boolean, status: number | undefined, error: ErrorKind | undefined): void {
    this.sent++;
    if (ok) this.ok++;
    else {
      this.failed++;
      this.errors[errorIndex(error)]!++;
    }
    if (status !== undefined) this.statusCodes.set(status, (this.statusCodes.get(status) ?? 0) + 1);
    recordMs(this.hist, latencyMs);
  }

  /** A point with percentiles; `withHist` adds the encoded histogram (the costly part). */
  toPoint(withHist: boolean): SeriesPoint {
    const h = this.hist;
    const point: SeriesPoint = {
      t: this.t,
      intended: this.intended,
      sent: this.sent,
      ok: this.ok,
      failed: this.failed,
      dropped: this.dropped,
      p50: percentileMs(h, 50),
      p95: percentileMs(h, 95),
      p99: percentileMs(h, 99),
      max: percentileMs(h, 100),
      errors: countsRecord(this.errors),
      statusCodes: mapRecord(this.statusCodes),
    };
    if (withHist && h.totalCount > 0) point.hist = encodeHistogram(h);
    return point;
  }
}
