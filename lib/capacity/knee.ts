/**
 * The search itself as a pure decision: given the steps judged so far, which level comes next, or
 * what the search concluded. Steps climb the plan until the first step that is not a pass; a
 * broken step then opens an optional bisection between the last good and the first bad level.
 * A step where the generator could not keep its schedule is neither the target's failure nor a
 * pass: its numbers describe the generator. It is run again (a busy machine stalls a generator
 * now and then; one at its limit falls behind every time), and when it stays invalid it ends the
 * search.
 */
import { type BisectPlan, type StepPlan, bisectLevel, nextLevel, roundLevel } from './plan.ts';

export type StepStatus = 'pass' | 'fail' | 'invalid';
export type StepPhase = 'step' | 'bisect';

export interface JudgedLevel {
  readonly level: number;
  readonly phase: StepPhase;
  readonly status: StepStatus;
}

export type SearchOutcome =
  /** The SLA held at one level and broke at a higher one. */
  | 'knee'
  /** The SLA broke at the first level: the target's capacity is below the start. */
  | 'broken-at-start'
  /** The generator could not keep the schedule before the SLA broke. */
  | 'generator-limited'
  /** The SLA held up to the plan's maximum: the capacity is at least that. */
  | 'max-reached'
  /** Stopped by the user before a conclusion. */
  | 'interrupted';

export interface SearchConclusion {
  readonly outcome: SearchOutcome;
  /** Highest level that passed, null when none did. */
  readonly lastGood: number | null;
  /** Lowest level that broke the SLA above `lastGood`, null when none did. */
  readonly firstBad: number | null;
  /** The level at which the generator fell behind, when it ended the search or the bisection. */
  readonly invalidAt: number | null;
}

export type Decision =
  | { readonly next: number; readonly phase: StepPhase; readonly retry?: boolean }
  | { readonly done: SearchConclusion };

/** Extra runs of a level whose step was invalid, before the search gives up on it. */
export const DEFAULT_INVALID_RETRIES = 1;

export interface SearchSpec {
  readonly plan: StepPlan;
  /** null: no bisection, the knee is the last good step. */
  readonly bisect: BisectPlan | null;
  /** Extra runs of an invalid step; default DEFAULT_INVALID_RETRIES. */
  readonly retries?: number;
}

/** How many steps at the end are invalid runs of the last step's level and phase. */
function invalidRuns(steps: readonly JudgedLevel[]): number {
  const last = steps[steps.length - 1];
  let n = 0;
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i] as JudgedLevel;
    if (s.status !== 'invalid' || s.level !== last?.level || s.phase !== last.phase) break;
    n++;
  }
  return n;
}

function bounds(steps: readonly JudgedLevel[]): { good: number | null; bad: number | null } {
  const bad = steps
    .filter((s) => s.status === 'fail')
    .reduce<number | null>((m, s) => (m === null || s.level < m ? s.level : m), null);
  // A pass above a broken level (noise in a bisection) does not move the knee past the break.
  const good = steps
    .filter((s) => s.status === 'pass' && (bad === null || s.level < bad))
    .reduce<number | null>((m, s) => (m === null || s.level > m ? s.level : m), null);
  return { good, bad };
}

export function decide(spec: SearchSpec, steps: readonly JudgedLevel[], interrupted = false): Decision {
  const { good, bad } = bounds(steps);
  const last = steps[steps.length - 1];
  const done = (outcome: SearchOutcome): Decision => ({
    done: {
      outcome,
      lastGood: good,
      firstBad: bad,
      invalidAt: last?.status === 'invalid' ? last.level : null,
    },
  });
  if (interrupted) return done(good !== null && bad !== null ? 'knee' : 'interrupted');
  if (last === undefined) return { next: roundLevel(spec.plan.start, spec.plan.integer), phase: 'step' };
  if (last.status === 'invalid' && invalidRuns(steps) <= (spec.retries ?? DEFAULT_INVALID_RETRIES)) {
    return { next: last.level, phase: last.phase, retry: true };
  }

  if (last.phase === 'step') {
    if (last.status === 'invalid') return done('generator-limited');
    if (last.status === 'pass') {
      const next = nextLevel(spec.plan, last.level);
      return next === null ? done('max-reached') : { next, phase: 'step' };
    }
    if (good === null) return done('broken-at-start');
  } else if (last.status === 'invalid') {
    // The generator gave out inside the bisection: the knee stands, only less narrowly.
    return done('knee');
  }

  // Here a step broke above a good one: the knee is bracketed; narrow it when asked to.
  if (spec.bisect === null || good === null || bad === null) return done('knee');
  const used = steps.filter((s) => s.phase === 'bisect').length;
  if (used >= spec.bisect.maxSteps) return done('knee');
  const mid = bisectLevel(good, bad, spec.bisect, spec.plan.integer);
  return mid === null ? done('knee') : { next: mid, phase: 'bisect' };
}
