/**
 * Intended send times of an open-model profile. The arrival rate r(t) is piecewise linear, so the
 * expected number of arrivals N(t) = ∫ r is piecewise quadratic; request i (0-based) is due when
 * N(t) = i. Inverting N exactly (rather than accumulating 1/r steps) keeps ramps free of drift and
 * makes the count of a profile a closed formula: requests i with i < N(end).
 */
import type { RampStage, ResolvedProfile } from '../scenario/resolved.ts';

export type ArrivalProfile = Exclude<ResolvedProfile, { kind: 'closed' }>;

interface Segment {
  /** ms from the schedule's start. */
  readonly startMs: number;
  readonly durationMs: number;
  /** Arrivals before this segment. */
  readonly before: number;
  /** Arrivals within it. */
  readonly count: number;
  /** Rates (req/s) at its start and end. */
  readonly from: number;
  readonly to: number;
}

/** Floating error must not invent a request at the very end (400.0000000001 → 400). */
const kCountEpsilon = 1e-9;

function segmentsOf(profile: ArrivalProfile): Segment[] {
  const stages: readonly RampStage[] =
    profile.kind === 'constant-arrival-rate'
      ? [{ target: profile.rate, durationMs: profile.durationMs }]
      : profile.stages;
  let from = profile.kind === 'constant-arrival-rate' ? profile.rate : profile.startRate;
  let startMs = 0;
  let before = 0;
  const out: Segment[] = [];
  for (const st of stages) {
    const count = ((from + st.target) / 2) * (st.durationMs / 1000);
    out.push({ startMs, durationMs: st.durationMs, before, count, from, to: st.target });
    startMs += st.durationMs;
    before += count;
    from = st.target;
  }
  return out;
}

/** Time (ms into the segment) at which `x` arrivals of it have happened, x in [0, count). */
function offsetInSegment(s: Segment, x: number): number {
  const a = s.from;
  const slope = (s.to - a) / s.durationMs; // req/s per ms
  // Root of (slope/2)·τ² + a·τ − 1000·x = 0, written in the form that stays exact when slope → 0.
  const disc = a * a + 2 * slope * 1000 * x;
  const denom = a + Math.sqrt(disc > 0 ? disc : 0);
  return denom > 0 ? (2 * 1000 * x) / denom : 0;
}

export interface ArrivalSchedule {
  /** Number of requests the profile asks for. */
  readonly total: number;
  readonly durationMs: number;
  /**
   * Intended time of request i (ms from the schedule's start). Fastest when i only grows, as in
   * the engine's loop; any order is correct.
   */
  timeOf(i: number): number;
}

export function checkArrivalProfile(profile: ArrivalProfile): void {
  const bad = (field: string, v: unknown, want: string) =>
    new RangeError(`profile.${field} must be ${want} (got ${String(v)})`);
  const rate = (field: string, v: number) => {
    if (!(Number.isFinite(v) && v >= 0)) throw bad(field, v, 'a finite rate >= 0 req/s');
  };
  const duration = (field: string, v: number) => {
    if (!(Number.isFinite(v) && v >= 0)) throw bad(field, v, 'a finite duration >= 0 ms');
  };
  if (profile.kind === 'constant-arrival-rate') {
    rate('rate', profile.rate);
    duration('durationMs', profile.durationMs);
    return;
  }
  rate('startRate', profile.startRate);
  if (profile.stages.length === 0) throw bad('stages', '[]', 'a non-empty list of {target, durationMs}');
  profile.stages.forEach((s, i) => {
    rate(`stages[${i}].target`, s.target);
    duration(`stages[${i}].durationMs`, s.durationMs);
  });
}

export function createArrivalSchedule(profile: ArrivalProfile): ArrivalSchedule {
  checkArrivalProfile(profile);
  const segments = segmentsOf(profile).filter((s) => s.count > 0 && s.durationMs > 0);
  const last = segments[segments.length - 1];
  const expected = last ? last.before + last.count : 0;
  const total = Math.max(0, Math.ceil(expected - kCountEpsilon));
  const durationMs = segmentsOf(profile).reduce((sum, s) => sum + s.durationMs, 0);
  let k = 0;
  return {
    total,
    durationMs,
    timeOf(i: number): number {
      if (!(i >= 0 && i < total)) throw new RangeError(`request index ${i} is outside 0..${total - 1}`);
      let s = segments[k]!;
      if (i < s.before) k = 0;
      // Advance to the segment holding arrival i; a request exactly on a boundary opens the next.
      while (k < segments.length - 1 && i >= segments[k]!.before + segments[k]!.count) k++;
      s = segments[k]!;
      const t = s.startMs + offsetInSegment(s, i - s.before);
      return t < s.startMs + s.durationMs ? t : s.startMs + s.durationMs;
    },
  };
}

/** Intended time of request i: a convenience for one-off use and tests. */
export function arrivalTimeMs(profile: ArrivalProfile, i: number): number {
  return createArrivalSchedule(profile).timeOf(i);
}
