/**
 * Weighted request mix by smooth weighted round robin (the nginx upstream algorithm): every pick
 * adds each weight to its running score, takes the highest and subtracts the total from it. The
 * sequence is deterministic and spreads each request evenly (weights 5:1:1 give a a b a c a a,
 * not a a a a a b c), so every second of a run sees the mix, not only the whole run.
 */
export class WeightedMix {
  private readonly _weights: Float64Array;
  private readonly _scores: Float64Array;
  private readonly _total: number;

  constructor(weights: readonly number[]) {
    if (weights.length === 0) throw new RangeError('requests must list at least one request to send');
    weights.forEach((w, i) => {
      if (!(Number.isFinite(w) && w > 0)) {
        throw new RangeError(`requests[${i}].weight must be a finite number > 0 (got ${w})`);
      }
    });
    this._weights = Float64Array.from(weights);
    this._scores = new Float64Array(weights.length);
    this._total = weights.reduce((a, b) => a + b, 0);
  }

  /** Index of the next request to send. */
  next(): number {
    const n = this._weights.length;
    if (n === 1) return 0;
    const w = this._weights;
    const s = this._scores;
    let best = 0;
    for (let i = 0; i < n; i++) {
      s[i]! += w[i]!;
      if (s[i]! > s[best]!) best = i;
    }
    s[best]! -= this._total;
    return best;
  }
}
