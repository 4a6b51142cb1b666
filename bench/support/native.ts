/**
 * Run the native engine in this process against a URL and measure what it cost: CPU of this
 * process over the steady window (after `skipS`), requests completed in that window, and the
 * engine's report and metrics summary.
 */
import type { EngineReport } from '../../lib/load/engine.ts';
import { createNativeEngine } from '../../lib/load/native/index.ts';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import type { MetricsSink } from '../../lib/metrics/types.ts';
import type { LoadSummary } from '../../lib/result/schema.ts';
import { createClock, type Clock } from '../../lib/run/clock.ts';
import type { ResolvedLoadOptions, ResolvedProfile } from '../../lib/scenario/resolved.ts';

export interface NativeRun {
  readonly report: EngineReport;
  readonly summary: LoadSummary;
  readonly recorder: MetricsRecorder;
  readonly clock: Clock;
  /** CPU seconds (user + system) of this process in the measured window. */
  readonly cpuSeconds: number;
  /** Requests completed in the measured window. */
  readonly windowRequests: number;
  readonly windowS: number;
}

export const benchOptions = (connections: number): ResolvedLoadOptions => ({
  maxInFlight: 10_000,
  timeoutMs: 10_000,
  maxScheduleLagMs: 5_000,
  connections,
});

export async function runNativeMeasured(
  url: string,
  profile: ResolvedProfile,
  options: ResolvedLoadOptions,
  skipS = 1,
  clock: Clock = createClock(),
  /** Lets a benchmark observe what the engine reports before the recorder sees it. */
  wrap: (sink: MetricsSink) => MetricsSink = (sink) => sink,
): Promise<NativeRun> {
  const recorder = new MetricsRecorder({ timeoutMs: options.timeoutMs, now: clock.now });
  let start: { cpu: NodeJS.CpuUsage; sent: number; t: number } | null = null;
  const mark = setTimeout(() => {
    start = { cpu: process.cpuUsage(), sent: recorder.totals().sent, t: performance.now() };
  }, skipS * 1000);
  const report = await createNativeEngine().run(
    {
      baseUrl: url,
      requests: [
        {
          name: 'ok',
          method: 'GET',
          path: '/',
          headers: {},
          body: undefined,
          expectStatus: [200],
          weight: 1,
        },
      ],
      profile,
      options,
    },
    { clock, metrics: wrap(recorder), signal: new AbortController().signal },
  );
  clearTimeout(mark);
  const s = start as { cpu: NodeJS.CpuUsage; sent: number; t: number } | null;
  const cpu = s ? process.cpuUsage(s.cpu) : { user: Number.NaN, system: Number.NaN };
  const windowRequests = s ? recorder.totals().sent - s.sent : 0;
  const windowS = s ? (performance.now() - s.t) / 1000 : 0;
  const durationS = clock.now() / 1000;
  recorder.finish();
  return {
    report,
    summary: recorder.summary({ engine: report.engine, model: report.model, durationS }),
    recorder,
    clock,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    windowRequests,
    windowS,
  };
}
