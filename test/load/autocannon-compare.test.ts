/**
 * The same closed-model scenario on the stand-in app (infra-fixtures/app), once with the native
 * engine and once with autocannon: both result.json files have the same shape (schema, series,
 * error and status breakdowns, verdicts) and comparable numbers. And `gauntlet capacity --model
 * closed --engine autocannon` steps connections with autocannon on the same app.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityResultSchema } from '../../lib/capacity/schema.ts';
import { type StandInApp, startStandInApp } from '../../lib/cli/stand-in-app.ts';
import { createEngine } from '../../lib/load/index.ts';
import { type RunResult, resultSchema } from '../../lib/result/schema.ts';
import { runScenario } from '../../lib/run/runner.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import { createReporters } from '../../reports/registry.ts';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';

let app: StandInApp;
const dirs: string[] = [];
beforeAll(async () => {
  app = await startStandInApp({ DRAIN_DELAY_MS: '0', LOG_LEVEL: 'silent' });
});
afterAll(async () => {
  await app?.stop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const scenario = () =>
  resolveScenario({
    name: 'engines-compared',
    target: app.url,
    requests: [
      { name: 'health', path: '/healthz', weight: 1 },
      {
        name: 'create',
        method: 'POST',
        path: '/api/v1/narratives',
        body: { prompt: 'A lighthouse keeper finds a map.', maxWords: 40 },
        expectStatus: 201,
        weight: 3,
      },
      { name: 'missing', path: '/api/v1/narratives/00000000-0000-4000-8000-000000000000', expectStatus: 404 },
    ],
    load: { kind: 'closed', connections: 4, duration: '2s' },
    slas: ['errors<1%', 'p99<2s'],
  });

async function run(engine: string): Promise<RunResult> {
  const outDir = tempDir('gauntlet-engines-');
  dirs.push(outDir);
  const out = await runScenario({
    scenario: scenario(),
    file: null,
    engine: createEngine(engine),
    reporters: createReporters(['json']),
    outDir,
  });
  expect(out.files.some((f) => f.endsWith('result.json'))).toBe(true);
  return resultSchema.parse(JSON.parse(readFileSync(join(outDir, 'result.json'), 'utf8')));
}

const keys = (o: object) => Object.keys(o).sort();

describe('native and autocannon on the stand-in app', () => {
  it('produce result.json files of the same shape with comparable numbers', async () => {
    const native = await run('native');
    const cannon = await run('autocannon');
    for (const r of [native, cannon]) {
      expect(r.status).toBe('completed');
      // Generator health depends on how busy this machine is; the target's verdicts do not.
      expect(r.verdicts.find((v) => v.name === 'errors<1%')?.pass).toBe(true);
      expect(r.load.model).toBe('closed');
      const q = r.load.requests;
      expect(q.sent).toBeGreaterThan(40);
      expect(q).toMatchObject({ intended: q.sent, ok: q.sent, failed: 0, dropped: 0 });
      // The mix 1:3:1 shows in the statuses (404 is the third request's expected status).
      expect(keys(r.load.statusCodes)).toEqual(['200', '201', '404']);
      const share = (s: string) => (r.load.statusCodes[s] ?? 0) / q.sent;
      expect(share('201')).toBeGreaterThan(0.5);
      expect(share('201')).toBeLessThan(0.7);
      expect(share('200')).toBeGreaterThan(0.1);
      expect(share('404')).toBeGreaterThan(0.1);
      for (const v of Object.values(r.load.latencyMs)) expect(v).not.toBeNull();
      expect(r.series.length).toBeGreaterThanOrEqual(2);
      expect(r.series.length).toBeLessThanOrEqual(4);
    }
    expect(native.load.engine).toBe('native');
    expect(cannon.load.engine).toBe('autocannon');
    expect(keys(cannon)).toEqual(keys(native));
    expect(keys(cannon.load)).toEqual(keys(native.load));
    expect(keys(cannon.series[0]!)).toEqual(keys(native.series[0]!));
    expect(cannon.verdicts.map((v) => v.name)).toEqual(native.verdicts.map((v) => v.name));
    // Same target, same closed loop: throughput within a factor of 4 of each other.
    const ratio = cannon.load.requests.sent / native.load.requests.sent;
    expect(ratio).toBeGreaterThan(0.25);
    expect(ratio).toBeLessThan(4);
  });
});

describe('gauntlet capacity --model closed --engine autocannon on the stand-in app', () => {
  it('steps connections with autocannon and judges each step', async () => {
    const dir = tempDir('gauntlet-capacity-autocannon-');
    dirs.push(dir);
    const file = join(dir, 'closed.ts');
    writeFileSync(
      file,
      `export default {
  name: 'closed-probe',
  target: '${app.url}',
  requests: [{ name: 'health', path: '/healthz' }],
  load: { kind: 'closed', connections: 1, duration: '5s' },
  slas: ['p95<2000ms', 'errors<1%'],
};\n`,
    );
    const out = join(dir, 'out');
    const r = await runGauntlet(
      [
        'capacity',
        file,
        '--model',
        'closed',
        '--engine',
        'autocannon',
        '--start',
        '1',
        '--factor',
        '2',
        '--max',
        '2',
        '--hold',
        '2s',
        '--warmup',
        '0s',
        '--replicas',
        '1',
        '--out',
        out,
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const result = capacityResultSchema.parse(JSON.parse(readFileSync(join(out, 'capacity.json'), 'utf8')));
    expect(result.model).toBe('closed');
    expect(result.engine).toBe('autocannon');
    expect(result.steps.map((st) => st.level)).toEqual([1, 2]);
    for (const st of result.steps) {
      // A closed loop sends as fast as the app answers: well above one request a second.
      expect(st.requests.sent).toBeGreaterThan(10);
      expect(st.requests.failed).toBe(0);
      expect(st.sla.map((x) => [x.id, x.pass])).toEqual([
        ['p95<2000ms', true],
        ['errors<1%', true],
      ]);
    }
  });
});
