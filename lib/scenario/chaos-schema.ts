/**
 * The chaos schedule as users write it, and its resolution to milliseconds. Each entry runs one
 * action at an offset on the run's clock, optionally again at an interval:
 *
 *   { at: '10s', every: '30s', times: 3, duration: '20s', action: { kind: 'node-drain' } }
 *
 * Offsets and holds scale with `--scale` like the load profile; timeouts and Kubernetes settings
 * (progress deadline, eviction back-off) do not, because the cluster does not run faster.
 */
import { z } from 'zod';
import { DURATION_HINT, formatDuration, parseDuration } from './duration.ts';
import {
  awsFisOptionsSchema,
  kindOptionsSchema,
  resolveZoneProviderOptions,
  ZONE_FAULT_MODES,
  ZONE_PROVIDERS,
  type ResolvedAwsFisZoneOptions,
  type ResolvedKindZoneOptions,
  type ZoneFaultMode,
} from './zone-provider-schema.ts';

const duration = z.union([z.string(), z.number()]).refine((v) => parseDuration(v) !== undefined, {
  message: `not a duration; ${DURATION_HINT}`,
});
const positiveDuration = duration.refine((v) => (parseDuration(v) ?? 0) > 0, {
  message: `must be longer than zero; ${DURATION_HINT}`,
});
const wholeCount = (what: string) =>
  z.number({ error: `${what} must be a number` }).int({ error: `${what} must be a whole number` });

export { ZONE_FAULT_MODES, ZONE_PROVIDERS, type ZoneFaultMode };
export const BAD_ROLLOUT_FAULTS = ['unpullable-image', 'failing-readiness'] as const;

const allowTotalOutage = z.boolean().default(false);

const podKillSchema = z.strictObject({
  kind: z.literal('pod-kill'),
  /** Label selector; default the target's. */
  selector: z.string().min(1).optional(),
  count: wholeCount('count').min(1, { error: 'count must be ≥ 1' }).optional(),
  percent: z
    .number()
    .gt(0, { error: 'percent must be > 0' })
    .lte(100, { error: 'percent must be ≤ 100' })
    .optional(),
  /** graceful: delete with the pod's grace period (or gracePeriod); forced: grace period 0. */
  mode: z.enum(['graceful', 'forced'], { error: "mode must be 'graceful' or 'forced'" }).default('graceful'),
  gracePeriod: duration.optional(),
  allowTotalOutage,
});

const evictionRetrySchema = z.strictObject({
  attempts: wholeCount('evictionRetry.attempts').min(1).max(1000).default(20),
  backoff: positiveDuration.default('1s'),
  maxBackoff: positiveDuration.default('10s'),
});

const nodeDrainSchema = z.strictObject({
  kind: z.literal('node-drain'),
  /** A node by name; or `zone` (the node of that zone hosting most target pods); neither: the node hosting most target pods. */
  node: z.string().min(1).optional(),
  zone: z.string().min(1).optional(),
  evictionRetry: evictionRetrySchema.default({ attempts: 20, backoff: '1s', maxBackoff: '10s' }),
  /** How long to wait for evicted pods to be gone before the hold starts anyway. */
  evictionTimeout: positiveDuration.default('2m'),
  allowTotalOutage,
});

const zoneOutageSchema = z.strictObject({
  kind: z.literal('zone-outage'),
  /** Zone name; default the zone hosting most target pods. */
  zone: z.string().min(1).optional(),
  mode: z
    .enum(ZONE_FAULT_MODES, { error: `mode must be one of ${ZONE_FAULT_MODES.join(', ')}` })
    .default('stop'),
  provider: z
    .enum(ZONE_PROVIDERS, { error: `provider must be one of ${ZONE_PROVIDERS.join(', ')}` })
    .default('local'),
  /** provider 'kind': which kind cluster. */
  kindOptions: kindOptionsSchema.optional(),
  /** provider 'aws-fis': the role, template and stop conditions of the FIS experiment. */
  awsFisOptions: awsFisOptionsSchema.optional(),
  allowTotalOutage,
});

const rolloutRestartSchema = z.strictObject({
  kind: z.literal('rollout-restart'),
  /** Bound on waiting for the restarted rollout to complete. */
  timeout: positiveDuration.default('5m'),
});

const badRolloutSchema = z.strictObject({
  kind: z.literal('bad-rollout'),
  fault: z
    .enum(BAD_ROLLOUT_FAULTS, { error: `fault must be one of ${BAD_ROLLOUT_FAULTS.join(', ')}` })
    .default('unpullable-image'),
  /** Container to break; default the first. */
  container: z.string().min(1).optional(),
  /** unpullable-image: the image to roll out. */
  image: z.string().min(1).optional(),
  /** failing-readiness: an HTTP path that answers 404. */
  readinessPath: z.string().startsWith('/', { error: "readinessPath must start with '/'" }).optional(),
  /** Sets the deployment's progressDeadlineSeconds while the fault is active (restored on revert). */
  progressDeadline: positiveDuration.optional(),
  /** After the progress deadline, roll back like `kubectl rollout undo` and time the recovery. */
  rollback: z.boolean().default(false),
  /** Bound on waiting for the deadline and for the rollback to complete. */
  timeout: positiveDuration.default('15m'),
  allowTotalOutage,
});

