import { describe, expect, it } from 'vitest';
import { checkHeadroom, perUnit, recommendReplicas } from '../../lib/capacity/recommend.ts';

describe('planning figures', () => {
  it('divides the maximum rate by the units that served it', () => {
    expect(perUnit(300, 3)).toEqual({ rps: 100, units: 3 });
    expect(perUnit(300, 0.75)).toEqual({ rps: 400, units: 0.75 });
    expect(perUnit(300, null)).toBeNull();
    expect(perUnit(null, 3)).toBeNull();
    expect(perUnit(300, 0)).toBeNull();
  });

  it('plans each replica at no more than (1 − headroom) of its maximum', () => {
    const r = recommendReplicas(1000, 0.3, { rps: 100, units: 3 });
    // 1000 / (100 × 0.7) = 14.29 → 15 replicas, each at 66.7 req/s (66.7 % of its maximum).
    expect(r.replicas).toBe(15);
    expect(r.rpsPerReplicaAtTarget).toBeCloseTo(66.67, 2);
    expect(r.utilisation).toBeCloseTo(0.667, 3);
    expect(r.utilisation).toBeLessThanOrEqual(0.7);
    expect(r.formula).toBe('ceil(1000 / (100 × (1 − 0.3))) = 15');
    expect(r.assumption).toMatch(/linearly/);
  });

  it('does not round an exact fit up to one more replica', () => {
    expect(recommendReplicas(700, 0.3, { rps: 100, units: 1 }).replicas).toBe(10);
    expect(recommendReplicas(1000, 0, { rps: 100, units: 1 }).replicas).toBe(10);
  });

  it('needs at least one replica, and estimates cores from the per-core rate', () => {
    const r = recommendReplicas(10, 0.5, { rps: 400, units: 2 }, { rps: 500, units: 1.6 });
    expect(r.replicas).toBe(1);
    expect(r.cores).toBeCloseTo(0.02, 6);
  });

  it('rejects a headroom outside [0, 1) and a non-positive target', () => {
    expect(() => checkHeadroom(1)).toThrow(/headroom must be a share/);
    expect(() => checkHeadroom(-0.1)).toThrow(/headroom/);
    expect(() => recommendReplicas(0, 0.3, { rps: 1, units: 1 })).toThrow(/target rate must be/);
  });
});
