/**
 * Milli-unit quantities as the HPA uses them: `resource.Quantity.MilliValue()` (rounds up) to read
 * requests and targets, and `NewMilliQuantity(n, DecimalSI).String()` to write `averageValue`.
 */
import { parseQuantity } from '../scheduler/quantity.ts';

/** `250m` → 250, `1` → 1000, `128Mi` → 134217728000; fractions of a milli round up like upstream. */
export function milliValue(q: unknown): number {
  // toFixed absorbs binary noise (0.1 * 1000 = 100.00000000000001) before rounding up.
  return Math.ceil(Number((parseQuantity(q) * 1000).toFixed(6)));
}

/** True for a string or number that parses as a Kubernetes quantity. */
export function isQuantity(q: unknown): boolean {
  if (typeof q === 'number') return Number.isFinite(q);
  return (
    typeof q === 'string' &&
    /^[+-]?\d*\.?\d+(?:[eE][+-]?\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.test(q.trim())
  );
}

const kDecimalSuffixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** Canonical DecimalSI text of a milli value: 250 → `250m`, 1000 → `1`, 1500 → `1500m`, 2e6 → `2k`. */
export function formatMilliQuantity(milli: number): string {
  const n = Math.trunc(milli);
  if (n === 0) return '0';
  if (n % 1000 !== 0) return `${n}m`;
  let v = n / 1000;
  let i = 0;
  while (v % 1000 === 0 && i < kDecimalSuffixes.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v}${kDecimalSuffixes[i]}`;
}
