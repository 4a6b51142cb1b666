import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultSchema } from '../../lib/result/schema.ts';
import type { RunResult } from '../../lib/result/schema.ts';
import { ResultFileError, jsonReporter, loadResult, renderJson } from '../../reports/index.ts';
import { failingRun } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-reports-json-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('renderJson', () => {
  it('round-trips through the schema unchanged', () => {
    const run = failingRun();
    const back = resultSchema.parse(JSON.parse(renderJson(run)));
    expect(back).toEqual(JSON.parse(JSON.stringify(run)));
    expect(back.series.filter((p) => p.p95 === null)).toHaveLength(1);
    expect(back.spans.find((s) => s.end === null)?.name).toBe('drain worker-2');
  });

  it('writes keys in schema order and count maps sorted, whatever the input order', () => {
    const run = failingRun();
    const shuffled = Object.fromEntries(Object.entries(run).reverse()) as RunResult;
    shuffled.load = { ...run.load, errors: { timeout: 3, refused: 60, 'status-5xx': 30, reset: 12 } };
    shuffled.series = run.series.map((p) =>
      p.t === 21
        ? { ...p, errors: { 'status-5xx': 8, refused: 20 }, statusCodes: { '503': 8, '200': 60 } }
        : p,
    );
    const out = JSON.parse(renderJson(shuffled)) as RunResult;
    expect(Object.keys(out)).toEqual(Object.keys(resultSchema.shape).filter((k) => k in run));
    expect(Object.keys(out.load.errors)).toEqual(['refused', 'reset', 'timeout', 'status-5xx']);
    expect(Object.keys(out.series[21]!.errors)).toEqual(['refused', 'status-5xx']);
    expect(renderJson(shuffled)).toBe(renderJson(run));
  });

  it('refuses a result later tools could not read, naming the field', () => {
    const run = failingRun() as unknown as { verdicts: { window: { end: unknown } }[] };
    run.verdicts[1]!.window.end = 'soon';
    expect(() => renderJson(run as unknown as RunResult)).toThrow(/verdicts\[1\]\.window\.end/);
  });
});

describe('jsonReporter', () => {
  it('creates the output directory and writes result.json there', async () => {
    const outDir = join(dir, 'nested', 'run-1');
    const paths = await jsonReporter().onEnd?.(failingRun(), { outDir });
    expect(paths).toEqual([join(outDir, 'result.json')]);
    expect(await readFile(join(outDir, 'result.json'), 'utf8')).toBe(renderJson(failingRun()));
  });
});

describe('loadResult', () => {
  it('reads back what the json reporter wrote', async () => {
    const outDir = join(dir, 'load-ok');
    await jsonReporter().onEnd?.(failingRun(), { outDir });
    const loaded = await loadResult(join(outDir, 'result.json'));
    expect(loaded).toEqual(JSON.parse(JSON.stringify(failingRun())));
  });

  it('names the bad field path', async () => {
    const file = join(dir, 'bad-field.json');
    const run = JSON.parse(renderJson(failingRun())) as { series: { ok: unknown }[] };
    run.series[3]!.ok = -1;
    await writeFile(file, JSON.stringify(run));
    const err = await loadResult(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResultFileError);
    expect((err as ResultFileError).message).toContain(file);
    expect((err as ResultFileError).problems[0]).toMatch(/^series\[3\]\.ok: /);
    expect((err as ResultFileError).code).toBe('GAUNTLET_RESULT_INVALID');
  });

  it('says which fields are missing', async () => {
    const file = join(dir, 'missing-field.json');
    const { verdicts: _verdicts, ...rest } = failingRun();
    await writeFile(file, JSON.stringify(rest));
    await expect(loadResult(file)).rejects.toThrow(
      `${file}: not a usable result.json: verdicts: missing (expected array)`,
    );
  });

  it('explains a missing file, broken JSON and a newer schemaVersion', async () => {
    await expect(loadResult(join(dir, 'nope.json'))).rejects.toThrow(/no such file/);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"schemaVersion": 1,');
    await expect(loadResult(broken)).rejects.toThrow(/not valid JSON/);
    const newer = join(dir, 'newer.json');
    await writeFile(newer, JSON.stringify({ ...failingRun(), schemaVersion: 2 }));
    await expect(loadResult(newer)).rejects.toThrow(/schemaVersion: 2 is not supported.*upgrade gauntlet/);
  });

  it('ignores fields it does not know (additive changes keep schemaVersion 1)', async () => {
    const file = join(dir, 'additive.json');
    await writeFile(file, JSON.stringify({ ...failingRun(), futureField: { x: 1 } }));
    const loaded = await loadResult(file);
    expect(loaded).not.toHaveProperty('futureField');
    expect(loaded.verdicts).toHaveLength(4);
  });
});
