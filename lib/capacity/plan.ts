/**
 * The levels a capacity search probes: arrival rates (open model) or connection counts (closed
 * model), growing by a fixed step or a factor from `start` up to `max`, and the midpoints of a
 * bisection between the last good and the first bad level. Pure: no load, no clock.
 */

export type Growth =
  { readonly kind: 'add'; readonly step: number } | { readonly kind: 'multiply'; readonly factor: number };

export interface StepPlan {
  readonly start: number;
  readonly max: number;
  readonly growth: Growth;
  /** Whole levels only (connection counts); rates keep one decimal. */
  readonly integer: boolean;
}

export interface BisectPlan {
  /** Most extra steps the bisection may take. */
  readonly maxSteps: number;
  /** Stop once the interval is at most this share of the bad level (0.02 = 2 %). */
  readonly resolution: number;
}

export const defaultBisectResolution = 0.02;

/** Throws a RangeError naming the field when a plan cannot produce a growing sequence. */
export function checkStepPlan(p: StepPlan): void {
  const bad = (field: string, v: number, want: string) =>
    new RangeError(`${field} must be ${want} (got ${v})`);
  if (!(Number.isFinite(p.start) && p.start > 0)) throw bad('start', p.start, 'a number > 0');
  if (!(Number.isFinite(p.max) && p.max >= p.start))
    throw bad('max', p.max, `a number >= start (${p.start})`);
  if (p.integer && !Number.isInteger(p.start)) throw bad('start', p.start, 'a whole number');
  if (p.growth.kind === 'add' && !(Number.isFinite(p.growth.step) && p.growth.step > 0)) {
    throw bad('step', p.growth.step, 'a number > 0');
  }
  if (p.growth.kind === 'multiply' && !(Number.isFinite(p.growth.factor) && p.growth.factor > 1)) {
    throw bad('factor', p.growth.factor, 'a number > 1');
  }
}

export function checkBisectPlan(b: BisectPlan): void {
  if (!(Number.isInteger(b.maxSteps) && b.maxSteps >= 1)) {
    throw new RangeError(`bisect steps must be a whole number >= 1 (got ${b.maxSteps})`);
  }
  if (!(b.resolution > 0 && b.resolution < 1)) {
    throw new RangeError(`bisect resolution must be a share between 0 and 1 (got ${b.resolution})`);
  }
}

/** Rates keep one decimal (a level of 337.5 req/s is fine); connections are whole. */
export function roundLevel(x: number, integer: boolean): number {
  return integer ? Math.max(1, Math.round(x)) : Math.max(0.1, Math.round(x * 10) / 10);
}

const unit = (integer: boolean) => (integer ? 1 : 0.1);

/**
 * The level after `current`, or null when `current` already is the maximum. The last step is
 * clamped to `max`, so the maximum itself is always probed.
 */
export function nextLevel(p: StepPlan, current: number): number | null {
  if (current >= p.max) return null;
  const raw = p.growth.kind === 'add' ? current + p.growth.step : current * p.growth.factor;
  // Rounding must never stall the search on the same level.
  const next = Math.max(roundLevel(raw, p.integer), current + unit(p.integer));
  return Math.min(next, p.max);
}

/** Every level of the plan, in order (for help texts and tests; the search stops earlier). */
export function plannedLevels(p: StepPlan): number[] {
  checkStepPlan(p);
  const out = [roundLevel(p.start, p.integer)];
  for (let n = nextLevel(p, out[0]!); n !== null; n = nextLevel(p, n)) out.push(n);
  return out;
}

/**
 * The midpoint to probe between a good and a bad level, or null when the interval is already as
 * narrow as the resolution asks (or as the level's unit allows).
 */
export function bisectLevel(good: number, bad: number, b: BisectPlan, integer: boolean): number | null {
  if (!(bad > good)) return null;
  if (bad - good <= b.resolution * bad) return null;
  const mid = roundLevel((good + bad) / 2, integer);
  return mid > good && mid < bad ? mid : null;
}
