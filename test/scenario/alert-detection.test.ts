/**
 * The `alert-detection` verify entry: resolution (within not scaled, labels kept) and invalid
 * entries, each rejected with a message naming the field and the fix.
 */
import { describe, expect, it } from 'vitest';
import { ScenarioInvalidError } from '../../lib/errors.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';

const base = {
  name: 'detect',
  target: { kubernetes: { namespace: 'novel-engine', deployment: 'novel-engine' } },
  requests: [{ path: '/' }],
  load: { kind: 'constant-arrival-rate', rate: 100, duration: '2m' },
  chaos: [{ at: '20s', duration: '60s', action: { kind: 'zone-outage', mode: 'stop' } }],
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

describe('verify: alert-detection', () => {
  it('resolves with its defaults; within is not scaled', () => {
    const s = resolveScenario(
      {
        ...base,
        verify: [
          { kind: 'alert-detection', alerts: ['TargetDown'], within: '60s' },
          {
            kind: 'alert-detection',
            alerts: ['TargetDown', 'NodeNotReady'],
            within: 45,
            fault: 'zone-outage',
            labels: { namespace: 'novel-engine' },
          },
        ],
      },
      { scale: 0.5 },
    );
    expect(s.verify).toEqual([
      { kind: 'alert-detection', alerts: ['TargetDown'], withinMs: 60_000, fault: null, labels: {} },
      {
        kind: 'alert-detection',
        alerts: ['TargetDown', 'NodeNotReady'],
        withinMs: 45,
        fault: 'zone-outage',
        labels: { namespace: 'novel-engine' },
      },
    ]);
    expect(s.chaos[0]?.atMs).toBe(10_000);
  });

  it.each<[string, unknown[], RegExp, Record<string, unknown>?]>([
    [
      'missing alerts',
      [{ kind: 'alert-detection', within: '60s' }],
      /^verify\[0\]\.alerts: alerts is required.*\['TargetDown'\]/,
    ],
    [
      'an empty alerts list',
      [{ kind: 'alert-detection', alerts: [], within: '60s' }],
      /^verify\[0\]\.alerts: alerts must name at least one alert/,
    ],
    [
      'alerts as a string',
      [{ kind: 'alert-detection', alerts: 'TargetDown', within: '60s' }],
      /^verify\[0\]\.alerts: alerts is a list of alert names/,
    ],
    [
      'a bad alert name',
      [{ kind: 'alert-detection', alerts: ['TargetDown', 'Target Down'], within: '60s' }],
      /^verify\[0\]\.alerts\[1\]: 'Target Down' is not an alert name; use a Prometheus rule name such as 'TargetDown'/,
    ],
    [
      'a missing within',
      [{ kind: 'alert-detection', alerts: ['TargetDown'] }],
      /^verify\[0\]\.within: within is required, e.g. within: '60s'/,
    ],
    [
      'a bad within',
      [{ kind: 'alert-detection', alerts: ['TargetDown'], within: 'soon' }],
      /^verify\[0\]\.within: within must be a duration/,
    ],
    [
      'a bad label name',
      [{ kind: 'alert-detection', alerts: ['TargetDown'], within: '1m', labels: { 'name-space': 'x' } }],
      /^verify\[0\]\.labels.*'name-space' is not a label name/,
    ],
    [
      'a label value that is not a string',
      [{ kind: 'alert-detection', alerts: ['TargetDown'], within: '1m', labels: { namespace: 3 } }],
      /^verify\[0\]\.labels\.namespace: a label value is a string/,
    ],
    [
      'a typo',
      [{ kind: 'alert-detection', alerts: ['TargetDown'], within: '1m', withn: '1m' }],
      /^verify\[0\]: unknown field 'withn'/,
    ],
    [
      'a duplicate alert',
      [{ kind: 'alert-detection', alerts: ['TargetDown', 'TargetDown'], within: '1m' }],
      /^verify\[0\]\.alerts: 'TargetDown' is listed twice/,
    ],
    [
      'a fault the scenario does not inject',
      [{ kind: 'alert-detection', alerts: ['TargetDown'], within: '1m', fault: 'pod-kill' }],
      /^verify\[0\]\.fault: no chaos action 'pod-kill' in this scenario; use one of 'zone-outage'/,
    ],
    [
      'no chaos at all',
      [{ kind: 'alert-detection', alerts: ['TargetDown'], within: '1m' }],
      /^verify\[0\]: alert-detection times alerts from a fault's inject; add a chaos entry/,
      { chaos: [] },
    ],
  ])('rejects %s', (_label, verify, message, extra) => {
    const problems = problemsOf(verify, extra);
    expect(
      problems.some((p) => message.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('lists alert-detection among the kinds an unknown kind suggests', () => {
    expect(problemsOf([{ kind: 'alert-detect' }])[0]).toMatch(/'alert-detection'/);
  });
});
