import { describe, expect, it } from 'vitest';
import { arrivalTimeMs, createArrivalSchedule, type ArrivalProfile } from '../../lib/load/schedule.ts';

const ramp = (startRate: number, ...stages: [number, number][]): ArrivalProfile => ({
  kind: 'ramping-arrival-rate',
  startRate,
  stages: stages.map(([target, durationMs]) => ({ target, durationMs })),
});

/** Expected arrivals by time t (ms), integrating the piecewise-linear rate numerically. */
function integral(p: ArrivalProfile, t: number): number {
  const steps = 20_000;
  const total = createArrivalSchedule(p).durationMs;
  const rateAt = (x: number): number => {
    if (p.kind === 'constant-arrival-rate') return p.rate;
    let from = p.startRate;
    let start = 0;
    for (const s of p.stages) {
      if (x < start + s.durationMs) return from + ((s.target - from) * (x - start)) / s.durationMs;
      start += s.durationMs;
      from = s.target;
    }
    return from;
  };
  let n = 0;
  const dt = Math.min(t, total) / steps;
  for (let k = 0; k < steps; k++) n += (rateAt((k + 0.5) * dt) * dt) / 1000;
  return n;
}

describe('arrival schedule', () => {
  it('spaces a constant rate evenly: 200 req/s × 2 s = 400 requests, 5 ms apart', () => {
    const s = createArrivalSchedule({ kind: 'constant-arrival-rate', rate: 200, durationMs: 2000 });
    expect(s.total).toBe(400);
    expect(s.timeOf(0)).toBe(0);
    expect(s.timeOf(1)).toBeCloseTo(5, 9);
    expect(s.timeOf(399)).toBeCloseTo(1995, 9);
    expect(() => s.timeOf(400)).toThrow(/outside 0\.\.399/);
  });

  it('does not invent a request from floating error at the end', () => {
    expect(
      createArrivalSchedule({ kind: 'constant-arrival-rate', rate: 0.3, durationMs: 10_000 }).total,
    ).toBe(3);
    expect(createArrivalSchedule({ kind: 'constant-arrival-rate', rate: 3.3, durationMs: 1000 }).total).toBe(
      4,
    );
    expect(createArrivalSchedule({ kind: 'constant-arrival-rate', rate: 0, durationMs: 1000 }).total).toBe(0);
  });

  it('inverts the quadratic count of a ramp from zero exactly', () => {
    // 0 → 100 req/s over 10 s: N(t) = 100·t²/(2·10 s), so request i is due at sqrt(200000·i) ms.
    const p = ramp(0, [100, 10_000]);
    const s = createArrivalSchedule(p);
    expect(s.total).toBe(500);
    expect(s.timeOf(125)).toBeCloseTo(5000, 6);
    for (const i of [1, 7, 50, 333, 499]) expect(s.timeOf(i)).toBeCloseTo(Math.sqrt(200_000 * i), 6);
  });

  it('matches the integral of the rate across ramps up, down, holds and pauses', () => {
    const p = ramp(10, [50, 2000], [50, 1000], [0, 3000], [0, 500], [20, 1500]);
    const s = createArrivalSchedule(p);
    expect(s.durationMs).toBe(8000);
    expect(s.total).toBe(Math.ceil(integral(p, 8000) - 1e-6));
    let prev = -1;
    for (let i = 0; i < s.total; i++) {
      const t = s.timeOf(i);
      expect(t).toBeGreaterThan(prev);
      expect(t).toBeLessThanOrEqual(8000);
      // Request i is due when i arrivals are expected: the inverse of the count integral.
      expect(integral(p, t)).toBeCloseTo(i, 2);
      prev = t;
    }
    // Nothing is scheduled in the pause between 6 s and 6.5 s.
    const times = Array.from({ length: s.total }, (_, i) => s.timeOf(i));
    expect(times.filter((t) => t > 6000 && t < 6500)).toEqual([]);
  });

  it('gives the same times in any access order', () => {
    const p = ramp(5, [100, 3000], [20, 2000]);
    const s = createArrivalSchedule(p);
    const forward = Array.from({ length: s.total }, (_, i) => s.timeOf(i));
    for (const i of [s.total - 1, 0, 200, 17, s.total - 2]) expect(s.timeOf(i)).toBe(forward[i]);
    expect(arrivalTimeMs(p, 200)).toBe(forward[200]);
  });

  it('names the offending field of a bad profile', () => {
    expect(() =>
      createArrivalSchedule({ kind: 'constant-arrival-rate', rate: Number.NaN, durationMs: 1 }),
    ).toThrow(/profile\.rate must be a finite rate/);
    expect(() => createArrivalSchedule(ramp(1, [10, -5]))).toThrow(/profile\.stages\[0\]\.durationMs/);
    expect(() => createArrivalSchedule(ramp(1))).toThrow(/profile\.stages must be a non-empty list/);
  });
});
