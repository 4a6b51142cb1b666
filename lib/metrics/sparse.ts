/**
 * A second's histogram as its non-zero buckets only: [index, count, index, count, …]. A latency
 * histogram has ~18k buckets of which a second typically fills a few dozen, so merging these into a
 * window costs a few dozen additions instead of a full scan (or a base64 decode) per second. That
 * matters because the runner asks for a trailing window every second while the engine is sending.
 */
import type { JsHistogram } from 'hdr-histogram-js';

export type SparseHistogram = Uint32Array;

export function toSparse(h: JsHistogram): SparseHistogram {
  const n = h.countsArrayLength;
  let used = 0;
  for (let i = 0; i < n; i++) if (h.getCountAtIndex(i) > 0) used++;
  const out = new Uint32Array(used * 2);
  let k = 0;
  for (let i = 0; i < n && k < out.length; i++) {
    const c = h.getCountAtIndex(i);
    if (c > 0) {
      out[k++] = i;
      out[k++] = c;
    }
  }
  return out;
}

/** Add a sparse histogram into `acc`, which must have the standard shape (see histogram.ts). */
export function addSparse(acc: JsHistogram, s: SparseHistogram): void {
  let total = 0;
  for (let k = 0; k < s.length; k += 2) {
    acc.addToCountAtIndex(s[k]!, s[k + 1]!);
    total += s[k + 1]!;
  }
  acc.addToTotalCount(total);
}
