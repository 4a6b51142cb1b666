/**
 * `verify`: verdicts about how the target behaves under load and faults, beyond per-window SLAs.
 * Each entry is one kind; cross-field rules (at least one autoscaling check, …) are checked in
 * verify-resolve.ts so their messages can name both fields.
 */
import { z } from 'zod';
import {
  duration,
  positiveDuration,
  requiredDuration,
  scopeSchema,
  slaTextSchema,
  windowSchema,
} from './fields.ts';

const count = (field: string, min: number) =>
  z
    .number({ error: `${field} must be a whole number` })
    .int({ error: `${field} must be a whole number` })
    .min(min, { error: `${field} must be ≥ ${min}` });

const name = (field: string, example: string) =>
  z.string().min(1, { error: `${field} must name the object, e.g. '${example}'` });

export const verifyKinds = [
  'zero-downtime',
  'recovery-time',
  'autoscaling',
  'preflight',
  'alert-detection',
] as const;

const zeroDowntime = z.strictObject({
  kind: z.literal('zero-downtime'),
  scope: scopeSchema.default('run'),
  window: windowSchema.optional(),
  /** How far back a failure looks for its Kubernetes cause. */
  lookback: positiveDuration.default('30s'),
});

const recoveryTime = z.strictObject({
  kind: z.literal('recovery-time'),
  within: requiredDuration('within', '30s'),
  /** What "recovered" means, per second; default: the scenario's latency and error SLAs. */
  sla: z.union([slaTextSchema, z.array(slaTextSchema).min(1)]).optional(),
  stableFor: positiveDuration.default('5s'),
  /** Judge only the fault spans with this name or action (default: every fault). */
  fault: name('fault', 'pod-kill').optional(),
});

const autoscaling = z.strictObject({
  kind: z.literal('autoscaling'),
  hpa: name('hpa', 'api').optional(),
  deployment: name('deployment', 'api').optional(),
  loadStepAt: duration.optional(),
  loadDropAt: duration.optional(),
  scaleUpWithin: positiveDuration.optional(),
  minPeak: count('minPeak', 1).optional(),
  maxDirectionChanges: count('maxDirectionChanges', 0).optional(),
  scaleDownTo: count('scaleDownTo', 0).optional(),
  scaleDownWithin: positiveDuration.optional(),
});

const preflight = z.strictObject({
  kind: z.literal('preflight'),
  minZones: count('minZones', 1).default(2),
});

/** Prometheus refuses an alerting rule whose name is not a valid metric name. */
const kAlertName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const kLabelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const alertDetection = z.strictObject({
  kind: z.literal('alert-detection'),
  alerts: z
    .array(
      z.string({ error: "an alert name is a string, e.g. 'TargetDown'" }).regex(kAlertName, {
        error: (iss) =>
          `'${String(iss.input)}' is not an alert name; use a Prometheus rule name such as 'TargetDown'`,
      }),
      {
        error: (iss) =>
          iss.input === undefined
            ? "alerts is required: the alerts that must fire, e.g. alerts: ['TargetDown']"
            : "alerts is a list of alert names, e.g. alerts: ['TargetDown', 'NodeNotReady']",
      },
    )
    .min(1, { error: "alerts must name at least one alert, e.g. alerts: ['TargetDown']" }),
  /** From the fault's inject to Alertmanager's startsAt; not scaled. */
  within: requiredDuration('within', '60s'),
  /** Judge only the chaos spans with this name or action (default: every fault). */
  fault: name('fault', 'zone-outage').optional(),
  /** Only alerts carrying these labels count, e.g. { namespace: 'novel-engine' }. */
  labels: z
    .record(
      z.string().regex(kLabelName),
      z.string({ error: "a label value is a string, e.g. labels: { namespace: 'novel-engine' }" }),
      {
        error: (iss) =>
          iss.code === 'invalid_key'
            ? `'${String(iss.path?.at(-1) ?? iss.input)}' is not a label name; use e.g. namespace or job`
            : "labels is an object of label values, e.g. { namespace: 'novel-engine' }",
      },
    )
    .optional(),
});

function kindError(input: unknown): string {
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (kind === 'availability') {
    return "availability is an SLA, not a verify entry: add it to slas, e.g. { sla: 'availability>=99.9%', scope: 'during-fault' }";
  }
  const known = verifyKinds.map((k) => `'${k}'`).join(', ');
  return kind === undefined
    ? `kind is missing; use one of ${known}`
    : `unknown kind '${String(kind)}'; use one of ${known}`;
}

export const verifySchema = z.discriminatedUnion(
  'kind',
  [zeroDowntime, recoveryTime, autoscaling, preflight, alertDetection],
  {
    error: (iss) =>
      typeof iss.input !== 'object' || iss.input === null || Array.isArray(iss.input)
        ? `a verify entry is an object like { kind: 'zero-downtime', scope: 'during-fault' }`
        : kindError(iss.input),
  },
);

export const verifyListSchema = z.array(verifySchema);

export type VerifyInput = z.input<typeof verifySchema>;
export type ParsedVerify = z.output<typeof verifySchema>;
