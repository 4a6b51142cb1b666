/**
 * autoscaling: one verdict per check the scenario asks for, all read from the desired replica
 * count (hpa.desired, or deployment.desired when no HPA was observed) and the load steps:
 * - scale-up: from the load step, time until desired replicas rise, ≤ T;
 * - peak: the highest desired count in the run, ≥ N;
 * - flapping: direction changes of the desired count (up→down or down→up), ≤ k;
 * - scale-down: from the load drop, time until desired replicas are ≤ M, ≤ T.
 * A check is inconclusive when its data is missing (no gauges, no load step) or when the run ended
 * before its limit passed.
 */
import type { Verdict } from '../result/schema.ts';
import type { RunTimeline } from '../result/timeline.ts';
import { type StepPoint, gaugeSeries, stepAt } from '../result/gauges.ts';
import type { ReplicaSource, ResolvedAutoscaling } from '../scenario/resolved.ts';
import type { Assertion } from './assertion.ts';
import { fmt } from './compare.ts';
import { detectLoadDrop, detectLoadStep } from './load-steps.ts';

interface Replicas {
  readonly gauge: string;
  readonly points: readonly StepPoint[];
}

function replicasOf(t: RunTimeline, src: ReplicaSource): Replicas {
  if (src.gauge !== 'auto') return { gauge: src.gauge, points: gaugeSeries(t.gauges, src.gauge, src.labels) };
  const hpa = gaugeSeries(t.gauges, 'hpa.desired', src.labels);
  if (hpa.length) return { gauge: 'hpa.desired', points: hpa };
  return { gauge: 'deployment.desired', points: gaugeSeries(t.gauges, 'deployment.desired', src.labels) };
}

function loadStep(t: RunTimeline, cfg: ResolvedAutoscaling): number | null {
  return cfg.loadStepS ?? detectLoadStep(t.series);
}

function loadDrop(t: RunTimeline, cfg: ResolvedAutoscaling): number | null {
  if (cfg.loadDropS !== null) return cfg.loadDropS;
  const step = loadStep(t, cfg);
  return detectLoadDrop(t.series, step === null ? 0 : step + 1);
}

/** Number of times the count turned from rising to falling or back. */
export function directionChanges(points: readonly StepPoint[]): { changes: number; turns: number[] } {
  let dir = 0;
  const turns: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const d = Math.sign((points[i] as StepPoint).value - (points[i - 1] as StepPoint).value);
    if (d === 0) continue;
    if (dir !== 0 && d !== dir) turns.push((points[i] as StepPoint).t);
    dir = d;
  }
  return { changes: turns.length, turns };
}

const kNoStep =
  'no load step found: the intended rate never rose ≥ 50 % over the median of the 10 s before; give loadStepAt';
const kNoDrop =
  'no load drop found: the intended rate never fell to ≤ 2/3 of the median of the 10 s before; give loadDropAt';

type Check = (t: RunTimeline, r: Replicas) => Omit<Verdict, 'name' | 'claim'>;

function inconclusive(observed: string, t: RunTimeline): Omit<Verdict, 'name' | 'claim'> {
  return { observed, pass: false, inconclusive: true, window: { start: 0, end: t.durationS } };
}

function scaleUp(cfg: ResolvedAutoscaling, withinMs: number): Check {
  const withinS = withinMs / 1000;
  return (t, r) => {
    const step = loadStep(t, cfg);
    if (step === null) return inconclusive(kNoStep, t);
    const before = stepAt(r.points, step);
    if (before === null)
      return inconclusive(`no ${r.gauge} observed by the load step at ${fmt(step, 3)} s`, t);
    const rise = r.points.find((p) => p.t > step && p.value > before);
    const window = { start: step, end: Math.min(t.durationS, step + withinS) };
    const evidence = { loadStepS: step, before, withinS, gauge: r.gauge };
    if (rise) {
      const delay = rise.t - step;
      return {
        observed: `${r.gauge} rose ${before} → ${rise.value} at ${fmt(rise.t, 3)} s, ${fmt(delay, 3)} s after the load step at ${fmt(step, 3)} s`,
        pass: delay <= withinS,
        window,
        evidence: { ...evidence, riseAt: rise.t, to: rise.value, delayS: delay },
      };
    }
    const seen = t.durationS - step;
    if (seen < withinS) {
      return inconclusive(
        `${r.gauge} stayed at ${before}, but the run ended ${fmt(seen, 3)} s after the load step at ${fmt(step, 3)} s`,
        t,
      );
    }
    return {
      observed: `${r.gauge} stayed at ${before} for the ${fmt(seen, 3)} s after the load step at ${fmt(step, 3)} s`,
      pass: false,
      window,
      evidence,
    };
  };
}

