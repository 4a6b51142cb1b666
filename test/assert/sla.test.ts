import { describe, expect, it } from 'vitest';
import { assertionsFor, generatorHealthAssertion, judge, slaAssertion } from '../../lib/assert/index.ts';
import { phaseWindow } from '../../lib/assert/phases.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import type { ResolvedSla } from '../../lib/scenario/resolved.ts';
import { steady, syntheticTimeline } from './synthetic.ts';

function sla(text: string, extra: Record<string, unknown> = {}, duration = '60s'): ResolvedSla {
  const s = resolveScenario({
    name: 't',
    target: 'http://127.0.0.1:1',
    requests: [{ path: '/' }],
    load: { kind: 'constant-arrival-rate', rate: 10, duration },
    slas: [{ sla: text, ...extra }],
  });
  return s.slas[0] as ResolvedSla;
}

describe('latency SLA', () => {
  it('passes and fails on the exact percentile', () => {
    // 100 requests: 94 at 10 ms, 6 at 500 ms → p95 is 500 ms, p90 is 10 ms.
    const t = syntheticTimeline([{ latencies: [...Array(94).fill(10), ...Array(6).fill(500)] }]);
    const p95 = slaAssertion(sla('p95<100ms')).evaluate(t);
    expect(p95.pass).toBe(false);
    expect(p95.observed).toMatch(/p95 latency = 500 ms/);
    expect(p95.claim).toBe('p95 latency < 100 ms (0–1 s)');
    expect(slaAssertion(sla('p90<100ms')).evaluate(t).pass).toBe(true);
  });

  it('judges only its window', () => {
    const seconds = [...steady(10, 10, 20), ...steady(5, 10, 900), ...steady(10, 10, 20)];
    const t = syntheticTimeline(seconds);
    expect(slaAssertion(sla('p99<100ms')).evaluate(t).pass).toBe(false);
    const early = slaAssertion(sla('p99<100ms', { window: { start: '0s', end: '10s' } })).evaluate(t);
    expect(early.pass).toBe(true);
    expect(early.window).toEqual({ start: 0, end: 10 });
    const late = slaAssertion(sla('p99<100ms', { window: { start: '15s' } })).evaluate(t);
    expect(late.pass).toBe(true);
    expect(late.window).toEqual({ start: 15, end: 25 });
  });

  it('fails with a clear message when the window has no data', () => {
    const t = syntheticTimeline([{}, {}]);
    const v = slaAssertion(sla('p95<100ms')).evaluate(t);
    expect(v.pass).toBe(false);
    expect(v.observed).toBe('no completed requests in the window');
  });
});

describe('rate SLAs', () => {
  const t = syntheticTimeline([
    { ok: 998, failed: 2, latencies: [1] },
    { ok: 1000, latencies: [1] },
  ]);
  it('error rate counts failed of completed', () => {
    const v = slaAssertion(sla('errors<0.1%')).evaluate(t);
    // 0.1 % exactly is not below 0.1 %: the comparison is strict as written.
    expect(v.pass).toBe(false);
    expect(v.observed).toBe('error rate = 0.1 % (2 of 2000 failed)');
    expect(slaAssertion(sla('errors<=0.1%')).evaluate(t).pass).toBe(true);
    expect(slaAssertion(sla('errors<0.2%')).evaluate(t).pass).toBe(true);
  });
  it('availability counts ok of completed', () => {
    expect(slaAssertion(sla('availability>=99.9%')).evaluate(t).pass).toBe(true);
    expect(slaAssertion(sla('availability>=99.95%')).evaluate(t).pass).toBe(false);
  });
  it('achieved rate compares sent with intended', () => {
    const t2 = syntheticTimeline([{ intended: 100, sent: 90, ok: 90 }]);
    const v = slaAssertion(sla('achieved>=95%')).evaluate(t2);
    expect(v.pass).toBe(false);
    expect(v.observed).toMatch(/90 of 100 intended sent/);
  });
});

describe('phases', () => {
  const spans = [{ kind: 'chaos', name: 'pod-kill', start: 10, end: 20 }];
  it('derives baseline, during-fault and recovery from chaos spans', () => {
    expect(phaseWindow('baseline', spans, 30)).toEqual({ start: 0, end: 10 });
    expect(phaseWindow('during-fault', spans, 30)).toEqual({ start: 10, end: 20 });
    expect(phaseWindow('recovery', spans, 30)).toEqual({ start: 20, end: 30 });
    expect(phaseWindow('during-fault', [], 30)).toBeNull();
  });
  it('scopes an SLA to a phase', () => {
    const t = syntheticTimeline([...steady(10, 10, 10), ...steady(10, 10, 400), ...steady(10, 10, 10)], {
      spans,
    });
    expect(slaAssertion(sla('p95<100ms', { scope: 'baseline' })).evaluate(t).pass).toBe(true);
    expect(slaAssertion(sla('p95<100ms', { scope: 'during-fault' })).evaluate(t).pass).toBe(false);
    expect(slaAssertion(sla('p95<100ms', { scope: 'recovery' })).evaluate(t).pass).toBe(true);
  });
  it('is inconclusive when the phase does not exist', () => {
    const v = slaAssertion(sla('p95<100ms', { scope: 'recovery' })).evaluate(
      syntheticTimeline(steady(5, 1, 1)),
    );
    expect(v).toMatchObject({ pass: false, inconclusive: true });
  });
});

describe('generator health and judgement', () => {
  it('flags drops and schedule lag, and marks failing SLA verdicts inconclusive', () => {
    const t = syntheticTimeline([
      { intended: 1000, sent: 900, dropped: 100, latencies: Array(900).fill(500) },
    ]);
    const health = generatorHealthAssertion().evaluate(t);
    expect(health.pass).toBe(false);
    expect(health.observed).toMatch(/100 of 1000 requests dropped/);
    const s = resolveScenario({
      name: 't',
      target: 'http://127.0.0.1:1',
      requests: [{ path: '/' }],
      load: { kind: 'constant-arrival-rate', rate: 1, duration: '1s' },
      slas: ['p95<100ms', 'errors<1%'],
    });
    const j = judge(assertionsFor(s), t);
    expect(j.valid).toBe(false);
    expect(j.pass).toBe(false);
    expect(j.verdicts.find((v) => v.name === 'p95<100ms')).toMatchObject({ pass: false, inconclusive: true });
    expect(j.verdicts.find((v) => v.name === 'errors<1%')).toMatchObject({ pass: true });
  });
  it('flags a lagging schedule', () => {
    const t = syntheticTimeline(steady(2, 10, 1), { load: { scheduleLagMs: { p50: 5, p99: 80, max: 200 } } });
    expect(generatorHealthAssertion().evaluate(t).observed).toMatch(/schedule lag p99 80 ms/);
  });
  it('passes a healthy run', () => {
    const s = resolveScenario({
      name: 't',
      target: 'http://127.0.0.1:1',
      requests: [{ path: '/' }],
      load: { kind: 'constant-arrival-rate', rate: 1, duration: '3s' },
      slas: ['p95<100ms'],
    });
    const j = judge(assertionsFor(s), syntheticTimeline(steady(3, 100, 5)));
    expect(j).toMatchObject({ valid: true, pass: true });
  });
});
