/**
 * The whole search (steps, judging, bisection, figures, capacity.json) on a simulated target: an
 * engine that reports what a target with a known knee would answer, so every outcome is exact.
 */
import { describe, expect, it } from 'vitest';
import { runCapacity, type CapacityOptions } from '../../lib/capacity/search.ts';
import type { CapacityStep } from '../../lib/capacity/schema.ts';
import type { LoadEngine } from '../../lib/load/engine.ts';

interface Answer {
  /** Requests per second the target completes. */
  readonly rps: number;
  readonly latencyMs: number;
  /** How late the generator issued each request, ms. */
  readonly issueLagMs?: number;
}

/** An engine standing in for load plus target: `answer(level)` says how the target behaves. */
function simulated(answer: (level: number) => Answer): LoadEngine {
  return {
    name: 'simulated',
    supports: () => true,
    async run(plan, ctx) {
      const p = plan.profile;
      const level = p.kind === 'closed' ? p.connections : p.kind === 'constant-arrival-rate' ? p.rate : 0;
      const durationMs = p.kind === 'ramping-arrival-rate' ? 0 : p.durationMs;
      const a = answer(level);
      const n = Math.round((a.rps * durationMs) / 1000);
      for (let i = 0; i < n; i++) {
        const intendedAt = (i * 1000) / a.rps;
        const dispatchedAt = intendedAt + (a.issueLagMs ?? 0.5);
        ctx.metrics.intended(intendedAt);
        ctx.metrics.record({
          intendedAt,
          dispatchedAt,
          sentAt: dispatchedAt + 0.2,
          doneAt: intendedAt + a.latencyMs,
          status: 200,
          ok: true,
        });
      }
      return {
        engine: 'simulated',
        model: p.kind === 'closed' ? 'closed' : 'open',
        scheduleLagMs: { p50: 0, p99: 0, max: 0 },
      };
    },
  };
}

/** Open model: 20 ms up to 250 req/s, 800 ms beyond. */
const knee250 = simulated((rate) => ({ rps: rate, latencyMs: rate <= 250 ? 20 : 800 }));

function options(engine: LoadEngine, over: Partial<CapacityOptions> = {}): CapacityOptions {
  return {
    scenario: { name: 'simulated', file: null },
    url: 'http://127.0.0.1:9',
    requests: [],
    load: { maxInFlight: 100, timeoutMs: 5000, maxScheduleLagMs: 1000, connections: 100 },
    engine,
    model: 'open',
    plan: { start: 100, max: 1000, growth: { kind: 'add', step: 100 }, integer: false },
    bisect: null,
    holdMs: 4000,
    warmupMs: 1000,
    conditions: [{ id: 'p95<100ms', metric: 'latency', percentile: 95, op: '<', value: 100 }],
    headroom: 0.3,
    ...over,
  };
}

const levels = (steps: readonly CapacityStep[]) => steps.map((s) => `${s.phase}:${s.level}:${s.status}`);

