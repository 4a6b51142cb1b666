/**
 * The k6-operator engine: the scenario's k6 script run by N k6 runner pods in the target cluster,
 * when one machine cannot produce the load.
 *
 *   1. The generated script (lib/load/k6/script.ts, the same as `--engine k6`) goes into a
 *      ConfigMap, and a k6.io/v1alpha1 TestRun with `spec.parallelism: N` points at it
 *      (resources.ts). The operator gives each runner its execution segment of the load.
 *   2. Runner pods (`app=k6,k6_cr=<name>,runner=true`) are watched; each one's log, which is its
 *      k6 JSON output (`--out json=-`), is followed and merged into the run's one series
 *      (K6OutputMerger: one parser per runner, one sink).
 *   3. k6's thresholds are judged by gauntlet over the merged output (thresholds.ts): the operator
 *      does not aggregate them, each runner only knows its share. A runner that k6 could not run
 *      (script error, bad config) is a setup error; `test.fail()` a failed verdict; an abortOnFail
 *      stop of a runner aborts the run.
 *   4. The TestRun and the ConfigMap are deleted when the runners are done, when the run is
 *      aborted or interrupted, and when anything fails; runners go with the TestRun. Both are
 *      recorded in the run's chaos journal before they are created (with the entry's mark as
 *      their `gauntlet.dev/chaos` annotation) and the entry is closed once they are deleted, so
 *      a killed run's leftovers are removed by `gauntlet recover <run dir>`.
 *
 * The load starts when the operator has started every runner, some time after the run's t0 (pod
 * scheduling, image pulls, the operator's initializer); that delay is in the evidence. Requests
 * are placed on the run clock by their k6 timestamps, so runner clocks are assumed in sync (NTP).
 */
import type { JournalGuard } from '../../../chaos/journal.ts';
import type { ClusterClient } from '../../cluster/client.ts';
import { GauntletError } from '../../errors.ts';
import type { Verdict } from '../../result/schema.ts';
import { profileDurationMs } from '../../scenario/resolved.ts';
import type { EngineReport, LoadContext, LoadEngine, LoadPlan } from '../engine.ts';
import { k6Ending, type K6Ending } from '../k6/exit.ts';
import { K6OutputMerger } from '../k6/merge.ts';
import { generateK6Script, scriptInputOfPlan } from '../k6/script.ts';
import { thresholdsFor } from '../k6/thresholds.ts';
import { createRunObjects, deleteRunObjects, readTestRun, type TestRunState } from './cluster-objects.ts';
import { runObjectRefs, testRunName } from './resources.ts';
import { RunnerFleet, type RunnerReport } from './runners.ts';
import { ThresholdTally, type JudgedThreshold } from './thresholds.ts';

export interface K6OperatorEngineOptions {
  /** Runner pods (TestRun `spec.parallelism`). @default 1 */
  readonly parallelism?: number;
  /** Namespace of the TestRun; default the target's. */
  readonly namespace?: string;
  /** Runner image; default the operator's (grafana/k6). */
  readonly runnerImage?: string;
  /** Extra `k6 run` arguments (no spaces inside one). */
  readonly extraArguments?: readonly string[];
  /** How often the TestRun's stage is read. @default 1000 */
  readonly pollMs?: number;
  /** Until every runner has started (initializer, scheduling, image pulls). @default 300000 */
  readonly startTimeoutMs?: number;
  /** Runners still running this long after the planned end are stopped as a failure. @default 120000 */
  readonly finishGraceMs?: number;
  /** How long deleting the TestRun may take. @default 30000 */
  readonly cleanupTimeoutMs?: number;
  /** Fixed TestRun name (tests); default `gauntlet-<scenario>-<time>`. */
  readonly name?: string;
  /** Progress lines (stage changes, runners started). */
  readonly log?: (line: string) => void;
}

/** The journal entry's action: `gauntlet recover` lists it under this name. */
export const JOURNAL_ACTION = 'k6-operator';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function setup(message: string): GauntletError {
  return new GauntletError('GAUNTLET_SETUP', `--engine k6-operator: ${message}`);
}

interface Outcome {
  /** Why the run stopped before the runners finished, if it did. */
  stopped: 'aborted' | null;
  error: GauntletError | null;
  abortReason: string | null;
  startDelayMs: number | null;
}

