import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../lib/result/schema.ts';
import {
  HISTORY_INDEX,
  HistoryError,
  appendToHistory,
  historyEntry,
  pickBaseline,
  readHistory,
  scenarioRuns,
} from '../../reports/compare/history.ts';
import { renderTrendHtml } from '../../reports/compare/html.ts';
import { renderJson } from '../../reports/json.ts';
import { chaosRun } from './chaos-fixture.ts';
import { failingRun } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-history-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function saved(r: RunResult, name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, renderJson(r));
  return path;
}

const at = (r: RunResult, startedAt: string, extra: Partial<RunResult> = {}): RunResult => ({
  ...r,
  startedAt,
  ...extra,
});

describe('history directory', () => {
  it('reads a missing index as an empty history', async () => {
    expect(await readHistory(join(dir, 'nothing-here'))).toEqual({ version: 1, runs: [] });
  });

  it('appends each run once, copying its result file byte for byte', async () => {
    const hist = join(dir, 'h1');
    const run = at(chaosRun(), '2026-11-28T02:00:00.000Z');
    const path = await saved(run, 'first.json');
    expect((await appendToHistory(hist, run, path)).added).toBe(true);
    const again = await appendToHistory(hist, run, path);
    expect(again.added).toBe(false);
    expect(again.index.runs).toHaveLength(1);
    expect(await readdir(join(hist, 'runs'))).toEqual(['20261128T020000Z-zone-chaos.json']);
    expect(await readFile(join(hist, again.index.runs[0]!.file), 'utf8')).toBe(await readFile(path, 'utf8'));
    expect(await readHistory(hist)).toEqual(again.index);
  });

  it('names each copy by start time and scenario', async () => {
    const hist = join(dir, 'h2');
    const a = at(chaosRun(), '2026-11-28T02:00:00.000Z');
    const b = at(chaosRun(), '2026-11-29T02:00:00.000Z');
    await appendToHistory(hist, a, await saved(a, 'a.json'));
    const { index } = await appendToHistory(hist, b, await saved(b, 'b.json'));
    expect(index.runs.map((r) => r.file)).toEqual([
      'runs/20261128T020000Z-zone-chaos.json',
      'runs/20261129T020000Z-zone-chaos.json',
    ]);
    expect(index.runs[1]).toMatchObject({ scenario: 'zone-chaos', pass: false, valid: true });
    expect(index.runs[1]!.metrics['p95']).toBe(61.4);
    expect(index.runs[1]!.metrics['recovery']).toBe(5.2);
  });

  it('picks the latest earlier valid run of the same scenario as the baseline', async () => {
    const hist = join(dir, 'h3');
    const runs = [
      at(chaosRun(), '2026-11-27T02:00:00.000Z'),
      at(chaosRun(), '2026-11-28T02:00:00.000Z', { valid: false }),
      at(failingRun(), '2026-11-28T03:00:00.000Z'),
      at(chaosRun(), '2026-11-30T02:00:00.000Z'),
    ];
    for (const [i, r] of runs.entries()) await appendToHistory(hist, r, await saved(r, `r${i}.json`));
    const index = await readHistory(hist);
    expect(scenarioRuns(index, 'zone-chaos').map((r) => r.startedAt.slice(0, 10))).toEqual([
      '2026-11-27',
      '2026-11-28',
      '2026-11-30',
    ]);
    const current = at(chaosRun(), '2026-11-29T02:00:00.000Z');
    // Not the invalid one from the 28th, not another scenario, not a later run.
    expect(pickBaseline(index, current)?.startedAt).toBe('2026-11-27T02:00:00.000Z');
    expect(pickBaseline(index, at(chaosRun(), '2026-11-26T00:00:00.000Z'))).toBeUndefined();
  });

  it('refuses a broken index, naming the file and the field', async () => {
    const hist = join(dir, 'h4');
    await appendToHistory(hist, chaosRun(), await saved(chaosRun(), 'x.json'));
    await writeFile(join(hist, HISTORY_INDEX), JSON.stringify({ version: 1, runs: [{ file: 3 }] }));
    const err = await readHistory(hist).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as Error).message).toContain(`${join(hist, HISTORY_INDEX)}: not a gauntlet history index`);
    expect((err as Error).message).toContain('runs[0].file: Invalid input: expected string, received number');
    await writeFile(join(hist, HISTORY_INDEX), '{ nope');
    await expect(readHistory(hist)).rejects.toThrow(/not valid JSON/);
  });

  it('renders its own trend page', () => {
    const entries = ['2026-11-28', '2026-11-29'].map((d) =>
      historyEntry(
        at(chaosRun(), `${d}T02:00:00.000Z`),
        `runs/${d.replace(/-/g, '')}T020000Z-zone-chaos.json`,
      ),
    );
    const html = renderTrendHtml('zone-chaos', entries);
    expect(html).toContain('<h1>zone-chaos: trend across runs</h1>');
    expect(html).toContain('<canvas id="chart-trend"');
    expect(html).toContain('<code>runs/20261129T020000Z-zone-chaos.json</code>');
  });
});
