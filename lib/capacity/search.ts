/**
 * The capacity search: steps chosen by the pure decision (knee.ts), each run (step.ts) and judged
 * (judge.ts), then the planning figures (recommend.ts) and capacity.json's content, checked
 * against its schema on the way out.
 */
import { fmt, pct } from '../assert/compare.ts';
import { defaultGeneratorLimits, type GeneratorHealthLimits } from '../assert/generator-health.ts';
import type { LoadEngine } from '../load/engine.ts';
import type { ResolvedLoadOptions, ResolvedRequest, SlaCondition } from '../scenario/resolved.ts';
import { gauntletVersion } from '../version.ts';
import type { ClusterProbe } from './cluster-probe.ts';
import { decide, type JudgedLevel, type SearchConclusion, type StepPhase } from './knee.ts';
import { judgeStep, type LoadModel } from './judge.ts';
import type { BisectPlan, StepPlan } from './plan.ts';
import { LINEAR_SCALING_ASSUMPTION, perUnit, recommendReplicas } from './recommend.ts';
import {
  CAPACITY_SCHEMA_VERSION,
  capacityResultSchema,
  type CapacityResult,
  type CapacityStep,
} from './schema.ts';
import { runStep, type StepMeasurement } from './step.ts';

export interface CapacityOptions {
  readonly scenario: { readonly name: string; readonly file: string | null };
  readonly url: string;
  readonly requests: readonly ResolvedRequest[];
  readonly load: ResolvedLoadOptions;
  readonly engine: LoadEngine;
  readonly model: LoadModel;
  readonly plan: StepPlan;
  readonly bisect: BisectPlan | null;
  readonly holdMs: number;
  readonly warmupMs: number;
  readonly conditions: readonly SlaCondition[];
  /** Kubernetes targets: ready replicas and CPU per step. */
  readonly probe?: ClusterProbe;
  /** Replicas behind a URL target, as stated by the user (a cluster target counts its own). */
  readonly replicas?: number;
  readonly targetRps?: number;
  /** Share kept spare, 0 ≤ h < 1. */
  readonly headroom: number;
  /** When a step counts as generator-limited; default generator-health's limits. */
  readonly generatorLimits?: GeneratorHealthLimits;
  readonly signal?: AbortSignal;
  /** Extra notes for the report (ignored scenario parts and the like). */
  readonly notes?: readonly string[];
  /** `retry`: the same level again, because the generator fell behind at the last try. */
  onStepStart?(index: number, level: number, phase: StepPhase, retry: boolean): void;
  onStep?(step: CapacityStep): void;
}

/** Hard stop on the number of steps, whatever the plan says: every loop is bounded. */
export const MAX_STEPS = 200;

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

export async function runCapacity(o: CapacityOptions): Promise<CapacityResult> {
  const started = new Date();
  const t0 = performance.now();
  const signal = o.signal ?? new AbortController().signal;
  const steps: CapacityStep[] = [];
  const judged: JudgedLevel[] = [];
  const spec = { plan: o.plan, bisect: o.bisect };
  let conclusion: SearchConclusion | undefined;
  while (!conclusion) {
    const d = decide(spec, judged, signal.aborted || steps.length >= MAX_STEPS);
    if ('done' in d) {
      conclusion = d.done;
      break;
    }
    o.onStepStart?.(steps.length + 1, d.next, d.phase, d.retry === true);
    const m = await runStep({
      name: o.scenario.name,
      url: o.url,
      requests: o.requests,
      load: o.load,
      engine: o.engine,
      model: o.model,
      level: d.next,
      warmupMs: o.warmupMs,
      holdMs: o.holdMs,
      signal,
      ...(o.probe ? { probe: o.probe } : {}),
    });
    if (m.interrupted) continue;
    const step = toStep(steps.length + 1, d.phase, d.next, m, o);
    steps.push(step);
    judged.push({ level: step.level, phase: step.phase, status: step.status });
    o.onStep?.(step);
  }
  const result = summarise(o, steps, conclusion, started, (performance.now() - t0) / 1000);
  return capacityResultSchema.parse(result);
}

