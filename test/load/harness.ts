import { createNativeEngine } from '../../lib/load/native/index.ts';
import type { EngineReport, LoadPlan } from '../../lib/load/engine.ts';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import type { LoadSummary } from '../../lib/result/schema.ts';
import { createClock } from '../../lib/run/clock.ts';
import type { ResolvedLoadOptions, ResolvedProfile, ResolvedRequest } from '../../lib/scenario/resolved.ts';

export function request(path: string, extra: Partial<ResolvedRequest> = {}): ResolvedRequest {
  return {
    name: path,
    method: 'GET',
    path,
    headers: {},
    body: undefined,
    expectStatus: [200],
    weight: 1,
    ...extra,
  };
}

export const defaultOptions: ResolvedLoadOptions = {
  maxInFlight: 200,
  timeoutMs: 5000,
  maxScheduleLagMs: 2000,
  connections: 10,
};

export interface RunOutcome {
  readonly report: EngineReport;
  readonly summary: LoadSummary;
  readonly recorder: MetricsRecorder;
  readonly elapsedMs: number;
}

export async function runPlan(
  baseUrl: string,
  requests: ResolvedRequest[],
  profile: ResolvedProfile,
  options: Partial<ResolvedLoadOptions> = {},
  signal: AbortSignal = new AbortController().signal,
): Promise<RunOutcome> {
  const clock = createClock();
  const opts = { ...defaultOptions, ...options };
  const recorder = new MetricsRecorder({ timeoutMs: opts.timeoutMs, now: clock.now });
  const plan: LoadPlan = { baseUrl, requests, profile, options: opts };
  const report = await createNativeEngine().run(plan, { clock, metrics: recorder, signal });
  const elapsedMs = clock.now();
  recorder.finish();
  const summary = recorder.summary({
    engine: report.engine,
    model: report.model,
    durationS: elapsedMs / 1000,
  });
  return { report, summary, recorder, elapsedMs };
}