describe('the capacity search on a simulated target', () => {
  it('climbs to the first broken step and reports the knee, judging only the hold', async () => {
    const started: number[] = [];
    const seen: number[] = [];
    const r = await runCapacity(
      options(knee250, {
        onStepStart: (_i, level) => started.push(level),
        onStep: (s) => seen.push(s.level),
      }),
    );
    expect(levels(r.steps)).toEqual(['step:100:pass', 'step:200:pass', 'step:300:fail']);
    expect(started).toEqual([100, 200, 300]);
    expect(seen).toEqual([100, 200, 300]);
    expect(r).toMatchObject({
      outcome: 'knee',
      maxSustainableRps: 200,
      firstBrokenLevel: 300,
      lowerBound: false,
    });
    expect(r.headline).toMatch(
      /^Maximum sustainable rate at the SLA: 200 req\/s; 300 req\/s broke it \(p95<100ms: p95 latency was 80\d(\.\d+)? ms \(1200 requests\)\)\.$/,
    );
    // The hold is seconds 1–5 of the step: 4 s × 200 req/s.
    expect(r.steps[1]).toMatchObject({
      judged: { start: 1, end: 5 },
      achievedRps: 200,
      requests: { sent: 800 },
    });
    expect(r.steps[1]?.generator).toMatchObject({
      onSchedule: true,
      issueLagP99Ms: 0.5,
      connectWaitP99Ms: 0.2,
    });
  });

  it('bisects the bracket within its step budget', async () => {
    const r = await runCapacity(options(knee250, { bisect: { maxSteps: 3, resolution: 0.02 } }));
    expect(levels(r.steps)).toEqual([
      'step:100:pass',
      'step:200:pass',
      'step:300:fail',
      'bisect:250:pass',
      'bisect:275:fail',
      'bisect:262.5:fail',
    ]);
    expect(r).toMatchObject({ outcome: 'knee', maxSustainableRps: 250, firstBrokenLevel: 262.5 });
  });

  it('ends generator-limited when the generator falls behind before the SLA breaks', async () => {
    const lagging = simulated((rate) => ({ rps: rate, latencyMs: 20, issueLagMs: rate >= 300 ? 120 : 1 }));
    const r = await runCapacity(options(lagging, { bisect: { maxSteps: 3, resolution: 0.02 } }));
    // Run twice: one stall of a busy machine would have passed on the second run.
    expect(levels(r.steps)).toEqual([
      'step:100:pass',
      'step:200:pass',
      'step:300:invalid',
      'step:300:invalid',
    ]);
    expect(r).toMatchObject({
      outcome: 'generator-limited',
      maxSustainableRps: 200,
      lowerBound: true,
      generatorLimitedAt: 300,
      firstBrokenLevel: null,
    });
    expect(r.headline).toMatch(
      /could not keep the schedule at 300 req\/s before the SLA broke: the target sustained at least 200 req\/s/,
    );
  });

  it('reruns a step the generator stalled in, and goes on when the rerun is clean', async () => {
    let stalled = false;
    const once = simulated((rate) => {
      if (rate === 200 && !stalled) {
        stalled = true;
        return { rps: rate, latencyMs: 20, issueLagMs: 400 };
      }
      return { rps: rate, latencyMs: rate <= 250 ? 20 : 800 };
    });
    const retries: boolean[] = [];
    const r = await runCapacity(options(once, { onStepStart: (_i, _l, _p, retry) => retries.push(retry) }));
    expect(levels(r.steps)).toEqual(['step:100:pass', 'step:200:invalid', 'step:200:pass', 'step:300:fail']);
    expect(retries).toEqual([false, false, true, false]);
    expect(r).toMatchObject({ outcome: 'knee', maxSustainableRps: 200, generatorLimitedAt: null });
  });

  it('says the maximum was reached when the SLA held at every step', async () => {
    const r = await runCapacity(
      options(knee250, {
        plan: { start: 50, max: 200, growth: { kind: 'multiply', factor: 2 }, integer: false },
      }),
    );
    expect(levels(r.steps)).toEqual(['step:50:pass', 'step:100:pass', 'step:200:pass']);
    expect(r).toMatchObject({ outcome: 'max-reached', maxSustainableRps: 200, lowerBound: true });
    expect(r.headline).toMatch(/held up to the maximum step, 200 req\/s: .* raise --max/);
  });

  it('reports a break at the first step with no rate', async () => {
    const r = await runCapacity(
      options(knee250, {
        plan: { start: 400, max: 800, growth: { kind: 'add', step: 100 }, integer: false },
      }),
    );
    expect(r).toMatchObject({
      outcome: 'broken-at-start',
      maxSustainableRps: null,
      perReplica: null,
      firstBrokenLevel: 400,
    });
  });

  it('stops when interrupted and keeps what it knows', async () => {
    const stop = new AbortController();
    const r = await runCapacity(
      options(knee250, { signal: stop.signal, onStep: (s) => s.level === 100 && stop.abort() }),
    );
    expect(levels(r.steps)).toEqual(['step:100:pass']);
    expect(r).toMatchObject({ outcome: 'interrupted', maxSustainableRps: 100, lowerBound: true });
  });

  it('turns the maximum into per-replica figures and a replica count', async () => {
    const r = await runCapacity(options(knee250, { replicas: 2, targetRps: 1000, headroom: 0.3 }));
    expect(r.perReplica).toEqual({ rps: 100, units: 2 });
    expect(r.perCore).toBeNull();
    expect(r.recommendation).toMatchObject({
      targetRps: 1000,
      headroomPct: 30,
      replicas: 15,
      utilisationPct: 66.67,
    });
    expect(r.notes.join('\n')).toMatch(
      /rate per replica and replica recommendation: throughput is assumed to scale linearly/,
    );
    const unknown = await runCapacity(options(knee250, { targetRps: 1000 }));
    expect(unknown.recommendation).toBeNull();
    expect(unknown.notes.join('\n')).toMatch(
      /the number of replicas is unknown \(a URL target: pass --replicas N\)/,
    );
  });

  it('takes the fastest good step in the closed model, which need not be the last', async () => {
    // Throughput peaks at 8 connections and falls as more queue; latency follows Little's law.
    const rps: Record<number, number> = { 4: 200, 8: 300, 12: 280, 16: 260 };
    const closed = simulated((n) => ({ rps: rps[n] ?? 250, latencyMs: (n / (rps[n] ?? 250)) * 1000 }));
    const r = await runCapacity(
      options(closed, {
        model: 'closed',
        plan: { start: 4, max: 40, growth: { kind: 'add', step: 4 }, integer: true },
        conditions: [{ id: 'p95<50ms', metric: 'latency', percentile: 95, op: '<', value: 50 }],
      }),
    );
    expect(levels(r.steps)).toEqual(['step:4:pass', 'step:8:pass', 'step:12:pass', 'step:16:fail']);
    expect(r).toMatchObject({ outcome: 'knee', maxSustainableRps: 300, firstBrokenLevel: 16 });
    expect(r.headline).toMatch(
      /^Maximum sustainable rate at the SLA: 300 req\/s \(at 8 connections\); 16 connections broke it/,
    );
  });
});
