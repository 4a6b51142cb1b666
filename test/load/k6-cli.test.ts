/** `gauntlet k6 export` and `gauntlet run --engine k6`, end to end through the real CLI. */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateK6Script, scriptInputOf } from '../../lib/load/k6/script.ts';
import { loadScenarioFile } from '../../lib/scenario/load-file.ts';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';
import { k6DoubleDir } from './k6-scenarios.ts';
import { isRunning } from '../../lib/local/process-tree.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const withDouble = `${k6DoubleDir}${delimiter}${process.env.PATH ?? ''}`;
/** k6's work directories (kept after a failed or interrupted run) go here, removed afterwards. */
const k6Tmp = tempDir('gauntlet-k6-cli-');
dirs.push(k6Tmp);
const quick = [
  'run',
  '--engine',
  'k6',
  '--url',
  'http://127.0.0.1:9/items',
  '--rate',
  '50',
  '--duration',
  '1s',
];

/** Zombie-aware: an exited child not yet reaped by whoever inherited it is not alive. */
const alive = isRunning;

describe('gauntlet k6 export', () => {
  /** A scenario file of this test's own, so the expected script does not follow edits of scenarios/. */
  const scenarioFile = join(k6Tmp, 'export-me.ts');
  writeFileSync(
    scenarioFile,
    `export default {
  name: 'export-me',
  target: 'http://127.0.0.1:8080',
  requests: [{ name: 'health', path: '/healthz' }, { method: 'POST', path: '/items', body: { a: 1 }, weight: 2 }],
  load: { kind: 'constant-arrival-rate', rate: 20, duration: '20s' },
  slas: ['p95<100ms', 'errors<0.1%'],
};
`,
  );

  it('prints the script --engine k6 would run', async () => {
    const r = await runGauntlet(['k6', 'export', scenarioFile]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(generateK6Script(scriptInputOf(await loadScenarioFile(scenarioFile))));
    expect(r.stdout).toContain("http_req_duration: ['p(95)<100']");
  });

  it('--url sets the default target, --scale the durations, --out writes a file', async () => {
    const out = join(k6Tmp, 'export-me.js');
    const r = await runGauntlet([
      'k6',
      'export',
      scenarioFile,
      '--url',
      'http://staging:8080/base/',
      '--scale',
      '0.5',
      '--out',
      out,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const script = readFileSync(out, 'utf8');
    expect(script).toContain("const target = __ENV.GAUNTLET_TARGET || 'http://staging:8080/base';");
    expect(script).toMatch(/duration: '10s'/);
  });
});

describe('gauntlet run --engine k6', () => {
  it('without k6 on PATH: exit 2 with an install hint, before any load', async () => {
    const r = await runGauntlet(quick, { env: { PATH: '/nonexistent' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /--engine k6: no k6 executable on PATH; install k6 \(https:\/\/grafana\.com\/docs\/k6/,
    );
    expect(r.result).toBeUndefined();
  });

  it('with k6 (the double) on PATH: a normal result, engine k6, every request counted', async () => {
    const r = await runGauntlet([...quick, '--sla', 'p95<100ms', '--sla', 'errors<0.1%'], {
      env: { PATH: withDouble, TMPDIR: k6Tmp, K6_DOUBLE_SCENARIO: 'ok' },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.result?.load).toMatchObject({
      engine: 'k6',
      requests: { intended: 50, sent: 50, ok: 50, dropped: 0 },
    });
    expect(r.result?.verdicts.map((v) => [v.name, v.pass])).toEqual([
      ['generator-health', true],
      ['p95<100ms', true],
      ['errors<0.1%', true],
      ['k6-thresholds', true],
    ]);
  });

  it('a script error in k6 is a setup error (exit 2) naming the k6 exit code', async () => {
    const r = await runGauntlet(quick, {
      env: { PATH: withDouble, TMPDIR: k6Tmp, K6_DOUBLE_SCENARIO: 'script-error' },
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error: k6 could not run the scenario \(exit 107: script exception\)/);
  });

  it('Ctrl-C: k6 is stopped with SIGINT, the partial run is reported as interrupted (exit 130)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const record = join(dir, 'k6.json');
    const r = await runGauntlet(quick, {
      env: { PATH: withDouble, TMPDIR: k6Tmp, K6_DOUBLE_SCENARIO: 'hang', K6_DOUBLE_RECORD: record },
      onSpawn: (child) => {
        // Interrupt once k6 has been running for a moment (its record file says it started).
        const poll = setInterval(() => {
          if (existsSync(record)) {
            clearInterval(poll);
            setTimeout(() => child.kill('SIGINT'), 1200);
          }
        }, 50);
        child.once('exit', () => clearInterval(poll));
      },
      timeoutMs: 60_000,
    });
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.result?.status).toBe('interrupted');
    expect(r.result?.load.requests.sent).toBeGreaterThan(0);
    const { pid } = JSON.parse(readFileSync(record, 'utf8')) as { pid: number };
    expect(alive(pid)).toBe(false);
  });
});
