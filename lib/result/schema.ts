/**
 * result.json, schemaVersion 1: the contract later tools (report, compare, CI) and users rely on.
 * One zod schema is the single source of both the runtime check and the TypeScript types.
 * Times are seconds from the run start unless a field says otherwise. Documented in
 * docs/result-schema.md; keep the two in step.
 */
import { z } from 'zod';

export const errorKinds = [
  'refused',
  'reset',
  'timeout',
  'status-4xx',
  'status-5xx',
  'status-other',
  'other',
] as const;
export type ErrorKind = (typeof errorKinds)[number];

const latencyStats = z.object({
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
});
export type LatencyStats = z.infer<typeof latencyStats>;

const counts = z.record(z.string(), z.number().int().nonnegative());

export const seriesPointSchema = z.object({
  /** Second index: this point covers [t, t+1) by intended send time. */
  t: z.number().int().nonnegative(),
  intended: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  ok: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  dropped: z.number().int().nonnegative(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
  errors: counts,
  /** Responses by HTTP status code in this second (optional, so older v1 files stay valid). */
  statusCodes: counts.optional(),
  /** HDR histogram of latency (µs) for this second, compressed base64; lets windows be re-merged. */
  hist: z.string().optional(),
});
export type SeriesPoint = z.infer<typeof seriesPointSchema>;

export const spanSchema = z.object({
  kind: z.string(),
  name: z.string(),
  start: z.number(),
  end: z.number().nullable(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type Span = z.infer<typeof spanSchema>;

export const eventSchema = z.object({
  t: z.number(),
  kind: z.string(),
  object: z.string(),
  message: z.string(),
});
export type TimelineEvent = z.infer<typeof eventSchema>;

export const verdictSchema = z.object({
  name: z.string(),
  claim: z.string(),
  observed: z.string(),
  pass: z.boolean(),
  /** A verdict that could not be judged (e.g. the generator itself saturated) is not the target's fault. */
  inconclusive: z.boolean().optional(),
  window: z.object({ start: z.number(), end: z.number() }),
  evidence: z.unknown().optional(),
});
export type Verdict = z.infer<typeof verdictSchema>;

export const loadSummarySchema = z.object({
  engine: z.string(),
  model: z.enum(['open', 'closed']),
  intendedRps: z.number(),
  achievedRps: z.number(),
  requests: z.object({
    intended: z.number().int().nonnegative(),
    sent: z.number().int().nonnegative(),
    ok: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    dropped: z.number().int().nonnegative(),
  }),
  /** Latency from the intended send time (includes queueing in the generator: no coordinated omission). */
  latencyMs: latencyStats,
  /** Service time from the actual send. */
  serviceTimeMs: latencyStats,
  /** How late requests were sent after their intended time. */
  scheduleLagMs: z.object({
    p50: z.number().nullable(),
    p99: z.number().nullable(),
    max: z.number().nullable(),
  }),
  errors: counts,
  statusCodes: counts,
});
export type LoadSummary = z.infer<typeof loadSummarySchema>;

export const resultSchema = z.object({
  schemaVersion: z.literal(1),
  gauntletVersion: z.string(),
  scenario: z.object({
    name: z.string(),
    description: z.string().optional(),
    file: z.string().nullable(),
    target: z.string(),
    scale: z.number(),
  }),
  startedAt: z.string(),
  durationS: z.number(),
  pass: z.boolean(),
  /** false when the generator could not produce the intended load: verdicts then say nothing of the target. */
  valid: z.boolean(),
  /** How the run ended. */
  status: z.enum(['completed', 'aborted', 'interrupted']),
  abortReason: z.string().optional(),
  load: loadSummarySchema,
  series: z.array(seriesPointSchema),
  spans: z.array(spanSchema),
  events: z.array(eventSchema),
  verdicts: z.array(verdictSchema),
});
export type RunResult = z.infer<typeof resultSchema>;

export const SCHEMA_VERSION = 1 as const;
