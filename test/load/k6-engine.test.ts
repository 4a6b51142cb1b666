/**
 * The k6 engine's process handling, against the test-double `k6` in test/fixtures/k6 (k6 itself is
 * not installed here): how k6 is invoked, its output streamed into the run's metrics, every exit
 * code mapped to the right outcome, partial output and Ctrl-C.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GauntletError } from '../../lib/errors.ts';
import { createK6Engine, type K6EngineOptions } from '../../lib/load/k6/engine.ts';
import { locateK6 } from '../../lib/load/k6/locate.ts';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import { createClock } from '../../lib/run/clock.ts';
import { runScenario } from '../../lib/run/runner.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import type { ResolvedScenario } from '../../lib/scenario/resolved.ts';
import { createReporters } from '../../reports/registry.ts';
import { tempDir } from '../helpers/run-gauntlet.ts';
import { k6DoubleDir } from './k6-scenarios.ts';

const doubleBin = join(k6DoubleDir, 'k6');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const newDir = () => {
  const d = tempDir('gauntlet-k6-engine-');
  dirs.push(d);
  return d;
};

const targetUrl = 'http://127.0.0.1:9';

/** 50 req/s for 1 s; the double "runs" the same second. */
function scenario(
  slas: unknown[] = ['p95<100ms', { sla: 'errors<1%', abortOnFail: true, abortWindow: '1s' }],
) {
  return resolveScenario({
    name: 'k6-double',
    target: targetUrl,
    requests: [
      { name: 'read', path: '/items', weight: 3 },
      { name: 'write', method: 'POST', path: '/items', body: { a: 1 }, expectStatus: 201 },
    ],
    load: { kind: 'constant-arrival-rate', rate: 50, duration: '1s' },
    slas,
  });
}

interface DoubleRun {
  readonly double: string;
  readonly scenario?: ResolvedScenario;
  /** Abort (Ctrl-C) once this many requests were recorded: k6 is then surely running. */
  readonly abortAfterSent?: number;
  /** SIGINT k6 itself, as someone other than gauntlet would, once this many requests were recorded. */
  readonly externalSigintAfterSent?: number;
  readonly engine?: K6EngineOptions;
  readonly env?: Record<string, string>;
}

async function runDouble(o: DoubleRun) {
  const s = o.scenario ?? scenario();
  const workDir = newDir();
  const record = join(workDir, 'invocation.json');
  const clock = createClock();
  const recorder = new MetricsRecorder({ timeoutMs: s.load.timeoutMs, now: clock.now });
  const ac = new AbortController();
  const engine = createK6Engine({
    binary: doubleBin,
    workDir,
    pollMs: 50,
    ...o.engine,
    env: { K6_DOUBLE_SCENARIO: o.double, K6_DOUBLE_RECORD: record, ...o.env },
  });
  let signalled = false;
  const timer =
    o.abortAfterSent !== undefined || o.externalSigintAfterSent !== undefined
      ? setInterval(() => {
          const sent = recorder.totals().sent;
          if (o.abortAfterSent !== undefined && sent >= o.abortAfterSent) ac.abort();
          if (!signalled && o.externalSigintAfterSent !== undefined && sent >= o.externalSigintAfterSent) {
            signalled = true;
            const { pid } = JSON.parse(readFileSync(record, 'utf8')) as { pid: number };
            process.kill(pid, 'SIGINT');
          }
        }, 20)
      : null;
  try {
    const run = engine.run(
      {
        baseUrl: targetUrl,
        requests: s.requests,
        profile: s.profile,
        options: s.load,
        name: s.name,
        slas: s.slas,
      },
      { clock, metrics: recorder, signal: ac.signal },
    );
    const report = await run;
    const elapsedMs = clock.now();
    recorder.finish();
    const invocation = JSON.parse(readFileSync(record, 'utf8')) as {
      argv: string[];
      env: Record<string, string>;
      cwd: string;
    };
    return { report, recorder, totals: recorder.totals(), workDir, elapsedMs, invocation };
  } finally {
    if (timer) clearInterval(timer);
  }
}

async function runError(o: DoubleRun): Promise<GauntletError> {
  const err = await runDouble(o).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GauntletError);
  return err as GauntletError;
}

