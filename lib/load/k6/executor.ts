/**
 * A resolved load profile as a k6 scenario: arrival-rate profiles become k6's arrival-rate
 * executors (iterations start on a schedule and are dropped, never queued, when no VU is free:
 * the same open model as the native engine), the closed profile becomes `constant-vus`.
 *
 * k6 takes rates and stage targets as integers per `timeUnit`, so fractional rates are expressed
 * over a longer unit (12.5 req/s → 25 per 2 s), one unit for the whole scenario.
 */
import type { ResolvedLoadOptions, ResolvedProfile } from '../../scenario/resolved.ts';

interface BaseExecutor {
  readonly gracefulStop: string;
}

export interface ConstantArrivalRate extends BaseExecutor {
  readonly executor: 'constant-arrival-rate';
  readonly rate: number;
  readonly timeUnit: string;
  readonly duration: string;
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
}

export interface RampingArrivalRate extends BaseExecutor {
  readonly executor: 'ramping-arrival-rate';
  readonly startRate: number;
  readonly timeUnit: string;
  readonly stages: readonly { readonly duration: string; readonly target: number }[];
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
}

export interface ConstantVus extends BaseExecutor {
  readonly executor: 'constant-vus';
  readonly vus: number;
  readonly duration: string;
}

export type K6Executor = ConstantArrivalRate | RampingArrivalRate | ConstantVus;

/** Go duration string for k6 ('1m30s', '20s', '250ms'); sub-millisecond parts are rounded. */
export function goDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole === 0) return '0s';
  if (whole % 1000 !== 0) return `${whole}ms`;
  let s = whole / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/** Multipliers tried, in order, to turn every rate into a whole number per `factor` seconds. */
const kUnitFactors = [1, 2, 4, 5, 10, 20, 25, 50, 100, 1000] as const;
const kIntEpsilon = 1e-6;

/**
 * The time unit that makes every rate an integer. Rates that need more than 3 decimals are rounded
 * to the nearest 0.001 req/s (per 1000 s), far below anything a run can observe.
 */
export function rateUnit(rates: readonly number[]): { readonly factor: number; readonly timeUnit: string } {
  const isInt = (x: number) => Math.abs(x - Math.round(x)) < kIntEpsilon;
  const factor = kUnitFactors.find((f) => rates.every((r) => isInt(r * f))) ?? 1000;
  return { factor, timeUnit: goDuration(factor * 1000) };
}

/** Responses this slow at the peak rate are served by pre-allocated VUs, with no allocation mid-run. */
const kPreAllocatedLatencyS = 0.25;

function peakRate(profile: ResolvedProfile): number {
  if (profile.kind === 'constant-arrival-rate') return profile.rate;
  if (profile.kind === 'ramping-arrival-rate') {
    return Math.max(profile.startRate, ...profile.stages.map((s) => s.target));
  }
  return 0;
}

/**
 * VUs for an arrival-rate profile. A VU is busy for one request, so by Little's law the peak rate
 * times the timeout is the most VUs a run can ever use; the scenario's in-flight cap (the native
 * engine's `maxInFlight`) bounds it further, exactly as it bounds the native engine.
 */
export function vusFor(
  profile: ResolvedProfile,
  options: ResolvedLoadOptions,
): { readonly preAllocatedVUs: number; readonly maxVUs: number } {
  const peak = peakRate(profile);
  const maxVUs = Math.max(1, Math.min(options.maxInFlight, Math.ceil(peak * (options.timeoutMs / 1000))));
  const preAllocatedVUs = Math.min(maxVUs, Math.max(2, Math.ceil(peak * kPreAllocatedLatencyS)));
  return { preAllocatedVUs, maxVUs };
}

/** The k6 executor config of a profile. */
export function executorFor(profile: ResolvedProfile, options: ResolvedLoadOptions): K6Executor {
  // An iteration still in flight at the end may run to its timeout before k6 stops it.
  const gracefulStop = goDuration(Math.ceil(options.timeoutMs / 1000) * 1000 + 1000);
  switch (profile.kind) {
    case 'constant-arrival-rate': {
      const { factor, timeUnit } = rateUnit([profile.rate]);
      return {
        executor: 'constant-arrival-rate',
        rate: Math.round(profile.rate * factor),
        timeUnit,
        duration: goDuration(profile.durationMs),
        ...vusFor(profile, options),
        gracefulStop,
      };
    }
    case 'ramping-arrival-rate': {
      const { factor, timeUnit } = rateUnit([profile.startRate, ...profile.stages.map((s) => s.target)]);
      return {
        executor: 'ramping-arrival-rate',
        startRate: Math.round(profile.startRate * factor),
        timeUnit,
        stages: profile.stages.map((s) => ({
          duration: goDuration(s.durationMs),
          target: Math.round(s.target * factor),
        })),
        ...vusFor(profile, options),
        gracefulStop,
      };
    }
    case 'closed':
      return {
        executor: 'constant-vus',
        vus: profile.connections,
        duration: goDuration(profile.durationMs),
        gracefulStop,
      };
  }
}