export const chaosActionSchema = z.discriminatedUnion(
  'kind',
  [podKillSchema, nodeDrainSchema, zoneOutageSchema, rolloutRestartSchema, badRolloutSchema],
  {
    error: "kind must be 'pod-kill', 'node-drain', 'zone-outage', 'rollout-restart' or 'bad-rollout'",
  },
);

export const chaosEntrySchema = z.strictObject({
  /** Offset on the run's clock of the first injection. */
  at: duration.default(0),
  /** Repeat at this interval (from one injection's start to the next). */
  every: positiveDuration.optional(),
  /** Number of injections; default 1, or with `every` as many as fit before the run ends. */
  times: wholeCount('times').min(1, { error: 'times must be ≥ 1' }).optional(),
  /** How long the fault stays injected before it is reverted. */
  duration: duration.default(0),
  action: chaosActionSchema,
});

export const chaosScheduleSchema = z.array(chaosEntrySchema);

/** Blast-radius caps for every action of a run (a scenario-level field next to `chaos`). */
export const chaosLimitsSchema = z.strictObject({
  /** Most pods one action may delete or evict. */
  maxPods: wholeCount('chaosLimits.maxPods').min(1).default(10),
  /** Most nodes one action may drain or take down (a zone outage counts every node of the zone). */
  maxNodes: wholeCount('chaosLimits.maxNodes').min(1).default(3),
});
export type ChaosLimits = z.output<typeof chaosLimitsSchema>;
export const DEFAULT_CHAOS_LIMITS: ChaosLimits = { maxPods: 10, maxNodes: 3 };

export type ChaosEntryInput = z.input<typeof chaosEntrySchema>;
export type ParsedChaosEntry = z.output<typeof chaosEntrySchema>;
export type ChaosActionInput = z.input<typeof chaosActionSchema>;

export type ResolvedPodKill = {
  readonly kind: 'pod-kill';
  readonly selector: string | null;
  readonly amount: { readonly count: number } | { readonly percent: number };
  readonly mode: 'graceful' | 'forced';
  readonly gracePeriodSeconds: number | null;
  readonly allowTotalOutage: boolean;
};
export type NodeSelection =
  | { readonly by: 'name'; readonly name: string }
  | { readonly by: 'zone'; readonly zone: string }
  | { readonly by: 'most-target-pods' };
export type ResolvedNodeDrain = {
  readonly kind: 'node-drain';
  readonly node: NodeSelection;
  readonly evictionRetry: {
    readonly attempts: number;
    readonly backoffMs: number;
    readonly maxBackoffMs: number;
  };
  readonly evictionTimeoutMs: number;
  readonly allowTotalOutage: boolean;
};
export type ResolvedZoneOutage = {
  readonly kind: 'zone-outage';
  /** null: the zone hosting most target pods. */
  readonly zone: string | null;
  readonly mode: ZoneFaultMode;
  readonly provider: string;
  readonly allowTotalOutage: boolean;
  /** Only with provider 'kind'. */
  readonly kindOptions?: ResolvedKindZoneOptions;
  /** Only with provider 'aws-fis'. */
  readonly awsFisOptions?: ResolvedAwsFisZoneOptions;
};
export type ResolvedRolloutRestart = { readonly kind: 'rollout-restart'; readonly timeoutMs: number };
export type ResolvedBadRollout = {
  readonly kind: 'bad-rollout';
  readonly fault: (typeof BAD_ROLLOUT_FAULTS)[number];
  readonly container: string | null;
  readonly image: string;
  readonly readinessPath: string;
  readonly progressDeadlineSeconds: number | null;
  readonly rollback: boolean;
  readonly timeoutMs: number;
  readonly allowTotalOutage: boolean;
};
export type ResolvedChaosAction =
  ResolvedPodKill | ResolvedNodeDrain | ResolvedZoneOutage | ResolvedRolloutRestart | ResolvedBadRollout;

export interface ResolvedChaosEntry {
  /** Position in the scenario's `chaos` list, for messages. */
  readonly index: number;
  readonly atMs: number;
  readonly everyMs: number | null;
  /** null: repeat every `everyMs` until the run ends. */
  readonly times: number | null;
  readonly holdMs: number;
  readonly action: ResolvedChaosAction;
}

/** An image no registry serves (`.invalid` is reserved, RFC 2606), so every runtime fails to pull it. */
export const DEFAULT_BAD_IMAGE = 'gauntlet.invalid/unpullable:bad-rollout';
export const DEFAULT_BAD_READINESS_PATH = '/gauntlet-bad-rollout-not-found';

