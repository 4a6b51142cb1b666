import { describe, expect, it } from 'vitest';
import { WeightedMix } from '../../lib/load/mix.ts';

describe('WeightedMix', () => {
  it('interleaves smoothly: weights 5:1:1 give a a b a c a a', () => {
    const mix = new WeightedMix([5, 1, 1]);
    const seq = Array.from({ length: 14 }, () => 'abc'[mix.next()]).join('');
    expect(seq).toBe('aabacaa'.repeat(2));
  });

  it('hits fractional weights in exact proportion over whole cycles', () => {
    const mix = new WeightedMix([0.5, 0.25, 0.25]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 1000; i++) counts[mix.next()]!++;
    expect(counts).toEqual([500, 250, 250]);
  });

  it('rejects weights that cannot be mixed', () => {
    expect(() => new WeightedMix([])).toThrow(/at least one request/);
    expect(() => new WeightedMix([1, 0])).toThrow(/requests\[1\]\.weight must be a finite number > 0/);
  });
});