function toStep(
  index: number,
  phase: StepPhase,
  level: number,
  m: StepMeasurement,
  o: CapacityOptions,
): CapacityStep {
  const j = judgeStep({
    model: o.model,
    window: m.window,
    conditions: o.conditions,
    generator: m.generator,
    limits: o.generatorLimits ?? defaultGeneratorLimits,
  });
  const w = m.window;
  const seconds = Math.max(0.001, Math.min(m.judged.endS, m.durationS) - m.judged.startS);
  return {
    index,
    phase,
    level,
    startedAt: m.startedAt.toISOString(),
    judged: { start: m.judged.startS, end: m.judged.endS },
    intendedRps: round(w.intended / seconds),
    achievedRps: round(w.sent / seconds),
    okRps: round(w.ok / seconds),
    requests: { intended: w.intended, sent: w.sent, ok: w.ok, failed: w.failed, dropped: w.dropped },
    latencyMs: { ...w.latency },
    errorRatePct: round(pct(w.failed, w.ok + w.failed), 4),
    sla: j.sla.map((s) => ({ ...s, observed: s.observed === null ? null : round(s.observed, 4) })),
    generator: { ...j.generator, ...m.generator },
    cluster: m.cluster
      ? {
          readyReplicas: m.cluster.readyReplicas === null ? null : round(m.cluster.readyReplicas),
          cpuCores: m.cluster.cpuCores === null ? null : round(m.cluster.cpuCores, 3),
          cpuCovered: m.cluster.cpuCovered,
          notes: [...m.cluster.notes],
        }
      : null,
    status: j.status,
    reasons: [...j.reasons],
  };
}

/** 'req/s' for the open model's rate levels, 'connections' for the closed model's. */
export function levelText(model: LoadModel, level: number): string {
  if (model === 'open') return `${fmt(level)} req/s`;
  return `${fmt(level)} connection${level === 1 ? '' : 's'}`;
}

