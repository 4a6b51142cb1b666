import { describe, expect, it } from 'vitest';
import { assertionsFor, judge } from '../../lib/assert/index.ts';
import type { FailureSample } from '../../lib/result/schema.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import { chaosSpan, event, gauge, secondsWithFailures, syntheticTimeline } from './synthetic.ts';

function scenario(verify: unknown[], slas: unknown[] = ['p95<100ms', 'errors<1%']) {
  return resolveScenario({
    name: 'chaos',
    target: 'http://127.0.0.1:1',
    requests: [{ path: '/' }],
    load: { kind: 'constant-arrival-rate', rate: 100, duration: '60s' },
    slas,
    verify,
  });
}

// A 60 s run at 100 req/s; a pod kill at 20–26 s; 3 requests refused right after the endpoint left.
const failures: FailureSample[] = [20.05, 20.06, 20.07].map((t) => ({ t, kind: 'refused', latencyMs: 0.8 }));
const podKill = () =>
  syntheticTimeline(secondsWithFailures(60, 100, 5, failures), {
    spans: [chaosSpan('pod-kill', 20, 26)],
    events: [
      event(20.01, 'pod-terminating', 'Pod/ns/api-1'),
      event(20.03, 'endpoint-removed', 'Service/ns/api'),
    ],
    gauges: gauge('deployment.desired', { deployment: 'api' }, [[0, 3]]),
    failures,
    preflight: {
      pods: [
        { name: 'api-1', zone: 'a', node: 'n1', ready: true, containers: [] },
        { name: 'api-2', zone: 'a', node: 'n2', ready: true, containers: [] },
      ],
      pdbs: [],
    },
  });

describe('verify entries become assertions', () => {
  it('after the SLAs, in the order written', () => {
    const s = scenario([
      { kind: 'preflight' },
      { kind: 'zero-downtime', scope: 'during-fault' },
      { kind: 'recovery-time', within: '10s' },
      { kind: 'autoscaling', minPeak: 3, maxDirectionChanges: 0 },
    ]);
    expect(assertionsFor(s).map((a) => a.name)).toEqual([
      'generator-health',
      'p95<100ms',
      'errors<1%',
      'preflight.zone-spread',
      'preflight.pdb',
      'preflight.readiness-probes',
      'preflight.non-root',
      'preflight.read-only-root-fs',
      'zero-downtime [during-fault]',
      'recovery-time',
      'autoscaling.peak',
      'autoscaling.flapping',
    ]);
  });

  it('judge a pod kill: the failures name their cause, recovery and the SLAs pass', () => {
    const s = scenario(
      [
        { kind: 'zero-downtime', scope: 'during-fault' },
        { kind: 'zero-downtime', scope: 'recovery' },
        { kind: 'recovery-time', within: '10s', sla: ['p95<100ms', 'errors<0.1%'] },
        { kind: 'autoscaling', minPeak: 3 },
      ],
      ['p95<100ms', { sla: 'availability>=99.9%', scope: 'during-fault' }],
    );
    const j = judge(assertionsFor(s), podKill());
    const by = Object.fromEntries(j.verdicts.map((v) => [v.name, v]));
    expect(by['zero-downtime [during-fault]']).toMatchObject({
      pass: false,
      observed: '3 of 600 requests failed: 3 after endpoint-removed Service/ns/api at 20.03 s (gap 21–41 ms)',
    });
    expect(by['zero-downtime [recovery]']?.pass).toBe(true);
    // 3 of 600 during the fault is 99.5 %: the scoped availability SLA catches it too.
    expect(by['availability>=99.9% [during-fault]']).toMatchObject({ pass: false });
    expect(by['recovery-time']).toMatchObject({ pass: true });
    expect(by['autoscaling.peak']).toMatchObject({ pass: true });
    expect(j).toMatchObject({ valid: true, pass: false });
  });

  it('keep preflight failures on the target when the run is invalid', () => {
    const s = scenario([{ kind: 'preflight' }, { kind: 'zero-downtime' }]);
    const t = podKill();
    const invalid = { ...t, load: { ...t.load, scheduleLagMs: { p50: 10, p99: 500, max: 900 } } };
    const j = judge(assertionsFor(s), invalid);
    expect(j.valid).toBe(false);
    const by = Object.fromEntries(j.verdicts.map((v) => [v.name, v]));
    expect(by['preflight.zone-spread']).toMatchObject({ pass: false });
    expect(by['preflight.zone-spread']?.inconclusive).toBeUndefined();
    expect(by['zero-downtime']).toMatchObject({ pass: false, inconclusive: true });
  });
});
