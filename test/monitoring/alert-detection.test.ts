/**
 * The alert-detection verdict on synthetic timelines: delay = Alertmanager startsAt − inject,
 * judged against the allowed time, with the scrape/evaluation/`for` budget in the evidence.
 */
import { describe, expect, it } from 'vitest';
import {
  alertBudget,
  alertDetectionAssertion,
  alertObservations,
  kAlertEventKind,
  type ActionDetection,
  type AlertDetectionConfig,
} from '../../lib/assert/alert-detection.ts';
import { alertEvents } from '../../lib/monitoring/detection.ts';
import type { TimelineEvent } from '../../lib/result/schema.ts';
import { chaosSpan, syntheticTimeline } from '../assert/synthetic.ts';

const budget = {
  scrapeIntervalS: 15,
  evaluationIntervalS: 15,
  forS: { TargetDown: 15, NodeNotReady: 0, HighErrorRate: 15, SlowTargetDown: 900, OddFor: 20 },
};

const fired = (
  t: number,
  alertname: string,
  labels: Record<string, string> = {},
  lastSeenS?: number,
): TimelineEvent => ({
  t,
  kind: kAlertEventKind,
  object: `alert/${alertname}`,
  message: `${alertname} firing`,
  detail: { alertname, labels: { alertname, ...labels }, ...(lastSeenS !== undefined ? { lastSeenS } : {}) },
});

function run(
  cfg: Partial<AlertDetectionConfig>,
  events: TimelineEvent[],
  spans = [chaosSpan('kill web-1', 10, 12, 'pod-kill')],
) {
  const timeline = syntheticTimeline([], { durationS: 120, spans, events });
  return alertDetectionAssertion({ alerts: ['TargetDown'], withinS: 60, budget, ...cfg }).evaluate(timeline);
}

const actionsOf = (v: { evidence?: unknown }) => (v.evidence as { actions: ActionDetection[] }).actions;

