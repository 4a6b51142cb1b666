/**
 * capacity.json, schemaVersion 1: what `gauntlet capacity` found. One zod schema is both the
 * runtime check and the TypeScript types, as for result.json. Rates are requests per second;
 * latencies ms; `level` is the step's arrival rate (open model) or its connections (closed model).
 * Documented in docs/capacity.md; keep the two in step.
 */
import { z } from 'zod';

export const CAPACITY_SCHEMA_VERSION = 1;

const latency = z.object({
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
});

const slaCondition = z.object({
  id: z.string(),
  metric: z.enum(['latency', 'error-rate', 'availability']),
  percentile: z.number().optional(),
  op: z.enum(['<', '<=', '>', '>=']),
  value: z.number(),
});

export const capacityStepSchema = z.object({
  /** 1-based, in the order run. */
  index: z.number().int().positive(),
  phase: z.enum(['step', 'bisect']),
  level: z.number().positive(),
  startedAt: z.string(),
  /** Judged window on the step's clock, seconds (warm-up before it). */
  judged: z.object({ start: z.number(), end: z.number() }),
  intendedRps: z.number().nonnegative(),
  /** Requests sent per second in the judged window. */
  achievedRps: z.number().nonnegative(),
  okRps: z.number().nonnegative(),
  requests: z.object({
    intended: z.number().int().nonnegative(),
    sent: z.number().int().nonnegative(),
    ok: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    dropped: z.number().int().nonnegative(),
  }),
  latencyMs: latency,
  /** Failed of completed requests, percent. */
  errorRatePct: z.number().nonnegative(),
  sla: z.array(
    z.object({
      id: z.string(),
      claim: z.string(),
      observed: z.number().nullable(),
      pass: z.boolean(),
      detail: z.string(),
    }),
  ),
  generator: z.object({
    onSchedule: z.boolean(),
    observed: z.string(),
    issueLagP99Ms: z.number().nullable(),
    scheduleLagP99Ms: z.number().nullable(),
    connectWaitP99Ms: z.number().nullable(),
    eventLoopDelayP99Ms: z.number().nullable(),
    cpuPct: z.number().nullable(),
  }),
  /** Kubernetes targets only. */
  cluster: z
    .object({
      readyReplicas: z.number().nullable(),
      cpuCores: z.number().nullable(),
      cpuCovered: z.boolean(),
      notes: z.array(z.string()),
    })
    .nullable(),
  status: z.enum(['pass', 'fail', 'invalid']),
  reasons: z.array(z.string()),
});
export type CapacityStep = z.infer<typeof capacityStepSchema>;

const perUnit = z.object({ rps: z.number().positive(), units: z.number().positive() }).nullable();

export const capacityResultSchema = z.object({
  schemaVersion: z.literal(CAPACITY_SCHEMA_VERSION),
  kind: z.literal('capacity'),
  gauntletVersion: z.string(),
  scenario: z.object({ name: z.string(), file: z.string().nullable(), target: z.string() }),
  startedAt: z.string(),
  durationS: z.number().nonnegative(),
  model: z.enum(['open', 'closed']),
  engine: z.string(),
  sla: z.array(slaCondition).min(1),
  plan: z.object({
    start: z.number().positive(),
    max: z.number().positive(),
    step: z.number().positive().optional(),
    factor: z.number().optional(),
    holdS: z.number().positive(),
    warmupS: z.number().nonnegative(),
    bisect: z.object({ maxSteps: z.number().int().positive(), resolution: z.number() }).nullable(),
    /** Past these the generator, not the target, is what a step measures. */
    generatorLimits: z.object({ maxDroppedPct: z.number(), maxScheduleLagP99Ms: z.number() }),
  }),
  steps: z.array(capacityStepSchema),
  outcome: z.enum(['knee', 'broken-at-start', 'generator-limited', 'max-reached', 'interrupted']),
  /** One sentence for people: what was found. */
  headline: z.string(),
  /**
   * Highest rate the target sustained within the SLA: the last good step's arrival rate (open
   * model), or the highest rate a good step achieved (closed model). null when no step passed.
   */
  maxSustainableRps: z.number().nullable(),
  /** True when the search stopped before the SLA broke (max reached or generator-limited). */
  lowerBound: z.boolean(),
  /** The level of the first broken step above the last good one, when there is one. */
  firstBrokenLevel: z.number().nullable(),
  /** Where the generator fell behind, when it did. */
  generatorLimitedAt: z.number().nullable(),
  perReplica: perUnit,
  perCore: perUnit,
  recommendation: z
    .object({
      targetRps: z.number().positive(),
      headroomPct: z.number().nonnegative(),
      replicas: z.number().int().positive(),
      rpsPerReplicaAtTarget: z.number(),
      utilisationPct: z.number(),
      cores: z.number().nullable(),
      formula: z.string(),
      assumption: z.string(),
    })
    .nullable(),
  notes: z.array(z.string()),
});
export type CapacityResult = z.infer<typeof capacityResultSchema>;
