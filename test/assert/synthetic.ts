import type { RunTimeline } from '../../lib/result/timeline.ts';
import type { LoadSummary, SeriesPoint, Span } from '../../lib/result/schema.ts';
import type { WindowStats } from '../../lib/metrics/types.ts';

export interface SyntheticSecond {
  intended?: number;
  sent?: number;
  ok?: number;
  failed?: number;
  dropped?: number;
  /** Latencies (ms) of the requests completed in this second. */
  latencies?: number[];
}

function exactPercentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** A timeline whose windows are computed exactly from raw latencies: assertions under test see no HDR rounding. */
export function syntheticTimeline(
  seconds: SyntheticSecond[],
  extra: { spans?: Span[]; load?: Partial<LoadSummary> } = {},
): RunTimeline {
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
      errors: {},
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
  return { durationS: norm.length, load, series, spans: extra.spans ?? [], events: [], window };
}

export const steady = (n: number, perSecond: number, latencyMs: number): SyntheticSecond[] =>
  Array.from({ length: n }, () => ({ latencies: Array.from({ length: perSecond }, () => latencyMs) }));
