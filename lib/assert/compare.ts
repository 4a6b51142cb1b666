import type { Comparison } from '../scenario/resolved.ts';

export function compare(observed: number, op: Comparison, limit: number): boolean {
  switch (op) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
  }
}

/** Numbers for people: no float noise, thousands separated. */
export function fmt(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return String(n);
  const r = +n.toFixed(digits);
  return Math.abs(r) >= 10_000 ? r.toLocaleString('en-US') : String(r);
}

export function pct(part: number, whole: number): number {
  return whole > 0 ? (part / whole) * 100 : 0;
}