function summarise(
  o: CapacityOptions,
  steps: readonly CapacityStep[],
  c: SearchConclusion,
  started: Date,
  durationS: number,
): CapacityResult {
  const at = (level: number | null) =>
    level === null ? undefined : steps.find((s) => s.level === level && s.status !== 'invalid');
  // Open model: the last good rate. Closed model: the most throughput any good step achieved
  // (more connections past the knee only queue, so the last good step need not be the fastest).
  const good =
    o.model === 'open'
      ? at(c.lastGood)
      : steps
          .filter((s) => s.status === 'pass' && (c.firstBad === null || s.level < c.firstBad))
          .reduce<CapacityStep | undefined>(
            (m, s) => (!m || s.achievedRps > m.achievedRps ? s : m),
            undefined,
          );
  const bad = c.firstBad === null ? undefined : steps.find((s) => s.level === c.firstBad);
  const maxRps = good ? (o.model === 'open' ? good.level : good.achievedRps) : null;
  const replicas = good?.cluster ? good.cluster.readyReplicas : (o.replicas ?? null);
  const perReplica = perUnit(maxRps, replicas);
  const perCore = perUnit(maxRps, good?.cluster?.cpuCores ?? null);
  const notes = [...(o.notes ?? [])];
  let recommendation: CapacityResult['recommendation'] = null;
  if (o.targetRps !== undefined) {
    if (perReplica) {
      const r = recommendReplicas(o.targetRps, o.headroom, perReplica, perCore);
      recommendation = {
        targetRps: r.targetRps,
        headroomPct: round(r.headroom * 100),
        replicas: r.replicas,
        rpsPerReplicaAtTarget: round(r.rpsPerReplicaAtTarget),
        utilisationPct: round(r.utilisation * 100),
        cores: r.cores === null ? null : round(r.cores, 3),
        formula: r.formula,
        assumption: r.assumption,
      };
      if (c.outcome !== 'knee') {
        notes.push(
          'the maximum rate is a lower bound (the SLA never broke), so the recommendation may be more than needed',
        );
      }
    } else {
      notes.push(
        maxRps === null
          ? 'no replica recommendation: no step met the SLA'
          : 'no replica recommendation: the number of replicas is unknown (a URL target: pass --replicas N)',
      );
    }
  }
  if (good?.cluster && !good.cluster.cpuCovered && good.cluster.cpuCores !== null) {
    notes.push(
      'rate per CPU core is approximate: the metrics.k8s.io sample window reached back before the last good step; hold longer than the metrics window (15–20 s on metrics-server) for an exact figure',
    );
  }
  if (perReplica) {
    notes.push(
      `rate per replica${recommendation ? ' and replica recommendation' : ''}: ${LINEAR_SCALING_ASSUMPTION}`,
    );
  }
  return {
    schemaVersion: CAPACITY_SCHEMA_VERSION,
    kind: 'capacity',
    gauntletVersion,
    scenario: { name: o.scenario.name, file: o.scenario.file, target: o.url },
    startedAt: started.toISOString(),
    durationS: round(durationS, 3),
    model: o.model,
    engine: o.engine.name,
    sla: o.conditions.map((s) => ({
      id: s.id,
      metric: s.metric as 'latency' | 'error-rate' | 'availability',
      ...(s.percentile !== undefined ? { percentile: s.percentile } : {}),
      op: s.op,
      value: s.value,
    })),
    plan: {
      start: o.plan.start,
      max: o.plan.max,
      ...(o.plan.growth.kind === 'add' ? { step: o.plan.growth.step } : { factor: o.plan.growth.factor }),
      holdS: o.holdMs / 1000,
      warmupS: o.warmupMs / 1000,
      bisect: o.bisect ? { ...o.bisect } : null,
      generatorLimits: { ...(o.generatorLimits ?? defaultGeneratorLimits) },
    },
    steps: [...steps],
    outcome: c.outcome,
    headline: headline(o.model, c, steps, maxRps, good?.level ?? null, o.plan.max),
    maxSustainableRps: maxRps === null ? null : round(maxRps),
    lowerBound: maxRps !== null && c.outcome !== 'knee',
    firstBrokenLevel: bad?.level ?? null,
    generatorLimitedAt: c.invalidAt,
    perReplica: perReplica && { rps: round(perReplica.rps), units: perReplica.units },
    perCore: perCore && { rps: round(perCore.rps), units: perCore.units },
    recommendation,
    notes,
  };
}

function headline(
  model: LoadModel,
  c: SearchConclusion,
  steps: readonly CapacityStep[],
  maxRps: number | null,
  bestLevel: number | null,
  planMax: number,
): string {
  const lv = (n: number) => levelText(model, n);
  const rate = maxRps === null ? '' : `${fmt(maxRps, 1)} req/s`;
  const at = model === 'closed' && bestLevel !== null ? ` (at ${lv(bestLevel)})` : '';
  const why = (level: number | null) => {
    const s = steps.find((x) => x.level === level && x.status !== 'pass');
    return s?.reasons[0] ? ` (${s.reasons[0]})` : '';
  };
  switch (c.outcome) {
    case 'knee':
      return `Maximum sustainable rate at the SLA: ${rate}${at}; ${lv(c.firstBad ?? 0)} broke it${why(c.firstBad)}.`;
    case 'broken-at-start':
      return `The SLA broke at the first step, ${lv(c.firstBad ?? 0)}${why(c.firstBad)}: the capacity is below it; lower --start.`;
    case 'generator-limited':
      return maxRps === null
        ? `The generator could not keep the schedule at ${lv(c.invalidAt ?? 0)}, before any step passed: no capacity figure; run the generator on a bigger machine or closer to the target.`
        : `The generator could not keep the schedule at ${lv(c.invalidAt ?? 0)} before the SLA broke: the target sustained at least ${rate}${at}.`;
    case 'max-reached':
      return `The SLA held up to the maximum step, ${lv(planMax)}: the target sustains at least ${rate}${at}; raise --max to find the knee.`;
    case 'interrupted':
      return maxRps === null
        ? 'Interrupted before any step was judged.'
        : `Interrupted before the SLA broke: the target sustained at least ${rate}${at}.`;
  }
}
