/**
 * The "client vs server" table in the Markdown summary and the HTML report: one row per
 * server-side SLA with compareTo, the claim, both figures and their difference; no table (and no
 * nav link) when a run has none.
 */
import { describe, expect, it } from 'vitest';
import type { ClientServerFigure, RunResult } from '../../lib/result/schema.ts';
import { resultSchema } from '../../lib/result/schema.ts';
import { renderHtml, renderMarkdown } from '../../reports/index.ts';
import { clientServerRow } from '../../reports/client-server.ts';
import { passingRun } from './fixtures.ts';

const latency: ClientServerFigure = {
  sla: 'server-p95',
  verdict: 'sla [server] server-p95 [during-fault]',
  metric: 'p95',
  unit: 'ms',
  op: '<',
  limit: 100,
  window: { start: 20, end: 26.4 },
  client: 182.4,
  server: 24.75,
  reduce: 'worst',
  difference: -157.65,
};

const errors: ClientServerFigure = {
  sla: 'server-errors',
  verdict: 'sla [server] server-errors',
  metric: 'errors',
  unit: '%',
  op: '<=',
  limit: 0.5,
  window: { start: 0, end: 60 },
  client: 1.2346,
  server: null,
  reduce: 'mean',
  difference: null,
};

function withFigures(): RunResult {
  return resultSchema.parse({ ...passingRun(), clientVsServer: [latency, errors] });
}

describe('client vs server', () => {
  it('formats a row: claim with the SLA and how the server value was reduced, signed difference', () => {
    expect(clientServerRow(latency)).toEqual({
      claim: 'p95 latency < 100 ms (server-p95; server: worst sample)',
      client: '182 ms',
      server: '24.8 ms',
      difference: '−158 ms',
      window: '20s–26.4s',
    });
    expect(clientServerRow(errors)).toEqual({
      claim: 'error rate <= 0.5 % (server-errors; server: mean of samples)',
      client: '1.235 %',
      server: '—',
      difference: '—',
      window: '0s–60s',
    });
    expect(clientServerRow({ ...latency, difference: 3.2 }).difference).toBe('+3.2 ms');
  });

  it('is a table in the Markdown summary, after the verdicts', () => {
    const md = renderMarkdown(withFigures());
    const at = md.indexOf('### Client vs server\n');
    expect(at).toBeGreaterThan(md.indexOf('### Verdicts'));
    expect(at).toBeLessThan(md.indexOf('### Load'));
    const lines = md.slice(at).split('\n');
    expect(lines[2]).toMatch(/^The same figure measured twice/);
    expect(lines.slice(4, 8)).toEqual([
      '| Claim | Client-side | Server-side | Difference | Window |',
      '| --- | --- | --- | --- | --- |',
      '| p95 latency &lt; 100 ms (server-p95; server: worst sample) | 182 ms | 24.8 ms | −158 ms | 20s–26.4s |',
      '| error rate &lt;= 0.5 % (server-errors; server: mean of samples) | 1.235 % | — | — | 0s–60s |',
    ]);
    expect(renderMarkdown(passingRun())).not.toContain('Client vs server');
  });

  it('is a section of the HTML report, linked from its navigation', () => {
    const html = renderHtml(withFigures());
    expect(html).toContain('<a href="#client-vs-server">Client vs server</a>');
    const start = html.indexOf('<h2 id="client-vs-server">Client vs server</h2>');
    expect(start).toBeGreaterThan(html.indexOf('<h2 id="verdicts">'));
    const table = html.slice(start, html.indexOf('</table>', start));
    expect(table).toContain('<caption>The same figure measured twice');
    expect(table).toContain(
      '<th scope="col">Claim</th><th scope="col">Client-side</th><th scope="col">Server-side</th><th scope="col">Difference</th><th scope="col">Window</th>',
    );
    expect(table).toContain(
      '<tr><td>p95 latency &lt; 100 ms (server-p95; server: worst sample)</td><td>182 ms</td><td>24.8 ms</td><td>−158 ms</td><td>20s–26.4s</td></tr>',
    );
    const plain = renderHtml(passingRun());
    expect(plain).not.toContain('client-vs-server');
  });
});
