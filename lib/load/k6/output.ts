/**
 * Stream parser of k6's `--out json=FILE` output (newline-delimited JSON): turns k6's samples into
 * the same per-request outcomes the native engine reports, so series, histograms and error kinds
 * have one shape whichever engine ran.
 *
 * Format (k6 internal/output/json): every line is `{type, data, metric}`.
 *   - `Metric` lines come once, before a metric's first point: `{name, type, contains, thresholds,
 *     submetrics}` (old versions also wrote `tainted`).
 *   - `Point` lines: `{time, value, tags, metadata?}`, `time` RFC 3339 with nanoseconds and the
 *     local offset, `tags` an object of strings or null.
 * One HTTP request is written as consecutive points with the same time (its end) and tags:
 * http_reqs, http_req_duration, http_req_blocked, _connecting, _tls_handshaking, _sending,
 * _waiting, _receiving, then http_req_failed when a response callback is set. Metric lines may be
 * interleaved (first use of a metric) and are skipped when grouping.
 *
 * Mapping onto a request outcome (times on the run clock):
 *   doneAt = time;  sentAt = doneAt − http_req_duration (sending + waiting + receiving);
 *   intendedAt = sentAt − http_req_blocked (waiting for a connection, which includes connecting);
 *   ok = tag expected_response, else http_req_failed == 0, else status 200–399;
 *   status "0" means no response: the error kind comes from k6's error_code.
 * A `dropped_iterations` point is one dropped request at its time.
 */
import type { ErrorKind } from '../../result/schema.ts';
import type { MetricsSink, RequestOutcome } from '../../metrics/types.ts';
import { classifyStatus } from '../native/classify.ts';

export interface K6MetricInfo {
  readonly name: string;
  readonly type: string;
  /** Threshold expressions k6 evaluates on this metric. */
  readonly thresholds: readonly string[];
  /** Expressions set with abortOnFail. */
  readonly abortOnFail: readonly string[];
}

export interface K6ParseStats {
  lines: number;
  points: number;
  requests: number;
  dropped: number;
  /** Lines that were not JSON records of a known type (a truncated last line, stray text). */
  malformed: number;
  /** Requests not reported because they ended after the load was stopped. */
  afterStop: number;
}

export interface K6ParserOptions {
  /** Run-clock ms of a wall-clock instant in epoch ms. */
  readonly toRunMs: (epochMs: number) => number;
  /** Requests that end later than this (run-clock ms) are not reported. @default Infinity */
  readonly stopAtMs?: () => number;
}

const tsRe = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of a k6 timestamp, keeping the sub-millisecond digits `Date.parse` drops; NaN if invalid. */
export function parseK6Time(s: string): number {
  const m = tsRe.exec(s);
  if (!m) return Number.NaN;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return whole + frac;
}

/** k6's error codes (lib/netext/httpext/error_codes.go) for requests that got no response. */
export function errorKindOfCode(code: string | undefined): ErrorKind {
  switch (code) {
    case '1050': // request timeout
    case '1211': // dial timeout
      return 'timeout';
    case '1212': // dial: connection refused
      return 'refused';
    case '1201': // broken pipe
    case '1220': // connection reset by peer
      return 'reset';
    default:
      return 'other';
  }
}

interface Pending {
  readonly time: string;
  readonly epochMs: number;
  readonly duration: number;
  readonly tags: Readonly<Record<string, string>>;
  blocked: number;
  failed: number | undefined;
}

type Tags = Readonly<Record<string, string>> | null;

export class K6OutputParser {
  readonly stats: K6ParseStats = { lines: 0, points: 0, requests: 0, dropped: 0, malformed: 0, afterStop: 0 };
  readonly metrics = new Map<string, K6MetricInfo>();
  private _partial = '';
  private _pending: Pending | null = null;

  constructor(
    private readonly _sink: MetricsSink,
    private readonly _o: K6ParserOptions,
  ) {}

