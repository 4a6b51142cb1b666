/** The report's tables: verdicts, failure evidence, load, faults and events. */
import type { LoadSummary, RunResult, Span, TimelineEvent, Verdict } from '../../lib/result/schema.ts';
import { numberedEvents, eventSeverity, isFaultSpan } from '../charts/overlays.ts';
import { countsText, duration, ms, num, rps, verdictOutcome, windowText } from '../format.ts';
import type { VerdictOutcome } from '../format.ts';
import { escapeHtml as h } from './escape.ts';
import { CLIENT_SERVER_HEAD, CLIENT_SERVER_NOTE, clientServerRows } from '../client-server.ts';

/** Longer tables are cut here, with a note: the rest is in result.json. */
export const MAX_ROWS = 300;

/** Text and a symbol besides the colour, so the result survives a greyscale print. */
export const outcomeBadge: Record<VerdictOutcome, string> = {
  pass: '<span class="badge pass">✓ pass</span>',
  fail: '<span class="badge fail">✗ fail</span>',
  inconclusive: '<span class="badge inconclusive">? inconclusive</span>',
};

/** A table; cells are HTML already (callers escape text). */
export function table(
  id: string,
  caption: string,
  head: readonly string[],
  rows: readonly (readonly string[])[],
  rowClass: (i: number) => string = () => '',
): string {
  const tr = (cells: readonly string[], i: number): string => {
    const cls = rowClass(i);
    return `<tr${cls ? ` class="${cls}"` : ''}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  };
  return [
    `<table id="${id}">`,
    `<caption>${caption}</caption>`,
    `<thead><tr>${head.map((c) => `<th scope="col">${c}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map(tr).join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
}

export function capped<T>(items: readonly T[]): { shown: readonly T[]; note: string } {
  if (items.length <= MAX_ROWS) return { shown: items, note: '' };
  return {
    shown: items.slice(0, MAX_ROWS),
    note: `<p class="note">Showing the first ${MAX_ROWS} of ${items.length}; result.json has them all.</p>`,
  };
}

export function verdictSection(verdicts: readonly Verdict[]): string {
  const head = '<h2 id="verdicts">Verdicts</h2>';
  if (verdicts.length === 0) return `${head}<p>No verdicts: the scenario declares no assertions.</p>`;
  return `${head}\n${table(
    'verdict-table',
    'Each claim the scenario makes, what was measured, and the part of the run it looked at.',
    ['Result', 'Verdict', 'Claim', 'Observed', 'Window'],
    verdicts.map((v) => [
      outcomeBadge[verdictOutcome(v)],
      `<code>${h(v.name)}</code>`,
      h(v.claim),
      h(v.observed),
      h(windowText(v.window)),
    ]),
    (i) => `row-${verdictOutcome(verdicts[i] as Verdict)}`,
  )}`;
}

/** Client-side and server-side figures of the same claim, when a server-side SLA names one. */
export function clientServerSection(r: RunResult): string {
  const rows = clientServerRows(r);
  if (rows.length === 0) return '';
  return `<h2 id="client-vs-server">Client vs server</h2>\n${table(
    'client-server-table',
    h(CLIENT_SERVER_NOTE),
    CLIENT_SERVER_HEAD.map(h),
    rows.map((x) => [h(x.claim), h(x.client), h(x.server), h(x.difference), h(x.window)]),
  )}`;
}

export function loadSection(l: LoadSummary): string {
  const q = l.requests;
  const lat = l.latencyMs;
  const svc = l.serviceTimeMs;
  const rows: [string, string][] = [
    ['Engine', `${l.engine} (${l.model} model)`],
    ['Rate', `${rps(l.achievedRps)} req/s achieved of ${rps(l.intendedRps)} intended`],
    [
      'Requests',
      `${q.intended} intended · ${q.sent} sent · ${q.ok} ok · ${q.failed} failed · ${q.dropped} dropped`,
    ],
    [
      'Latency from intended send',
      `p50 ${ms(lat.p50)} · p90 ${ms(lat.p90)} · p95 ${ms(lat.p95)} · p99 ${ms(lat.p99)} · max ${ms(lat.max)}`,
    ],
    ['Service time', `p50 ${ms(svc.p50)} · p95 ${ms(svc.p95)} · p99 ${ms(svc.p99)} · max ${ms(svc.max)}`],
    [
      'Schedule lag',
      `p50 ${ms(l.scheduleLagMs.p50)} · p99 ${ms(l.scheduleLagMs.p99)} · max ${ms(l.scheduleLagMs.max)}`,
    ],
    ['Errors by kind', countsText(l.errors)],
    ['Status codes', countsText(l.statusCodes, ' × ')],
  ];
  return `<h2 id="load">Load</h2>\n${table(
    'load-table',
    'Totals over the whole run.',
    ['Metric', 'Value'],
    rows.map(([k, v]) => [h(k), h(v)]),
  )}`;
}

function spanDetail(s: Span): string {
  const d = s.detail;
  if (!d) return '—';
  return Object.entries(d)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

export function spanSection(spans: readonly Span[]): string {
  if (spans.length === 0) return '';
  return `<h2 id="spans">Faults and phases</h2>\n${table(
    'span-table',
    'Intervals on the run clock. Faults are the hatched areas on the charts.',
    ['Kind', 'Name', 'Start', 'End', 'Length', 'Detail'],
    spans.map((s) => [
      isFaultSpan(s) ? `<span class="fault-swatch" aria-hidden="true"></span>${h(s.kind)}` : h(s.kind),
      h(s.name),
      `${num(s.start)}s`,
      s.end === null ? 'not ended' : `${num(s.end)}s`,
      s.end === null ? '—' : h(duration(s.end - s.start)),
      h(spanDetail(s)),
    ]),
  )}`;
}

/** A Kubernetes event's reason says more than its kind: "k8s-event (Killing)". */
function eventKind(e: TimelineEvent): string {
  const reason = e.detail?.['reason'];
  return typeof reason === 'string' && reason !== e.kind ? `${e.kind} (${reason})` : e.kind;
}

export function eventSection(result: RunResult): string {
  if (result.events.length === 0) return '';
  const { shown, note } = capped(numberedEvents(result.events));
  return `<h2 id="events">Events</h2>\n${table(
    'event-table',
    'Cluster events in time order; the numbers are the ones on the charts’ event markers.',
    ['#', 't', 'Kind', 'Object', 'Message'],
    shown.map(({ n, event }) => [
      `<span class="ev ev-${eventSeverity(event)}" id="event-${n}">${n}</span>`,
      `${num(event.t, 2)}s`,
      h(eventKind(event)),
      h(event.object),
      h(event.message),
    ]),
  )}${note}`;
}
