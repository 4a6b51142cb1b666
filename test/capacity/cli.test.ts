/**
 * `gauntlet capacity` as a command: every flag checked and named (exit 2), the exit codes of a
 * knee (0), of an SLA broken at the first step and of a generator that fell behind (1), the
 * progress lines and the files it writes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityResultSchema, type CapacityResult } from '../../lib/capacity/schema.ts';
import { startStandInApp, type StandInApp } from '../../lib/cli/stand-in-app.ts';
import { gauntletInProcess } from '../helpers/cli-in-process.ts';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';

/** The CLI's main() in this process, with its output captured. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { exitCode, stdout, stderr } = await gauntletInProcess(args);
  return { code: exitCode, stdout, stderr };
}

/** A scenario posting narratives to `url`; `slas` as written in the file. */
function scenarioFile(url: string, slas: string[] = ['p95<500ms', 'errors<1%', 'achieved>=99%']): string {
  const file = join(tempDir('gauntlet-capacity-scenario-'), 'post.ts');
  writeFileSync(
    file,
    `export default {
  name: 'post',
  target: '${url}',
  requests: [{ method: 'POST', path: '/api/v1/narratives', body: { prompt: 'x', maxWords: 20 }, expectStatus: 201 }],
  load: { kind: 'constant-arrival-rate', rate: 10, duration: '5s' },
  slas: ${JSON.stringify(slas)},
};\n`,
  );
  return file;
}

