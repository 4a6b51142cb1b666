/**
 * Server-side SLAs in scenarios: `{ promql, id, op, value }` entries of `slas`, validated on their
 * own (messages name their fields and the fix), resolved into `promqlSlas` beside the client-side
 * SLAs, which keep every form they had.
 */
import { describe, expect, it } from 'vitest';
import { ScenarioInvalidError } from '../../lib/errors.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import type { ScenarioInput } from '../../lib/scenario/schema.ts';

const P95 =
  'histogram_quantile(0.95, sum by (le) (rate(novel_engine_http_request_duration_seconds_bucket[30s])))';

const base = {
  name: 'server-side',
  target: 'http://127.0.0.1:8080',
  requests: [{ path: '/healthz' }],
  load: { kind: 'constant-arrival-rate', rate: 10, duration: '30s' },
} as const;

function problemsOf(slas: unknown[]): string[] {
  try {
    resolveScenario({ ...base, slas }, { source: 'x.ts' });
  } catch (e) {
    if (e instanceof ScenarioInvalidError) return [...e.problems];
    throw e;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('server-side (PromQL) SLAs', () => {
  it('resolves the full form into promqlSlas, leaving the client-side SLAs as they were', () => {
    const input: ScenarioInput = {
      name: 'server-side',
      target: 'http://127.0.0.1:8080',
      requests: [{ path: '/healthz' }],
      load: { kind: 'constant-arrival-rate', rate: 10, duration: '30s' },
      slas: [
        'p95<100ms',
        {
          promql: P95,
          id: 'server-p95',
          op: '<',
          value: 0.1,
          unit: 's',
          scope: 'during-fault',
          reduce: 'worst',
          abortOnFail: true,
          abortWindow: '10s',
          compareTo: 'p95',
        },
        { sla: 'errors<1%', abortOnFail: true },
      ],
    };
    const s = resolveScenario(input);
    expect(s.slas.map((x) => x.id)).toEqual(['p95<100ms', 'errors<1%']);
    expect(s.promqlSlas).toEqual([
      {
        id: 'server-p95',
        expr: P95,
        op: '<',
        value: 0.1,
        unit: 's',
        reduce: 'worst',
        scope: 'during-fault',
        abortOnFail: true,
        abortWindowS: 10,
        compareTo: 'p95',
      },
    ]);
  });

  it('fills defaults and scales the abort window like the client-side one', () => {
    const s = resolveScenario(
      { ...base, slas: [{ promql: 'sum(up)', id: 'up', op: '>=', value: 2 }] },
      { scale: 0.5 },
    );
    expect(s.promqlSlas[0]).toMatchObject({
      unit: null,
      reduce: 'worst',
      scope: 'run',
      abortOnFail: false,
      abortWindowS: 5,
      compareTo: null,
    });
    expect(resolveScenario({ ...base }).promqlSlas).toEqual([]);
  });

  it('names each missing or wrong field and the fix', () => {
    expect(problemsOf([{ promql: 'up', op: '<' }])).toEqual([
      "slas[0].id: id is required: name the SLA, e.g. id: 'server-p95'",
      'slas[0].value: value is required: the limit in the unit the expression returns, e.g. value: 0.1 for 100 ms from a seconds histogram',
    ]);
    expect(problemsOf([{ promql: 'up', id: 'x', value: 1 }])).toEqual([
      "slas[0].op: op is required: one of '<', '<=', '>', '>='",
    ]);
    const bad = problemsOf([
      { promql: ' ', id: 'server p95', op: '=', value: '100ms', reduce: 'max', compareTo: 'p42', typo: 1 },
    ]);
    expect(bad).toEqual([
      expect.stringMatching(
        /^slas\[0\]\.promql: promql is empty; write a PromQL expression, e\.g\. 'histogram_quantile/,
      ),
      expect.stringMatching(
        /^slas\[0\]\.id: id 'server p95' must start with a letter or digit .* e\.g\. 'server-p95'$/,
      ),
      "slas[0].op: op must be one of '<', '<=', '>', '>='",
      'slas[0].value: value must be a number in the unit the expression returns (not a string like "100ms")',
      "slas[0].reduce: reduce must be 'worst' (every sample), 'mean' or 'last'",
      'slas[0].compareTo: compareTo must name a client-side figure: p50, p90, p95, p99, max, errors, availability',
      "slas[0]: unknown field 'typo' (check the spelling)",
    ]);
  });

  it('needs a unit that converts when compareTo names a client-side figure', () => {
    expect(problemsOf([{ promql: P95, id: 'a', op: '<', value: 0.1, compareTo: 'p95' }])).toEqual([
      "slas[0].unit: compareTo 'p95' needs to know what the expression returns; set unit to 's' or 'ms'",
    ]);
    expect(problemsOf([{ promql: 'x', id: 'b', op: '<', value: 1, unit: 's', compareTo: 'errors' }])).toEqual(
      [
        "slas[0].unit: compareTo 'errors' needs to know what the expression returns; set unit to '%' or 'ratio'",
      ],
    );
    const ok = resolveScenario({
      ...base,
      slas: [{ promql: 'x', id: 'c', op: '<', value: 0.01, unit: 'ratio', compareTo: 'errors' }],
    });
    expect(ok.promqlSlas[0]?.compareTo).toBe('errors');
  });

  it('refuses two server-side SLAs with one id (their samples would mix)', () => {
    expect(
      problemsOf([
        { promql: 'a', id: 'same', op: '<', value: 1 },
        { promql: 'b', id: 'same', op: '<', value: 2 },
      ]),
    ).toEqual(["slas: two server-side SLAs have id 'same'; give each its own id"]);
  });

  it('keeps the client-side forms and their messages', () => {
    expect(problemsOf([{ metric: 'latency', op: '<', value: 5, typo: 1 }])).toEqual([
      "slas[0]: unknown field 'typo' (check the spelling)",
    ]);
    expect(problemsOf(['p95 < fast'])[0]).toMatch(/^slas\[0\]: cannot read SLA 'p95 < fast'/);
    const s = resolveScenario({
      ...base,
      slas: [{ metric: 'latency', percentile: 99, op: '<', value: '250ms' }, { sla: 'availability>=99%' }],
    });
    expect(s.slas.map((x) => x.id)).toEqual(['p99<250ms', 'availability>=99%']);
  });
});
