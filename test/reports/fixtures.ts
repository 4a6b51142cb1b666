/**
 * A realistic synthetic RunResult for tests that need one: a 60 s constant-rate run at 100 req/s
 * with a pod kill at 20 s. Around the fault there are refused connections, 503s, a few timeouts,
 * dropped requests, and one second where nothing could be sent (latency fields null). Verdicts:
 * two pass, one fails, one is inconclusive. Spans include one still open at the end. Every call
 * builds fresh objects, so a test may mutate what it gets.
 */
import * as hdr from 'hdr-histogram-js';
import type { RunResult, SeriesPoint, Span, TimelineEvent, Verdict } from '../../lib/result/schema.ts';

/** Text that trips XML, Markdown and terminals alike. */
export const AWKWARD_TEXT = `a<b & "c" 'd' |e| ]]> bell\u0007 nul\u0000 tab\tnl\nend`;

/** The shape lib/metrics uses for every latency histogram: µs, 1 µs .. 120 s, 3 significant digits. */
const HIST_SHAPE = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 120_000_000,
  numberOfSignificantValueDigits: 3,
} as const;

const FAULT_START = 20;
const FAULT_END = 26.4;

/** Deterministic pseudo-random numbers, so the fixture is identical on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface SecondShape {
  sent: number;
  dropped: number;
  /** Failed requests by kind (every failure completes, so it has a latency too). */
  errors: Record<string, number>;
  /** Typical latency of a successful request this second, ms. */
  baseMs: number;
}

/** How long a failure of each kind took, ms: refusals are instant, timeouts hit the 1 s limit. */
const failureMs: Record<string, (base: number) => number> = {
  refused: () => 0.8,
  reset: (base) => base * 0.5,
  timeout: () => 1000,
  'status-5xx': (base) => base * 0.3,
};

function shapeOf(t: number): SecondShape {
  switch (t) {
    case 20:
      return { sent: 100, dropped: 0, errors: { reset: 12, 'status-5xx': 8 }, baseMs: 120 };
    case 21:
      return { sent: 88, dropped: 12, errors: { refused: 20, 'status-5xx': 8 }, baseMs: 260 };
    case 22:
      // Every in-flight slot is stuck on the dying pod: nothing could be sent, so no latency at all.
      return { sent: 0, dropped: 100, errors: {}, baseMs: 0 };
    case 23:
      return { sent: 100, dropped: 0, errors: { refused: 40, 'status-5xx': 14 }, baseMs: 180 };
    case 24:
      return { sent: 100, dropped: 0, errors: { timeout: 3 }, baseMs: 90 };
    default:
      return { sent: 100, dropped: 0, errors: {}, baseMs: 40 };
  }
}

function makeSeries(durationS: number): SeriesPoint[] {
  const rand = lcg(42);
  const points: SeriesPoint[] = [];
  for (let t = 0; t < durationS; t++) {
    const shape = shapeOf(t);
    const failed = Object.values(shape.errors).reduce((a, b) => a + b, 0);
    const ok = shape.sent - failed;
    const point: SeriesPoint = {
      t,
      intended: 100,
      sent: shape.sent,
      ok,
      failed,
      dropped: shape.dropped,
      p50: null,
      p95: null,
      p99: null,
      max: null,
      errors: shape.errors,
      statusCodes: {
        ...(ok > 0 ? { '200': ok } : {}),
        ...(shape.errors['status-5xx'] ? { '503': shape.errors['status-5xx'] } : {}),
      },
    };
    if (shape.sent > 0) {
      // Recorded in µs, like the metrics module does; a long tail of a few requests up to 4× slower.
      const h = hdr.build(HIST_SHAPE);
      for (let i = 0; i < ok; i++) {
        h.recordValue(
          Math.round(shape.baseMs * (0.6 + rand() * 0.8) * (rand() < 0.05 ? 1 + rand() * 3 : 1) * 1000),
        );
      }
      for (const [kind, n] of Object.entries(shape.errors)) {
        for (let i = 0; i < n; i++) h.recordValue(Math.round((failureMs[kind]?.(shape.baseMs) ?? 1) * 1000));
      }
      const at = (p: number): number => Math.round(h.getValueAtPercentile(p) / 10) / 100;
      Object.assign(point, { p50: at(50), p95: at(95), p99: at(99), max: at(100) });
      point.hist = hdr.encodeIntoCompressedBase64(h);
    }
    points.push(point);
  }
  return points;
}

function sumCounts(points: readonly SeriesPoint[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of points) for (const [k, n] of Object.entries(p.errors)) out[k] = (out[k] ?? 0) + n;
  return out;
}