/**
 * Parsed entries → resolved ones. Cross-field problems are pushed as `chaos[i].field: what (fix)`,
 * like the rest of the scenario's resolution.
 */
export function resolveChaosEntries(
  entries: readonly ParsedChaosEntry[],
  options: {
    scale?: number;
    problems: string[];
    /** Planned run length (ms, scaled), to catch entries that would start after it. */
    runMs?: number;
  },
): ResolvedChaosEntry[] {
  const scale = options.scale ?? 1;
  const ms = (v: string | number) => parseDuration(v) as number;
  return entries.map((e, index) => {
    const at = `chaos[${index}]`;
    const everyMs = e.every === undefined ? null : ms(e.every) * scale;
    const holdMs = ms(e.duration) * scale;
    if (options.runMs !== undefined && ms(e.at) * scale >= options.runMs)
      options.problems.push(
        `${at}.at: ${formatDuration(ms(e.at) * scale)} is not before the load ends (${formatDuration(options.runMs)}); inject earlier or lengthen the load`,
      );
    if (e.times !== undefined && e.times > 1 && everyMs === null)
      options.problems.push(`${at}.times: ${e.times} injections need 'every' (the interval between them)`);
    if (everyMs !== null && holdMs >= everyMs)
      options.problems.push(
        `${at}.every: the interval must be longer than duration (the fault is still held when the next one is due)`,
      );
    return {
      index,
      atMs: ms(e.at) * scale,
      everyMs,
      times: e.times ?? (everyMs === null ? 1 : null),
      holdMs,
      action: resolveAction(e.action, `${at}.action`, options.problems),
    };
  });
}

function resolveAction(a: ParsedChaosEntry['action'], at: string, problems: string[]): ResolvedChaosAction {
  const ms = (v: string | number) => parseDuration(v) as number;
  switch (a.kind) {
    case 'pod-kill': {
      if (a.count !== undefined && a.percent !== undefined)
        problems.push(`${at}: give count or percent, not both`);
      if (a.mode === 'forced' && a.gracePeriod !== undefined)
        problems.push(
          `${at}.gracePeriod: a forced kill uses grace period 0; drop gracePeriod or use mode 'graceful'`,
        );
      return {
        kind: 'pod-kill',
        selector: a.selector ?? null,
        amount: a.percent !== undefined ? { percent: a.percent } : { count: a.count ?? 1 },
        mode: a.mode,
        gracePeriodSeconds: a.gracePeriod === undefined ? null : Math.ceil(ms(a.gracePeriod) / 1000),
        allowTotalOutage: a.allowTotalOutage,
      };
    }
    case 'node-drain': {
      if (a.node !== undefined && a.zone !== undefined)
        problems.push(`${at}: give node (a name) or zone, not both`);
      const retry = a.evictionRetry;
      if (ms(retry.maxBackoff) < ms(retry.backoff))
        problems.push(`${at}.evictionRetry.maxBackoff: must be at least backoff`);
      return {
        kind: 'node-drain',
        node:
          a.node !== undefined
            ? { by: 'name', name: a.node }
            : a.zone !== undefined
              ? { by: 'zone', zone: a.zone }
              : { by: 'most-target-pods' },
        evictionRetry: {
          attempts: retry.attempts,
          backoffMs: ms(retry.backoff),
          maxBackoffMs: ms(retry.maxBackoff),
        },
        evictionTimeoutMs: ms(a.evictionTimeout),
        allowTotalOutage: a.allowTotalOutage,
      };
    }
    case 'zone-outage':
      return {
        kind: 'zone-outage',
        zone: a.zone ?? null,
        mode: a.mode,
        provider: a.provider,
        allowTotalOutage: a.allowTotalOutage,
        ...resolveZoneProviderOptions(a, at, problems),
      };
    case 'rollout-restart':
      return { kind: 'rollout-restart', timeoutMs: ms(a.timeout) };
    case 'bad-rollout': {
      if (a.image !== undefined && a.fault !== 'unpullable-image')
        problems.push(`${at}.image: only used with fault 'unpullable-image'`);
      if (a.readinessPath !== undefined && a.fault !== 'failing-readiness')
        problems.push(`${at}.readinessPath: only used with fault 'failing-readiness'`);
      return {
        kind: 'bad-rollout',
        fault: a.fault,
        container: a.container ?? null,
        image: a.image ?? DEFAULT_BAD_IMAGE,
        readinessPath: a.readinessPath ?? DEFAULT_BAD_READINESS_PATH,
        progressDeadlineSeconds:
          a.progressDeadline === undefined ? null : Math.max(1, Math.ceil(ms(a.progressDeadline) / 1000)),
        rollback: a.rollback,
        timeoutMs: ms(a.timeout),
        allowTotalOutage: a.allowTotalOutage,
      };
    }
  }
}
