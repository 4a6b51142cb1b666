/**
 * A history directory that nightly runs append to: `index.json` lists every run with the metrics
 * a trend needs, `runs/` holds a copy of each result.json. Appending the same run twice is a no-op,
 * so re-running a CI step does not double a point on the trend.
 */
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { GauntletError } from '../../lib/errors.ts';
import type { RunResult } from '../../lib/result/schema.ts';
import { describeIssues } from '../zodIssues.ts';
import { metricIds, runMetrics } from './metrics.ts';

export const HISTORY_INDEX = 'index.json';
export const HISTORY_RUNS_DIR = 'runs';

const entrySchema = z.object({
  /** The copy of the result, relative to the history directory. */
  file: z.string(),
  scenario: z.string(),
  startedAt: z.string(),
  pass: z.boolean(),
  valid: z.boolean(),
  metrics: z.object(Object.fromEntries(metricIds.map((id) => [id, z.number().nullable().optional()]))),
});
export type HistoryEntry = z.infer<typeof entrySchema>;

const indexSchema = z.object({ version: z.literal(1), runs: z.array(entrySchema) });
export type HistoryIndex = z.infer<typeof indexSchema>;

export class HistoryError extends GauntletError {
  constructor(message: string, cause?: unknown) {
    super('GAUNTLET_RESULT_INVALID', message, cause === undefined ? undefined : { cause });
    this.name = 'HistoryError';
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The index of a history directory; an empty one when the directory has none yet. */
export async function readHistory(dir: string): Promise<HistoryIndex> {
  const path = join(dir, HISTORY_INDEX);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, runs: [] };
    throw new HistoryError(`${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? e})`, e);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new HistoryError(`${path}: not valid JSON (${(e as Error).message}); fix or remove it`, e);
  }
  const parsed = indexSchema.safeParse(data);
  if (!parsed.success) {
    throw new HistoryError(
      `${path}: not a gauntlet history index:\n  - ${describeIssues(parsed.error.issues).join('\n  - ')}`,
    );
  }
  return parsed.data;
}

/** Runs of one scenario, oldest first. */
export function scenarioRuns(index: HistoryIndex, scenario: string): HistoryEntry[] {
  return index.runs
    .filter((r) => r.scenario === scenario)
    .sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
}

/**
 * The baseline for a run: the latest valid earlier run of the same scenario. An invalid run (the
 * generator fell short) says nothing about the target, so it is never a baseline.
 */
export function pickBaseline(index: HistoryIndex, current: RunResult): HistoryEntry | undefined {
  return scenarioRuns(index, current.scenario.name)
    .filter((r) => r.valid && r.startedAt < current.startedAt)
    .pop();
}

function entryFileName(r: RunResult): string {
  const stamp = r.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const name = r.scenario.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'run';
  return `${HISTORY_RUNS_DIR}/${stamp}-${name}.json`;
}

export function historyEntry(r: RunResult, file: string): HistoryEntry {
  return {
    file,
    scenario: r.scenario.name,
    startedAt: r.startedAt,
    pass: r.pass,
    valid: r.valid,
    metrics: { ...runMetrics(r) },
  };
}

/**
 * Adds a run: copies its result.json (byte for byte, so fields this version does not know survive)
 * and records it in the index. Returns the index after the append and whether the run was new.
 */
export async function appendToHistory(
  dir: string,
  result: RunResult,
  resultPath: string,
): Promise<{ index: HistoryIndex; added: boolean }> {
  const index = await readHistory(dir);
  if (index.runs.some((r) => r.scenario === result.scenario.name && r.startedAt === result.startedAt)) {
    return { index, added: false };
  }
  const file = entryFileName(result);
  await mkdir(join(dir, HISTORY_RUNS_DIR), { recursive: true });
  await copyFile(resultPath, join(dir, file));
  const next: HistoryIndex = { version: 1, runs: [...index.runs, historyEntry(result, file)] };
  // Write-then-rename: a run killed mid-write leaves the old index, not half of a new one.
  const path = join(dir, HISTORY_INDEX);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`, 'utf8');
  await rename(tmp, path);
  return { index: next, added: true };
}