describe('gauntlet capacity usage', () => {
  // Port 9 (discard): nothing listens, and no case gets as far as sending.
  const file = scenarioFile('http://127.0.0.1:9');

  it.each<[string, string[], RegExp]>([
    ['--step with --factor', ['--step', '10', '--factor', '1.5'], /--step and --factor exclude each other/],
    ['a --factor of 1', ['--factor', '1'], /--factor: '1' must be greater than 1/],
    ['a malformed --start', ['--start', 'lots'], /--start: 'lots' is not a positive number/],
    ['--max below --start', ['--start', '100', '--max', '50'], /--max: 50 is below --start 100/],
    [
      'too many steps',
      ['--start', '1', '--step', '1', '--max', '5000'],
      /--step\/--max: the plan has 5000 steps \(at most 200\)/,
    ],
    ['a zero --hold', ['--hold', '0s'], /--hold: '0s' is not a duration/],
    ['a malformed --warmup', ['--warmup', 'soon'], /--warmup: 'soon' is not a duration/],
    ['a zero --bisect', ['--bisect', '0'], /--bisect: '0' is not a positive number/],
    ['too many --bisect steps', ['--bisect', '50'], /--bisect: 50 steps is more than 20/],
    [
      '--headroom without --target-rate',
      ['--headroom', '30%'],
      /--headroom applies to a replica recommendation: add --target-rate/,
    ],
    [
      'a --headroom of 100 %',
      ['--target-rate', '100', '--headroom', '100%'],
      /--headroom: '100%' is not a percentage from 0 to below 100/,
    ],
    ['an unknown --model', ['--model', 'sideways'], /--model: 'sideways' is neither 'open' nor 'closed'/],
    [
      'autocannon with the open model',
      ['--engine', 'autocannon'],
      /--engine autocannon drives the closed model only/,
    ],
    ['an unknown --engine', ['--engine', 'k6'], /--engine: 'k6' cannot drive capacity steps/],
    [
      'fractional connections',
      ['--model', 'closed', '--start', '2.5'],
      /--start: 2.5 must be a whole number of connections/,
    ],
    [
      'an achieved-rate --sla',
      ['--sla', 'achieved>=99%'],
      /--sla: 'achieved>=99%' judges the generator, not the target/,
    ],
    ['a malformed --sla', ['--sla', 'p95 fast'], /--sla: cannot read SLA 'p95 fast'/],
    [
      '--replicas with the local stack',
      ['--target', 'local', '--replicas', '2'],
      /--replicas is for URL targets/,
    ],
    [
      'a malformed --target',
      ['--target', 'cluster'],
      /--target: 'cluster' is neither 'local' nor an http\(s\) URL/,
    ],
    [
      'a malformed --max-generator-lag',
      ['--max-generator-lag', 'small'],
      /--max-generator-lag: 'small' is not a duration/,
    ],
  ])('rejects %s with exit 2, naming the flag', async (_label, flags, message) => {
    const r = await inProcess(['capacity', file, ...flags]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('needs a scenario, and an SLA to judge the steps by', async () => {
    const none = await inProcess(['capacity']);
    expect(none.stderr).toMatch(/missing required argument 'scenario'/);
    expect(none.code).toBe(2);
    const noSla = await inProcess(['capacity', scenarioFile('http://127.0.0.1:9', ['achieved>=99%'])]);
    expect(noSla.stderr).toMatch(
      /the scenario has no latency or error SLA to judge the steps by; pass one, e.g. --sla 'p95<100ms'/,
    );
    expect(noSla.code).toBe(2);
  });

  it('documents every flag and the exit codes in --help', async () => {
    const r = await inProcess(['capacity', '--help']);
    expect(r.code).toBe(0);
    for (const f of [
      '--target',
      '--sla',
      '--start',
      '--step',
      '--factor',
      '--max',
      '--hold',
      '--warmup',
      '--bisect',
      '--target-rate',
      '--headroom',
      '--model',
      '--out',
    ]) {
      expect(r.stdout).toContain(f);
    }
    expect(r.stdout).toMatch(/Exit codes: 0 a knee was found/);
    expect(r.stdout).toMatch(/assuming throughput\s+scales linearly/);
  });
});

describe('gauntlet capacity against the stand-in app', () => {
  // 25 ms of CPU per request: the app cannot pass 40 req/s, so 50 req/s always breaks the SLA.
  let app: StandInApp;
  let file: string;
  beforeAll(async () => {
    app = await startStandInApp({ CPU_WORK_MS: '25', LOG_LEVEL: 'silent' });
    file = scenarioFile(app.url);
  });
  afterAll(async () => {
    await app?.stop();
  });
  const read = (dir: string): CapacityResult =>
    capacityResultSchema.parse(JSON.parse(readFileSync(join(dir, 'capacity.json'), 'utf8')));

  it('exits 0 with a knee, prints each step and writes JSON, Markdown, HTML and the PNG', async () => {
    const out = join(tempDir('gauntlet-capacity-cli-'), 'out');
    const r = await runGauntlet(
      [
        'capacity',
        file,
        '--start',
        '5',
        '--factor',
        '10',
        '--max',
        '50',
        '--hold',
        '3s',
        '--warmup',
        '1s',
        '--target-rate',
        '100',
        '--replicas',
        '1',
        '--max-generator-lag',
        '250ms',
        '--out',
        out,
      ],
      { timeoutMs: 80_000 },
    );
    const result = read(out);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(result.outcome).toBe('knee');
    expect(result.maxSustainableRps).toBe(5);
    expect(result.firstBrokenLevel).toBe(50);
    expect(result.sla.map((s) => s.id)).toEqual(['p95<500ms', 'errors<1%']);
    expect(result.notes.join('\n')).toMatch(/SLA achieved>=99% is not a step criterion/);
    expect(r.stdout).toMatch(/^step 1: 5 req\/s \(1 s warm-up, 3 s judged\)…$/m);
    expect(r.stdout).toMatch(/^ {2}5 req\/s → pass: achieved 5 req\/s · p50 /m);
    expect(r.stdout).toMatch(/^ {2}50 req\/s → SLA broken: /m);
    expect(r.stdout).toMatch(
      /^KNEE FOUND: Maximum sustainable rate at the SLA: 5 req\/s; 50 req\/s broke it/m,
    );
    expect(r.stdout).toMatch(/Replicas for 100 req\/s: 29 with 30 % headroom/);
    for (const f of ['capacity.json', 'capacity.md', 'capacity.html', 'charts/latency-vs-throughput.png']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
  }, 90_000);

  it('exits 1 when the SLA breaks at the first step', async () => {
    const out = join(tempDir('gauntlet-capacity-cli-'), 'out');
    const r = await inProcess([
      'capacity',
      file,
      '--start',
      '80',
      '--max',
      '80',
      '--hold',
      '2s',
      '--warmup',
      '1s',
      '--max-generator-lag',
      '250ms',
      '--out',
      out,
    ]);
    expect(r.code, r.stdout).toBe(1);
    expect(read(out)).toMatchObject({
      outcome: 'broken-at-start',
      maxSustainableRps: null,
      firstBrokenLevel: 80,
    });
    expect(r.stdout).toMatch(/SLA BROKEN AT THE FIRST STEP: The SLA broke at the first step, 80 req\/s/);
  }, 60_000);

  it('exits 1, generator-limited, when the generator cannot keep its schedule', async () => {
    const out = join(tempDir('gauntlet-capacity-cli-'), 'out');
    // Nothing keeps a schedule to a microsecond: the first step is the generator's, not the target's.
    const r = await inProcess([
      'capacity',
      file,
      '--start',
      '5',
      '--max',
      '10',
      '--hold',
      '2s',
      '--warmup',
      '0s',
      '--max-generator-lag',
      '0.001ms',
      '--out',
      out,
    ]);
    expect(r.code, r.stdout).toBe(1);
    const result = read(out);
    expect(result).toMatchObject({
      outcome: 'generator-limited',
      maxSustainableRps: null,
      generatorLimitedAt: 5,
    });
    expect(result.steps[0]?.status).toBe('invalid');
    expect(result.steps[0]?.reasons[0]).toMatch(/^generator-limited: the generator issued requests late/);
    // An invalid step is never drawn as the target's latency.
    expect(existsSync(join(out, 'charts', 'latency-vs-throughput.png'))).toBe(false);
  }, 60_000);
});
