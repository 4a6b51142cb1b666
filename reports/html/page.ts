/**
 * The page shell shared by the run report and the comparison report: one self-contained HTML
 * file. Chart.js and the chart runtime are inlined and the charts travel as JSON, so the file
 * opens offline, from a CI artefact or an e-mail attachment alike. The content security policy
 * forbids every network fetch, so a stray URL can never make the report phone home.
 */
import type { ChartJsSpec } from '../charts/runtime.js';
import { chartJsSource, chartRuntimeSource } from './assets.ts';
import { escapeHtml as h, jsonForScript } from './escape.ts';
import { CSS } from './style.ts';

export interface PageChart {
  /** The canvas element's id. */
  readonly canvas: string;
  readonly config: ChartJsSpec;
}

export interface PageInput {
  readonly title: string;
  readonly generator: string;
  /** Body HTML: header, nav, main, footer. */
  readonly body: string;
  readonly charts: readonly PageChart[];
  /** Extra data blocks (id → value), e.g. the result itself. */
  readonly data?: Readonly<Record<string, unknown>>;
}

const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; " +
  "base-uri 'none'; form-action 'none'";

/**
 * Runs after Chart.js (a classic script) and the runtime (inlined above it in the same module).
 * `data-charts-ready` tells a test, or a curious reader, that every chart was drawn.
 */
const BOOT = `
const spec = JSON.parse(document.getElementById('gauntlet-charts').textContent);
const charts = [];
for (const c of spec.charts) {
  const canvas = document.getElementById(c.canvas);
  if (canvas) charts.push(new Chart(canvas, finishConfig(c.config)));
}
// Printing lays the page out at another width; redraw so charts fill it instead of being cropped.
const redraw = () => { for (const c of charts) c.resize(); };
addEventListener('beforeprint', redraw);
addEventListener('afterprint', redraw);
document.documentElement.dataset.chartsReady = String(charts.length);
`;

export function chartCanvas(id: string, title: string, summary: string): string {
  return [
    '<figure class="chart">',
    `<figcaption><h3 id="${id}-title">${h(title)}</h3><p id="${id}-summary">${h(summary)}</p></figcaption>`,
    `<div class="chart-box"><canvas id="${id}" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-summary"></canvas></div>`,
    '</figure>',
  ].join('\n');
}

export function renderPage(input: PageInput): string {
  const dataBlocks = Object.entries(input.data ?? {})
    .map(([id, value]) => `<script type="application/json" id="${h(id)}">${jsonForScript(value)}</script>`)
    .join('\n');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${h(input.generator)}">`,
    `<title>${h(input.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    input.body,
    `<script type="application/json" id="gauntlet-charts">${jsonForScript({ charts: input.charts })}</script>`,
    dataBlocks,
    // Chart.js is inlined verbatim, its licence header included.
    `<script>${chartJsSource()}</script>`,
    `<script type="module">${chartRuntimeSource()}\n${BOOT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
