/**
 * Client-vs-server figures: the client-side figure over the server-side verdict's window, the
 * judged server value converted to the client figure's unit, and their difference.
 */
import { describe, expect, it } from 'vitest';
import { promqlSlaAssertion } from '../../lib/assert/promql-sla.ts';
import type { GaugePoint } from '../../lib/result/schema.ts';
import { clientVsServer } from '../../lib/run/client-server.ts';
import { slaConfig } from '../../lib/run/promql-slas.ts';
import type { ResolvedPromqlSla } from '../../lib/scenario/resolved.ts';
import { chaosSpan, syntheticTimeline, type SyntheticSecond } from '../assert/synthetic.ts';

const sla = (over: Partial<ResolvedPromqlSla>): ResolvedPromqlSla => ({
  id: 'x',
  expr: 'e',
  op: '<',
  value: 1,
  unit: 's',
  reduce: 'worst',
  scope: 'run',
  abortOnFail: false,
  abortWindowS: 10,
  compareTo: 'p95',
  ...over,
});

/** 10 s: 20 ms requests, except 200 ms ones with 2 of 10 failing in seconds 4–5 (a fault at 4–6 s). */
function timeline(gauges: GaugePoint[]) {
  const seconds: SyntheticSecond[] = Array.from({ length: 10 }, (_, t) =>
    t >= 4 && t < 6 ? { latencies: Array(8).fill(200), failed: 2 } : { latencies: Array(10).fill(20) },
  );
  return syntheticTimeline(seconds, { durationS: 10, spans: [chaosSpan('kill', 4, 6, 'pod-kill')], gauges });
}

const g = (id: string, t: number, value: number, labels?: Record<string, string>): GaugePoint => ({
  t,
  name: `promql:${id}`,
  value,
  ...(labels ? { labels } : {}),
});

function figures(slas: ResolvedPromqlSla[], gauges: GaugePoint[]) {
  const t = timeline(gauges);
  const verdicts = slas.map((s) => promqlSlaAssertion(slaConfig(s)).evaluate(t));
  return clientVsServer(slas, verdicts, t);
}

describe('clientVsServer', () => {
  it('puts the worst series beside the client p95 over the same window, in ms', () => {
    const s = sla({ id: 'p95', value: 0.1 });
    const [row] = figures(
      [s],
      [g('p95', 1, 0.012, { pod: 'a' }), g('p95', 5, 0.15, { pod: 'a' }), g('p95', 5, 0.03, { pod: 'b' })],
    );
    expect(row).toEqual({
      sla: 'p95',
      verdict: 'sla [server] p95',
      metric: 'p95',
      unit: 'ms',
      op: '<',
      limit: 100,
      window: { start: 0, end: 10 },
      client: 200,
      server: 150,
      reduce: 'worst',
      difference: -50,
    });
  });

  it('judges a phase scope over its window, and error rates and availability in percent', () => {
    const errors = sla({ id: 'err', scope: 'during-fault', unit: 'ratio', value: 0.01, compareTo: 'errors' });
    const avail = sla({
      id: 'av',
      op: '>=',
      unit: '%',
      value: 99,
      compareTo: 'availability',
      reduce: 'mean',
    });
    const rows = figures(
      [errors, avail],
      [g('err', 4, 0.1), g('err', 5, 0.2), g('err', 8, 0.9), g('av', 2, 100), g('av', 5, 90)],
    );
    expect(rows[0]).toMatchObject({
      window: { start: 4, end: 6 },
      unit: '%',
      limit: 1,
      client: 20,
      server: 20,
      difference: 0,
    });
    expect(rows[1]).toMatchObject({
      window: { start: 0, end: 10 },
      limit: 99,
      client: 96,
      server: 95,
      difference: -1,
    });
  });

  it('leaves out SLAs without compareTo, and shows what is missing as null', () => {
    const rows = figures(
      [sla({ id: 'none', compareTo: null }), sla({ id: 'empty', scope: 'recovery', compareTo: 'p99' })],
      [],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        sla: 'empty',
        window: { start: 6, end: 10 },
        client: 20,
        server: null,
        difference: null,
      }),
    ]);
  });
});
