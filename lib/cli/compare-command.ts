import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { RunResult } from '../result/schema.ts';
import { chartJsConfig } from '../../reports/charts/config.ts';
import { trendChart } from '../../reports/charts/trend.ts';
import { compareRuns } from '../../reports/compare/compare.ts';
import {
  COMPARE_HTML_FILE,
  TREND_HTML_FILE,
  renderCompareHtml,
  renderTrendHtml,
  trendRuns,
} from '../../reports/compare/html.ts';
import {
  type HistoryEntry,
  appendToHistory,
  historyEntry,
  isDirectory,
  pickBaseline,
  readHistory,
  scenarioRuns,
} from '../../reports/compare/history.ts';
import { latencyQuantiles, type MetricId } from '../../reports/compare/metrics.ts';
import { type HistorySpread, historySpread } from '../../reports/compare/spread.ts';
import { COMPARE_MARKDOWN_FILE, renderCompareMarkdown } from '../../reports/compare/markdown.ts';
import { THRESHOLD_HINT, parseThresholds } from '../../reports/compare/thresholds.ts';
import { loadResult } from '../../reports/loadResult.ts';
import { writeOutputFile } from '../../reports/outputFile.ts';
import * as flag from './flags.ts';

export interface CompareFlags {
  baseline: string;
  threshold?: string[];
  history?: string;
  out?: string;
}

export function addCompareCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('compare')
    .description(
      'compare a run with a baseline run (or the latest in a history directory) and fail on regressions',
    )
    .argument('<result>', 'the result.json to judge')
    .requiredOption(
      '--baseline <path>',
      'a baseline result.json, or a history directory (its latest earlier valid run)',
    )
    .option(
      '--threshold <list>',
      `regression thresholds (repeatable); default p95=10%. ${THRESHOLD_HINT}`,
      flag.list,
    )
    .option(
      '--history <dir>',
      'append this run to a history directory and draw its trend (trend.html, trend.png)',
    )
    .option('--out <dir>', 'where to write compare.md and compare.html (default: beside the result.json)')
    .addHelpText(
      'after',
      `
Examples:
  gauntlet compare results/tonight/result.json --baseline results/last-release/result.json
  gauntlet compare result.json --baseline nightly-history/ --history nightly-history/ --threshold p99=15%,errors=0.1pp

The comparison is printed as Markdown (append it to $GITHUB_STEP_SUMMARY) and written as
compare.md and compare.html.

Exit codes: 0 no regression · 1 a regression (or the current run is invalid) · 2 missing or invalid input`,
    )
    .action(async (file: string, opts: CompareFlags) => {
      setExit(await compareCommand(file, opts));
    });
}

interface Baseline {
  readonly result: RunResult;
  readonly source: string;
  /** From a history directory: each latency quantile's run-to-run spread over its earlier runs. */
  readonly spreads?: Partial<Record<MetricId, HistorySpread>>;
}

/** A history directory given as --baseline; the --history directory counts even before it exists. */
async function isHistory(path: string, opts: CompareFlags): Promise<boolean> {
  return (await isDirectory(path)) || (opts.history !== undefined && resolve(path) === resolve(opts.history));
}

async function loadBaseline(path: string, current: RunResult, opts: CompareFlags): Promise<Baseline | null> {
  if (await isHistory(path, opts)) {
    const index = await readHistory(path);
    const entry = pickBaseline(index, current);
    if (!entry) return null;
    const file = join(path, entry.file);
    const earlier = scenarioRuns(index, current.scenario.name).filter((r) => r.startedAt < current.startedAt);
    const spreads: Partial<Record<MetricId, HistorySpread>> = {};
    for (const id of Object.keys(latencyQuantiles) as MetricId[]) {
      const s = historySpread(earlier, id);
      if (s) spreads[id] = s;
    }
    return { result: await loadResult(file), source: file, spreads };
  }
  const result = await loadResult(path);
  if (!result.valid) {
    throw new UsageError(
      `--baseline ${path}: that run is invalid (the load generator fell short), so it cannot be a baseline; pick another run`,
    );
  }
  return { result, source: path };
}

/** The runs the trend shows: the history's runs of this scenario, plus this run when not in it yet. */
function trendEntries(entries: readonly HistoryEntry[], current: RunResult, file: string): HistoryEntry[] {
  const has = entries.some((e) => e.startedAt === current.startedAt);
  return has ? [...entries] : [...entries, historyEntry(current, file)];
}

export async function compareCommand(file: string, opts: CompareFlags): Promise<number> {
  const thresholds = parseThresholds(opts.threshold ?? []);
  const current = await loadResult(file);
  const baseline = await loadBaseline(opts.baseline, current, opts);

  let trend: HistoryEntry[] | undefined;
  if (opts.history) {
    const { index, added } = await appendToHistory(opts.history, current, file);
    const runs = scenarioRuns(index, current.scenario.name);
    await writeOutputFile(
      { outDir: opts.history },
      TREND_HTML_FILE,
      renderTrendHtml(current.scenario.name, runs),
    );
    const spec = trendChart(trendRuns(runs));
    if ('series' in spec) {
      const { renderChartPng } = await import('../../reports/charts/render-png.ts');
      await writeOutputFile(
        { outDir: opts.history },
        'trend.png',
        renderChartPng(chartJsConfig(spec, undefined, 'png')),
      );
    }
    process.stderr.write(`${added ? 'added to' : 'already in'} history: ${opts.history}\n`);
    trend = runs;
  } else if (await isDirectory(opts.baseline)) {
    const runs = scenarioRuns(await readHistory(opts.baseline), current.scenario.name);
    trend = trendEntries(runs, current, file);
  }

  if (!baseline) {
    process.stdout.write(
      `No baseline yet: ${opts.baseline} holds no earlier valid run of ${current.scenario.name}; nothing to compare.\n`,
    );
    return 0;
  }

  const comparison = compareRuns({
    current,
    baseline: baseline.result,
    currentSource: file,
    baselineSource: baseline.source,
    thresholds,
    ...(baseline.spreads ? { spreads: baseline.spreads } : {}),
  });
  const outDir = opts.out ?? dirname(file);
  const md = renderCompareMarkdown(comparison);
  const written = [
    await writeOutputFile({ outDir }, COMPARE_MARKDOWN_FILE, md),
    await writeOutputFile(
      { outDir },
      COMPARE_HTML_FILE,
      renderCompareHtml(comparison, trend && trendRuns(trend)),
    ),
  ];
  process.stdout.write(md);
  process.stderr.write(`written:\n${written.map((p) => `  ${p}\n`).join('')}`);
  return comparison.outcome === 'ok' ? 0 : 1;
}
