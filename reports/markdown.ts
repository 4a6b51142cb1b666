/**
 * Markdown sized for a CI job summary (e.g. appended to GitHub's $GITHUB_STEP_SUMMARY): a
 * headline a reviewer can read at a glance, then the verdicts, the load and the chaos timeline.
 */
import type { LoadSummary, RunResult, Span, TimelineEvent, Verdict } from '../lib/result/schema.ts';
import { countsText, duration, ms, num, rps, runOutcome, verdictOutcome, windowText } from './format.ts';
import type { RunOutcome, VerdictOutcome } from './format.ts';
import { chartImages } from './charts/files.ts';
import { CLIENT_SERVER_HEAD, CLIENT_SERVER_NOTE, clientServerRows } from './client-server.ts';
import type { ChartImage } from './charts/files.ts';
import { numberedEvents } from './charts/overlays.ts';
import { HTML_FILE } from './html/file.ts';
import { writeOutputFile } from './outputFile.ts';
import type { Reporter } from './reporter.ts';

export const MARKDOWN_FILE = 'summary.md';

const runBadge: Record<RunOutcome, string> = { pass: '✅ PASS', fail: '❌ FAIL', invalid: '⚠️ INVALID run' };
const verdictBadge: Record<VerdictOutcome, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  inconclusive: '⚠️ inconclusive',
};

export interface MarkdownOptions {
  /** Chart images written beside the summary (by the png reporter), embedded after the load table. */
  readonly charts?: readonly ChartImage[];
  /** The HTML report's file name, linked under the headline when it is written too. */
  readonly htmlReport?: string;
}

export function renderMarkdown(result: RunResult, options: MarkdownOptions = {}): string {
  const { scenario } = result;
  const headline =
    `## ${runBadge[runOutcome(result)]}: ${inline(scenario.name)} against ${inline(scenario.target)} ` +
    `(${duration(result.durationS)})`;
  const charts = options.charts ?? [];
  const sections = [
    [
      headline,
      ...notes(result),
      ...(options.htmlReport
        ? [`Full report with charts: [${options.htmlReport}](${options.htmlReport})`]
        : []),
    ].join('\n\n'),
    verdictSection(result.verdicts),
    clientServerSection(result),
    loadSection(result.load),
    chartSection(charts),
    spanSection(result.spans),
    eventSection(result.events, charts.length > 0),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}

function notes(r: RunResult): string[] {
  const out: string[] = [];
  if (!r.valid) {
    out.push(
      '> The load generator could not produce the intended load, so the verdicts say nothing about the target. ' +
        'Fix the generator side (more connections, a larger machine) and run again.',
    );
  }
  if (r.status !== 'completed') {
    out.push(`> Run ${r.status}${r.abortReason ? `: ${inline(r.abortReason)}` : ''}.`);
  }
  if (r.scenario.description) out.push(inline(r.scenario.description));
  if (r.scenario.scale !== 1) out.push(`Durations scaled by ×${num(r.scenario.scale, 3)}.`);
  return out;
}

function verdictSection(verdicts: readonly Verdict[]): string {
  if (verdicts.length === 0) return '### Verdicts\n\nNo verdicts: the scenario declares no assertions.';
  return `### Verdicts\n\n${table(
    ['Verdict', 'Claim', 'Observed', 'Result', 'Window'],
    verdicts.map((v) => [v.name, v.claim, v.observed, verdictBadge[verdictOutcome(v)], windowText(v.window)]),
  )}`;
}

function clientServerSection(r: RunResult): string {
  const rows = clientServerRows(r);
  if (rows.length === 0) return '';
  return `### Client vs server\n\n${CLIENT_SERVER_NOTE}\n\n${table(
    CLIENT_SERVER_HEAD,
    rows.map((x) => [x.claim, x.client, x.server, x.difference, x.window]),
  )}`;
}

function loadSection(l: LoadSummary): string {
  const q = l.requests;
  const lat = l.latencyMs;
  const rows = [
    ['Engine', `${l.engine} (${l.model} model)`],
    ['Rate (req/s)', `${rps(l.achievedRps)} achieved of ${rps(l.intendedRps)} intended`],
    [
      'Requests',
      `${q.intended} intended · ${q.sent} sent · ${q.ok} ok · ${q.failed} failed · ${q.dropped} dropped`,
    ],
    [
      'Latency (from intended send)',
      `p50 ${ms(lat.p50)} · p90 ${ms(lat.p90)} · p95 ${ms(lat.p95)} · p99 ${ms(lat.p99)} · max ${ms(lat.max)}`,
    ],
    ['Errors by kind', countsText(l.errors)],
    ['Status codes', countsText(l.statusCodes, ' × ')],
  ];
  return `### Load\n\n${table(['Metric', 'Value'], rows)}`;
}

function spanSection(spans: readonly Span[]): string {
  if (spans.length === 0) return '';
  const rows = spans.map((s) => [
    s.kind,
    s.name,
    `${num(s.start)}s`,
    s.end === null ? 'not ended' : `${num(s.end)}s`,
    s.end === null ? '—' : duration(s.end - s.start),
  ]);
  return `### Chaos spans\n\n${table(['Kind', 'Name', 'Start', 'End', 'Length'], rows)}`;
}

function chartSection(charts: readonly ChartImage[]): string {
  if (charts.length === 0) return '';
  return `### Charts\n\n${charts.map((c) => `![${inline(c.title)}](${c.file})`).join('\n\n')}`;
}

/** With charts, events are numbered in time order: the numbers on the charts' event markers. */
function eventSection(events: readonly TimelineEvent[], numbered: boolean): string {
  if (events.length === 0) return '';
  if (numbered) {
    const rows = numberedEvents(events).map(({ n, event: e }) => [
      String(n),
      `${num(e.t)}s`,
      e.kind,
      e.object,
      e.message,
    ]);
    return `### Events\n\n${table(['#', 't', 'Kind', 'Object', 'Message'], rows)}`;
  }
  const rows = events.map((e) => [`${num(e.t)}s`, e.kind, e.object, e.message]);
  return `### Events\n\n${table(['t', 'Kind', 'Object', 'Message'], rows)}`;
}

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * A table cell must stay on one line and must not split on `|`. Angle brackets are escaped so a
 * message quoting HTML (say a 503 page) renders as text rather than as markup.
 */
function cell(s: string): string {
  return inline(s).replace(/\|/g, '\\|');
}

export function inline(s: string): string {
  return (
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\r?\n|\r|\t/g, ' ')
      // Other control characters have no business in a job summary; show them instead.
      // eslint-disable-next-line no-control-regex -- matching control characters is the point here
      .replace(/[\u0000-\u001F\u007F]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  );
}

export interface MarkdownReporterOptions {
  /** The png reporter runs too: embed its images. */
  readonly charts?: boolean;
  /** The html reporter runs too: link its report. */
  readonly html?: boolean;
}

export function markdownReporter(options: MarkdownReporterOptions = {}): Reporter {
  return {
    name: 'markdown',
    async onEnd(result, ctx) {
      const md = renderMarkdown(result, {
        ...(options.charts ? { charts: chartImages(result) } : {}),
        ...(options.html ? { htmlReport: HTML_FILE } : {}),
      });
      return [await writeOutputFile(ctx, MARKDOWN_FILE, md)];
    },
  };
}