export async function runK6Operator(
  plan: LoadPlan,
  ctx: LoadContext,
  o: K6OperatorEngineOptions = {},
): Promise<EngineReport> {
  const base: EngineReport = {
    engine: 'k6-operator',
    model: plan.profile.kind === 'closed' ? 'closed' : 'open',
    scheduleLagMs: { p50: null, p99: null, max: null },
  };
  if (!ctx.cluster) {
    throw new GauntletError(
      'GAUNTLET_USAGE',
      '--engine k6-operator runs the load from pods in the target cluster: give the scenario a Kubernetes target (target: { namespace, deployment }) or use --target local',
    );
  }
  const parallelism = o.parallelism ?? 1;
  if (!Number.isInteger(parallelism) || parallelism < 1)
    throw new GauntletError(
      'GAUNTLET_USAGE',
      `--parallelism: ${parallelism} must be a whole number of runners, 1 or more`,
    );
  if (ctx.signal.aborted) return base;
  const { client } = ctx.cluster;
  const namespace = o.namespace ?? ctx.cluster.namespace;
  const log = o.log ?? (() => undefined);
  const input = scriptInputOfPlan(plan);
  const script = generateK6Script(input);
  const mapped = thresholdsFor(input.slas, input.profile);
  const name = o.name ?? testRunName(input.name);

  let stopAt = Infinity;
  const tally = new ThresholdTally(ctx.metrics);
  const merger = new K6OutputMerger(tally, {
    toRunMs: (epochMs) => ctx.clock.fromWall(epochMs),
    stopAtMs: () => stopAt,
  });
  const readErrors: string[] = [];
  const fleet = new RunnerFleet(client, namespace, name, merger, {
    onError: (err) => readErrors.push(err instanceof Error ? err.message : String(err)),
  });

  const journal = await openJournalEntry(ctx, namespace, name, parallelism);
  const cleanupTimeoutMs = o.cleanupTimeoutMs ?? 30_000;
  try {
    await createRunObjects(
      client,
      {
        name,
        namespace,
        parallelism,
        scenario: input.name,
        ...(o.runnerImage ? { runnerImage: o.runnerImage } : {}),
        ...(o.extraArguments ? { extraArguments: o.extraArguments } : {}),
        ...(journal ? { mark: journal.header.mark } : {}),
      },
      script,
    );
  } catch (err) {
    // createRunObjects removes a ConfigMap whose TestRun failed; one look whether anything stayed.
    const left = await deleteRunObjects(client, namespace, name, 0).catch(() => ['unknown']);
    if (!left.length) await closeJournalEntry(journal, client, 'creation failed; nothing left', log);
    throw err;
  }
  log(`k6-operator: TestRun ${namespace}/${name} with ${parallelism} runner(s) created`);
  const outcome: Outcome = { stopped: null, error: null, abortReason: null, startDelayMs: null };
  let leftovers: string[] = [];
  try {
    await fleet.start();
    await waitForRunners(ctx, o, { client, namespace, name, parallelism, fleet, outcome, plan, log });
    if (outcome.stopped) stopAt = ctx.clock.now();
  } catch (err) {
    outcome.error =
      err instanceof GauntletError
        ? err
        : setup(
            `following TestRun ${namespace}/${name}: ${err instanceof Error ? err.message : String(err)}`,
          );
  } finally {
    await fleet.stop();
    leftovers = await deleteRunObjects(client, namespace, name, cleanupTimeoutMs);
    // What could not be deleted stays open in the journal, for `gauntlet recover`.
    if (!leftovers.length) await closeJournalEntry(journal, client, 'TestRun and ConfigMap deleted', log);
    merger.endAll();
  }
  if (outcome.error) throw leftoverNote(outcome.error, leftovers);

  const runners = fleet.reports();
  const durationS = Math.round(ctx.clock.now()) / 1000;
  const endings = runners.map((r) => ({ runner: r, ending: endingOf(r, fleet, outcome.stopped !== null) }));
  const broken = endings.find((e) => e.ending.kind === 'error');
  if (broken && broken.ending.kind === 'error')
    throw leftoverNote(setup(`runner ${broken.runner.pod}: ${broken.ending.message}`), leftovers);
  const stats = merger.stats();
  if (!outcome.stopped && stats.requests + stats.dropped === 0) {
    throw leftoverNote(
      setup(
        `the ${runners.length} runner(s) of TestRun ${namespace}/${name} wrote no k6 output to their logs (expected --out json=- records)`,
      ),
      leftovers,
    );
  }
  const evidence: Record<string, unknown> = {
    testRun: `${namespace}/${name}`,
    parallelism,
    startDelayMs: outcome.startDelayMs,
    runners: endings.map(({ runner, ending }) => ({ ...runner, ending: ending.kind })),
    parsed: stats,
    ...(readErrors.length ? { readErrors: readErrors.slice(-5) } : {}),
    ...(leftovers.length ? { leftovers } : {}),
  };
  const verdicts: Verdict[] = [];
  const judged = tally.judge(mapped.thresholds, durationS);
  const tv = thresholdVerdict(judged, mapped.sources, parallelism, durationS, evidence);
  if (tv) verdicts.push(tv);
  for (const { runner, ending } of endings) {
    if (ending.kind === 'failed')
      verdicts.push({
        name: 'k6-test-fail',
        claim: 'the k6 script does not mark the test failed',
        observed: `runner ${runner.pod}: ${ending.reason}`,
        pass: false,
        window: { start: 0, end: durationS },
        evidence,
      });
  }
  const aborted = endings.find((e) => e.ending.kind === 'aborted');
  const abortReason =
    outcome.abortReason ??
    (aborted?.ending.kind === 'aborted' ? `runner ${aborted.runner.pod}: ${aborted.ending.reason}` : null);
  if (leftovers.length)
    log(`k6-operator: not cleaned up: ${leftovers.join('; ')}; remove with gauntlet recover <run dir>`);
  return {
    ...base,
    ...(abortReason ? { abortReason } : {}),
    ...(verdicts.length ? { verdicts } : {}),
  };
}

