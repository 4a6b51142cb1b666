import { describe, expect, it } from 'vitest';
import { recoveryTimeAssertion } from '../../lib/assert/recovery.ts';
import type { ResolvedRecoveryTime, SlaCondition } from '../../lib/scenario/resolved.ts';
import { type ParsedSlaText, parseSlaText, slaId } from '../../lib/scenario/sla-text.ts';
import { type SyntheticSecond, chaosSpan, steady, syntheticTimeline } from './synthetic.ts';

const cond = (text: string): SlaCondition => {
  const p = parseSlaText(text) as ParsedSlaText;
  return { id: slaId(p), ...p };
};

const cfg = (o: Partial<ResolvedRecoveryTime> = {}): ResolvedRecoveryTime => ({
  kind: 'recovery-time',
  withinMs: 30_000,
  sla: [cond('p95<100ms')],
  stableForS: 5,
  fault: null,
  ...o,
});

/** `good` seconds at 10 ms, then `bad` at 500 ms, then `good2` at 10 ms. */
const shape = (good: number, bad: number, good2: number): SyntheticSecond[] => [
  ...steady(good, 20, 10),
  ...steady(bad, 20, 500),
  ...steady(good2, 20, 10),
];

interface FaultEvidence {
  outcome: string;
  recoveryS: number | null;
  stableFrom: number | null;
  breaches: { second: number; why: string }[];
}
const faults = (v: { evidence?: unknown }) => (v.evidence as { faults: FaultEvidence[] }).faults;

