/**
 * A comparison as one self-contained HTML page, with the trend across the history when there is
 * one; and the history's own trend page.
 */
import { chartJsConfig } from '../charts/config.ts';
import { runLabel, trendChart } from '../charts/trend.ts';
import type { TrendRun } from '../charts/trend.ts';
import { escapeHtml as h } from '../html/escape.ts';
import { chartCanvas, renderPage } from '../html/page.ts';
import type { PageChart } from '../html/page.ts';
import { table } from '../html/sections.ts';
import type { Comparison, MetricDelta } from './compare.ts';
import { fmtValue } from './compare.ts';
import type { HistoryEntry } from './history.ts';
import {
  changeLabel,
  changeText,
  outcomeLabel,
  shortTime,
  stateLabel,
  statusLabel,
  thresholdText,
  NOISE_EXPLAINED,
} from './labels.ts';

export const COMPARE_HTML_FILE = 'compare.html';
export const TREND_HTML_FILE = 'trend.html';

export function trendRuns(entries: readonly HistoryEntry[]): TrendRun[] {
  return entries.map((e) => ({
    startedAt: e.startedAt,
    valid: e.valid,
    p95: e.metrics['p95'] ?? null,
    p99: e.metrics['p99'] ?? null,
    errors: e.metrics['errors'] ?? null,
  }));
}

function trendSection(runs: readonly TrendRun[] | undefined): { html: string; charts: PageChart[] } {
  if (runs === undefined) return { html: '', charts: [] };
  const spec = trendChart(runs);
  const head = '<h2 id="trend">Trend</h2>';
  if (!('series' in spec)) return { html: `${head}<p class="omitted">${h(spec.note)}</p>`, charts: [] };
  return {
    html: `${head}\n${chartCanvas('chart-trend', spec.title, spec.summary)}`,
    charts: [{ canvas: 'chart-trend', config: chartJsConfig(spec, undefined, 'html') }],
  };
}

const rowClass = (m: MetricDelta): string => (m.status === 'regressed' ? 'row-fail' : '');

export function renderCompareHtml(c: Comparison, trend?: readonly TrendRun[]): string {
  const o = outcomeLabel[c.outcome];
  const cls = c.outcome === 'ok' ? 'pass' : c.outcome === 'regression' ? 'fail' : 'invalid';
  const runCell = (r: Comparison['current']): string =>
    `${h(shortTime(r.startedAt))} · ${!r.valid ? 'invalid run' : r.pass ? 'passed' : 'failed'} · <code>${h(r.source)}</code>`;
  const t = trendSection(trend);
  const body = [
    '<header>',
    `<p class="outcome ${cls}">${h(o.text)}</p>`,
    `<h1>${h(c.current.scenario)}: compared with its baseline</h1>`,
    `<dl class="facts"><div><dt>Current</dt><dd>${runCell(c.current)}</dd></div>`,
    `<div><dt>Baseline</dt><dd>${runCell(c.baseline)}</dd></div></dl>`,
    ...c.notes.map((n) => `<p class="notice" role="note">${h(n)}</p>`),
    '</header>',
    '<main>',
    c.regressions.length
      ? `<h2 id="regressions">Regressions</h2><ul>${c.regressions.map((r) => `<li>${h(r)}</li>`).join('')}</ul>`
      : '',
    '<h2 id="metrics">Metrics</h2>',
    table(
      'metric-table',
      'Whole-run numbers and each verdict’s observed value, baseline against current.',
      ['Metric', 'Baseline', 'Current', 'Change', 'Fails when', 'Result'],
      c.metrics.map((m) => [
        h(m.label),
        h(fmtValue(m.baseline, m.unit)),
        h(fmtValue(m.current, m.unit)),
        h(changeText(m)),
        h(thresholdText(m)),
        h(statusLabel[m.status]),
      ]),
      (i) => rowClass(c.metrics[i] as MetricDelta),
    ),
    c.metrics.some((m) => m.interval) ? `<p class="desc">${h(NOISE_EXPLAINED)}</p>` : '',
    c.verdicts.length
      ? `<h2 id="verdicts">Verdicts</h2>\n${table(
          'verdict-change-table',
          'Each verdict in the baseline and now.',
          ['Verdict', 'Baseline', 'Current', 'Change'],
          c.verdicts.map((v) => [
            `<code>${h(v.name)}</code>`,
            h(stateLabel[v.baseline]),
            h(stateLabel[v.current]),
            h(changeLabel[v.change]),
          ]),
          (i) => (c.verdicts[i]?.change === 'regressed' ? 'row-fail' : ''),
        )}`
      : '',
    t.html,
    '</main>',
    '<footer>Written by gauntlet compare. Charts drawn with Chart.js (MIT licence), included in this file.</footer>',
  ].join('\n');
  return renderPage({
    title: `${o.text} · ${c.current.scenario} · gauntlet compare`,
    generator: 'gauntlet compare',
    body,
    charts: t.charts,
    data: { 'gauntlet-comparison': c },
  });
}

/** The history directory's own page: the trend chart and every run of the scenario. */
export function renderTrendHtml(scenario: string, entries: readonly HistoryEntry[]): string {
  const t = trendSection(trendRuns(entries));
  const num = (n: number | null | undefined, unit: 'ms' | 'percent'): string => h(fmtValue(n ?? null, unit));
  const body = [
    '<header>',
    `<h1>${h(scenario)}: trend across runs</h1>`,
    `<p class="desc">${entries.length} run${entries.length === 1 ? '' : 's'} in this history.</p>`,
    '</header>',
    '<main>',
    t.html,
    '<h2 id="runs">Runs</h2>',
    table(
      'run-table',
      'Every run of the scenario in this history, oldest first.',
      ['Run (UTC)', 'Result', 'p95', 'p99', 'Error rate', 'File'],
      entries.map((e) => [
        h(runLabel(e.startedAt)),
        e.valid ? (e.pass ? 'passed' : 'failed') : 'invalid',
        num(e.metrics['p95'], 'ms'),
        num(e.metrics['p99'], 'ms'),
        num(e.metrics['errors'], 'percent'),
        `<code>${h(e.file)}</code>`,
      ]),
    ),
    '</main>',
  ].join('\n');
  return renderPage({
    title: `${scenario} · trend · gauntlet`,
    generator: 'gauntlet compare',
    body,
    charts: t.charts,
    data: { 'gauntlet-history': entries },
  });
}
