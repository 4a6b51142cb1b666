/**
 * The runner: one clock, load on it, progress and abort checks while it runs, then the timeline,
 * verdicts and reports. Reports are written however the run ends (completed, aborted by an SLA,
 * interrupted by a signal).
 */
import { assertionsFor, judge } from '../assert/index.ts';
import type { EngineReport, LoadEngine } from '../load/engine.ts';
import { MetricsRecorder } from '../metrics/recorder.ts';
import { type RunResult, SCHEMA_VERSION, resultSchema } from '../result/schema.ts';
import { profileDurationMs, type ResolvedScenario } from '../scenario/resolved.ts';
import { gauntletVersion } from '../version.ts';
import type { Reporter } from '../../reports/reporter.ts';
import { createMultiplexer } from '../../reports/multiplexer.ts';
import { checkAbort } from './abort-watch.ts';
import { createClock } from './clock.ts';
import { progressSnapshot } from './progress.ts';
import { type PreflightSnapshot, createTimeline } from '../result/timeline.ts';

export interface RunOptions {
  readonly scenario: ResolvedScenario;
  /** The scenario file, or null for a quick run from flags. */
  readonly file: string | null;
  readonly engine: LoadEngine;
  readonly reporters: readonly Reporter[];
  readonly outDir: string;
  /** Aborting it interrupts the run (SIGINT); reports are still written. */
  readonly signal?: AbortSignal;
  readonly progressIntervalMs?: number;
  /** The target read from the cluster before the load, for the preflight verdicts. */
  readonly preflight?: PreflightSnapshot;
}

export interface RunOutcome {
  readonly result: RunResult;
  readonly files: readonly string[];
  /** Reporters that failed, isolated from the run. */
  readonly reporterErrors: readonly { reporter: string; error: unknown }[];
  readonly exitCode: 0 | 1;
}

export async function runScenario(opts: RunOptions): Promise<RunOutcome> {
  const { scenario, engine } = opts;
  const mux = createMultiplexer([...opts.reporters]);
  const clock = createClock();
  const recorder = new MetricsRecorder({ timeoutMs: scenario.load.timeoutMs, now: clock.now });
  const plannedS = profileDurationMs(scenario.profile) / 1000;
  const stop = new AbortController();
  // Mutated from the ticker and the signal listener, read after the load ends.
  const end: { status: RunResult['status']; abortReason?: string } = { status: 'completed' };
  const onExternalAbort = () => {
    if (end.status === 'completed') end.status = 'interrupted';
    stop.abort();
  };
  if (opts.signal?.aborted) onExternalAbort();
  opts.signal?.addEventListener('abort', onExternalAbort, { once: true });

  await mux.onBegin({
    scenario: scenario.name,
    target: scenario.target.url,
    engine: engine.name,
    plannedDurationS: plannedS,
    outDir: opts.outDir,
  });
  const ticker = setInterval(() => {
    recorder.sweep(clock.now());
    mux.onProgress(progressSnapshot(recorder, clock.now(), plannedS, []));
    const reason = checkAbort(scenario.slas, recorder);
    if (reason && !stop.signal.aborted) {
      end.status = 'aborted';
      end.abortReason = reason;
      stop.abort();
    }
  }, opts.progressIntervalMs ?? 1000);
  ticker.unref();

  let loadEndMs: number;
  let report: EngineReport;
  try {
    report = await engine.run(
      {
        baseUrl: scenario.target.url,
        requests: scenario.requests,
        profile: scenario.profile,
        options: scenario.load,
        name: scenario.name,
        slas: scenario.slas,
      },
      { clock, metrics: recorder, signal: stop.signal },
    );
  } finally {
    loadEndMs = clock.now();
    clearInterval(ticker);
    opts.signal?.removeEventListener('abort', onExternalAbort);
  }
  recorder.finish();
  // An engine that stopped the load itself (a k6 abortOnFail threshold) aborted the run.
  if (report.abortReason && end.status === 'completed') {
    end.status = 'aborted';
    end.abortReason = report.abortReason;
  }

  const durationS = round3(loadEndMs / 1000);
  const load = recorder.summary({
    engine: engine.name,
    model: scenario.profile.kind === 'closed' ? 'closed' : 'open',
    durationS,
  });
  const series = recorder.series();
  const spans = [{ kind: 'load', name: scenario.profile.kind, start: 0, end: durationS }];
  const failures = recorder.failures();
  const timeline = createTimeline({
    durationS,
    load,
    series,
    spans,
    events: [],
    failures,
    ...(opts.preflight ? { preflight: opts.preflight } : {}),
    window: (a, b) => recorder.window(a, b),
  });
  const judgement = judge(assertionsFor(scenario), timeline);
  // The engine's own verdicts (k6 thresholds) count like gauntlet's, inconclusive on an invalid run.
  const engineVerdicts = (report.verdicts ?? []).map((v) =>
    !judgement.valid && !v.pass ? { ...v, inconclusive: true } : v,
  );
  const verdicts = end.abortReason
    ? [
        ...judgement.verdicts,
        ...engineVerdicts,
        {
          name: 'abort-on-fail',
          claim: 'no abortOnFail SLA broken over its trailing window while the load ran',
          observed: end.abortReason,
          pass: false,
          window: { start: 0, end: durationS },
        },
      ]
    : [...judgement.verdicts, ...engineVerdicts];
  const result: RunResult = {
    schemaVersion: SCHEMA_VERSION,
    gauntletVersion,
    scenario: {
      name: scenario.name,
      ...(scenario.description ? { description: scenario.description } : {}),
      file: opts.file,
      target: scenario.target.url,
      scale: scenario.scale,
    },
    startedAt: clock.startedAt.toISOString(),
    durationS,
    pass: judgement.pass && engineVerdicts.every((v) => v.pass) && end.status === 'completed',
    valid: judgement.valid,
    status: end.status,
    ...(end.abortReason ? { abortReason: end.abortReason } : {}),
    load,
    series,
    spans,
    events: [],
    failures,
    failuresDropped: recorder.failuresDropped(),
    verdicts,
  };
  // The contract is checked on the way out, so a drift between code and schema fails loudly here.
  resultSchema.parse(result);
  const files = await mux.onEnd(result, { outDir: opts.outDir });
  return { result, files, reporterErrors: mux.errors(), exitCode: result.pass ? 0 : 1 };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
