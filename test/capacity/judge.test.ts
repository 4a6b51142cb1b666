import { describe, expect, it } from 'vitest';
import { judgeStep, type GeneratorObservation } from '../../lib/capacity/judge.ts';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import type { SlaCondition } from '../../lib/scenario/resolved.ts';

const p95: SlaCondition = { id: 'p95<100ms', metric: 'latency', percentile: 95, op: '<', value: 100 };
const errors: SlaCondition = { id: 'errors<1%', metric: 'error-rate', op: '<', value: 1 };

/** 100 requests per second for 5 s with the given latency; `failEvery` makes every n-th fail. */
function window(latencyMs: number, opts: { failEvery?: number; dropped?: number } = {}) {
  const m = new MetricsRecorder({ timeoutMs: 10_000 });
  for (let i = 0; i < 500; i++) {
    const at = i * 10;
    const ok = !(opts.failEvery && i % opts.failEvery === 0);
    m.intended(at);
    m.record({
      intendedAt: at,
      sentAt: at,
      doneAt: at + latencyMs,
      status: ok ? 200 : 503,
      ok,
      ...(ok ? {} : { error: 'status-5xx' as const }),
    });
  }
  for (let i = 0; i < (opts.dropped ?? 0); i++) {
    // The engine counts a dropped request as intended too.
    m.intended(4000 + i);
    m.dropped(4000 + i);
  }
  m.finish();
  return m.window(0, 5);
}

const onTime: GeneratorObservation = {
  issueLagP99Ms: 2,
  scheduleLagP99Ms: 3,
  connectWaitP99Ms: 1,
  eventLoopDelayP99Ms: 4,
  cpuPct: 20,
};

describe('judging a step', () => {
  it('passes when every SLA holds and the generator kept its schedule', () => {
    const j = judgeStep({ model: 'open', window: window(20), conditions: [p95, errors], generator: onTime });
    expect(j.status).toBe('pass');
    expect(j.reasons).toEqual([]);
    expect(j.sla.map((s) => s.pass)).toEqual([true, true]);
    expect(j.generator.onSchedule).toBe(true);
  });

  it('fails on a broken SLA, naming the SLA and the observed value', () => {
    const j = judgeStep({ model: 'open', window: window(150), conditions: [p95, errors], generator: onTime });
    expect(j.status).toBe('fail');
    expect(j.reasons).toHaveLength(1);
    expect(j.reasons[0]).toMatch(/^p95<100ms: p95 latency was 150\.\d+ ms/);
    const e = judgeStep({
      model: 'open',
      window: window(20, { failEvery: 10 }),
      conditions: [p95, errors],
      generator: onTime,
    });
    expect(e.reasons[0]).toMatch(/^errors<1%: error rate was 10 % \(50 of 500 failed\)/);
  });

  it('marks the step invalid when the generator issued requests late, whatever the SLA says', () => {
    const late = { ...onTime, issueLagP99Ms: 120 };
    const j = judgeStep({ model: 'open', window: window(150), conditions: [p95], generator: late });
    expect(j.status).toBe('invalid');
    expect(j.reasons[0]).toMatch(/generator-limited: the generator issued requests late: p99 120 ms/);
    expect(j.generator.onSchedule).toBe(false);
  });

  it('counts a long wait for a connection as the target holding it, not as the generator', () => {
    const waiting = { ...onTime, scheduleLagP99Ms: 800, connectWaitP99Ms: 798 };
    const j = judgeStep({ model: 'open', window: window(900), conditions: [p95], generator: waiting });
    expect(j.status).toBe('fail');
  });

  it('counts drops at the in-flight cap with an on-time generator as the target failing', () => {
    const j = judgeStep({
      model: 'open',
      window: window(20, { dropped: 50 }),
      conditions: [p95],
      generator: onTime,
    });
    expect(j.status).toBe('fail');
    expect(j.reasons[0]).toMatch(
      /50 of 550 requests dropped .* at the in-flight cap while the generator kept its schedule/,
    );
  });

  it('falls back to the schedule lag when the engine does not report dispatch times', () => {
    const noDispatch = { ...onTime, issueLagP99Ms: null, connectWaitP99Ms: null, scheduleLagP99Ms: 80 };
    expect(
      judgeStep({ model: 'open', window: window(20), conditions: [p95], generator: noDispatch }).status,
    ).toBe('invalid');
  });

  it('uses the event-loop delay in the closed model, and the caller’s limit', () => {
    const stalled = { ...onTime, issueLagP99Ms: null, eventLoopDelayP99Ms: 70 };
    expect(
      judgeStep({ model: 'closed', window: window(20), conditions: [p95], generator: stalled }).status,
    ).toBe('invalid');
    expect(
      judgeStep({ model: 'open', window: window(20), conditions: [p95], generator: stalled }).status,
    ).toBe('pass');
    expect(
      judgeStep({
        model: 'closed',
        window: window(20),
        conditions: [p95],
        generator: stalled,
        limits: { maxDroppedPct: 0.1, maxScheduleLagP99Ms: 100 },
      }).status,
    ).toBe('pass');
  });

  it('fails a step whose requests fail fast when no SLA judges errors', () => {
    const fast = window(5, { failEvery: 20 });
    const j = judgeStep({ model: 'open', window: fast, conditions: [p95], generator: onTime });
    expect(j.status).toBe('fail');
    expect(j.reasons[0]).toMatch(/25 of 500 requests failed \(5 %\): with no error SLA given/);
    // With an error SLA, that SLA alone decides.
    const lenient: SlaCondition = { id: 'errors<10%', metric: 'error-rate', op: '<', value: 10 };
    expect(
      judgeStep({ model: 'open', window: fast, conditions: [p95, lenient], generator: onTime }).status,
    ).toBe('pass');
  });

  it('fails a step in which nothing completed', () => {
    const empty = new MetricsRecorder({ timeoutMs: 1000 }).window(0, 5);
    const j = judgeStep({ model: 'open', window: empty, conditions: [p95], generator: onTime });
    expect(j.status).toBe('fail');
    expect(j.reasons[0]).toMatch(/no request completed/);
  });
});
