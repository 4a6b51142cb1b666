/**
 * The zero-downtime evidence section: what the failures are attributed to, then each failed
 * request (or each failed second, when there were too many to list) with its cause, linked to the
 * event in the events table.
 */
import type { RunResult } from '../../lib/result/schema.ts';
import { numberedEvents } from '../charts/overlays.ts';
import { countsText, ms, num } from '../format.ts';
import { escapeHtml as h } from './escape.ts';
import { failureEvidence } from './evidence.ts';
import type { AttributedFailure, CauseEvent, CauseTally, FailedSecond, FailureEvidence } from './evidence.ts';
import { capped, outcomeBadge, table } from './sections.ts';

/** The events table number of the event a cause names (same kind and object, same instant). */
type EventLookup = (ref: CauseEvent) => number | undefined;

function eventLookup(result: RunResult): EventLookup {
  const numbered = numberedEvents(result.events);
  return (ref) =>
    numbered.find(
      ({ event: e }) =>
        e.kind === ref.kind &&
        (ref.object === undefined || e.object === ref.object) &&
        Math.abs(e.t - ref.t) < 0.0005,
    )?.n;
}

function causeCell(a: CauseTally | AttributedFailure | FailedSecond, lookup: EventLookup): string {
  if (a.cause === undefined) return '<span class="muted">not attributed</span>';
  const n = a.causeEvent ? lookup(a.causeEvent) : undefined;
  const link = n === undefined ? '' : ` <a href="#event-${n}">(event ${n})</a>`;
  const text = `${h(a.cause)}${link}`;
  return a.explained === false ? `<span class="unexplained">unexplained:</span> ${text}` : text;
}

function byCauseTable(ev: FailureEvidence, i: number, lookup: EventLookup): string {
  if (ev.byCause.length === 0 && ev.unattributed === 0) return '';
  const rows = ev.byCause.map((c) => [causeCell(c, lookup), String(c.failures), h(c.gap ?? '—')]);
  if (ev.unattributed > 0) {
    rows.push([
      '<span class="unexplained">unexplained:</span> no cluster change to blame',
      String(ev.unattributed),
      '—',
    ]);
  }
  return table(
    `cause-table-${i}`,
    'What the failures are attributed to, most failures first; the gap runs from the cause to the failures.',
    ['Attributed cause', 'Failed requests', 'Gap'],
    rows,
  );
}

function failureRow(f: AttributedFailure, lookup: EventLookup): string[] {
  const what = f.status !== undefined ? `${f.kind} (${f.status})` : f.kind;
  return [
    f.t === null ? '—' : `${num(f.t, 3)}s`,
    h(f.request ?? '—'),
    h(what),
    h(f.target ?? '—'),
    f.latencyMs === undefined ? '—' : h(ms(f.latencyMs)),
    causeCell(f, lookup),
  ];
}

function detailTable(ev: FailureEvidence, i: number, lookup: EventLookup): string {
  if (ev.failures.length > 0) {
    const { shown, note } = capped(ev.failures);
    return `${table(
      `failure-table-${i}`,
      'Each failed request, when it was meant to be sent, and the cluster change it is attributed to.',
      ['Intended at', 'Request', 'Failure', 'Sent to', 'Took', 'Attributed cause'],
      shown.map((f) => failureRow(f, lookup)),
    )}${note}`;
  }
  if (ev.seconds.length > 0) {
    const { shown, note } = capped(ev.seconds);
    const more =
      ev.moreSeconds > 0 ? `<p class="note">${ev.moreSeconds} more failed seconds are not listed.</p>` : '';
    return `${table(
      `failure-seconds-${i}`,
      'Too many failures to list one by one: each failed second, and the cause of its first failure.',
      ['Second', 'Failed', 'By kind', 'Attributed cause'],
      shown.map((s) => [
        `${num(s.second)}s`,
        String(s.failed),
        h(countsText(s.errors)),
        causeCell(s, lookup),
      ]),
    )}${note}${more}`;
  }
  return '<p>No failed request.</p>';
}

function evidenceBlock(ev: FailureEvidence, i: number, lookup: EventLookup): string {
  const title =
    ev.verdict === null
      ? '<p>No zero-downtime verdict in this run, so these failed requests are listed without causes.</p>'
      : `<h3>Verdict <code>${h(ev.verdict)}</code>: ${ev.pass ? outcomeBadge.pass : outcomeBadge.fail}</h3>`;
  const more =
    ev.notListed > 0 && ev.seconds.length === 0
      ? `<p class="note">${ev.notListed} more failed requests were not sampled.</p>`
      : '';
  return [title, byCauseTable(ev, i, lookup), detailTable(ev, i, lookup), more].filter(Boolean).join('\n');
}

export function evidenceSection(result: RunResult): string {
  const head = '<h2 id="zero-downtime">Zero-downtime evidence</h2>';
  const evidence = failureEvidence(result);
  if (evidence.length === 0) {
    return `${head}<p class="omitted">No failed requests were recorded, so there is nothing to attribute.</p>`;
  }
  const lookup = eventLookup(result);
  return `${head}\n${evidence.map((ev, i) => evidenceBlock(ev, i, lookup)).join('\n')}`;
}
