import { describe, expect, it } from 'vitest';
import { zeroDowntimeAssertion, type ZeroDowntimeOptions } from '../../lib/assert/zero-downtime.ts';
import type { FailureSample } from '../../lib/result/schema.ts';
import { chaosSpan, event, secondsWithFailures, steady, syntheticTimeline } from './synthetic.ts';

const opts = (o: Partial<ZeroDowntimeOptions> = {}): ZeroDowntimeOptions => ({
  scope: 'run',
  window: null,
  lookbackMs: 30_000,
  ...o,
});

const fail = (t: number, kind = 'refused', latencyMs = 1): FailureSample => ({ t, kind, latencyMs });

// A pod kill at 20 s: the chaos span starts, the pod is marked terminating, its endpoint leaves.
const spans = [chaosSpan('pod-kill', 20, 26)];
const events = [
  event(20.01, 'pod-terminating', 'Pod/ns/api-1'),
  event(20.02, 'endpoint-removed', 'Service/ns/api'),
  event(24, 'pod-ready', 'Pod/ns/api-2'),
];

describe('zero-downtime', () => {
  it('passes when no request failed', () => {
    const v = zeroDowntimeAssertion(opts()).evaluate(syntheticTimeline(steady(30, 10, 5), { spans, events }));
    expect(v).toMatchObject({ name: 'zero-downtime', pass: true, observed: 'no failed request (300 sent)' });
    expect(v.claim).toBe('no failed request (0–30 s)');
  });

  it('lists each failure with its nearest Kubernetes cause and the gap', () => {
    const failures = [
      fail(20.05), // refused right after the endpoint left: the latest cause before it was sent
      fail(19.9, 'reset', 300), // in flight when the pod kill started: the earliest cause in flight
      fail(45), // 25 s after the last cause: within the 30 s lookback
      fail(55), // 35 s after: unattributed
    ];
    const t = syntheticTimeline(secondsWithFailures(60, 10, 5, failures), { spans, events, failures });
    const v = zeroDowntimeAssertion(opts()).evaluate(t);
    expect(v.pass).toBe(false);
    const ev = v.evidence as {
      failures: { t: number; cause: { kind: string; object: string; gapMs: number } | null }[];
      unattributed: number;
      sampleComplete: boolean;
    };
    expect(ev.sampleComplete).toBe(true);
    expect(
      ev.failures.map((f) => [f.t, f.cause && `${f.cause.kind} ${f.cause.object}`, f.cause?.gapMs]),
    ).toEqual([
      [20.05, 'endpoint-removed Service/ns/api', 31],
      [19.9, 'chaos pod/pod-kill-target', 200],
      [45, 'endpoint-removed Service/ns/api', 24_981],
      [55, null, undefined],
    ]);
    expect(ev.unattributed).toBe(1);
    expect(v.observed).toMatch(
      /^4 of 600 requests failed: 2 after endpoint-removed Service\/ns\/api at 20\.02 s \(gap 31–24981 ms\); 1 after chaos/,
    );
    expect(v.observed).toMatch(/1 with no Kubernetes cause in flight or in the 30 s before$/);
  });

  it('does not take events that add capacity as causes', () => {
    const failures = [fail(24.5)];
    const t = syntheticTimeline(secondsWithFailures(30, 10, 5, failures), {
      events: [event(24, 'pod-ready', 'Pod/ns/api-2'), event(24.1, 'endpoint-added', 'Service/ns/api')],
      failures,
    });
    const v = zeroDowntimeAssertion(opts()).evaluate(t);
    expect(v.evidence).toMatchObject({ unattributed: 1, byCause: [] });
  });

  it('honours a shorter lookback', () => {
    const failures = [fail(25)];
    const t = syntheticTimeline(secondsWithFailures(30, 10, 5, failures), { spans, events, failures });
    expect(zeroDowntimeAssertion(opts()).evaluate(t).evidence).toMatchObject({ unattributed: 0 });
    expect(zeroDowntimeAssertion(opts({ lookbackMs: 2000 })).evaluate(t).evidence).toMatchObject({
      unattributed: 1,
    });
  });

  it('judges only its scope and window', () => {
    const failures = [fail(5), fail(28)];
    const t = syntheticTimeline(secondsWithFailures(40, 10, 5, failures), { spans, events, failures });
    const during = zeroDowntimeAssertion(opts({ scope: 'during-fault' })).evaluate(t);
    expect(during).toMatchObject({
      name: 'zero-downtime [during-fault]',
      pass: true,
      window: { start: 20, end: 26 },
    });
    expect(zeroDowntimeAssertion(opts({ scope: 'baseline' })).evaluate(t).pass).toBe(false);
    expect(zeroDowntimeAssertion(opts({ scope: 'recovery' })).evaluate(t).pass).toBe(false);
    const windowed = zeroDowntimeAssertion(opts({ window: { startS: 10, endS: 20 } })).evaluate(t);
    expect(windowed).toMatchObject({ name: 'zero-downtime [10–20 s]', pass: true });
  });

  it('lists failed seconds with counts when many failed', () => {
    const failures = [
      ...Array.from({ length: 40 }, (_, i) => fail(20.03 + i * 0.02, 'refused')),
      ...Array.from({ length: 20 }, (_, i) => fail(21 + i * 0.04, 'status-5xx')),
    ];
    const t = syntheticTimeline(secondsWithFailures(30, 100, 5, failures), { spans, events, failures });
    const v = zeroDowntimeAssertion(opts({ maxListed: 50 })).evaluate(t);
    const ev = v.evidence as { seconds: unknown[]; failures?: unknown; byCause: unknown[] };
    expect(ev.failures).toBeUndefined();
    expect(ev.seconds).toEqual([
      {
        second: 20,
        failed: 40,
        errors: { refused: 40 },
        cause: expect.objectContaining({ kind: 'endpoint-removed', gapMs: 11 }),
      },
      {
        second: 21,
        failed: 20,
        errors: { 'status-5xx': 20 },
        cause: expect.objectContaining({ kind: 'endpoint-removed', gapMs: 981 }),
      },
    ]);
    expect(ev.byCause).toEqual([
      {
        t: 20.02,
        kind: 'endpoint-removed',
        object: 'Service/ns/api',
        failures: 60,
        minGapMs: 11,
        maxGapMs: 981,
      },
    ]);
    expect(v.observed).toMatch(/^60 of 3000 requests failed: 60 after endpoint-removed/);
  });

  it('falls back to the per-second series when the failure sample was capped', () => {
    // 30 failures in second 21, but only the first 5 were sampled.
    const all = Array.from({ length: 30 }, (_, i) => fail(21 + i * 0.03));
    const seconds = secondsWithFailures(30, 100, 5, all);
    const t = syntheticTimeline(seconds, { spans, events, failures: all.slice(0, 5) });
    const v = zeroDowntimeAssertion(opts({ scope: 'during-fault' })).evaluate(t);
    expect(v.pass).toBe(false);
    expect(v.window).toEqual({ start: 20, end: 26 });
    expect(v.evidence).toMatchObject({
      failed: 30,
      sampleComplete: false,
      seconds: [{ second: 21, failed: 30, cause: { kind: 'endpoint-removed' } }],
    });
  });

  it('attributes a failed second with no sampled failure to what happened in or before it', () => {
    // An older file: failures only in the series, none sampled.
    const seconds = steady(30, 10, 5);
    seconds[20] = { latencies: Array(7).fill(5), failed: 3, errors: { reset: 3 } };
    const t = syntheticTimeline(seconds, { spans, events });
    const v = zeroDowntimeAssertion(opts()).evaluate(t);
    // The earliest cause within second 20 is the chaos start itself.
    expect(v.evidence).toMatchObject({
      seconds: [{ second: 20, failed: 3, cause: { kind: 'chaos', gapMs: 1000 } }],
    });
  });

  it('is inconclusive without the phase or without requests', () => {
    const noFault = zeroDowntimeAssertion(opts({ scope: 'during-fault' })).evaluate(
      syntheticTimeline(steady(10, 10, 5)),
    );
    expect(noFault).toMatchObject({
      pass: false,
      inconclusive: true,
      observed: expect.stringMatching(/no during-fault phase/),
    });
    const empty = zeroDowntimeAssertion(opts()).evaluate(syntheticTimeline([{}, {}]));
    expect(empty).toMatchObject({
      pass: false,
      inconclusive: true,
      observed: expect.stringMatching(/no requests were sent/),
    });
  });
});
