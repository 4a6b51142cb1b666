/**
 * capacity.md: the answer first (the headline and the planning figures), then the curve as an
 * image, every step with its numbers, and why each broken or invalid step was judged so.
 */
import type { CapacityResult } from '../../lib/capacity/schema.ts';
import { inline, table } from '../markdown.ts';
import { CURVE_TITLE } from './chart.ts';
import { figures, modelText, outcomeLabel, planText, slaText, stepCells, stepHead } from './text.ts';

export const CAPACITY_MARKDOWN_FILE = 'capacity.md';

export interface CapacityMarkdownOptions {
  /** The curve's PNG, relative to the Markdown file; omitted when it was not drawn. */
  readonly chart?: string;
  /** The HTML report's file name, linked under the headline. */
  readonly html?: string;
}

export function renderCapacityMarkdown(r: CapacityResult, o: CapacityMarkdownOptions = {}): string {
  const label = outcomeLabel[r.outcome];
  const parts: string[] = [
    `## ${label.icon} Capacity of ${inline(r.scenario.name)}: ${label.text.toLowerCase()}`,
    `**${inline(r.headline)}**`,
  ];
  if (o.html) parts.push(`Full report with the interactive chart: [${o.html}](${o.html})`);
  parts.push(
    table(
      ['', ''],
      [
        ['Target', r.scenario.target],
        ['SLA per step', slaText(r)],
        ['Load', modelText(r)],
        ['Steps', planText(r)],
        ...figures(r).map((f) => [f.label, f.value]),
      ],
    ),
  );
  parts.push(`### ${CURVE_TITLE}`);
  parts.push(
    o.chart
      ? `![${CURVE_TITLE}](${o.chart})`
      : '_No curve: no step was judged with the generator on schedule._',
  );
  parts.push('### Steps');
  parts.push(
    r.steps.length
      ? table(
          stepHead,
          r.steps.map((s) => stepCells(r, s)),
        )
      : '_No step was run._',
  );
  const why = r.steps.filter((s) => s.reasons.length > 0);
  if (why.length) {
    parts.push(
      why.map((s) => `- Step ${s.index} (${s.status}): ${s.reasons.map(inline).join('; ')}`).join('\n'),
    );
  }
  if (r.notes.length) parts.push(['### Notes', '', ...r.notes.map((n) => `- ${inline(n)}`)].join('\n'));
  return `${parts.join('\n\n')}\n`;
}