describe('recovery-time', () => {
  it('measures from the fault end to the first stable run of healthy seconds', () => {
    // Fault 10–20.4 s; latency stays bad until second 22, healthy from 23.
    const t = syntheticTimeline(shape(10, 13, 20), { spans: [chaosSpan('pod-kill', 10, 20.4)] });
    const v = recoveryTimeAssertion(cfg()).evaluate(t);
    expect(v.pass).toBe(true);
    expect(v.claim).toBe('after each fault ends, p95 latency < 100 ms for 5 consecutive seconds within 30 s');
    expect(v.observed).toBe(
      "pod-kill 'pod-kill' (ended 20.4 s): back within the SLA after 2.6 s (stable from 23 s)",
    );
    expect(faults(v)[0]).toMatchObject({ outcome: 'recovered', recoveryS: 2.6, stableFrom: 23 });
    expect(faults(v)[0]?.breaches.map((b) => b.second)).toEqual([20, 21, 22]);
    expect(faults(v)[0]?.breaches[0]?.why).toBe('p95<100ms: 500 (20 requests)');
  });

  it('fails when recovery took longer than allowed, and says how long it took', () => {
    const t = syntheticTimeline(shape(10, 13, 20), { spans: [chaosSpan('pod-kill', 10, 20)] });
    const v = recoveryTimeAssertion(cfg({ withinMs: 2000 })).evaluate(t);
    expect(v.pass).toBe(false);
    expect(v.inconclusive).toBeUndefined();
    expect(faults(v)[0]).toMatchObject({ outcome: 'too-slow', recoveryS: 3 });
  });

  it('gives 0 s when the target never degraded', () => {
    const t = syntheticTimeline(steady(30, 20, 10), { spans: [chaosSpan('pod-kill', 10, 12.5)] });
    const v = recoveryTimeAssertion(cfg()).evaluate(t);
    expect(v.pass).toBe(true);
    expect(faults(v)[0]).toMatchObject({ recoveryS: 0, stableFrom: 12 });
  });

  it('needs N consecutive healthy seconds: a relapse restarts the count', () => {
    const seconds = [...shape(10, 10, 3), ...steady(1, 20, 500), ...steady(10, 20, 10)];
    const t = syntheticTimeline(seconds, { spans: [chaosSpan('pod-kill', 5, 20)] });
    expect(faults(recoveryTimeAssertion(cfg()).evaluate(t))[0]).toMatchObject({
      stableFrom: 24,
      recoveryS: 4,
    });
    expect(faults(recoveryTimeAssertion(cfg({ stableForS: 3 })).evaluate(t))[0]).toMatchObject({
      stableFrom: 20,
      recoveryS: 0,
    });
  });

  it('judges every condition, and a second without completed requests is not healthy', () => {
    const seconds = steady(40, 100, 10);
    seconds[21] = { latencies: Array(99).fill(10), failed: 1 };
    seconds[23] = {};
    const t = syntheticTimeline(seconds, { spans: [chaosSpan('pod-kill', 10, 20)] });
    const v = recoveryTimeAssertion(cfg({ sla: [cond('p95<100ms'), cond('errors<0.1%')] })).evaluate(t);
    expect(v.claim).toMatch(/p95 latency < 100 ms and error rate < 0.1 %/);
    expect(faults(v)[0]).toMatchObject({ outcome: 'recovered', stableFrom: 24, recoveryS: 4 });
    expect(faults(v)[0]?.breaches).toEqual([
      { second: 21, why: 'errors<0.1%: 1 (1 of 100 failed)' },
      { second: 23, why: 'no completed requests' },
    ]);
  });

  it('fails when the target never recovers within the limit and the run went on long enough', () => {
    const t = syntheticTimeline(shape(10, 40, 0), { spans: [chaosSpan('zone-outage', 10, 20)] });
    const v = recoveryTimeAssertion(cfg({ withinMs: 10_000 })).evaluate(t);
    expect(v).toMatchObject({ pass: false });
    expect(v.inconclusive).toBeUndefined();
    expect(faults(v)[0]?.outcome).toBe('not-recovered');
    expect(v.observed).toMatch(/not back within the SLA for 5 s within 10 s \(e\.g\. 20 s: p95<100ms: 500/);
  });

  it('is inconclusive when the run ended before it could tell', () => {
    const t = syntheticTimeline(shape(10, 13, 2), { spans: [chaosSpan('pod-kill', 10, 20)] });
    const v = recoveryTimeAssertion(cfg()).evaluate(t);
    expect(v).toMatchObject({ pass: false, inconclusive: true });
    expect(faults(v)[0]?.outcome).toBe('run-ended');
  });

  it('is inconclusive when a fault never ended or there was none', () => {
    const open = syntheticTimeline(steady(30, 20, 10), { spans: [chaosSpan('node-drain', 10, null)] });
    const v = recoveryTimeAssertion(cfg()).evaluate(open);
    expect(v).toMatchObject({ pass: false, inconclusive: true });
    expect(v.observed).toMatch(/had not ended when the run ended/);
    const none = recoveryTimeAssertion(cfg()).evaluate(syntheticTimeline(steady(30, 20, 10)));
    expect(none).toMatchObject({ inconclusive: true, observed: 'no fault was injected in this run' });
  });

  it('judges each fault, or only the named one', () => {
    const seconds = [...shape(10, 3, 17), ...steady(20, 20, 500)];
    const spans = [
      chaosSpan('kill api pod', 10, 12, 'pod-kill'),
      chaosSpan('drain node', 30, 35, 'node-drain'),
    ];
    const t = syntheticTimeline(seconds, { spans });
    const all = recoveryTimeAssertion(cfg({ withinMs: 5000 })).evaluate(t);
    expect(all.pass).toBe(false);
    expect(faults(all).map((f) => f.outcome)).toEqual(['recovered', 'not-recovered']);
    const podKill = recoveryTimeAssertion(cfg({ withinMs: 5000, fault: 'pod-kill' })).evaluate(t);
    expect(podKill).toMatchObject({ name: 'recovery-time [pod-kill]', pass: true });
    const byName = recoveryTimeAssertion(cfg({ fault: 'drain node' })).evaluate(t);
    expect(faults(byName)).toHaveLength(1);
    const missing = recoveryTimeAssertion(cfg({ fault: 'zone-outage' })).evaluate(t);
    expect(missing).toMatchObject({ inconclusive: true, observed: "no fault 'zone-outage' in this run" });
  });
});
