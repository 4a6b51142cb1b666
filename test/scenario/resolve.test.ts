import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import { parseDuration } from '../../lib/scenario/duration.ts';
import { parseSlaText } from '../../lib/scenario/sla-text.ts';
import { ScenarioInvalidError } from '../../lib/errors.ts';

const base = {
  name: 'smoke',
  target: 'http://127.0.0.1:8080/',
  requests: [{ path: '/healthz' }],
  load: { kind: 'constant-arrival-rate', rate: 100, duration: '30s' },
  slas: ['p95<100ms', 'errors<0.1%'],
} as const;

function problemsOf(input: unknown): string[] {
  try {
    resolveScenario(input, { source: 'x.ts' });
  } catch (e) {
    if (e instanceof ScenarioInvalidError) return [...e.problems];
    throw e;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['250ms', 250],
    ['2h', 7_200_000],
    ['1.5s', 1500],
    [500, 500],
  ])('%s → %d ms', (input, ms) => expect(parseDuration(input)).toBe(ms));
  it.each(['', '30', 's', '3 seconds', '-1s', '1d'])('rejects %j', (input) =>
    expect(parseDuration(input)).toBeUndefined(),
  );
});

describe('SLA shorthand', () => {
  it('reads latency, error rate, availability and achieved rate', () => {
    expect(parseSlaText('p95<100ms')).toEqual({ metric: 'latency', percentile: 95, op: '<', value: 100 });
    expect(parseSlaText('p(99.9)<=1.5s')).toEqual({
      metric: 'latency',
      percentile: 99.9,
      op: '<=',
      value: 1500,
    });
    expect(parseSlaText('max<2s')).toEqual({ metric: 'latency', percentile: 100, op: '<', value: 2000 });
    expect(parseSlaText('errors<0.1%')).toEqual({ metric: 'error-rate', op: '<', value: 0.1 });
    expect(parseSlaText('availability>=99.9%')).toEqual({ metric: 'availability', op: '>=', value: 99.9 });
    expect(parseSlaText('achieved>=95%')).toEqual({ metric: 'achieved-rate', op: '>=', value: 95 });
  });
  it.each([
    ['p95<100%', /needs a time/],
    ['errors<0.1', /percentage/],
    ['latency<5', /unknown metric/],
    ['p95 100ms', /cannot read/],
    ['p0<1ms', /percentile/],
  ])('explains %j', (text, re) => {
    const r = parseSlaText(text);
    expect('error' in r && r.error).toMatch(re);
  });
});

describe('resolveScenario', () => {
  it('fills defaults and converts durations', () => {
    const s = resolveScenario(base);
    expect(s.target.url).toBe('http://127.0.0.1:8080');
    expect(s.profile).toEqual({ kind: 'constant-arrival-rate', rate: 100, durationMs: 30_000 });
    expect(s.requests[0]).toMatchObject({ method: 'GET', path: '/healthz', weight: 1 });
    expect(s.requests[0]?.expectStatus).toContain(204);
    expect(s.slas.map((x) => x.id)).toEqual(['p95<100ms', 'errors<0.1%']);
    expect(s.load.maxInFlight).toBeGreaterThanOrEqual(100);
    expect(Object.isFrozen(s.profile)).toBe(true);
  });

  it('scales every schedule duration', () => {
    const s = resolveScenario(
      {
        ...base,
        load: {
          kind: 'ramping-arrival-rate',
          stages: [
            { target: 10, duration: '1m' },
            { target: 0, duration: '30s' },
          ],
        },
        slas: [{ sla: 'p95<100ms', window: { start: '10s', end: '40s' } }],
      },
      { scale: 0.1 },
    );
    expect(s.profile.kind === 'ramping-arrival-rate' && s.profile.stages.map((x) => x.durationMs)).toEqual([
      6000, 3000,
    ]);
    expect(s.slas[0]?.window).toEqual({ startS: 1, endS: 4 });
  });

  it('serialises JSON bodies once and sets the content type', () => {
    const s = resolveScenario({
      ...base,
      requests: [{ method: 'POST', path: '/api/v1/narratives', body: { prompt: 'x' }, expectStatus: 201 }],
    });
    expect(s.requests[0]).toMatchObject({
      body: '{"prompt":"x"}',
      headers: { 'content-type': 'application/json' },
      expectStatus: [201],
    });
  });

  it('accepts SLAs as data', () => {
    const s = resolveScenario({
      ...base,
      slas: [{ metric: 'latency', percentile: 99, op: '<', value: '250ms', abortOnFail: true }],
    });
    expect(s.slas[0]).toMatchObject({ id: 'p99<250ms', value: 250, abortOnFail: true, abortWindowS: 10 });
  });

  // The invalid-scenario catalogue: each entry must be rejected with a message naming the field.
  it.each<[string, unknown, RegExp]>([
    ['missing name', { ...base, name: undefined }, /^name: /],
    ['bad name', { ...base, name: 'a b' }, /^name: name must be letters/],
    ['typo in a field', { ...base, slass: [] }, /unknown field 'slass'/],
    ['bad target', { ...base, target: 'nope' }, /^target: 'nope' is not a URL/],
    ['ftp target', { ...base, target: 'ftp://127.0.0.1' }, /^target: protocol/],
    ['no requests', { ...base, requests: [] }, /^requests: requests needs at least one/],
    [
      'bad path',
      { ...base, requests: [{ path: 'healthz' }] },
      /^requests\[0\]\.path: path must start with '\/'/,
    ],
    [
      'bad method',
      { ...base, requests: [{ path: '/', method: 'FETCH' }] },
      /^requests\[0\]\.method: method must be one of/,
    ],
    [
      'negative rate',
      { ...base, load: { kind: 'constant-arrival-rate', rate: -1, duration: '1s' } },
      /^load\.rate: rate .* greater than 0/,
    ],
    [
      'bad duration',
      { ...base, load: { kind: 'constant-arrival-rate', rate: 1, duration: '10 secs' } },
      /^load\.duration: not a duration; use a duration like/,
    ],
    ['unknown kind', { ...base, load: { kind: 'spike', rate: 1 } }, /^load(\.kind)?: kind must be/],
    [
      'empty stages',
      { ...base, load: { kind: 'ramping-arrival-rate', stages: [] } },
      /^load\.stages: stages needs at least one/,
    ],
    ['bad SLA text', { ...base, slas: ['p95 < fast'] }, /^slas\[0\]: cannot read SLA 'p95 < fast'/],
    [
      'latency SLA without percentile',
      { ...base, slas: [{ metric: 'latency', op: '<', value: 5 }] },
      /^slas\[0\]\.percentile: a latency SLA needs a percentile/,
    ],
    [
      'window end before start',
      { ...base, slas: [{ sla: 'p95<1s', window: { start: '20s', end: '10s' } }] },
      /^slas\[0\]\.window: end must be after start/,
    ],
    [
      'window after the run',
      { ...base, slas: [{ sla: 'p95<1s', window: { start: '40s' } }] },
      /^slas\[0\]\.window\.start: starts after the load ends/,
    ],
  ])('rejects %s', (_label, input, re) => {
    const problems = problemsOf(input);
    expect(
      problems.some((p) => re.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('rejects a non-positive scale', () => {
    expect(() => resolveScenario(base, { scale: 0 })).toThrow(/scale must be a number greater than 0/);
  });
});