function verdicts(): Verdict[] {
  return [
    {
      name: 'p95<250ms',
      claim: 'p95 latency < 250 ms',
      observed: 'p95 = 113 ms',
      pass: true,
      window: { start: 0, end: 60 },
      evidence: { p95Ms: 112.83, completed: 5888 },
    },
    {
      name: 'errors<1%',
      claim: 'error rate < 1% during pod-kill',
      observed: 'error rate = 7.6%',
      pass: false,
      window: { start: FAULT_START, end: 35 },
      evidence: {
        sent: 1388,
        failed: 105,
        errors: { refused: 60, reset: 12, timeout: 3, 'status-5xx': 30 },
      },
    },
    {
      name: 'achieved>=99%',
      claim: 'achieved rate >= 99% of intended',
      observed: 'achieved 98.1% of intended: the generator dropped 112 requests',
      pass: false,
      inconclusive: true,
      window: { start: 0, end: 60 },
      evidence: { intendedRps: 100, achievedRps: 98.13, dropped: 112 },
    },
    {
      name: 'availability>=99%',
      claim: 'availability >= 99% after recovery',
      observed: 'availability = 100%',
      pass: true,
      window: { start: 35, end: 60 },
    },
  ];
}

function spans(): Span[] {
  return [
    {
      kind: 'pod-kill',
      name: 'kill api pod',
      start: FAULT_START,
      end: FAULT_END,
      detail: { pod: 'novel/api-7d9f-x2k' },
    },
    { kind: 'phase', name: 'recovery', start: FAULT_END, end: 60 },
    // A fault still open when the run ended (e.g. the revert was interrupted).
    { kind: 'node-drain', name: 'drain worker-2', start: 50, end: null },
  ];
}

function events(): TimelineEvent[] {
  return [
    { t: 20.1, kind: 'Killing', object: 'pod/api-7d9f-x2k', message: 'Stopping container api' },
    {
      t: 20.4,
      kind: 'Scheduled',
      object: 'pod/api-7d9f-q8m',
      message: 'Successfully assigned novel/api-7d9f-q8m to worker-1',
    },
    { t: 24.9, kind: 'Started', object: 'pod/api-7d9f-q8m', message: 'Started container api' },
    { t: 26.2, kind: 'Ready', object: 'pod/api-7d9f-q8m', message: 'Readiness probe passed' },
  ];
}

/** The failing run: one verdict fails, one is inconclusive. */
export function failingRun(): RunResult {
  const series = makeSeries(60);
  const sum = (k: 'intended' | 'sent' | 'ok' | 'failed' | 'dropped'): number =>
    series.reduce((a, p) => a + p[k], 0);
  const errors = sumCounts(series);
  return {
    schemaVersion: 1,
    gauntletVersion: '0.1.0',
    scenario: {
      name: 'checkout-sla',
      description: 'Checkout stays fast while a pod dies',
      file: 'scenarios/checkout.ts',
      target: 'http://127.0.0.1:18080',
      scale: 1,
    },
    startedAt: '2026-11-28T15:00:00.000Z',
    durationS: 60.2,
    pass: false,
    valid: true,
    status: 'completed',
    load: {
      engine: 'native',
      model: 'open',
      intendedRps: 100,
      achievedRps: Math.round((sum('sent') / 60) * 100) / 100,
      requests: {
        intended: sum('intended'),
        sent: sum('sent'),
        ok: sum('ok'),
        failed: sum('failed'),
        dropped: sum('dropped'),
      },
      latencyMs: { p50: 41.54, p90: 55.78, p95: 112.83, p99: 222.59, max: 1000.45 },
      serviceTimeMs: { p50: 41.2, p90: 55.1, p95: 110.4, p99: 219.9, max: 1000.31 },
      scheduleLagMs: { p50: 0.2, p99: 3.1, max: 41.7 },
      errors,
      statusCodes: { '200': sum('ok'), '503': errors['status-5xx'] ?? 0 },
    },
    series,
    spans: spans(),
    events: events(),
    verdicts: verdicts(),
  };
}

/** The same run where every verdict passed. */
export function passingRun(): RunResult {
  const r = failingRun();
  return {
    ...r,
    pass: true,
    verdicts: r.verdicts.map((v) => ({ ...v, pass: true, inconclusive: undefined })),
  };
}

/** A run whose generator fell short: verdicts are not about the target. */
export function invalidRun(): RunResult {
  return {
    ...failingRun(),
    valid: false,
    status: 'aborted',
    abortReason: 'generator saturated: schedule lag over 1s',
  };
}

/**
 * A copy of a run without its per-second histograms, as a result edited by hand (or written
 * without them) has: compare judges it on thresholds alone, with no noise interval.
 */
export function withoutHistograms(r: RunResult): RunResult {
  return { ...r, series: r.series.map(({ hist: _hist, ...p }) => p) };
}
