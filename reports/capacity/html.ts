/**
 * capacity.html: one self-contained page (Chart.js inlined, no network) with the answer, the
 * planning figures, the latency-vs-throughput curve and every step.
 */
import type { CapacityResult } from '../../lib/capacity/schema.ts';
import { chartJsConfig } from '../charts/config.ts';
import { escapeHtml as h } from '../html/escape.ts';
import { chartCanvas, renderPage, type PageChart } from '../html/page.ts';
import { table } from '../html/sections.ts';
import { capacityCurveChart } from './chart.ts';
import { figures, modelText, outcomeLabel, planText, slaText, stepCells, stepHead } from './text.ts';

export const CAPACITY_HTML_FILE = 'capacity.html';

export function renderCapacityHtml(r: CapacityResult): string {
  const label = outcomeLabel[r.outcome];
  const spec = capacityCurveChart(r);
  const charts: PageChart[] = [];
  let curve: string;
  if ('series' in spec) {
    curve = chartCanvas('chart-curve', spec.title, spec.summary);
    charts.push({ canvas: 'chart-curve', config: chartJsConfig(spec, undefined, 'html') });
  } else curve = `<p class="omitted">${h(spec.note)}</p>`;
  const fact = (dt: string, dd: string) => `<div><dt>${h(dt)}</dt><dd>${h(dd)}</dd></div>`;
  const why = r.steps.filter((s) => s.reasons.length > 0);
  const body = [
    '<header>',
    `<p class="outcome ${label.cls}">${h(label.text)}</p>`,
    `<h1>${h(r.scenario.name)}: capacity</h1>`,
    `<p class="desc">${h(r.headline)}</p>`,
    '<dl class="facts">',
    fact('Target', r.scenario.target),
    fact('SLA per step', slaText(r)),
    fact('Load', modelText(r)),
    fact('Steps', planText(r)),
    fact('Started', r.startedAt),
    '</dl>',
    '</header>',
    '<main>',
    '<h2 id="figures">Planning figures</h2>',
    table(
      'figure-table',
      'What the search found, and what it means in replicas.',
      ['Figure', 'Value'],
      figures(r).map((f) => [h(f.label), h(f.value)]),
    ),
    '<h2 id="curve">Curve</h2>',
    curve,
    '<h2 id="steps">Steps</h2>',
    r.steps.length
      ? table(
          'step-table',
          'Every step in the order run; only the part after the warm-up is judged.',
          stepHead,
          r.steps.map((s) => stepCells(r, s).map(h)),
          (i) =>
            r.steps[i]?.status === 'fail'
              ? 'row-fail'
              : r.steps[i]?.status === 'invalid'
                ? 'row-inconclusive'
                : '',
        )
      : '<p>No step was run.</p>',
    why.length
      ? `<ul id="step-reasons">${why.map((s) => `<li>Step ${s.index} (${h(s.status)}): ${h(s.reasons.join('; '))}</li>`).join('')}</ul>`
      : '',
    r.notes.length
      ? `<h2 id="notes">Notes</h2><ul>${r.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`
      : '',
    '</main>',
    '<footer>Written by gauntlet capacity. Chart drawn with Chart.js (MIT licence), included in this file.</footer>',
  ].join('\n');
  return renderPage({
    title: `${label.text} · ${r.scenario.name} · gauntlet capacity`,
    generator: 'gauntlet capacity',
    body,
    charts,
    data: { 'gauntlet-capacity': r },
  });
}
