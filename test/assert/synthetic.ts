import type { PreflightSnapshot, RunTimeline } from '../../lib/result/timeline.ts';
import type {
  FailureSample,
  GaugePoint,
  LoadSummary,
  SeriesPoint,
  Span,
  TimelineEvent,
} from '../../lib/result/schema.ts';
import type { WindowStats } from '../../lib/metrics/types.ts';

export interface SyntheticSecond {
  intended?: number;
  sent?: number;
  ok?: number;
  failed?: number;
  dropped?: number;
  /** Latencies (ms) of the requests completed in this second. */
  latencies?: number[];
  /** Failed requests of this second by error kind. */
  errors?: Record<string, number>;
}

export interface SyntheticExtra {
  spans?: Span[];
  load?: Partial<LoadSummary>;
  events?: TimelineEvent[];
  gauges?: GaugePoint[];
  failures?: FailureSample[];
  preflight?: PreflightSnapshot;
  /** Default: one second per synthetic second. */
  durationS?: number;
}

function exactPercentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** A timeline whose windows are computed exactly from raw latencies: assertions under test see no HDR rounding. */
export function syntheticTimeline(seconds: SyntheticSecond[], extra: SyntheticExtra = {}): RunTimeline {
  const norm = seconds.map((s) => {
    const ok = s.ok ?? s.latencies?.length ?? 0;
    const failed = s.failed ?? 0;
    const sent = s.sent ?? ok + failed;
    return {
      intended: s.intended ?? sent + (s.dropped ?? 0),
      sent,
      ok,
      failed,
      dropped: s.dropped ?? 0,
      latencies: s.latencies ?? [],
      errors: s.errors ?? {},
    };
  });
  const window = (startS: number, endS: number): WindowStats => {
    const slice = norm.slice(startS, endS);
    const lat = slice.flatMap((s) => s.latencies).sort((a, b) => a - b);
    const sum = (k: 'intended' | 'sent' | 'ok' | 'failed' | 'dropped') => slice.reduce((a, s) => a + s[k], 0);
    const percentile = (p: number) => exactPercentile(lat, p);
    return {
      startS,
      endS,
      intended: sum('intended'),
      sent: sum('sent'),
      ok: sum('ok'),
      failed: sum('failed'),
      dropped: sum('dropped'),
      percentile,
      latency: {
        p50: percentile(50),
        p90: percentile(90),
        p95: percentile(95),
        p99: percentile(99),
        max: percentile(100),
      },
    };
  };
  const whole = window(0, norm.length);
  const series: SeriesPoint[] = norm.map((s, t) => {
    const w = window(t, t + 1);
    return {
      t,
      intended: s.intended,
      sent: s.sent,
      ok: s.ok,
      failed: s.failed,
      dropped: s.dropped,
      p50: w.latency.p50,
      p95: w.latency.p95,
      p99: w.latency.p99,
      max: w.latency.max,
      errors: { ...s.errors },
    };
  });
  const load: LoadSummary = {
    engine: 'synthetic',
    model: 'open',
    intendedRps: whole.intended / Math.max(1, norm.length),
    achievedRps: whole.sent / Math.max(1, norm.length),
    requests: {
      intended: whole.intended,
      sent: whole.sent,
      ok: whole.ok,
      failed: whole.failed,
      dropped: whole.dropped,
    },
    latencyMs: whole.latency,
    serviceTimeMs: whole.latency,
    scheduleLagMs: { p50: 0.1, p99: 0.5, max: 1 },
    errors: {},
    statusCodes: {},
    ...extra.load,
  };
  return {
    durationS: extra.durationS ?? norm.length,
    load,
    series,
    spans: extra.spans ?? [],
    events: extra.events ?? [],
    gauges: extra.gauges ?? [],
    failures: extra.failures ?? [],
    ...(extra.preflight ? { preflight: extra.preflight } : {}),
    window,
  };
}

/**
 * `n` seconds of `perSecond` requests at `latencyMs`, of which the given failures fail (each in the
 * second of its `t`), so the series and the failure sample agree.
 */
export function secondsWithFailures(
  n: number,
  perSecond: number,
  latencyMs: number,
  failures: readonly FailureSample[],
): SyntheticSecond[] {
  return Array.from({ length: n }, (_, s) => {
    const here = failures.filter((f) => Math.floor(f.t) === s);
    const errors: Record<string, number> = {};
    for (const f of here) errors[f.kind] = (errors[f.kind] ?? 0) + 1;
    return {
      latencies: Array.from({ length: perSecond - here.length }, () => latencyMs),
      failed: here.length,
      errors,
    };
  });
}

/** A gauge as a step series: [t, value] pairs. */
export function gauge(name: string, labels: Record<string, string>, steps: [number, number][]): GaugePoint[] {
  return steps.map(([t, value]) => ({ t, name, value, labels }));
}

/** A synthetic cluster event. */
export const event = (t: number, kind: string, object: string, message = kind): TimelineEvent => ({
  t,
  kind,
  object,
  message,
});

/** A chaos span as the chaos actions write it. */
export const chaosSpan = (name: string, start: number, end: number | null, action = name): Span => ({
  kind: 'chaos',
  name,
  start,
  end,
  detail: { action, target: `pod/${name}-target`, mode: 'graceful' },
});

export const steady = (n: number, perSecond: number, latencyMs: number): SyntheticSecond[] =>
  Array.from({ length: n }, () => ({ latencies: Array.from({ length: perSecond }, () => latencyMs) }));