/**
 * The run's journal entry for the TestRun and its ConfigMap, written before either exists, like a
 * chaos action's: after a kill -9, `gauntlet recover` deletes them (where they still carry the
 * entry's mark). Undefined when the run keeps no journal.
 */
async function openJournalEntry(
  ctx: LoadContext,
  namespace: string,
  name: string,
  parallelism: number,
): Promise<JournalGuard | undefined> {
  const cluster = ctx.cluster;
  if (!cluster?.journal) return undefined;
  try {
    const guard = await cluster.journal(JOURNAL_ACTION, () => Math.round(ctx.clock.now()) / 1000);
    await guard.checkpoint(cluster.client, {
      action: JOURNAL_ACTION,
      objects: [],
      undo: runObjectRefs(namespace, name).map((object) => ({ kind: 'delete-object', object })),
      detail: { testRun: `${namespace}/${name}`, parallelism },
    });
    return guard;
  } catch (err) {
    throw setup(
      `recording TestRun ${namespace}/${name} in the chaos journal before creating it: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

async function closeJournalEntry(
  guard: JournalGuard | undefined,
  client: ClusterClient,
  note: string,
  log: (line: string) => void,
): Promise<void> {
  // Unclosed, the entry only makes `gauntlet recover` find the objects gone; not worth failing the run.
  await guard
    ?.reverted(client, note)
    .catch((err: unknown) =>
      log(`k6-operator: closing the journal entry: ${err instanceof Error ? err.message : String(err)}`),
    );
}

interface WaitContext {
  readonly client: ClusterClient;
  readonly namespace: string;
  readonly name: string;
  readonly parallelism: number;
  readonly fleet: RunnerFleet;
  readonly outcome: Outcome;
  readonly plan: LoadPlan;
  readonly log: (line: string) => void;
}

/** Until every runner's output is complete, the run is aborted, or the TestRun fails or vanishes. */
async function waitForRunners(ctx: LoadContext, o: K6OperatorEngineOptions, w: WaitContext): Promise<void> {
  const pollMs = o.pollMs ?? 1000;
  const startBy = ctx.clock.now() + (o.startTimeoutMs ?? 300_000);
  const plannedMs = profileDurationMs(w.plan.profile);
  let lastStage: string | null = null;
  let nextRead = 0;
  const where = `TestRun ${w.namespace}/${w.name}`;
  for (;;) {
    if (ctx.signal.aborted) {
      w.outcome.stopped = 'aborted';
      return;
    }
    const now = ctx.clock.now();
    const started = w.fleet.started();
    if (w.outcome.startDelayMs === null && started > 0) w.outcome.startDelayMs = Math.round(now);
    if (w.fleet.drained() >= w.parallelism) return;
    if (now >= nextRead) {
      nextRead = now + pollMs;
      const state: TestRunState = await readTestRun(w.client, w.namespace, w.name);
      if (!state.exists) {
        w.outcome.stopped = 'aborted';
        w.outcome.abortReason = `${where} was deleted while the load ran`;
        return;
      }
      if (state.stage !== lastStage) {
        lastStage = state.stage;
        w.log(`k6-operator: ${where} stage ${state.stage ?? '(none)'}`);
      }
      if (state.stage === 'error')
        throw setup(
          `${where} failed${state.message ? ` (${state.message})` : ''}; see kubectl -n ${w.namespace} describe testrun ${w.name} and the initializer pod's log`,
        );
    }
    if (started < w.parallelism && now > startBy)
      throw setup(
        `${started} of ${w.parallelism} runners of ${where} started within ${Math.round((o.startTimeoutMs ?? 300_000) / 1000)} s; check that k6-operator runs in the cluster and the runner pods can be scheduled`,
      );
    const endBy = (w.outcome.startDelayMs ?? Infinity) + plannedMs + (o.finishGraceMs ?? 120_000);
    if (now > endBy)
      throw setup(
        `runners of ${where} were still running ${Math.round((o.finishGraceMs ?? 120_000) / 1000)} s after the planned end`,
      );
    await sleep(Math.min(100, pollMs));
  }
}

