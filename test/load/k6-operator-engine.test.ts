/**
 * `--engine k6-operator` against the local cluster: the in-process API server and store with the
 * k6-operator TestRun CRD (infra-fixtures/k6-operator/crd-testrun.yaml) installed, and no k6.
 *
 * How the runners are faked: k6-operator-fake.ts watches TestRuns in the store and, like the
 * operator, creates `spec.parallelism` runner pods labelled `app=k6, k6_cr=<name>, runner=true`
 * (owned by the TestRun), marks them Running, and makes each runner's pod log a recorded k6
 * output: test/fixtures/k6/points-sample.ndjson for runner 1 and the same records 250 ms later for
 * runner 2, with k6 log lines (JSON, as `--log-format=json` writes them to stderr) and the text
 * summary interleaved. The API server serves those logs through its log provider, paced in small
 * chunks, so the engine follows them over HTTP exactly as it would follow real pods. Each runner
 * then terminates with the exit code a test chose.
 *
 * How a kill -9 is simulated: the engine is given a client whose deletes fail as a dead process's
 * would never send them, so the TestRun, its ConfigMap and its runner pods stay as a killed run
 * leaves them, with the journal entry written before they were created still open.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { ChaosJournal, CHAOS_ANNOTATION, JOURNAL_FILE, readJournal } from '../../chaos/journal.ts';
import { recoverFromJournal } from '../../chaos/recover.ts';
import { createClusterClient, type ClusterClient } from '../../lib/cluster/client.ts';
import { GauntletError } from '../../lib/errors.ts';
import { createEngine } from '../../lib/load/index.ts';
import { parseK6Time } from '../../lib/load/k6/output.ts';
import { runK6Operator, type K6OperatorEngineOptions } from '../../lib/load/k6-operator/engine.ts';
import { K6_OPERATOR_ARGUMENTS, testRunName } from '../../lib/load/k6-operator/resources.ts';
import type { LoadCluster, LoadPlan } from '../../lib/load/engine.ts';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import type { Clock } from '../../lib/run/clock.ts';
import { runScenario } from '../../lib/run/runner.ts';
import type { RunSession } from '../../lib/run/cluster-session.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import { startFakeOperator, type FakeOperator, type FakeRunnerPlan } from './k6-operator-fake.ts';
import { k6DoubleDir } from './k6-scenarios.ts';

const sample = readFileSync(path.join(k6DoubleDir, 'points-sample.ndjson'), 'utf8');
/** The fixture's run starts at 10:00:00 UTC. */
const t0 = Date.parse('2026-08-01T10:00:00Z');
const shifted = sample.replace(/"time":"([^"]+)"/g, (_m, t: string) => {
  const ms = parseK6Time(t) + 250;
  return `"time":"${new Date(Math.floor(ms)).toISOString().slice(0, 23)}${String(ms % 1).slice(2, 5)}Z"`;
});
const k6Log = (level: string, msg: string) =>
  `${JSON.stringify({ level, msg, time: '2026-08-01T10:00:00Z' })}\n`;
const summary =
  '\n     checks.........................: 28.57% 2 out of 7\n     http_reqs......................: 7\n';
/** A runner's pod log: k6's log and output as a real runner interleaves them. */
const runnerLog = (records: string, extra = '') =>
  `${k6Log('info', 'k6 runner starting')}${records}\n${extra}${summary}`;

const scenario = resolveScenario({
  name: 'checkout-distributed',
  target: 'http://novel-engine.shop.svc',
  requests: [{ name: 'checkout', path: '/items' }],
  load: { kind: 'constant-arrival-rate', rate: 200, duration: '10s' },
  // p95 fails (two 10 s timeouts in 14 requests); availability, errors and drops pass.
  slas: ['p95<100ms', 'availability>=25%', 'errors<80%'],
});
const plan: LoadPlan = {
  baseUrl: 'http://novel-engine.shop.svc',
  requests: scenario.requests,
  profile: scenario.profile,
  options: scenario.load,
  name: scenario.name,
  slas: scenario.slas,
};

/** The run clock with its t0 at the fixture's start, so recorded timestamps land in seconds 0–5. */
function fixtureClock(): Clock {
  const start = performance.now();
  return {
    now: () => performance.now() - start,
    startedAt: new Date(t0),
    fromWall: (d) => (typeof d === 'number' ? d : d.getTime()) - t0,
  };
}

let store: Store;
let api: ApiServer;
let dir: string;
let client: ClusterClient;
let operator: FakeOperator | undefined;
let logsProvider: NonNullable<ApiServer['providers']['logs']> = () => '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-k6op-'));
  store = new Store();
  store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  api = await startApiServer({ store, dir, providers: { logs: (pod, o, s) => logsProvider(pod, o, s) } });
  client = createClusterClient({ kubeconfig: api.kubeconfigPath });
});

afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  operator?.stop();
  operator = undefined;
});

function installCrd(): void {
  if (store.tryGet('customresourcedefinitions', '', 'testruns.k6.io')) return;
  const crd = parse(
    readFileSync(path.join(import.meta.dirname, '../../infra-fixtures/k6-operator/crd-testrun.yaml'), 'utf8'),
  );
  store.create('customresourcedefinitions', crd);
}

function fake(
  runner: (tr: StoredObject, i: number) => FakeRunnerPlan,
  extra: { hold?: boolean; failInit?: string } = {},
): FakeOperator {
  operator?.stop();
  operator = startFakeOperator(store, { runner, ...extra });
  logsProvider = operator.logs;
  return operator;
}

const twoRunners = (exit1 = 0, exit2 = 0, extra1 = '', extra2 = '') =>
  fake((_tr, i) =>
    i === 1
      ? { output: runnerLog(sample, extra1), exitCode: exit1 }
      : { output: runnerLog(shifted, extra2), exitCode: exit2 },
  );

async function run(
  o: K6OperatorEngineOptions = {},
  signal = new AbortController().signal,
  cluster: LoadCluster = { client, namespace: 'shop' },
) {
  const recorder = new MetricsRecorder({ timeoutMs: 10_000 });
  const lines: string[] = [];
  const report = await runK6Operator(
    plan,
    { clock: fixtureClock(), metrics: recorder, signal, cluster },
    {
      pollMs: 50,
      log: (l) => lines.push(l),
      ...o,
    },
  );
  recorder.finish();
  return { report, recorder, lines };
}

/** Nothing of a run is left: no TestRun, script ConfigMap or runner pod. */
function expectCleanedUp(): void {
  const managed = { labelSelector: 'app.kubernetes.io/managed-by=gauntlet' };
  if (store.registry.has('testruns.k6.io')) expect(store.list('testruns.k6.io', managed).items).toEqual([]);
  expect(store.list('configmaps', managed).items).toEqual([]);
  expect(store.list('pods', { labelSelector: 'app=k6' }).items).toEqual([]);
}

