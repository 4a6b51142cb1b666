/**
 * `verify` entries → resolved verifications. Durations that describe the target's behaviour
 * (within, stableFor, lookback, scale-up/down limits, alert detection) are not scaled by `--scale`:
 * a shorter run does not make the target recover, nor Prometheus alert, faster. Positions on the
 * schedule (windows, loadStepAt) are scaled.
 */
import { parseDuration } from './duration.ts';
import type {
  ResolvedAlertDetection,
  ResolvedAutoscaling,
  ResolvedRecoveryTime,
  ResolvedSla,
  ResolvedVerification,
  ResolvedWindow,
  SlaCondition,
} from './resolved.ts';
import { type ParsedSlaText, parseSlaText, slaId } from './sla-text.ts';
import type { ParsedVerify } from './verify-schema.ts';

export interface VerifyContext {
  /** A schedule duration in ms, scaled. */
  readonly scaled: (v: string | number) => number;
  /** The planned length of the load, ms (scaled). */
  readonly runMs: number;
  /** The scenario's resolved SLAs (recovery-time defaults to them). */
  readonly slas: readonly ResolvedSla[];
  /** The chaos actions scheduled (their kinds); alert-detection measures from them. */
  readonly chaosActions?: readonly string[];
}

const unscaled = (v: string | number) => parseDuration(v) as number;

/** A window on the run's schedule; `field` prefixes the messages (e.g. `slas[2].window`). */
export function resolveWindow(
  w: { start: string | number; end?: string | number | undefined },
  field: string,
  ctx: Pick<VerifyContext, 'scaled' | 'runMs'>,
  problems: string[],
): ResolvedWindow {
  const startS = ctx.scaled(w.start) / 1000;
  const endS = w.end !== undefined ? ctx.scaled(w.end) / 1000 : null;
  if (endS !== null && endS <= startS) problems.push(`${field}: end must be after start`);
  if (startS * 1000 >= ctx.runMs)
    problems.push(`${field}.start: starts after the load ends (${ctx.runMs / 1000}s)`);
  return { startS, endS };
}

export function resolveVerification(
  v: ParsedVerify,
  i: number,
  ctx: VerifyContext,
  problems: string[],
): ResolvedVerification {
  const field = `verify[${i}]`;
  switch (v.kind) {
    case 'zero-downtime':
      return {
        kind: v.kind,
        scope: v.scope,
        window: v.window ? resolveWindow(v.window, `${field}.window`, ctx, problems) : null,
        lookbackMs: unscaled(v.lookback),
      };
    case 'recovery-time':
      return resolveRecovery(v, field, ctx, problems);
    case 'autoscaling':
      return resolveAutoscaling(v, field, ctx, problems);
    case 'preflight':
      return { kind: v.kind, minZones: v.minZones };
    case 'alert-detection':
      return resolveAlertDetection(v, field, ctx, problems);
  }
}

function resolveAlertDetection(
  v: Extract<ParsedVerify, { kind: 'alert-detection' }>,
  field: string,
  ctx: VerifyContext,
  problems: string[],
): ResolvedAlertDetection {
  const actions = ctx.chaosActions;
  if (actions !== undefined) {
    const kinds = [...new Set(actions)];
    if (!kinds.length) {
      problems.push(
        `${field}: alert-detection times alerts from a fault's inject; add a chaos entry, e.g. chaos: [{ at: '20s', duration: '60s', action: { kind: 'zone-outage' } }]`,
      );
    } else if (v.fault !== undefined && !kinds.includes(v.fault)) {
      problems.push(
        `${field}.fault: no chaos action '${v.fault}' in this scenario; use one of ${kinds.map((k) => `'${k}'`).join(', ')}`,
      );
    }
  }
  const seen = new Set<string>();
  for (const a of v.alerts) {
    if (seen.has(a)) problems.push(`${field}.alerts: '${a}' is listed twice`);
    seen.add(a);
  }
  return {
    kind: v.kind,
    alerts: [...v.alerts],
    withinMs: unscaled(v.within),
    fault: v.fault ?? null,
    labels: { ...(v.labels ?? {}) },
  };
}

