/** A comparison as Markdown: a one-line answer, the regressions, then the metric and verdict tables. */
import { inline, table } from '../markdown.ts';
import type { Comparison } from './compare.ts';
import { fmtValue } from './compare.ts';
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

export const COMPARE_MARKDOWN_FILE = 'compare.md';

export function renderCompareMarkdown(c: Comparison): string {
  const o = outcomeLabel[c.outcome];
  const lines = [
    `## ${o.icon} ${o.text}: ${inline(c.current.scenario)} against its baseline`,
    '',
    `Current: ${shortTime(c.current.startedAt)} (${runState(c.current)}) · \`${inline(c.current.source)}\`  `,
    `Baseline: ${shortTime(c.baseline.startedAt)} (${runState(c.baseline)}) · \`${inline(c.baseline.source)}\``,
  ];
  if (c.regressions.length > 0) {
    lines.push('', '**Regressions**', '', ...c.regressions.map((r) => `- ${inline(r)}`));
  }
  if (c.notes.length > 0) lines.push('', ...c.notes.map((n) => `> ${inline(n)}`));
  const metricRows = c.metrics.map((m) => [
    m.label,
    fmtValue(m.baseline, m.unit),
    fmtValue(m.current, m.unit),
    changeText(m),
    thresholdText(m),
    statusLabel[m.status],
  ]);
  const sections = [
    lines.join('\n'),
    `### Metrics\n\n${table(['Metric', 'Baseline', 'Current', 'Change', 'Fails when', 'Result'], metricRows)}` +
      (c.metrics.some((m) => m.interval) ? `\n\n${NOISE_EXPLAINED}` : ''),
  ];
  if (c.verdicts.length > 0) {
    sections.push(
      `### Verdicts\n\n${table(
        ['Verdict', 'Baseline', 'Current', 'Change'],
        c.verdicts.map((v) => [v.name, stateLabel[v.baseline], stateLabel[v.current], changeLabel[v.change]]),
      )}`,
    );
  }
  return `${sections.join('\n\n')}\n`;
}

function runState(r: Comparison['current']): string {
  if (!r.valid) return 'invalid run';
  return r.pass ? 'passed' : 'failed';
}
