/**
 * Small text formatters shared by the renderers, so a number reads the same in the terminal, in
 * Markdown and in JUnit messages.
 */
import type { RunResult, Verdict } from '../lib/result/schema.ts';

export type VerdictOutcome = 'pass' | 'fail' | 'inconclusive';
export type RunOutcome = 'pass' | 'fail' | 'invalid';

/** Inconclusive wins over pass/fail: such a verdict says nothing about the target either way. */
export function verdictOutcome(v: Verdict): VerdictOutcome {
  if (v.inconclusive) return 'inconclusive';
  return v.pass ? 'pass' : 'fail';
}

/** An invalid run (the generator fell short) is neither a pass nor a target failure. */
export function runOutcome(r: RunResult): RunOutcome {
  if (!r.valid) return 'invalid';
  return r.pass ? 'pass' : 'fail';
}

export interface VerdictCounts {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly inconclusive: number;
}

export function countVerdicts(verdicts: readonly Verdict[]): VerdictCounts {
  const c = { total: verdicts.length, passed: 0, failed: 0, inconclusive: 0 };
  for (const v of verdicts) {
    const o = verdictOutcome(v);
    if (o === 'pass') c.passed++;
    else if (o === 'fail') c.failed++;
    else c.inconclusive++;
  }
  return c;
}

/** Trims trailing zeros: 12 → "12", 12.5 → "12.5", 12.345 → "12.3". */
export function num(n: number, decimals = 1): string {
  return String(Number(n.toFixed(decimals)));
}

/** Latency in ms; null (no completed request) renders as an em dash. */
export function ms(value: number | null): string {
  if (value === null) return '—';
  if (value >= 10_000) return `${num(value / 1000, 1)} s`;
  if (value >= 100) return `${Math.round(value)} ms`;
  if (value >= 1) return `${num(value, 1)} ms`;
  return `${num(value, 2)} ms`;
}

/** A run-clock offset or length in seconds, human-sized: "45.2s", "2m 05s", "1h 02m". */
export function duration(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 60) return `${num(s, 1)}s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    return `${m}m ${String(Math.floor(s - m * 60)).padStart(2, '0')}s`;
  }
  const h = Math.floor(s / 3600);
  return `${h}h ${String(Math.floor((s - h * 3600) / 60)).padStart(2, '0')}m`;
}

/** A window on the run clock, in seconds from the start: "20s–35s". */
export function windowText(w: { start: number; end: number | null }): string {
  return `${num(w.start)}s–${w.end === null ? 'open' : `${num(w.end)}s`}`;
}

export function rps(n: number): string {
  return num(n, 1);
}

const errorKindOrder = ['refused', 'reset', 'timeout', 'status-4xx', 'status-5xx', 'status-other', 'other'];

/**
 * Counts in a stable order: numeric keys (status codes) ascending, known error kinds in their
 * declared order, anything else alphabetically after them.
 */
export function sortedCounts(counts: Readonly<Record<string, number>>): [string, number][] {
  const rank = (k: string): number => {
    if (/^\d+$/.test(k)) return Number(k);
    const i = errorKindOrder.indexOf(k);
    return i === -1 ? Number.MAX_SAFE_INTEGER : -errorKindOrder.length + i;
  };
  return Object.entries(counts).sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** "refused 3, timeout 2" (or "200 × 5823" with a separator), or "none". */
export function countsText(counts: Readonly<Record<string, number>>, separator = ' '): string {
  const entries = sortedCounts(counts).filter(([, n]) => n > 0);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k}${separator}${n}`).join(', ');
}
