import { resultSchema } from '../lib/result/schema.ts';
import type { RunResult } from '../lib/result/schema.ts';
import { sortedCounts } from './format.ts';
import { writeOutputFile } from './outputFile.ts';
import type { Reporter } from './reporter.ts';
import { describeIssues } from './zodIssues.ts';

export const RESULT_FILE = 'result.json';

/**
 * result.json text. Parsing through the schema both refuses to write a file later tools could not
 * read and puts keys in the schema's declared order; count maps are sorted too, so two runs diff
 * cleanly.
 */
export function renderJson(result: RunResult): string {
  const parsed = resultSchema.safeParse(result);
  if (!parsed.success) {
    throw new Error(
      `result does not match result.json schemaVersion 1:\n  - ${describeIssues(parsed.error.issues).join('\n  - ')}`,
    );
  }
  const r = parsed.data;
  const canonical: RunResult = {
    ...r,
    load: { ...r.load, errors: sortCounts(r.load.errors), statusCodes: sortCounts(r.load.statusCodes) },
    series: r.series.map((p) => ({
      ...p,
      errors: sortCounts(p.errors),
      ...(p.statusCodes ? { statusCodes: sortCounts(p.statusCodes) } : {}),
    })),
  };
  return `${JSON.stringify(canonical, null, 2)}\n`;
}

// Integer-like keys would be hoisted by JS object ordering anyway; sorting makes the rest stable.
function sortCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(sortedCounts(counts));
}

export function jsonReporter(): Reporter {
  return {
    name: 'json',
    async onEnd(result, ctx) {
      return [await writeOutputFile(ctx, RESULT_FILE, renderJson(result))];
    },
  };
}