describe('k6-operator engine against the local cluster', () => {
  it('runs the script as a TestRun, merges both runners into one series and cleans up', async () => {
    installCrd();
    const op = twoRunners();
    const { report, recorder, lines } = await run({ parallelism: 2, name: 'gauntlet-merge-1' });
    // What the operator was given.
    const tr = op.testRuns[0]!;
    expect(tr.metadata).toMatchObject({
      name: 'gauntlet-merge-1',
      namespace: 'shop',
      labels: { 'app.kubernetes.io/managed-by': 'gauntlet' },
    });
    expect(tr.spec).toMatchObject({
      parallelism: 2,
      script: { configMap: { name: 'gauntlet-merge-1-script', file: 'script.js' } },
      arguments: K6_OPERATOR_ARGUMENTS.join(' '),
      paused: 'true',
    });
    expect(op.pods.get('gauntlet-merge-1')).toHaveLength(2);
    expect(lines).toContain('k6-operator: TestRun shop/gauntlet-merge-1 with 2 runner(s) created');
    expect(lines.some((l) => l.endsWith('stage started') || l.endsWith('stage finished'))).toBe(true);

    // One run's worth of requests: runner 2 is runner 1's traffic 250 ms later.
    const s = recorder.summary({ engine: 'k6-operator', model: 'open', durationS: 5 });
    expect(s.requests).toEqual({ intended: 16, sent: 14, ok: 4, failed: 10, dropped: 2 });
    expect(s.errors).toMatchObject({ refused: 2, reset: 2, timeout: 2, 'status-4xx': 2, 'status-5xx': 2 });
    expect(recorder.series().map((p) => p.sent)).toEqual([0, 5, 3, 4, 2]);

    // Thresholds judged by gauntlet over both runners (each runner exited 0 on its own share).
    expect(report.abortReason).toBeUndefined();
    const [verdict] = report.verdicts ?? [];
    expect(verdict).toMatchObject({ name: 'k6-thresholds', pass: false });
    expect(verdict!.observed).toMatch(
      /^failed: http_req_duration p\(95\)<100 = 100\d\d(\.\d+)? \(p95<100ms\)$/,
    );
    const judged = (
      verdict!.evidence as { thresholds: Array<{ metric: string; expr: string; ok: boolean; value: number }> }
    ).thresholds;
    expect(judged.map((t) => [t.metric, t.expr, t.ok])).toEqual([
      ['http_req_duration', 'p(95)<100', false],
      ['checks', 'rate>=0.25', true],
      ['http_req_failed', 'rate<0.8', true],
      ['dropped_iterations', 'count<=2', true],
    ]);
    expect(judged.find((t) => t.metric === 'checks')!.value).toBeCloseTo(4 / 14, 6);
    const evidence = verdict!.evidence as {
      runners: Array<{ pod: string; exitCode: number; ending: string; drained: boolean }>;
      parsed: { requests: number; malformed: number };
    };
    expect(evidence.runners.map((r) => [r.exitCode, r.ending, r.drained])).toEqual([
      [0, 'completed', true],
      [0, 'completed', true],
    ]);
    // Only k6's records reach the parser; its log lines, the summary and the fixture's stray
    // text line are kept apart. The fixture's cut-off last record stays malformed.
    expect(evidence.parsed).toMatchObject({ requests: 14, malformed: 2 });
    expectCleanedUp();
  });

  it('ignores a runner that failed thresholds on its share, and stops the run on its abortOnFail', async () => {
    installCrd();
    twoRunners(99, 0);
    const quiet = await run({ parallelism: 2, name: 'gauntlet-share-1' });
    expect(quiet.report.abortReason).toBeUndefined();
    expectCleanedUp();

    const abortLine = k6Log(
      'error',
      'thresholds on metrics http_req_duration were crossed; at least one has abortOnFail enabled, stopping test prematurely',
    );
    twoRunners(0, 99, '', abortLine);
    const aborted = await run({ parallelism: 2, name: 'gauntlet-share-2' });
    expect(aborted.report.abortReason).toMatch(
      /^runner gauntlet-share-2-2-\w+: k6 abortOnFail: thresholds on metrics http_req_duration were crossed$/,
    );
    expectCleanedUp();
  });

  it('reports a runner k6 could not run as a setup error naming it, after cleaning up', async () => {
    installCrd();
    twoRunners(
      0,
      107,
      '',
      k6Log('error', 'ReferenceError: target is not defined at file:///test/script.js:3:1'),
    );
    const err = await run({ parallelism: 2, name: 'gauntlet-broken-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GauntletError);
    expect((err as GauntletError).code).toBe('GAUNTLET_SETUP');
    // k6's own (JSON) log explains it; the summary and other stdout text do not.
    expect((err as Error).message).toMatch(
      /^--engine k6-operator: runner gauntlet-broken-1-2-\w+: k6 could not run the scenario \(exit 107: script exception\): ReferenceError: target is not defined at file:\/\/\/test\/script\.js:3:1$/,
    );
    expectCleanedUp();
  });

  it('stops the runners and cleans up when the run is aborted (SIGINT)', async () => {
    installCrd();
    const op = fake(() => ({ output: runnerLog(sample), exitCode: 0 }), { hold: true });
    const ac = new AbortController();
    const started = performance.now();
    const done = run({ parallelism: 3, name: 'gauntlet-abort-1' }, ac.signal);
    // Abort once every runner is producing output.
    for (
      let i = 0;
      i < 200 &&
      store
        .list('pods', { labelSelector: 'k6_cr=gauntlet-abort-1' })
        .items.filter((p) => p.status?.phase === 'Running').length < 3;
      i++
    )
      await new Promise((r) => setTimeout(r, 25));
    expect(op.pods.get('gauntlet-abort-1')).toHaveLength(3);
    ac.abort();
    const { report } = await done;
    expect(performance.now() - started).toBeLessThan(15_000);
    // Interrupted by us: no verdict that the load did not finish, no abort reason of its own.
    expect(report.abortReason).toBeUndefined();
    expectCleanedUp();
  });

  it('fails with the operator stage error, and without the CRD with an install hint', async () => {
    installCrd();
    fake(() => ({ output: '', exitCode: 0 }), { failInit: 'script.js: SyntaxError' });
    await expect(run({ name: 'gauntlet-init-1' })).rejects.toThrow(
      /TestRun shop\/gauntlet-init-1 failed \(TestRunPreparationFailed: script\.js: SyntaxError\)/,
    );
    expectCleanedUp();
    operator?.stop();
    operator = undefined;

    store.delete('customresourcedefinitions', '', 'testruns.k6.io');
    const err = await run({ name: 'gauntlet-nocrd-1' }).catch((e: unknown) => e);
    expect((err as GauntletError).code).toBe('GAUNTLET_SETUP');
    expect((err as Error).message).toMatch(/serves no testruns\.k6\.io\/v1alpha1; install k6-operator/);
    expectCleanedUp();
  });

  it('times out when no operator starts the runners', async () => {
    installCrd();
    await expect(run({ name: 'gauntlet-nobody-1', startTimeoutMs: 600 })).rejects.toThrow(
      /0 of 1 runners of TestRun shop\/gauntlet-nobody-1 started within 1 s; check that k6-operator runs in the cluster/,
    );
    expectCleanedUp();
  });

  it('runs under runScenario, whose verdicts include the merged thresholds', async () => {
    installCrd();
    twoRunners();
    const outDir = await mkdtemp(path.join(tmpdir(), 'gauntlet-k6op-run-'));
    const session: RunSession = {
      url: plan.baseUrl,
      headers: {},
      cluster: { client, namespace: 'shop' },
      observe: async () => undefined,
      startChaos: async () => undefined,
      finish: async () => ({ spans: [], events: [], gauges: [], warnings: [] }),
      close: async () => undefined,
    };
    try {
      const outcome = await runScenario({
        scenario: {
          ...scenario,
          target: { kind: 'kubernetes', namespace: 'shop', deployment: 'novel-engine' },
        },
        file: null,
        engine: createEngine('k6-operator', { parallelism: 2 }),
        reporters: [],
        outDir,
        session,
        progressIntervalMs: 100_000,
      });
      expect(outcome.result.load.engine).toBe('k6-operator');
      expect(outcome.result.verdicts.find((v) => v.name === 'k6-thresholds')).toMatchObject({ pass: false });
      expect(outcome.exitCode).toBe(1);
      expectCleanedUp();
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });

  it('takes --parallelism only for k6-operator, and needs a cluster', async () => {
    expect(() => createEngine('native', { parallelism: 2 })).toThrow(
      /--parallelism: only --engine k6-operator/,
    );
    expect(createEngine('k6-operator', { parallelism: 2 }).name).toBe('k6-operator');
    const recorder = new MetricsRecorder({ timeoutMs: 1000 });
    await expect(
      runK6Operator(plan, { clock: fixtureClock(), metrics: recorder, signal: new AbortController().signal }),
    ).rejects.toThrow(/--engine k6-operator runs the load from pods in the target cluster/);
    expect(testRunName('Checkout & Pay, v2!', 0)).toBe('gauntlet-checkout-pay-v2-0');
    expect(testRunName('x'.repeat(80), Date.parse('2030-01-01')).length).toBeLessThanOrEqual(51);
  });
});

/** A cluster with a run's chaos journal in a fresh directory, as a run's session gives the engine. */
async function journalled(c: ClusterClient = client): Promise<{ cluster: LoadCluster; file: string }> {
  const file = path.join(await mkdtemp(path.join(dir, 'run-')), JOURNAL_FILE);
  const journal = await ChaosJournal.open(file);
  const target = { namespace: 'shop', deployment: 'novel-engine', selector: 'app=novel-engine' };
  return {
    file,
    cluster: {
      client: c,
      namespace: 'shop',
      journal: async (action, t) =>
        journal.guard({ runId: 'checkout-7', action, server: c.server, context: c.contextName, target }, t),
    },
  };
}

/** `client` with some of its calls replaced. */
function intercepted(over: {
  core?: Partial<ClusterClient['core']>;
  custom?: Partial<ClusterClient['custom']>;
}): ClusterClient {
  const wrap = <T extends object>(api: T, fns: Partial<T> = {}): T =>
    new Proxy(api, {
      get: (target, p, receiver) => {
        if (p in fns) return fns[p as keyof T];
        const v: unknown = Reflect.get(target, p, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  return { ...client, core: wrap(client.core, over.core), custom: wrap(client.custom, over.custom) };
}

const killed = () => Promise.reject(new Error('connect ECONNREFUSED: the process is gone'));

/**
 * A journalled two-runner run whose deletes all fail, as if the process died after creating its
 * objects: the TestRun, the ConfigMap and an open journal entry are left, as a kill -9 leaves them.
 */
async function killedRun(name: string): Promise<{ file: string; lines: string[] }> {
  installCrd();
  twoRunners();
  const { cluster, file } = await journalled(
    intercepted({
      core: { deleteNamespacedConfigMap: killed },
      custom: { deleteNamespacedCustomObject: killed },
    }),
  );
  const { lines } = await run({ parallelism: 2, name, cleanupTimeoutMs: 300 }, undefined, cluster);
  return { file, lines };
}

const deleteSteps = (name: string) => [
  {
    kind: 'delete-object',
    object: { apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', namespace: 'shop', name },
  },
  {
    kind: 'delete-object',
    object: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: `${name}-script` },
  },
];

describe('k6-operator engine and the chaos journal (gauntlet recover)', () => {
  it('journals its TestRun and ConfigMap before creating them, and closes the entry once they are deleted', async () => {
    installCrd();
    const op = twoRunners();
    let atCreate: Awaited<ReturnType<typeof readJournal>> | undefined;
    const spy = intercepted({
      core: {
        createNamespacedConfigMap: async (
          ...args: Parameters<ClusterClient['core']['createNamespacedConfigMap']>
        ) => {
          atCreate = await readJournal(file);
          return client.core.createNamespacedConfigMap(...args);
        },
      },
    });
    const { cluster, file } = await journalled(spy);
    await run({ parallelism: 2, name: 'gauntlet-journal-1' }, undefined, cluster);

    // Written before the first object existed, with what recover must delete.
    expect(atCreate).toEqual([
      expect.objectContaining({
        action: 'k6-operator',
        mark: 'checkout-7/k6-operator',
        server: client.server,
        objects: [],
        undo: deleteSteps('gauntlet-journal-1'),
        reverted: false,
      }),
    ]);
    expect(op.testRuns[0]!.metadata.annotations).toEqual({ [CHAOS_ANNOTATION]: 'checkout-7/k6-operator' });
    expectCleanedUp();
    const [entry] = await readJournal(file);
    expect(entry).toMatchObject({ action: 'k6-operator', reverted: true });
    expect(await recoverFromJournal(client, file)).toEqual({ entries: [], alreadyReverted: 1 });
  });

  it("leaves a killed run's TestRun and ConfigMap to gauntlet recover, which deletes them and closes the entry", async () => {
    const { file, lines } = await killedRun('gauntlet-killed-1');
    expect(lines.at(-1)).toMatch(/^k6-operator: not cleaned up: .*; remove with gauntlet recover <run dir>$/);

    // What a kill -9 leaves: both objects with the entry's mark, the runners, an open entry.
    const mark = { [CHAOS_ANNOTATION]: 'checkout-7/k6-operator' };
    expect(store.get('testruns.k6.io', 'shop', 'gauntlet-killed-1').metadata.annotations).toEqual(mark);
    expect(store.get('configmaps', 'shop', 'gauntlet-killed-1-script').metadata.annotations).toEqual(mark);
    expect(store.list('pods', { labelSelector: 'k6_cr=gauntlet-killed-1' }).items).toHaveLength(2);
    expect(await readJournal(file)).toEqual([
      expect.objectContaining({ undo: deleteSteps('gauntlet-killed-1'), reverted: false }),
    ]);

    const log: string[] = [];
    const report = await recoverFromJournal(client, file, { log: (l) => log.push(l) });
    expect(report.alreadyReverted).toBe(0);
    // The ConfigMap is owned by the TestRun, so garbage collection took it along: a 404 is done.
    const notes = [
      'testrun/shop/gauntlet-killed-1 deleted',
      'configmap/shop/gauntlet-killed-1-script is gone',
    ];
    expect(report.entries).toEqual([
      { id: 'checkout-7/1', action: 'k6-operator', status: 'recovered', notes },
    ]);
    expect(log).toEqual(notes.map((n) => `checkout-7/1 k6-operator: ${n}`));
    expectCleanedUp();
    expect(await readJournal(file)).toEqual([expect.objectContaining({ reverted: true })]);
    // Once recovered, a second recover finds nothing left.
    expect(await recoverFromJournal(client, file)).toEqual({ entries: [], alreadyReverted: 1 });
  });

  it("recover leaves an object whose mark is no longer the run's and deletes the one still marked", async () => {
    const { file } = await killedRun('gauntlet-killed-2');
    // Since the kill, another run took the TestRun over.
    store.mutate('testruns.k6.io', 'shop', 'gauntlet-killed-2', (tr) => {
      tr.metadata.annotations = { [CHAOS_ANNOTATION]: 'nightly-3/k6-operator' };
    });

    const report = await recoverFromJournal(client, file);
    expect(report.entries).toEqual([
      expect.objectContaining({
        status: 'recovered',
        notes: [
          'testrun/shop/gauntlet-killed-2 left alone: annotated by nightly-3/k6-operator since',
          'configmap/shop/gauntlet-killed-2-script deleted',
        ],
      }),
    ]);
    expect(store.tryGet('testruns.k6.io', 'shop', 'gauntlet-killed-2')).toBeDefined();
    expect(store.tryGet('configmaps', 'shop', 'gauntlet-killed-2-script')).toBeUndefined();
    store.delete('testruns.k6.io', 'shop', 'gauntlet-killed-2');
    expectCleanedUp();
  });
});