function resolveRecovery(
  v: Extract<ParsedVerify, { kind: 'recovery-time' }>,
  field: string,
  ctx: VerifyContext,
  problems: string[],
): ResolvedRecoveryTime {
  let sla: SlaCondition[];
  if (v.sla !== undefined) {
    sla = [v.sla].flat().map((text) => {
      const p = parseSlaText(text) as ParsedSlaText;
      return { id: slaId(p), ...p };
    });
  } else {
    const seen = new Set<string>();
    sla = ctx.slas
      .filter((s) => s.metric !== 'achieved-rate' && !seen.has(s.id) && seen.add(s.id))
      .map(({ id, metric, percentile, op, value }) => ({
        id,
        metric,
        ...(percentile !== undefined ? { percentile } : {}),
        op,
        value,
      }));
    if (!sla.length) {
      problems.push(
        `${field}.sla: say what recovered means, e.g. sla: 'p95<100ms' or ['p95<100ms', 'errors<0.1%'] (the scenario has no latency or error SLA to use)`,
      );
    }
  }
  return {
    kind: v.kind,
    withinMs: unscaled(v.within),
    sla,
    stableForS: Math.max(1, Math.ceil(unscaled(v.stableFor) / 1000)),
    fault: v.fault ?? null,
  };
}

function resolveAutoscaling(
  v: Extract<ParsedVerify, { kind: 'autoscaling' }>,
  field: string,
  ctx: VerifyContext,
  problems: string[],
): ResolvedAutoscaling {
  if (v.hpa !== undefined && v.deployment !== undefined) {
    problems.push(
      `${field}: give hpa or deployment, not both (hpa follows hpa.desired, deployment deployment.desired)`,
    );
  }
  const source: ResolvedAutoscaling['source'] =
    v.hpa !== undefined
      ? { gauge: 'hpa.desired', labels: { hpa: v.hpa } }
      : v.deployment !== undefined
        ? { gauge: 'deployment.desired', labels: { deployment: v.deployment } }
        : { gauge: 'auto', labels: {} };
  const at = (value: string | number | undefined, name: string): number | null => {
    if (value === undefined) return null;
    const s = ctx.scaled(value) / 1000;
    if (s * 1000 >= ctx.runMs) problems.push(`${field}.${name}: after the load ends (${ctx.runMs / 1000}s)`);
    return s;
  };
  const loadStepS = at(v.loadStepAt, 'loadStepAt');
  const loadDropS = at(v.loadDropAt, 'loadDropAt');
  if (loadStepS !== null && loadDropS !== null && loadDropS <= loadStepS) {
    problems.push(`${field}.loadDropAt: must be after loadStepAt`);
  }
  if ((v.scaleDownTo === undefined) !== (v.scaleDownWithin === undefined)) {
    const missing = v.scaleDownTo === undefined ? 'scaleDownTo' : 'scaleDownWithin';
    problems.push(
      `${field}.${missing}: scaleDownTo and scaleDownWithin go together, e.g. scaleDownTo: 3, scaleDownWithin: '5m'`,
    );
  }
  const scaleDown =
    v.scaleDownTo !== undefined && v.scaleDownWithin !== undefined
      ? { to: v.scaleDownTo, withinMs: unscaled(v.scaleDownWithin) }
      : null;
  const checks = {
    scaleUpWithinMs: v.scaleUpWithin !== undefined ? unscaled(v.scaleUpWithin) : null,
    minPeak: v.minPeak ?? null,
    maxDirectionChanges: v.maxDirectionChanges ?? null,
    scaleDown,
  };
  if (
    Object.values(checks).every((c) => c === null) &&
    v.scaleDownTo === undefined &&
    v.scaleDownWithin === undefined
  ) {
    problems.push(
      `${field}: an autoscaling entry needs at least one check: scaleUpWithin, minPeak, maxDirectionChanges, or scaleDownTo with scaleDownWithin`,
    );
  }
  return { kind: v.kind, source, loadStepS, loadDropS, ...checks };
}
