/**
 * The run report as one HTML file: the verdicts first (the one-line answer), then the charts on
 * one time axis with the faults shaded and the events marked, then the evidence behind them.
 */
import type { RunResult } from '../../lib/result/schema.ts';
import { chartJsConfig } from '../charts/config.ts';
import { runChartModel } from '../charts/run-charts.ts';
import type { ChartModel, FaultOverlay } from '../charts/types.ts';
import { countVerdicts, duration, num, runOutcome } from '../format.ts';
import type { RunOutcome } from '../format.ts';
import { writeOutputFile } from '../outputFile.ts';
import type { Reporter } from '../reporter.ts';
import { escapeHtml as h } from './escape.ts';
import { HTML_FILE } from './file.ts';
import { chartCanvas, renderPage } from './page.ts';
import type { PageChart } from './page.ts';
import { evidenceSection } from './evidence-section.ts';
import { clientServerSection, eventSection, loadSection, spanSection, verdictSection } from './sections.ts';

export { HTML_FILE };

const outcomeText: Record<RunOutcome, string> = { pass: '✓ PASS', fail: '✗ FAIL', invalid: '⚠ INVALID RUN' };

export function renderHtml(result: RunResult): string {
  const model = runChartModel(result);
  const charts: PageChart[] = model.charts.map((c) => ({
    canvas: `chart-${c.id}`,
    config: chartJsConfig(c, model.overlays, 'html'),
  }));
  const outcome = runOutcome(result);
  const body = [
    header(result, outcome),
    nav(result),
    '<main>',
    verdictSection(result.verdicts),
    clientServerSection(result),
    chartsSection(model),
    evidenceSection(result),
    loadSection(result.load),
    spanSection(result.spans),
    eventSection(result),
    '</main>',
    `<footer>Written by gauntlet ${h(result.gauntletVersion)} from result.json (schema version ${result.schemaVersion}). ` +
      'Times are seconds from the run start. Charts drawn with Chart.js (MIT licence), included in this file.</footer>',
  ].join('\n');
  return renderPage({
    title: `${outcome.toUpperCase()} · ${result.scenario.name} · gauntlet`,
    generator: `gauntlet ${result.gauntletVersion}`,
    body,
    charts,
    // The whole result minus the per-second histograms: the file stays evidence on its own.
    data: { 'gauntlet-result': { ...result, series: result.series.map(({ hist: _hist, ...p }) => p) } },
  });
}

function header(r: RunResult, outcome: RunOutcome): string {
  const c = countVerdicts(r.verdicts);
  const tally = [
    `${c.passed} passed`,
    `${c.failed} failed`,
    ...(c.inconclusive ? [`${c.inconclusive} inconclusive`] : []),
  ];
  const facts: [string, string][] = [
    ['Target', r.scenario.target],
    ['Started', r.startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')],
    ['Duration', duration(r.durationS)],
    ['Verdicts', `${c.total}: ${tally.join(', ')}`],
    [
      'Load',
      `${num(r.load.achievedRps)} of ${num(r.load.intendedRps)} req/s · ${r.load.requests.failed} failed`,
    ],
    ...(r.scenario.file ? [['Scenario file', r.scenario.file] as [string, string]] : []),
    ...(r.scenario.scale !== 1 ? [['Scale', `×${num(r.scenario.scale, 3)}`] as [string, string]] : []),
  ];
  const notices: string[] = [];
  if (!r.valid) {
    notices.push(
      'The load generator could not produce the intended load, so the verdicts say nothing about the target. ' +
        'Fix the generator side (more connections, a larger machine) and run again.',
    );
  }
  if (r.status !== 'completed') notices.push(`Run ${r.status}${r.abortReason ? `: ${r.abortReason}` : ''}.`);
  return [
    '<header>',
    `<p class="outcome ${outcome}">${outcomeText[outcome]}</p>`,
    `<h1>${h(r.scenario.name)}</h1>`,
    r.scenario.description ? `<p class="desc">${h(r.scenario.description)}</p>` : '',
    `<dl class="facts">${facts.map(([k, v]) => `<div><dt>${h(k)}</dt><dd>${h(v)}</dd></div>`).join('')}</dl>`,
    ...notices.map((n) => `<p class="notice" role="note">${h(n)}</p>`),
    '</header>',
  ].join('\n');
}

function nav(r: RunResult): string {
  const links: [string, string][] = [
    ['verdicts', 'Verdicts'],
    ...(r.clientVsServer?.length ? [['client-vs-server', 'Client vs server'] as [string, string]] : []),
    ['charts', 'Charts'],
    ['zero-downtime', 'Zero-downtime evidence'],
    ['load', 'Load'],
    ...(r.spans.length ? [['spans', 'Faults and phases'] as [string, string]] : []),
    ...(r.events.length ? [['events', 'Events'] as [string, string]] : []),
  ];
  return `<nav aria-label="Sections">${links.map(([id, t]) => `<a href="#${id}">${t}</a>`).join('')}</nav>`;
}

function faultList(faults: readonly FaultOverlay[]): string {
  return faults.map((f) => `${h(f.label)} ${num(f.start)}s–${f.open ? 'end' : `${num(f.end)}s`}`).join('; ');
}

function chartsSection(model: ChartModel): string {
  const { faults, markers } = model.overlays;
  const key: string[] = [];
  if (faults.length) {
    key.push(
      `<span class="fault-swatch" aria-hidden="true"></span>Hatched: injected fault (${faultList(faults)})`,
    );
  }
  if (markers.length) {
    key.push(
      '<span class="ev-swatch" aria-hidden="true"></span>Dashed numbered lines: events, numbered as in ' +
        '<a href="#events">Events</a> (red: something went away, green: it came back)',
    );
  }
  return [
    '<h2 id="charts">Charts</h2>',
    key.length ? `<p class="key">${key.join(' · ')}</p>` : '',
    ...model.charts.map((c) => chartCanvas(`chart-${c.id}`, c.title, c.summary)),
    ...model.omitted.map(
      (o) => `<p class="omitted" id="omitted-${o.id}"><strong>${h(o.title)}</strong>: ${h(o.note)}</p>`,
    ),
  ].join('\n');
}

export function htmlReporter(): Reporter {
  return {
    name: 'html',
    async onEnd(result, ctx) {
      return [await writeOutputFile(ctx, HTML_FILE, renderHtml(result))];
    },
  };
}
