import { describe, expect, it } from 'vitest';
import { ScenarioInvalidError } from '../../lib/errors.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';

const base = {
  name: 'chaos',
  target: 'http://127.0.0.1:8080',
  requests: [{ path: '/' }],
  load: { kind: 'constant-arrival-rate', rate: 100, duration: '2m' },
  slas: ['p95<100ms', 'errors<0.1%', 'achieved>=99%'],
} as const;

function problemsOf(verify: unknown[], extra: Record<string, unknown> = {}): string[] {
  try {
    resolveScenario({ ...base, ...extra, verify }, { source: 'x.ts' });
  } catch (e) {
    if (e instanceof ScenarioInvalidError) return [...e.problems];
    throw e;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('verify: resolution', () => {
  it('defaults to no verifications', () => {
    expect(resolveScenario(base).verify).toEqual([]);
  });

  it('resolves every kind with its defaults', () => {
    const s = resolveScenario({
      ...base,
      verify: [
        { kind: 'zero-downtime', scope: 'during-fault' },
        { kind: 'recovery-time', within: '30s', sla: 'p95<100ms', stableFor: '5s' },
        {
          kind: 'autoscaling',
          scaleUpWithin: '60s',
          minPeak: 6,
          maxDirectionChanges: 2,
          scaleDownTo: 3,
          scaleDownWithin: '5m',
        },
        { kind: 'preflight' },
      ],
    });
    expect(s.verify).toEqual([
      { kind: 'zero-downtime', scope: 'during-fault', window: null, lookbackMs: 30_000 },
      {
        kind: 'recovery-time',
        withinMs: 30_000,
        sla: [{ id: 'p95<100ms', metric: 'latency', percentile: 95, op: '<', value: 100 }],
        stableForS: 5,
        fault: null,
      },
      {
        kind: 'autoscaling',
        source: { gauge: 'auto', labels: {} },
        loadStepS: null,
        loadDropS: null,
        scaleUpWithinMs: 60_000,
        minPeak: 6,
        maxDirectionChanges: 2,
        scaleDown: { to: 3, withinMs: 300_000 },
      },
      { kind: 'preflight', minZones: 2 },
    ]);
    expect(Object.isFrozen(s.verify[0])).toBe(true);
  });

  it('defaults recovery to the scenario latency and error SLAs (not achieved rate)', () => {
    const s = resolveScenario({ ...base, verify: [{ kind: 'recovery-time', within: '1m' }] });
    const v = s.verify[0];
    expect(v?.kind === 'recovery-time' && v.sla.map((c) => c.id)).toEqual(['p95<100ms', 'errors<0.1%']);
  });

  it('scales schedule positions but not the limits on the target', () => {
    const s = resolveScenario(
      {
        ...base,
        verify: [
          { kind: 'zero-downtime', window: { start: '20s', end: '60s' }, lookback: '10s' },
          { kind: 'autoscaling', hpa: 'api', loadStepAt: '30s', loadDropAt: '90s', scaleUpWithin: '1m' },
          { kind: 'recovery-time', within: '30s', stableFor: '2.5s', fault: 'pod-kill' },
        ],
      },
      { scale: 0.5 },
    );
    expect(s.verify[0]).toMatchObject({ window: { startS: 10, endS: 30 }, lookbackMs: 10_000 });
    expect(s.verify[1]).toMatchObject({
      source: { gauge: 'hpa.desired', labels: { hpa: 'api' } },
      loadStepS: 15,
      loadDropS: 45,
      scaleUpWithinMs: 60_000,
    });
    expect(s.verify[2]).toMatchObject({ withinMs: 30_000, stableForS: 3, fault: 'pod-kill' });
  });

  it('follows a named deployment', () => {
    const s = resolveScenario({ ...base, verify: [{ kind: 'autoscaling', deployment: 'api', minPeak: 2 }] });
    expect(s.verify[0]).toMatchObject({
      source: { gauge: 'deployment.desired', labels: { deployment: 'api' } },
    });
  });
});

describe('verify: invalid entries name the field and the fix', () => {
  it.each<[string, unknown[], RegExp]>([
    [
      'an unknown kind',
      [{ kind: 'zero-downtim' }],
      /^verify\[0\]\.kind: unknown kind 'zero-downtim'; use one of 'zero-downtime'/,
    ],
    [
      'availability',
      [{ kind: 'availability' }],
      /^verify\[0\]\.kind: availability is an SLA.*slas.*availability>=99\.9%/,
    ],
    ['a missing kind', [{ scope: 'run' }], /^verify\[0\]\.kind: kind is missing/],
    ['a string entry', ['zero-downtime'], /^verify\[0\]: a verify entry is an object like/],
    ['a typo', [{ kind: 'zero-downtime', scop: 'run' }], /^verify\[0\]: unknown field 'scop'/],
    [
      'a bad scope',
      [{ kind: 'zero-downtime', scope: 'fault' }],
      /^verify\[0\]\.scope: scope must be 'run', 'baseline', 'during-fault' or 'recovery'/,
    ],
    ['a bad lookback', [{ kind: 'zero-downtime', lookback: '30' }], /^verify\[0\]\.lookback: not a duration/],
    [
      'an inverted window',
      [{ kind: 'zero-downtime', window: { start: '30s', end: '10s' } }],
      /^verify\[0\]\.window: end must be after start/,
    ],
    [
      'a late window',
      [{ kind: 'zero-downtime', window: { start: '5m' } }],
      /^verify\[0\]\.window\.start: starts after the load ends/,
    ],
    [
      'a missing within',
      [{ kind: 'recovery-time', sla: 'p95<100ms' }],
      /^verify\[0\]\.within: within is required, e.g. within: '30s'/,
    ],
    ['a bad within', [{ kind: 'recovery-time', within: 'soon' }], /^verify\[0\]\.within: .*duration/],
    [
      'a bad SLA text',
      [{ kind: 'recovery-time', within: '30s', sla: 'p95<100%' }],
      /^verify\[0\]\.sla: .*needs a time/,
    ],
    [
      'a zero stableFor',
      [{ kind: 'recovery-time', within: '30s', stableFor: '0s' }],
      /^verify\[0\]\.stableFor: must be longer than zero/,
    ],
    [
      'no checks',
      [{ kind: 'autoscaling', hpa: 'api' }],
      /^verify\[0\]: an autoscaling entry needs at least one check/,
    ],
    [
      'half a scale-down',
      [{ kind: 'autoscaling', scaleDownTo: 3 }],
      /^verify\[0\]\.scaleDownWithin: scaleDownTo and scaleDownWithin go together/,
    ],
    [
      'hpa and deployment',
      [{ kind: 'autoscaling', hpa: 'a', deployment: 'b', minPeak: 2 }],
      /^verify\[0\]: give hpa or deployment, not both/,
    ],
    [
      'a fractional peak',
      [{ kind: 'autoscaling', minPeak: 2.5 }],
      /^verify\[0\]\.minPeak: minPeak must be a whole number/,
    ],
    [
      'a negative direction count',
      [{ kind: 'autoscaling', maxDirectionChanges: -1 }],
      /^verify\[0\]\.maxDirectionChanges: maxDirectionChanges must be ≥ 0/,
    ],
    [
      'a drop before the step',
      [{ kind: 'autoscaling', minPeak: 2, loadStepAt: '60s', loadDropAt: '30s' }],
      /^verify\[0\]\.loadDropAt: must be after loadStepAt/,
    ],
    [
      'a step after the load',
      [{ kind: 'autoscaling', minPeak: 2, loadStepAt: '3m' }],
      /^verify\[0\]\.loadStepAt: after the load ends/,
    ],
    [
      'an empty hpa name',
      [{ kind: 'autoscaling', minPeak: 2, hpa: '' }],
      /^verify\[0\]\.hpa: hpa must name the object/,
    ],
    ['zero zones', [{ kind: 'preflight', minZones: 0 }], /^verify\[0\]\.minZones: minZones must be ≥ 1/],
  ])('%s', (_what, verify, re) => {
    const problems = problemsOf(verify);
    expect(
      problems.some((p) => re.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('asks for an SLA when recovery has none to default to', () => {
    const problems = problemsOf([{ kind: 'recovery-time', within: '30s' }], { slas: ['achieved>=99%'] });
    expect(problems).toEqual([
      "verify[0].sla: say what recovered means, e.g. sla: 'p95<100ms' or ['p95<100ms', 'errors<0.1%'] (the scenario has no latency or error SLA to use)",
    ]);
  });

  it('reports the problems of several entries at once', () => {
    const problems = problemsOf(
      [{ kind: 'autoscaling' }, { kind: 'recovery-time', within: '1m' }, { kind: 'preflight' }],
      {
        slas: [],
      },
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^verify\[0\]/);
    expect(problems[1]).toMatch(/^verify\[1\]\.sla/);
  });
});