function peak(minPeak: number): Check {
  return (t, r) => {
    let top: StepPoint | undefined;
    for (const p of r.points) if (!top || p.value > top.value) top = p;
    if (!top) return inconclusive(`no ${r.gauge} observed in this run`, t);
    return {
      observed: `peak ${r.gauge} ${top.value} (first at ${fmt(top.t, 3)} s)`,
      pass: top.value >= minPeak,
      window: { start: 0, end: t.durationS },
      evidence: { peak: top.value, at: top.t, minPeak, gauge: r.gauge },
    };
  };
}

function flapping(maxChanges: number): Check {
  return (t, r) => {
    if (!r.points.length) return inconclusive(`no ${r.gauge} observed in this run`, t);
    const { changes, turns } = directionChanges(r.points);
    const path = r.points.map((p) => p.value).join(' → ');
    return {
      observed: `${changes} direction change${changes === 1 ? '' : 's'} (${r.gauge}: ${path})`,
      pass: changes <= maxChanges,
      window: { start: 0, end: t.durationS },
      evidence: { changes, turnsAt: turns, path: r.points, maxChanges, gauge: r.gauge },
    };
  };
}

function scaleDown(cfg: ResolvedAutoscaling, to: number, withinMs: number): Check {
  const withinS = withinMs / 1000;
  return (t, r) => {
    const drop = loadDrop(t, cfg);
    if (drop === null) return inconclusive(kNoDrop, t);
    const atDrop = stepAt(r.points, drop);
    if (atDrop === null)
      return inconclusive(`no ${r.gauge} observed by the load drop at ${fmt(drop, 3)} s`, t);
    const window = { start: drop, end: Math.min(t.durationS, drop + withinS) };
    const evidence = { loadDropS: drop, atDrop, to, withinS, gauge: r.gauge };
    const down =
      atDrop <= to ? { t: drop, value: atDrop } : r.points.find((p) => p.t > drop && p.value <= to);
    if (down) {
      const delay = down.t - drop;
      return {
        observed: `${r.gauge} at ${down.value} (≤ ${to}) ${fmt(delay, 3)} s after the load drop at ${fmt(drop, 3)} s`,
        pass: delay <= withinS,
        window,
        evidence: { ...evidence, downAt: down.t, delayS: delay },
      };
    }
    const seen = t.durationS - drop;
    const last = stepAt(r.points, t.durationS);
    if (seen < withinS) {
      return inconclusive(
        `${r.gauge} still ${last} when the run ended ${fmt(seen, 3)} s after the load drop at ${fmt(drop, 3)} s`,
        t,
      );
    }
    return {
      observed: `${r.gauge} still ${last} (> ${to}) ${fmt(seen, 3)} s after the load drop at ${fmt(drop, 3)} s`,
      pass: false,
      window,
      evidence,
    };
  };
}

function sourceSuffix(src: ReplicaSource): string {
  const [k, v] = Object.entries(src.labels)[0] ?? [];
  return k ? ` [${k} ${v}]` : '';
}

export function autoscalingAssertions(cfg: ResolvedAutoscaling): Assertion[] {
  const suffix = sourceSuffix(cfg.source);
  const checks: { id: string; claim: string; check: Check }[] = [];
  if (cfg.scaleUpWithinMs !== null) {
    checks.push({
      id: 'scale-up',
      claim: `desired replicas rise within ${fmt(cfg.scaleUpWithinMs / 1000)} s of the load step${cfg.loadStepS === null ? '' : ` at ${fmt(cfg.loadStepS)} s`}`,
      check: scaleUp(cfg, cfg.scaleUpWithinMs),
    });
  }
  if (cfg.minPeak !== null) {
    checks.push({ id: 'peak', claim: `desired replicas reach ≥ ${cfg.minPeak}`, check: peak(cfg.minPeak) });
  }
  if (cfg.maxDirectionChanges !== null) {
    checks.push({
      id: 'flapping',
      claim: `desired replicas change direction ≤ ${cfg.maxDirectionChanges} times (no flapping)`,
      check: flapping(cfg.maxDirectionChanges),
    });
  }
  if (cfg.scaleDown !== null) {
    const { to, withinMs } = cfg.scaleDown;
    checks.push({
      id: 'scale-down',
      claim: `desired replicas back to ≤ ${to} within ${fmt(withinMs / 1000)} s of the load drop${cfg.loadDropS === null ? '' : ` at ${fmt(cfg.loadDropS)} s`}`,
      check: scaleDown(cfg, to, withinMs),
    });
  }
  return checks.map(({ id, claim, check }) => {
    const name = `autoscaling.${id}${suffix}`;
    return {
      name,
      evaluate(t: RunTimeline): Verdict {
        return { name, claim, ...check(t, replicasOf(t, cfg.source)) };
      },
    };
  });
}