  /** Feed text as it is read; a line split across chunks is kept until its newline arrives. */
  push(chunk: string): void {
    const text = this._partial + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      this._line(text.slice(start, nl));
      start = nl + 1;
    }
    this._partial = text.slice(start);
  }

  /** The output is complete: report the last request; an unterminated last line is malformed. */
  end(): void {
    if (this._partial.trim() !== '') {
      // k6 ends every record with a newline, so text without one was cut off mid-write.
      this.stats.lines++;
      this.stats.malformed++;
    }
    this._partial = '';
    this._flush();
  }

  private _line(raw: string): void {
    const line = raw.trim();
    if (line === '') return;
    this.stats.lines++;
    let rec: { type?: unknown; metric?: unknown; data?: unknown };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      this.stats.malformed++;
      return;
    }
    if (typeof rec !== 'object' || rec === null || typeof rec.metric !== 'string' || !isObject(rec.data)) {
      this.stats.malformed++;
      return;
    }
    if (rec.type === 'Metric') this._metric(rec.data);
    else if (rec.type === 'Point') this._point(rec.metric, rec.data);
    else this.stats.malformed++;
  }

  private _metric(d: Record<string, unknown>): void {
    if (typeof d.name !== 'string') return void this.stats.malformed++;
    const thresholds: string[] = [];
    const abortOnFail: string[] = [];
    for (const t of Array.isArray(d.thresholds) ? d.thresholds : []) {
      if (typeof t === 'string') thresholds.push(t);
      else if (isObject(t) && typeof t.threshold === 'string') {
        thresholds.push(t.threshold);
        if (t.abortOnFail === true) abortOnFail.push(t.threshold);
      }
    }
    this.metrics.set(d.name, { name: d.name, type: String(d.type), thresholds, abortOnFail });
  }

  private _point(metric: string, d: Record<string, unknown>): void {
    const value = d.value;
    const time = d.time;
    if (typeof value !== 'number' || typeof time !== 'string') return void this.stats.malformed++;
    const epochMs = parseK6Time(time);
    if (Number.isNaN(epochMs)) return void this.stats.malformed++;
    this.stats.points++;
    const tags: Tags = isObject(d.tags) ? (d.tags as Record<string, string>) : null;
    const p = this._pending;
    switch (metric) {
      case 'http_req_duration':
        this._flush();
        this._pending = { time, epochMs, duration: value, tags: tags ?? {}, blocked: 0, failed: undefined };
        return;
      case 'http_req_blocked':
        if (p && p.time === time) p.blocked = value;
        return;
      case 'http_req_connecting':
      case 'http_req_tls_handshaking':
      case 'http_req_sending':
      case 'http_req_waiting':
      case 'http_req_receiving':
        return;
      case 'http_req_failed':
        if (p && p.time === time) {
          p.failed = value;
          this._flush();
        }
        return;
      case 'dropped_iterations': {
        this._flush();
        if (!(Number.isInteger(value) && value >= 0)) return void this.stats.malformed++;
        const at = this._o.toRunMs(epochMs);
        // A Counter point carries how many; k6 writes 1 per dropped iteration.
        for (let i = 0; i < value; i++) {
          this._sink.intended(at);
          this._sink.dropped(at);
          this.stats.dropped++;
        }
        return;
      }
      default:
        this._flush();
    }
  }

  private _flush(): void {
    const p = this._pending;
    if (p === null) return;
    this._pending = null;
    const doneAt = this._o.toRunMs(p.epochMs);
    if (doneAt > (this._o.stopAtMs?.() ?? Infinity)) {
      this.stats.afterStop++;
      return;
    }
    const sentAt = doneAt - p.duration;
    const intendedAt = sentAt - p.blocked;
    const status = Number(p.tags.status ?? 0);
    const ok =
      p.tags.expected_response === 'true'
        ? true
        : p.tags.expected_response === 'false'
          ? false
          : p.failed !== undefined
            ? p.failed === 0
            : status >= 200 && status < 400;
    let error: ErrorKind | undefined;
    if (!ok) error = status > 0 ? classifyStatus(status) : errorKindOfCode(p.tags.error_code);
    const outcome: RequestOutcome = {
      intendedAt,
      sentAt,
      doneAt,
      ...(status > 0 ? { status } : {}),
      ok,
      ...(error ? { error } : {}),
      // The script tags each request with its scenario name; other scripts have only k6's `name`.
      ...(p.tags.req !== undefined || p.tags.name !== undefined
        ? { request: p.tags.req ?? p.tags.name }
        : {}),
    };
    this._sink.intended(intendedAt);
    this._sink.record(outcome);
    this.stats.requests++;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
