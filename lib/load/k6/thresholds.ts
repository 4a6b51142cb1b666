/**
 * A scenario's SLAs as k6 thresholds, so a script run by k6 alone passes or fails as gauntlet
 * would judge it:
 *   latency pN < X ms     → http_req_duration  'p(N)<X'   (max → 'max<X'; k6 trends are in ms)
 *   errors < X %          → http_req_failed    'rate<X/100' (the script's response callback
 *                           marks exactly the scenario's expected statuses as success)
 *   availability >= X %   → checks             'rate>=X/100' (one status check per request)
 *   achieved >= X %       → dropped_iterations 'count<=N' with N = planned × (1 − X/100)
 * plus gauntlet's generator-health limit on drops, as a dropped_iterations count.
 *
 * k6 thresholds cover the whole run, so SLAs over a window or a chaos phase have no k6 form: they
 * are listed as unmapped and gauntlet judges them from k6's output. `abortOnFail` maps to k6's
 * abortOnFail with `delayAbortEval` set to the SLA's abort window; note k6 then evaluates the data
 * so far, not a trailing window as gauntlet does.
 */
import { defaultGeneratorLimits } from '../../assert/generator-health.ts';
import type { Comparison, ResolvedProfile, ResolvedSla } from '../../scenario/resolved.ts';
import { createArrivalSchedule } from '../schedule.ts';
import { goDuration } from './executor.ts';

export interface AbortingThreshold {
  readonly threshold: string;
  readonly abortOnFail: true;
  readonly delayAbortEval: string;
}
export type K6Threshold = string | AbortingThreshold;

export interface MappedThresholds {
  /** metric name → thresholds, in the order the SLAs list them. */
  readonly thresholds: Readonly<Record<string, readonly K6Threshold[]>>;
  /** Which SLA each threshold expression came from (`metric expr` → SLA id or 'generator-health'). */
  readonly sources: ReadonlyMap<string, string>;
  /** SLAs gauntlet judges itself from the output, with the reason k6 cannot. */
  readonly unmapped: readonly { readonly id: string; readonly why: string }[];
}

/** Plain decimal with no float noise: 0.1 / 100 → 0.001, not 0.0010000000000000002. */
export function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

const flipped: Record<Comparison, Comparison> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** Requests an open profile plans (k6 starts one iteration per request), null for the closed model. */
export function plannedRequests(profile: ResolvedProfile): number | null {
  return profile.kind === 'closed' ? null : createArrivalSchedule(profile).total;
}

/** `dropped_iterations` bound equivalent to "achieved (sent / planned) <op> pct %". */
function droppedBound(op: Comparison, pct: number, planned: number): string {
  const allowed = planned * (1 - pct / 100);
  const dropOp = flipped[op];
  // Drops are whole: '<= 4.6' is '<= 4' and '>= 4.2' is '>= 5'; strict bounds stay as computed.
  if (dropOp === '<=') return `count<=${Math.floor(allowed + 1e-9)}`;
  if (dropOp === '>=') return `count>=${Math.ceil(allowed - 1e-9)}`;
  return `count${dropOp}${num(allowed)}`;
}

function expressionOf(
  sla: ResolvedSla,
  planned: number | null,
): { metric: string; expr: string } | { why: string } {
  switch (sla.metric) {
    case 'latency': {
      const p = sla.percentile ?? 95;
      return {
        metric: 'http_req_duration',
        expr: `${p === 100 ? 'max' : `p(${num(p)})`}${sla.op}${num(sla.value)}`,
      };
    }
    case 'error-rate':
      return { metric: 'http_req_failed', expr: `rate${sla.op}${num(sla.value / 100)}` };
    case 'availability':
      return { metric: 'checks', expr: `rate${sla.op}${num(sla.value / 100)}` };
    case 'achieved-rate':
      if (planned === null) return { why: 'the closed model drops nothing, so it always achieves 100 %' };
      return { metric: 'dropped_iterations', expr: droppedBound(sla.op, sla.value, planned) };
  }
}

export function thresholdsFor(slas: readonly ResolvedSla[], profile: ResolvedProfile): MappedThresholds {
  const planned = plannedRequests(profile);
  const thresholds: Record<string, K6Threshold[]> = {};
  const sources = new Map<string, string>();
  const unmapped: { id: string; why: string }[] = [];
  const add = (metric: string, expr: string, source: string, abort: AbortingThreshold | null) => {
    const list = (thresholds[metric] ??= []);
    const at = list.findIndex((t) => (typeof t === 'string' ? t : t.threshold) === expr);
    if (at < 0) {
      list.push(abort ?? expr);
      sources.set(`${metric} ${expr}`, source);
    } else if (abort) list[at] = abort;
  };
  for (const sla of slas) {
    if (sla.scope !== 'run') {
      unmapped.push({ id: sla.id, why: `k6 thresholds cover the whole run, not the ${sla.scope} phase` });
      continue;
    }
    if (sla.window) {
      const end = sla.window.endS === null ? 'the end' : `${num(sla.window.endS)} s`;
      unmapped.push({
        id: sla.id,
        why: `k6 thresholds cover the whole run, not ${num(sla.window.startS)} s – ${end}`,
      });
      continue;
    }
    const mapped = expressionOf(sla, planned);
    if ('why' in mapped) {
      unmapped.push({ id: sla.id, why: mapped.why });
      continue;
    }
    const abort: AbortingThreshold | null = sla.abortOnFail
      ? {
          threshold: mapped.expr,
          abortOnFail: true,
          delayAbortEval: goDuration(Math.max(1, sla.abortWindowS) * 1000),
        }
      : null;
    add(mapped.metric, mapped.expr, sla.id, abort);
  }
  if (planned !== null) {
    const limit = Math.floor(planned * (defaultGeneratorLimits.maxDroppedPct / 100) + 1e-9);
    add('dropped_iterations', `count<=${limit}`, 'generator-health', null);
  }
  return { thresholds, sources, unmapped };
}
