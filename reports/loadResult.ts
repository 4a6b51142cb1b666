/**
 * Reads a result.json back (for `gauntlet report`, comparisons, CI scripts) and checks it against
 * the schema, so a hand-edited or foreign file fails with the field that is wrong, not later with
 * a TypeError deep inside a renderer.
 */
import { readFile } from 'node:fs/promises';
import { GauntletError } from '../lib/errors.ts';
import { SCHEMA_VERSION, resultSchema } from '../lib/result/schema.ts';
import type { RunResult } from '../lib/result/schema.ts';
import { describeIssues } from './zodIssues.ts';

export class ResultFileError extends GauntletError {
  /** One line per problem: `field.path: what is wrong`. */
  readonly problems: readonly string[];
  constructor(path: string, problems: readonly string[], cause?: unknown) {
    const head = `${path}: not a usable result.json`;
    super(
      'GAUNTLET_RESULT_INVALID',
      problems.length === 1 ? `${head}: ${problems[0]}` : `${head}:\n  - ${problems.join('\n  - ')}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'ResultFileError';
    this.problems = problems;
  }
}

export async function loadResult(path: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file; pass the result.json a run wrote' : `cannot read it (${code ?? e})`;
    throw new ResultFileError(path, [why], e);
  }

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ResultFileError(path, [`not valid JSON (${(e as Error).message})`], e);
  }

  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version !== SCHEMA_VERSION) {
    const fix = version > SCHEMA_VERSION ? 'upgrade gauntlet to read it' : 'it predates this format';
    throw new ResultFileError(path, [
      `schemaVersion: ${version} is not supported, this gauntlet reads ${SCHEMA_VERSION} (${fix})`,
    ]);
  }

  const parsed = resultSchema.safeParse(data);
  if (!parsed.success) throw new ResultFileError(path, describeIssues(parsed.error.issues));
  return parsed.data;
}