function endingOf(r: RunnerReport, fleet: RunnerFleet, stoppedByUs: boolean): K6Ending {
  if (r.exitCode === null) {
    if (stoppedByUs) return { kind: 'interrupted' };
    return r.gone
      ? { kind: 'aborted', reason: 'its pod was deleted before it finished' }
      : { kind: 'error', message: `k6 ended without an exit code (${r.reason ?? 'unknown'})` };
  }
  return k6Ending({ code: r.exitCode, signal: null }, { stoppedByUs, log: fleet.logOf(r.pod) });
}

function thresholdVerdict(
  judged: readonly JudgedThreshold[],
  sources: ReadonlyMap<string, string>,
  runners: number,
  durationS: number,
  evidence: Record<string, unknown>,
): Verdict | null {
  if (judged.length === 0) return null;
  const label = (t: JudgedThreshold) => {
    const source = sources.get(`${t.metric} ${t.expr}`);
    const value = t.value === null ? '' : ` = ${Math.round(t.value * 1000) / 1000}`;
    return `${t.metric} ${t.expr}${value}${source ? ` (${source})` : ''}`;
  };
  const failed = judged.filter((t) => t.ok === false);
  const unjudged = judged.filter((t) => t.ok === null);
  return {
    name: 'k6-thresholds',
    claim: `k6's thresholds hold over all ${runners} runners (${[...sources.keys()].join(', ')}); judged by gauntlet, as k6-operator does not aggregate them`,
    observed: failed.length
      ? `failed: ${failed.map(label).join(', ')}`
      : `all ${judged.length - unjudged.length} thresholds passed${unjudged.length ? `; not judged: ${unjudged.map(label).join(', ')}` : ''}`,
    pass: failed.length === 0,
    window: { start: 0, end: durationS },
    evidence: { ...evidence, thresholds: judged },
  };
}

function leftoverNote(err: GauntletError, leftovers: readonly string[]): GauntletError {
  if (!leftovers.length) return err;
  return new GauntletError(
    err.code,
    `${err.message} (not cleaned up: ${leftovers.join('; ')}; remove with gauntlet recover <run dir>, or kubectl delete testruns.k6.io,configmaps -l app.kubernetes.io/managed-by=gauntlet)`,
    { cause: err },
  );
}

export function createK6OperatorEngine(o: K6OperatorEngineOptions = {}): LoadEngine {
  return {
    name: 'k6-operator',
    supports: () => true,
    run: (plan, ctx) => runK6Operator(plan, ctx, o),
  };
}
