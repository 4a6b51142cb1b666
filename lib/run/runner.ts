/**
 * The runner: one clock, load on it, progress and abort checks while it runs, then the timeline,
 * verdicts and reports. Reports are written however the run ends (completed, aborted by an SLA,
 * interrupted by a signal). Server-side (PromQL) SLAs need Prometheus: checked before the load,
 * polled during it for abortOnFail (promql-abort.ts), sampled after it (promql-slas.ts) and put
 * beside the client-side figures (client-server.ts).
 */
import { assertionsFor, judge } from '../assert/index.ts';
import type { EngineReport, LoadEngine } from '../load/engine.ts';
import { MetricsRecorder } from '../metrics/recorder.ts';
import { GauntletError } from '../errors.ts';
import { type RunResult, SCHEMA_VERSION, resultSchema, type Verdict } from '../result/schema.ts';
import { profileDurationMs, type ResolvedScenario } from '../scenario/resolved.ts';
import { gauntletVersion } from '../version.ts';
import type { Reporter } from '../../reports/reporter.ts';
import { createMultiplexer } from '../../reports/multiplexer.ts';
import { checkAbort } from './abort-watch.ts';
import { type Clock, createClock } from './clock.ts';
import type { RunSession } from './cluster-session.ts';
import { progressSnapshot } from './progress.ts';
import { clientVsServer } from './client-server.ts';
import { inLiveScope, startPromqlAbortWatch } from './promql-abort.ts';
import { openPromqlSlas } from './promql-slas.ts';
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
  /** The cluster side (target URL, observers, chaos); see cluster-session.ts. */
  readonly session?: RunSession;
  /** Prometheus for server-side SLAs (`--prometheus`); default the session's. */
  readonly prometheusUrl?: string;
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
  const session = opts.session;
  const targetUrl = session?.url ?? (scenario.target.kind === 'url' ? scenario.target.url : undefined);
  if (!targetUrl) throw new GauntletError('GAUNTLET_SETUP', 'a Kubernetes target needs a cluster session');
  // Server-side SLAs need Prometheus and valid expressions: a setup error before any load.
  const promql = scenario.promqlSlas.length
    ? await openPromqlSlas(
        scenario.promqlSlas,
        opts.prometheusUrl ?? session?.prometheusUrl,
        session?.noPrometheus ?? 'no --prometheus was given',
      )
    : undefined;
  const requests = session?.headers
    ? scenario.requests.map((r) => ({ ...r, headers: { ...session.headers, ...r.headers } }))
    : scenario.requests;
  // Observers start before t0 (their initial lists take a moment); what they see first is stamped 0.
  const started: { clock?: Clock } = {};
  await session?.observe(() => (started.clock ? Math.max(0, Math.round(started.clock.now()) / 1000) : 0));
  const clock = (started.clock = createClock());
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
    target: targetUrl,
    engine: engine.name,
    plannedDurationS: plannedS,
    outDir: opts.outDir,
  });
  // An SLA with abortOnFail (client-side or PromQL) broke: the first reason stops the run.
  const abortOnSla = (reason: string) => {
    if (stop.signal.aborted) return;
    end.status = 'aborted';
    end.abortReason = reason;
    stop.abort();
  };
  const ticker = setInterval(() => {
    recorder.sweep(clock.now());
    mux.onProgress(progressSnapshot(recorder, clock.now(), plannedS, []));
    const reason = checkAbort(scenario.slas, recorder);
    if (reason) abortOnSla(reason);
  }, opts.progressIntervalMs ?? 1000);
  ticker.unref();
  const abortWatch = promql
    ? startPromqlAbortWatch({
        prometheus: promql.prometheus,
        slas: scenario.promqlSlas,
        now: clock.now,
        inScope: (scope, tS) =>
          inLiveScope(scope, tS, session?.chaosProgress?.() ?? { spans: [], planned: 0 }),
        onAbort: abortOnSla,
      })
    : undefined;

  let loadEndMs: number;
  let report: EngineReport;
  try {
    await session?.startChaos({ clock, signal: stop.signal });
    report = await engine.run(
      {
        baseUrl: targetUrl,
        requests,
        profile: scenario.profile,
        options: scenario.load,
        name: scenario.name,
        slas: scenario.slas,
      },
      {
        clock,
        metrics: recorder,
        signal: stop.signal,
        ...(session?.cluster ? { cluster: session.cluster } : {}),
      },
    );
  } finally {
    loadEndMs = clock.now();
    clearInterval(ticker);
    await abortWatch?.stop();
    opts.signal?.removeEventListener('abort', onExternalAbort);
    // The load is over (or failed): faults still held are reverted now.
    stop.abort();
  }
  recorder.finish();
  const cluster = session ? await session.finish() : undefined;
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
  const spans = [
    { kind: 'load', name: scenario.profile.kind, start: 0, end: durationS },
    ...(cluster?.spans ?? []),
  ];
  const events = cluster?.events ?? [];
  const server = promql
    ? await promql.sample({ runStartMs: clock.startedAt.getTime(), durationS })
    : { gauges: [], assertions: [] };
  const gauges = [...(cluster?.gauges ?? []), ...server.gauges].sort((a, b) => a.t - b.t);
  const preflight = opts.preflight ?? session?.preflight;
  const failures = recorder.failures();
  const timeline = createTimeline({
    durationS,
    load,
    series,
    spans,
    events,
    gauges,
    failures,
    ...(preflight ? { preflight } : {}),
    window: (a, b) => recorder.window(a, b),
  });
  const judgement = judge([...assertionsFor(scenario), ...server.assertions], timeline);
  const clientServer = clientVsServer(scenario.promqlSlas, judgement.verdicts, timeline);
  // The engine's own verdicts (k6 thresholds) count like gauntlet's, inconclusive on an invalid run.
  const engineVerdicts = (report.verdicts ?? []).map((v) =>
    !judgement.valid && !v.pass ? { ...v, inconclusive: true } : v,
  );
  const chaosVerdicts = scenario.chaos.length
    ? [chaosExecutionVerdict(cluster?.warnings ?? [], durationS)]
    : [];
  const verdicts = end.abortReason
    ? [
        ...judgement.verdicts,
        ...engineVerdicts,
        ...chaosVerdicts,
        {
          name: 'abort-on-fail',
          claim: 'no abortOnFail SLA broken over its trailing window while the load ran',
          observed: end.abortReason,
          pass: false,
          window: { start: 0, end: durationS },
        },
      ]
    : [...judgement.verdicts, ...engineVerdicts, ...chaosVerdicts];
  const result: RunResult = {
    schemaVersion: SCHEMA_VERSION,
    gauntletVersion,
    scenario: {
      name: scenario.name,
      ...(scenario.description ? { description: scenario.description } : {}),
      file: opts.file,
      target: targetUrl,
      scale: scenario.scale,
    },
    startedAt: clock.startedAt.toISOString(),
    durationS,
    pass:
      judgement.pass &&
      engineVerdicts.every((v) => v.pass) &&
      chaosVerdicts.every((v) => v.pass) &&
      end.status === 'completed',
    valid: judgement.valid,
    status: end.status,
    ...(end.abortReason ? { abortReason: end.abortReason } : {}),
    load,
    series,
    spans,
    events,
    ...(gauges.length ? { gauges } : {}),
    failures,
    failuresDropped: recorder.failuresDropped(),
    verdicts,
    ...(clientServer.length ? { clientVsServer: clientServer } : {}),
  };
  // The contract is checked on the way out, so a drift between code and schema fails loudly here.
  resultSchema.parse(result);
  const files = await mux.onEnd(result, { outDir: opts.outDir });
  return { result, files, reporterErrors: mux.errors(), exitCode: result.pass ? 0 : 1 };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Faults that did not inject or revert as planned make the run's evidence unreliable: say so. */
function chaosExecutionVerdict(warnings: readonly string[], durationS: number): Verdict {
  return {
    name: 'chaos-execution',
    claim: 'every scheduled fault was injected and reverted',
    observed: warnings.length ? warnings.join('; ') : 'all faults injected and reverted',
    pass: warnings.length === 0,
    window: { start: 0, end: durationS },
  };
}
