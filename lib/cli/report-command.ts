import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { loadResult } from '../../reports/loadResult.ts';
import { createMultiplexer } from '../../reports/multiplexer.ts';
import { createReporters } from '../../reports/registry.ts';
import { RESULT_FILE } from '../../reports/json.ts';
import * as flag from './flags.ts';

/** `--format` names → reporter names. */
const formats: Readonly<Record<string, string>> = {
  html: 'html',
  md: 'markdown',
  markdown: 'markdown',
  junit: 'junit',
  json: 'json',
  png: 'png',
};
const DEFAULT_FORMATS = ['html', 'md', 'junit', 'png'];

export interface ReportFlags {
  out?: string;
  format?: string[];
}

export function addReportCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('render the reports again from a saved result.json')
    .argument('<result>', 'a result.json a run wrote')
    .option('--out <dir>', 'where to write the reports (default: beside the result.json)')
    .option(
      '--format <names>',
      `formats, comma-separated: html, md, junit, json, png (default ${DEFAULT_FORMATS.join(',')})`,
      flag.list,
    )
    .addHelpText(
      'after',
      `
Examples:
  gauntlet report gauntlet-results/smoke-20261129T020000Z/result.json
  gauntlet report result.json --out /tmp/report --format html,png

Exit codes: 0 reports written · 2 missing or invalid result.json, bad flag, or a report failed to render`,
    )
    .action(async (file: string, opts: ReportFlags) => {
      setExit(await reportCommand(file, opts));
    });
}

export async function reportCommand(file: string, opts: ReportFlags): Promise<number> {
  const wanted = opts.format ?? DEFAULT_FORMATS;
  const unknown = wanted.filter((f) => !(f in formats));
  if (unknown.length > 0) {
    throw new UsageError(
      `--format: unknown format${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `'${f}'`).join(', ')}; ` +
        `valid formats: ${Object.keys(formats).join(', ')}`,
    );
  }
  if (wanted.length === 0) throw new UsageError('--format: name at least one format, e.g. --format html');
  const result = await loadResult(file);
  const outDir = opts.out ?? dirname(file);
  const names = [...new Set(wanted.map((f) => formats[f] as string))];
  // Re-writing the input in place would drop any field this version of gauntlet does not know.
  if (names.includes('json') && resolve(outDir, RESULT_FILE) === resolve(file)) {
    throw new UsageError(`--format json would overwrite the input ${file}; pass --out <another dir>`);
  }
  const mux = createMultiplexer(createReporters(names));
  const written = await mux.onEnd(result, { outDir });
  for (const p of written) process.stdout.write(`${p}\n`);
  const errors = mux.errors();
  for (const e of errors)
    process.stderr.write(`error: the ${e.reporter} report failed: ${e.error.message}\n`);
  return errors.length > 0 ? 2 : 0;
}