/**
 * The double with the exit code a test forces (K6_FORCED_EXIT) and an error line k6 logs before it
 * (K6_FORCED_MSG): for the codes the double has no scenario of its own (cloud, setup and teardown
 * timeouts, REST API). It runs the double as usual first, so the output is written as k6 would.
 */
function forcedExitDouble(): string {
  const bin = join(newDir(), 'k6');
  writeFileSync(
    bin,
    [
      '#!/bin/sh',
      `"${doubleBin}" "$@"`,
      'rc=$?',
      `[ -n "$K6_FORCED_MSG" ] && printf '{"level":"error","msg":"%s"}\\n' "$K6_FORCED_MSG" >&2`,
      'exit "${K6_FORCED_EXIT:-$rc}"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return bin;
}

describe('k6 engine with the test-double k6', () => {
  it('exit 0: runs `k6 run` with JSON output and summary files, and streams every request into the metrics', async () => {
    const r = await runDouble({ double: 'ok' });
    const { argv, env } = r.invocation;
    expect(argv).toEqual([
      'run',
      '--quiet',
      '--no-color',
      '--log-format=json',
      '--out',
      `json=${join(r.workDir, 'points.json')}`,
      `--summary-export=${join(r.workDir, 'summary.json')}`,
      join(r.workDir, 'script.js'),
    ]);
    expect(env).toMatchObject({
      K6_NO_USAGE_REPORT: 'true',
      K6_WEB_DASHBOARD: 'false',
      GAUNTLET_TARGET: 'http://127.0.0.1:9',
    });
    expect(r.totals).toEqual({ intended: 50, sent: 50, ok: 50, failed: 0, dropped: 0 });
    // k6's wall-clock times land on the run clock: after the start, before the engine returned.
    const series = r.recorder.series();
    expect(series.reduce((n, p) => n + p.sent, 0)).toBe(50);
    expect(series.length).toBeLessThanOrEqual(Math.ceil(r.elapsedMs / 1000) + 1);
    // The double runs the script's own iterations: its 3:1 mix (VU 1 starts one pick into the
    // cycle a a b a) gives 37 reads (200) and 13 writes (201 expected).
    const summary = r.recorder.summary({ engine: 'k6', model: 'open', durationS: r.elapsedMs / 1000 });
    expect(summary.statusCodes).toEqual({ '200': 37, '201': 13 });
    expect(summary.latencyMs.p50).toBeGreaterThanOrEqual(5);
    expect(r.report).toMatchObject({ engine: 'k6', model: 'open' });
    expect(r.report.abortReason).toBeUndefined();
    expect(r.report.verdicts).toEqual([
      expect.objectContaining({
        name: 'k6-thresholds',
        pass: true,
        observed: 'k6 exit 0; all 3 thresholds passed',
      }),
    ]);
  });

  it('exit 99: failed thresholds are a failed verdict naming the SLAs, not an error', async () => {
    const r = await runDouble({ double: 'thresholds' });
    expect(r.report.abortReason).toBeUndefined();
    const v = r.report.verdicts?.find((x) => x.name === 'k6-thresholds');
    expect(v?.pass).toBe(false);
    expect(v?.observed).toContain('exit 99: thresholds failed');
    expect(v?.observed).toContain('http_req_duration p(95)<100 (p95<100ms)');
    expect(v?.observed).toContain('http_req_failed rate<0.01 (errors<1%)');
    // The double drops every 25th iteration and fails every 10th request with a 503.
    expect(r.totals).toMatchObject({ intended: 50, dropped: 2, sent: 48 });
    expect(r.totals.failed).toBe(4);
  });

  it('exit 99 after abortOnFail: the run is aborted with the reason, output kept', async () => {
    const r = await runDouble({ double: 'abort' });
    expect(r.report.abortReason).toBe("k6 abortOnFail: thresholds on metrics 'http_req_failed' were crossed");
    expect(r.recorder.summary({ engine: 'k6', model: 'open', durationS: 1 }).errors.refused).toBeGreaterThan(
      0,
    );
    expect(r.totals.sent).toBeLessThan(50);
    expect(existsSync(join(r.workDir, 'points.json'))).toBe(true);
  });

  it('exit 108: test.abort() aborts the run with the script’s reason', async () => {
    const r = await runDouble({ double: 'test-abort' });
    expect(r.report.abortReason).toBe(
      'the k6 script called test.abort(): the target reported it is unhealthy',
    );
  });

  it('exit 110: execution.test.fail() is a failed verdict', async () => {
    const r = await runDouble({ double: 'fail' });
    expect(r.report.abortReason).toBeUndefined();
    expect(r.report.verdicts?.find((v) => v.name === 'k6-test-fail')).toMatchObject({ pass: false });
  });

  it('exit 107 (script exception) and 104 (invalid config) are setup errors saying what k6 said', async () => {
    const script = await runError({ double: 'script-error' });
    expect(script.code).toBe('GAUNTLET_SETUP');
    expect(script.message).toMatch(/exit 107: script exception/);
    expect(script.message).toMatch(/ReferenceError: undefinedHelper is not defined/);
    expect(script.message).toMatch(/The script and k6's output are in \//);
    const config = await runError({ double: 'config-error' });
    expect(config.message).toMatch(/exit 104: invalid configuration.*rate must be more than 0/);
  });

  it('exit 109 (panic) with a cut-off output file: an error, and the complete lines still counted', async () => {
    const s = scenario([]);
    const clock = createClock();
    const recorder = new MetricsRecorder({ timeoutMs: 5000, now: clock.now });
    const engine = createK6Engine({
      binary: doubleBin,
      workDir: newDir(),
      env: { K6_DOUBLE_SCENARIO: 'panic' },
    });
    const err = await engine
      .run(
        { baseUrl: targetUrl, requests: s.requests, profile: s.profile, options: s.load },
        { clock, metrics: recorder, signal: new AbortController().signal },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GauntletError);
    expect((err as Error).message).toMatch(/exit 109: k6 panicked\): panic: runtime error/);
    expect(recorder.totals().sent).toBeGreaterThan(5);
  });

  it('Ctrl-C: SIGINT to k6, which flushes and exits 105; the partial run is kept, nothing is an error', async () => {
    const r = await runDouble({ double: 'hang', abortAfterSent: 11 });
    // The double would run 60 s: it stopped because it was told to.
    expect(r.elapsedMs).toBeLessThan(8000);
    expect(r.report.abortReason).toBeUndefined();
    expect(r.totals.sent).toBeGreaterThan(10);
    expect(r.totals.failed).toBe(0);
    const v = r.report.verdicts?.find((x) => x.name === 'k6-thresholds');
    expect(v?.observed).toContain('exit 105');
    expect((v?.evidence as { files?: { points: string } }).files?.points).toBe(
      join(r.workDir, 'points.json'),
    );
  });

  it.each<[number, string]>([
    [97, 'cloud test failed'],
    [98, 'cloud progress failed'],
    [100, 'setup() timed out'],
    [101, 'teardown() timed out'],
    [102, 'timed out'],
    [106, 'could not start the REST API'],
  ])('exit %i (%s) is a setup error naming the code and what k6 said', async (code, name) => {
    const err = await runError({
      double: 'ok',
      engine: { binary: forcedExitDouble() },
      env: { K6_FORCED_EXIT: String(code), K6_FORCED_MSG: `k6 says ${code}`, K6_DOUBLE_DURATION_MS: '300' },
    });
    expect(err.code).toBe('GAUNTLET_SETUP');
    expect(err.message).toContain(`k6 could not run the scenario (exit ${code}: ${name}): k6 says ${code}`);
  });

  it('exit 103 (stopped through the REST API, not by gauntlet): the run is aborted with that reason', async () => {
    const r = await runDouble({
      double: 'ok',
      engine: { binary: forcedExitDouble() },
      env: { K6_FORCED_EXIT: '103', K6_DOUBLE_DURATION_MS: '300' },
    });
    expect(r.report.abortReason).toBe('k6 was stopped through its REST API');
    expect(r.totals.sent).toBeGreaterThan(0);
  });

  it('exit 105 from a SIGINT gauntlet did not send: the run is aborted, not interrupted', async () => {
    const r = await runDouble({ double: 'hang', externalSigintAfterSent: 5 });
    expect(r.elapsedMs).toBeLessThan(8000);
    expect(r.report.abortReason).toBe('k6 was interrupted by a signal gauntlet did not send');
    expect(r.totals.sent).toBeGreaterThan(4);
    const v = r.report.verdicts?.find((x) => x.name === 'k6-thresholds');
    expect(v?.observed).toContain('exit 105');
  });

  it('a k6 that ignores SIGINT is killed after the grace period', async () => {
    const r = await runDouble({ double: 'stubborn', abortAfterSent: 1, engine: { killGraceMs: 700 } });
    expect(r.elapsedMs).toBeLessThan(8000);
    expect(r.report.abortReason).toBeUndefined();
    expect(r.totals.sent).toBeGreaterThan(0);
  });

  it('a temporary work directory is removed after a clean run', async () => {
    const s = scenario([]);
    const record = join(newDir(), 'invocation.json');
    const clock = createClock();
    const recorder = new MetricsRecorder({ timeoutMs: 5000, now: clock.now });
    const engine = createK6Engine({
      binary: doubleBin,
      env: { K6_DOUBLE_SCENARIO: 'ok', K6_DOUBLE_RECORD: record },
    });
    const report = await engine.run(
      { baseUrl: targetUrl, requests: s.requests, profile: s.profile, options: s.load },
      { clock, metrics: recorder, signal: new AbortController().signal },
    );
    const { cwd } = JSON.parse(readFileSync(record, 'utf8')) as { cwd: string };
    expect(cwd).toMatch(/gauntlet-k6-/);
    expect(existsSync(cwd)).toBe(false);
    // Only the generator-health drop limit is a threshold here; no files are named as kept.
    expect(report.verdicts).toEqual([
      expect.objectContaining({
        name: 'k6-thresholds',
        pass: true,
        claim: expect.stringContaining('count<=0'),
      }),
    ]);
    expect(report.verdicts![0]!.evidence).not.toHaveProperty('files');
    expect(recorder.totals().sent).toBe(50);
  });

  it('without k6 on PATH the engine cannot be created: a setup error with an install hint', () => {
    expect(() => locateK6('/nonexistent')).toThrow(GauntletError);
    expect(() => locateK6('/nonexistent')).toThrow(
      /no k6 executable on PATH; install k6 \(https:\/\/grafana\.com/,
    );
    expect(locateK6(`/nonexistent:${k6DoubleDir}`)).toBe(doubleBin);
  });
});

describe('k6 engine under the runner', () => {
  it('an abortOnFail threshold in k6 makes the run aborted, with the reason and a failed verdict', async () => {
    const out = await runScenario({
      scenario: scenario(),
      file: null,
      engine: createK6Engine({ binary: doubleBin, workDir: newDir(), env: { K6_DOUBLE_SCENARIO: 'abort' } }),
      reporters: createReporters(['json']),
      outDir: newDir(),
      progressIntervalMs: 200,
    });
    expect(out.exitCode).toBe(1);
    expect(out.result.status).toBe('aborted');
    expect(out.result.abortReason).toMatch(/k6 abortOnFail|abortOnFail: errors<1%/);
    expect(out.result.verdicts.map((v) => v.name)).toContain('abort-on-fail');
    expect(out.result.load.engine).toBe('k6');
    expect(out.result.load.errors.refused).toBeGreaterThan(0);
  });

  it('k6 threshold verdicts sit beside gauntlet’s own and decide the exit code with them', async () => {
    const out = await runScenario({
      scenario: scenario(['p95<100ms', 'errors<1%']),
      file: null,
      engine: createK6Engine({
        binary: doubleBin,
        workDir: newDir(),
        env: { K6_DOUBLE_SCENARIO: 'thresholds' },
      }),
      reporters: createReporters(['json']),
      outDir: newDir(),
    });
    expect(out.exitCode).toBe(1);
    expect(out.result.status).toBe('completed');
    const names = out.result.verdicts.map((v) => v.name);
    expect(names).toEqual(['generator-health', 'p95<100ms', 'errors<1%', 'k6-thresholds']);
    // Drops (2 of 50) make the run invalid: the failed verdicts are inconclusive, not the target's.
    expect(out.result.valid).toBe(false);
    expect(out.result.verdicts.find((v) => v.name === 'k6-thresholds')).toMatchObject({
      pass: false,
      inconclusive: true,
    });
  });
});
