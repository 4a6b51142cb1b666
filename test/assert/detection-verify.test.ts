/**
 * The alert-detection verify entry as the run judges it: the budget comes from the run's
 * `monitoring` event, alerts from its `alert-firing` events; without monitoring the verdict is
 * inconclusive and says how to get it.
 */
import { describe, expect, it } from 'vitest';
import { kAlertEventKind } from '../../lib/assert/alert-detection.ts';
import {
  alertDetectionVerification,
  kMonitoringEventKind,
  monitoringEvent,
  readMonitoring,
} from '../../lib/assert/detection-verify.ts';
import { assertionsFor, judge } from '../../lib/assert/index.ts';
import type { TimelineEvent } from '../../lib/result/schema.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import type { ResolvedAlertDetection } from '../../lib/scenario/resolved.ts';
import { chaosSpan, syntheticTimeline } from './synthetic.ts';

const entry: ResolvedAlertDetection = {
  kind: 'alert-detection',
  alerts: ['TargetDown'],
  withinMs: 60_000,
  fault: 'zone-outage',
  labels: { namespace: 'novel-engine' },
};

const watched = (over: Record<string, unknown> = {}): TimelineEvent =>
  monitoringEvent({
    available: true,
    prometheusUrl: 'http://127.0.0.1:9090',
    alertmanagerUrl: 'http://127.0.0.1:9093',
    scrapeIntervalS: 5,
    evaluationIntervalS: 5,
    forS: { TargetDown: 15 },
    pollErrors: 0,
    ...over,
  } as Parameters<typeof monitoringEvent>[0]);

const fired = (t: number, labels: Record<string, string> = { namespace: 'novel-engine' }): TimelineEvent => ({
  t,
  kind: kAlertEventKind,
  object: 'alert/TargetDown',
  message: 'TargetDown firing',
  detail: { alertname: 'TargetDown', labels: { alertname: 'TargetDown', ...labels }, lastSeenS: t + 30 },
});

const timeline = (events: TimelineEvent[]) =>
  syntheticTimeline([], {
    durationS: 120,
    spans: [chaosSpan('zone-outage', 20, 80, 'zone-outage')],
    events,
  });

describe('alert-detection from the run timeline', () => {
  it('passes with the delay and the budget from the monitoring event', () => {
    const v = alertDetectionVerification(entry).evaluate(timeline([watched(), fired(42.5)]));
    expect(v.name).toBe('alert-detection [zone-outage]');
    expect(v.pass, v.observed).toBe(true);
    expect(v.observed).toContain('TargetDown fired after 22.5 s (for 15 s, scrape 5 s, evaluation 5 s;');
    expect(v.evidence).toMatchObject({ withinS: 60, scrapeIntervalS: 5, evaluationIntervalS: 5 });
  });

  it('fails when the alert fires too late, and only alerts with the labels count', () => {
    const late = alertDetectionVerification(entry).evaluate(timeline([watched(), fired(95)]));
    expect(late.pass).toBe(false);
    expect(late.inconclusive).toBeUndefined();
    expect(late.observed).toMatch(/TargetDown fired after 75 s \(> 60 s\)/);
    const other = alertDetectionVerification(entry).evaluate(
      timeline([watched(), fired(30, { namespace: 'kube-system' })]),
    );
    expect(other.pass).toBe(false);
    expect(other.observed).toMatch(/TargetDown did not fire within 60 s/);
  });

  it('a for beyond within fails, and the message says the rule cannot meet it', () => {
    const v = alertDetectionVerification(entry).evaluate(timeline([watched({ forS: { TargetDown: 900 } })]));
    expect(v.pass).toBe(false);
    expect(v.observed).toMatch(/did not fire within 60 s \(for 900 s.*its for alone exceeds 60 s/);
  });

  it('is inconclusive without monitoring, naming how to get it', () => {
    const none = alertDetectionVerification(entry).evaluate(timeline([fired(30)]));
    expect(none.pass).toBe(false);
    expect(none.inconclusive).toBe(true);
    expect(none.observed).toMatch(
      /no Prometheus and Alertmanager watched this run;.*gauntlet local up --stack --monitoring.*--prometheus URL --alertmanager URL/,
    );
    const why = alertDetectionVerification(entry).evaluate(
      timeline([monitoringEvent({ available: false, reason: 'the local cluster runs without monitoring' })]),
    );
    expect(why.inconclusive).toBe(true);
    expect(why.observed).toContain('(the local cluster runs without monitoring)');
  });

  it('a failure while Alertmanager polls failed is inconclusive, not a miss', () => {
    const v = alertDetectionVerification(entry).evaluate(
      timeline([watched({ pollErrors: 3, lastPollError: 'ECONNREFUSED' })]),
    );
    expect(v.pass).toBe(false);
    expect(v.inconclusive).toBe(true);
    expect(v.observed).toMatch(/did not answer 3 polls during the run \(last: ECONNREFUSED\)/);
  });

  it('reads the monitoring event defensively', () => {
    expect(readMonitoring([])).toBeUndefined();
    expect(
      readMonitoring([
        { t: 0, kind: kMonitoringEventKind, object: 'x', message: 'x', detail: { available: true } },
      ]),
    ).toEqual({
      available: false,
      reason: 'the monitoring event has no scrape or evaluation interval',
    });
    expect(readMonitoring([watched()])).toMatchObject({
      available: true,
      forS: { TargetDown: 15 },
      pollErrors: 0,
    });
  });

  it('is built from the scenario and judged independently of the load', () => {
    const s = resolveScenario({
      name: 'detect',
      target: { kubernetes: { namespace: 'novel-engine', deployment: 'novel-engine' } },
      requests: [{ path: '/' }],
      load: { kind: 'constant-arrival-rate', rate: 100, duration: '2m' },
      chaos: [{ at: '20s', duration: '60s', action: { kind: 'zone-outage', mode: 'stop' } }],
      verify: [{ kind: 'alert-detection', alerts: ['TargetDown'], within: '60s', fault: 'zone-outage' }],
    });
    const assertions = assertionsFor(s);
    expect(assertions.map((a) => a.name)).toContain('alert-detection [zone-outage]');
    // No load at all: the generator-health verdict fails, detection still counts as measured.
    const j = judge(assertions, timeline([watched(), fired(40)]));
    const v = j.verdicts.find((x) => x.name === 'alert-detection [zone-outage]');
    expect(v?.pass).toBe(true);
    expect(v?.inconclusive).toBeUndefined();
  });
});