describe('alert-detection verdict', () => {
  it('passes when every alert fires within the time, reporting delay and budget', () => {
    const v = run({ alerts: ['TargetDown', 'NodeNotReady'] }, [
      fired(41.5, 'TargetDown'),
      fired(62, 'NodeNotReady'),
    ]);
    expect(v.pass).toBe(true);
    expect(v.name).toBe('alert-detection');
    expect(v.claim).toBe(
      'TargetDown, NodeNotReady fire within 60 s of each chaos action (Alertmanager startsAt)',
    );
    expect(v.window).toEqual({ start: 10, end: 70 });
    const [td, nn] = actionsOf(v)[0]!.alerts;
    expect(td).toMatchObject({
      alert: 'TargetDown',
      outcome: 'detected',
      delayS: 31.5,
      startsAtS: 41.5,
      beyondForS: 16.5,
      symptomAndRampS: 0,
      budget: {
        forS: 15,
        forRoundedS: 15,
        scrapeIntervalS: 15,
        evaluationIntervalS: 15,
        fixedWorstCaseS: 45,
        exceedsWithin: false,
      },
    });
    // 52 s: 30 s beyond scrape + evaluation, which only the symptom (NotReady's grace period) explains.
    expect(nn).toMatchObject({ outcome: 'detected', delayS: 52, symptomAndRampS: 22 });
    expect(v.observed).toBe(
      "pod-kill 'kill web-1' at 10 s: TargetDown fired after 31.5 s (for 15 s, scrape 15 s, evaluation 15 s; 0 s beyond the fixed worst case); NodeNotReady fired after 52 s (for 0 s, scrape 15 s, evaluation 15 s; 22 s beyond the fixed worst case)",
    );
  });

  it('fails a late alert and one that never fired while alerts were watched long enough', () => {
    const v = run({ alerts: ['TargetDown', 'HighErrorRate'] }, [fired(75, 'TargetDown')]);
    expect(v.pass).toBe(false);
    expect(v.inconclusive).toBeUndefined();
    expect(actionsOf(v)[0]!.alerts.map((a) => a.outcome)).toEqual(['late', 'not-fired']);
    expect(v.observed).toContain('TargetDown fired after 65 s (> 60 s)');
    expect(v.observed).toContain('HighErrorRate did not fire within 60 s');
  });

  it("explains why kube-prometheus' for: 15m cannot meet a one-minute claim", () => {
    const v = run({ alerts: ['SlowTargetDown'] }, []);
    expect(v.pass).toBe(false);
    const [a] = actionsOf(v)[0]!.alerts;
    expect(a?.budget).toMatchObject({
      forS: 900,
      forRoundedS: 900,
      fixedWorstCaseS: 930,
      exceedsWithin: true,
    });
    expect(v.observed).toContain(
      'SlowTargetDown did not fire within 60 s (for 900 s, scrape 15 s, evaluation 15 s); its for alone exceeds 60 s',
    );
  });

  it('is inconclusive when alerts were not watched for the whole window, or the alert was already firing', () => {
    const short = run({ observedUntilS: 40 }, []);
    expect(short).toMatchObject({ pass: false, inconclusive: true });
    expect(short.observed).toContain('alerts were watched for less than 60 s after the action');
    const before = run({}, [fired(5, 'TargetDown')]);
    expect(before).toMatchObject({ pass: false, inconclusive: true });
    expect(actionsOf(before)[0]!.alerts[0]?.outcome).toBe('already-firing');
    // A firing before the action does not hide a later, separate one.
    expect(run({}, [fired(5, 'TargetDown'), fired(30, 'TargetDown', { job: 'b' })]).pass).toBe(true);
  });

  it('does not count a firing whose condition held before the action as its detection', () => {
    const pendingBefore: TimelineEvent = {
      ...fired(20, 'TargetDown'),
      detail: { alertname: 'TargetDown', labels: {}, activeAtS: 5 },
    };
    const v = run({}, [pendingBefore]);
    expect(v).toMatchObject({ pass: false, inconclusive: true });
    expect(actionsOf(v)[0]!.alerts[0]).toMatchObject({
      outcome: 'pending-before',
      delayS: 10,
      pendingDelayS: -5,
    });
    expect(v.observed).toContain(
      'TargetDown fired after 10 s, but its condition held from 5 s before the action',
    );
    const pendingAfter: TimelineEvent = {
      ...fired(40, 'TargetDown'),
      detail: { alertname: 'TargetDown', labels: {}, activeAtS: 25 },
    };
    expect(actionsOf(run({}, [pendingAfter]))[0]!.alerts[0]).toMatchObject({
      outcome: 'detected',
      delayS: 30,
      pendingDelayS: 15,
    });
  });

  it('counts only alerts with the wanted labels and judges each matching action on its own', () => {
    const spans = [
      chaosSpan('kill a', 10, 11, 'pod-kill'),
      chaosSpan('zone b', 50, 90, 'zone-outage'),
      chaosSpan('kill c', 100, 101, 'pod-kill'),
    ];
    const events = [
      fired(20, 'TargetDown', { namespace: 'other' }),
      fired(30, 'TargetDown', { namespace: 'shop' }, 45),
      fired(70, 'TargetDown', { namespace: 'shop' }, 95),
    ];
    const v = run(
      { action: 'pod-kill', matchLabels: { namespace: 'shop' }, observedUntilS: 200 },
      events,
      spans,
    );
    expect(v.name).toBe('alert-detection [pod-kill]');
    const actions = actionsOf(v);
    expect(actions.map((a) => a.fault)).toEqual(['kill a', 'kill c']);
    expect(actions[0]!.alerts[0]).toMatchObject({
      outcome: 'detected',
      delayS: 20,
      labels: { namespace: 'shop' },
    });
    // The 70 s firing ended (last seen at 95 s) before 'kill c' at 100 s, and nothing followed it.
    expect(actions[1]!.alerts[0]?.outcome).toBe('not-fired');
    expect(v.pass).toBe(false);
    // Without a last-seen time, a firing from before an action is taken to be still active.
    const unknownEnd = run({ action: 'pod-kill', observedUntilS: 200 }, [fired(70, 'TargetDown')], spans);
    expect(actionsOf(unknownEnd)[1]!.alerts[0]?.outcome).toBe('already-firing');
  });

  it('is inconclusive without a matching chaos action, and refuses an empty expectation', () => {
    expect(run({ action: 'node-drain' }, [])).toMatchObject({
      pass: false,
      inconclusive: true,
      observed: "no 'node-drain' action in this run",
    });
    expect(() => alertDetectionAssertion({ alerts: [], withinS: 60, budget })).toThrow(/at least one alert/);
    expect(() => alertDetectionAssertion({ alerts: ['A'], withinS: 0, budget })).toThrow(/withinS/);
  });

  it('rounds for up to whole evaluations and says when a rule is not loaded', () => {
    expect(alertBudget('OddFor', budget, 60)).toMatchObject({ forRoundedS: 30, fixedWorstCaseS: 60 });
    expect(alertBudget('Missing', budget, 60)).toMatchObject({
      forS: null,
      fixedWorstCaseS: null,
      exceedsWithin: false,
    });
    expect(run({ alerts: ['Missing'] }, []).observed).toContain(
      'Missing did not fire within 60 s (no such alerting rule loaded)',
    );
  });

  it('reads Alertmanager alerts onto the run clock', () => {
    const runStartMs = Date.parse('2026-01-01T00:00:00Z');
    const events = alertEvents(
      [
        {
          labels: { alertname: 'TargetDown', job: 'web' },
          annotations: { summary: 'Some scrape targets are down.' },
          startsAt: '2026-01-01T00:00:42.250Z',
          endsAt: '2026-01-01T00:04:42.250Z',
          updatedAt: '2026-01-01T00:00:42.300Z',
          fingerprint: 'f1',
          status: { state: 'active', silencedBy: [], inhibitedBy: [] },
          receivers: [{ name: 'null' }],
        },
      ],
      runStartMs,
    );
    expect(events[0]).toMatchObject({
      t: 42.25,
      kind: 'alert-firing',
      object: 'alert/TargetDown',
      message: 'TargetDown firing: Some scrape targets are down.',
    });
    expect(alertObservations(events)).toEqual([
      { alertname: 'TargetDown', labels: { alertname: 'TargetDown', job: 'web' }, startsAtS: 42.25 },
    ]);
  });
});
