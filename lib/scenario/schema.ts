/**
 * The scenario as users write it (input form). Strict objects: a typo is an error, never ignored.
 * Types for authors are derived from this one schema (`ScenarioInput`).
 */
import { z } from 'zod';
import { positiveDuration, scopeSchema, slaTextSchema, windowSchema } from './fields.ts';
import { chaosLimitsSchema, chaosScheduleSchema, DEFAULT_CHAOS_LIMITS } from './chaos-schema.ts';
import { verifyListSchema } from './verify-schema.ts';
import { isPromqlSlaInput, promqlSlaSchema } from './promql-sla-schema.ts';

const positiveNumber = (what: string) =>
  z.number({ error: `${what} must be a number` }).positive({ error: `${what} must be greater than 0` });

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

const requestSchema = z.strictObject({
  name: z.string().min(1).optional(),
  method: z.enum(methods, { error: `method must be one of ${methods.join(', ')}` }).default('GET'),
  path: z.string().startsWith('/', { error: "path must start with '/', e.g. '/api/v1/narratives'" }),
  headers: z.record(z.string(), z.string()).optional(),
  /** A string is sent as is; anything else is sent as JSON (with content-type application/json). */
  body: z.unknown().optional(),
  /** Statuses that count as success (default: any 2xx). */
  expectStatus: z
    .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
    .optional(),
  weight: z.number().positive({ error: 'weight must be greater than 0' }).default(1),
});

const stageSchema = z.strictObject({
  target: z.number().nonnegative({ error: 'target (req/s at the end of the stage) must be ≥ 0' }),
  duration: positiveDuration,
});

const loadSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('constant-arrival-rate'),
      rate: positiveNumber('rate (requests per second)'),
      duration: positiveDuration,
    }),
    z.strictObject({
      kind: z.literal('ramping-arrival-rate'),
      startRate: z.number().nonnegative().default(0),
      stages: z.array(stageSchema).min(1, { error: 'stages needs at least one { target, duration }' }),
    }),
    z.strictObject({
      kind: z.literal('closed'),
      connections: z.number().int().positive({ error: 'connections must be a whole number ≥ 1' }),
      duration: positiveDuration,
    }),
  ],
  { error: "kind must be 'constant-arrival-rate', 'ramping-arrival-rate' or 'closed'" },
);

const slaObjectSchema = z.strictObject({
  metric: z.enum(['latency', 'error-rate', 'availability', 'achieved-rate']),
  /** Latency percentile, e.g. 95 or 99.9 (latency only). */
  percentile: z.number().gt(0).lte(100).optional(),
  op: z.enum(['<', '<=', '>', '>=']),
  /** ms (or a duration string) for latency; percent for the others. */
  value: z.union([z.number(), z.string()]),
});

const slaOptions = {
  window: windowSchema.optional(),
  scope: scopeSchema.default('run'),
  abortOnFail: z.boolean().default(false),
  /** Trailing window the abort check looks at. */
  abortWindow: positiveDuration.default('10s'),
};

const clientSlaSchema = z.union([
  slaTextSchema,
  z.strictObject({ sla: z.string(), ...slaOptions }),
  slaObjectSchema.extend(slaOptions).strict(),
]);

type AnySla = typeof clientSlaSchema | typeof promqlSlaSchema;

/**
 * An entry with `promql` is checked by the server-side schema alone, the rest by the client-side
 * forms: a union of all four would answer a mistake in either with a bare 'Invalid input'.
 */
const slaSchema = z.unknown().transform((v, ctx) => {
  const r = (isPromqlSlaInput(v) ? promqlSlaSchema : clientSlaSchema).safeParse(v);
  if (r.success) return r.data;
  for (const iss of r.error.issues)
    ctx.addIssue({ ...iss, path: iss.path } as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
}) as unknown as z.ZodType<z.output<AnySla>, z.input<AnySla>>;

const kubernetesTargetSchema = z.strictObject({
  namespace: z.string().min(1, { error: 'target.kubernetes.namespace must name a namespace' }),
  /** Deployment name; or give `selector` to find the Deployment whose pods it matches. */
  deployment: z.string().min(1).optional(),
  selector: z.string().min(1).optional(),
  /** Service name; default the one Service that selects the Deployment's pods. */
  service: z.string().min(1).optional(),
  /** Ingress name; default an Ingress that routes to the Service. */
  ingress: z.string().min(1).optional(),
  /** Send load here instead of the address read from the Ingress/Service (e.g. a port-forward). */
  url: z.string().optional(),
});

const targetSchema = z.union(
  [z.string(), z.strictObject({ url: z.string() }), z.strictObject({ kubernetes: kubernetesTargetSchema })],
  {
    error:
      "target must be a URL ('http://127.0.0.1:8080') or { kubernetes: { namespace, deployment } } (the address is read from its Ingress)",
  },
);

export const scenarioInputSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, {
    error: 'name must be letters, digits, dot, dash or underscore (used in file names)',
  }),
  description: z.string().default(''),
  target: targetSchema,
  requests: z
    .array(requestSchema)
    .min(1, { error: 'requests needs at least one request, e.g. { path: "/healthz" }' }),
  load: loadSchema,
  options: z
    .strictObject({
      maxInFlight: z.number().int().positive().optional(),
      timeout: positiveDuration.optional(),
      maxScheduleLag: positiveDuration.optional(),
      connections: z.number().int().positive().optional(),
    })
    .default({}),
  slas: z.array(slaSchema).default([]),
  /** Verdicts about the target's behaviour beyond SLAs (zero downtime, recovery, autoscaling, preflight). */
  verify: verifyListSchema.default([]),
  /** Faults on the run's clock: `{ at, every?, times?, duration?, action: { kind, … } }` (chaos/). */
  chaos: chaosScheduleSchema.default([]),
  /** Blast-radius caps for every chaos action. */
  chaosLimits: chaosLimitsSchema.default(DEFAULT_CHAOS_LIMITS),
});

export type ScenarioInput = z.input<typeof scenarioInputSchema>;
export type ParsedScenarioInput = z.output<typeof scenarioInputSchema>;
export type SlaInput = z.input<typeof slaSchema>;
export type { VerifyInput } from './verify-schema.ts';
export type { PromqlSlaInput } from './promql-sla-schema.ts';
