/**
 * Options of the zone-outage providers that reach real clusters, as users write them beside
 * `provider` and resolved to milliseconds:
 *
 *   { kind: 'zone-outage', provider: 'kind', kindOptions: { cluster: 'gauntlet' } }
 *   { kind: 'zone-outage', provider: 'aws-fis', mode: 'stop',
 *     awsFisOptions: { roleArn: 'arn:aws:iam::123456789012:role/gauntlet-fis', alarmArns: [...] } }
 *
 * FIS durations are AWS settings, so `--scale` leaves them alone, like the other timeouts.
 */
import { z } from 'zod';
import { DURATION_HINT, parseDuration } from './duration.ts';

export const ZONE_FAULT_MODES = ['stop', 'pause', 'partition', 'kubelet-down'] as const;
export type ZoneFaultMode = (typeof ZONE_FAULT_MODES)[number];
export const ZONE_PROVIDERS = ['local', 'kind', 'aws-fis'] as const;
export type ZoneProviderName = (typeof ZONE_PROVIDERS)[number];

/** The templates in infra-fixtures/aws/, each for one mode. */
export const FIS_TEMPLATES = {
  'az-power-interruption': 'stop',
  'nodegroup-terminate': 'stop',
  'network-disrupt-connectivity': 'partition',
} as const satisfies Record<string, ZoneFaultMode>;
export type FisTemplateName = keyof typeof FIS_TEMPLATES;
const FIS_TEMPLATE_NAMES = Object.keys(FIS_TEMPLATES) as [FisTemplateName, ...FisTemplateName[]];
/** The template a mode uses when none is named. */
export const DEFAULT_FIS_TEMPLATE: Partial<Record<ZoneFaultMode, FisTemplateName>> = {
  stop: 'az-power-interruption',
  partition: 'network-disrupt-connectivity',
};

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/;
const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^:]+:\*$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const MINUTE = 60_000;

const fisDuration = (field: string, fallback: string) =>
  z
    .union([z.string(), z.number()])
    .refine((v) => parseDuration(v) !== undefined, { error: `${field} is not a duration; ${DURATION_HINT}` })
    .refine(
      (v) => {
        const ms = parseDuration(v) ?? 0;
        return ms >= MINUTE && ms <= 12 * 60 * MINUTE && ms % MINUTE === 0;
      },
      { error: `${field} must be whole minutes from 1m to 12h (FIS durations), e.g. '30m'` },
    )
    .default(fallback);
const waitDuration = (field: string, fallback: string) =>
  z
    .union([z.string(), z.number()])
    .refine((v) => (parseDuration(v) ?? 0) > 0, {
      error: `${field} must be a duration above zero; ${DURATION_HINT}`,
    })
    .default(fallback);

export const kindOptionsSchema = z.strictObject({
  /** The kind cluster (`kind create cluster --name`); default from a `kind-<name>` kubeconfig context. */
  cluster: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
      error: "cluster must be a kind cluster name such as 'gauntlet' (lower case, digits, '-' and '.')",
    })
    .optional(),
});

export const awsFisOptionsSchema = z.strictObject({
  /** The IAM role FIS assumes (trust principal fis.amazonaws.com). */
  roleArn: z
    .string({ error: 'roleArn is required: the IAM role FIS assumes (see docs/targets/eks.md)' })
    .regex(IAM_ROLE_ARN, {
      error: "roleArn must be an IAM role ARN such as 'arn:aws:iam::123456789012:role/gauntlet-fis'",
    }),
  /** Default: the region of an EKS context ARN, then AWS_REGION / AWS_DEFAULT_REGION. */
  region: z.string().regex(REGION, { error: "region must be a region such as 'eu-west-1'" }).optional(),
  /** EKS cluster name; default: the cluster of an EKS context ARN (arn:aws:eks:…:cluster/NAME). */
  cluster: z.string().min(1, { error: 'cluster must not be empty' }).optional(),
  /** A template from infra-fixtures/aws/; default by mode (stop: az-power-interruption, partition: network-disrupt-connectivity). */
  template: z
    .enum(FIS_TEMPLATE_NAMES, { error: `template must be one of ${FIS_TEMPLATE_NAMES.join(', ')}` })
    .optional(),
  /** Your own template file in the same format as infra-fixtures/aws/*.json (relative to the working directory). */
  templateFile: z.string().endsWith('.json', { error: 'templateFile must be a .json file' }).optional(),
  /** CloudWatch alarms that stop the experiment when they fire (FIS stop conditions). */
  alarmArns: z
    .array(
      z.string().regex(ALARM_ARN, {
        error:
          "each alarm must be a CloudWatch alarm ARN such as 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:five-xx'",
      }),
    )
    .default([]),
  /** FIS ends the fault by itself after this, even when gauntlet is gone; the hold should be shorter. */
  maxDuration: fisDuration('maxDuration', '30m'),
  /** CloudWatch Logs group for the experiment log (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`). */
  logGroupArn: z
    .string()
    .regex(LOG_GROUP_ARN, {
      error: "logGroupArn must look like 'arn:aws:logs:eu-west-1:123456789012:log-group:fis:*'",
    })
    .optional(),
  /** How often GetExperiment is polled. */
  pollInterval: waitDuration('pollInterval', '5s'),
  /** Bound on waiting for the fault action to run. */
  startTimeout: waitDuration('startTimeout', '5m'),
  /** Bound on waiting for a stopped experiment to finish its clean-up (instances started again). */
  stopTimeout: waitDuration('stopTimeout', '10m'),
});

export type ResolvedKindZoneOptions = { readonly cluster: string | null };
export type ResolvedAwsFisZoneOptions = {
  readonly roleArn: string;
  readonly region: string | null;
  readonly cluster: string | null;
  /** null: templateFile names the template. */
  readonly template: FisTemplateName | null;
  readonly templateFile: string | null;
  readonly alarmArns: readonly string[];
  readonly maxDurationMs: number;
  readonly logGroupArn: string | null;
  readonly pollIntervalMs: number;
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
};

export interface ZoneProviderInput {
  readonly provider: ZoneProviderName;
  readonly mode: ZoneFaultMode;
  readonly kindOptions?: z.output<typeof kindOptionsSchema>;
  readonly awsFisOptions?: z.output<typeof awsFisOptionsSchema>;
}

/** Cross-field checks and resolution; problems are pushed as `<at>.field: what (fix)`. */
export function resolveZoneProviderOptions(
  a: ZoneProviderInput,
  at: string,
  problems: string[],
): { kindOptions?: ResolvedKindZoneOptions; awsFisOptions?: ResolvedAwsFisZoneOptions } {
  const ms = (v: string | number) => parseDuration(v) as number;
  if (a.kindOptions && a.provider !== 'kind')
    problems.push(`${at}.kindOptions: only used with provider 'kind'; drop it or set provider: 'kind'`);
  if (a.awsFisOptions && a.provider !== 'aws-fis')
    problems.push(
      `${at}.awsFisOptions: only used with provider 'aws-fis'; drop it or set provider: 'aws-fis'`,
    );
  if (a.provider === 'kind') return { kindOptions: { cluster: a.kindOptions?.cluster ?? null } };
  if (a.provider !== 'aws-fis') return {};
  if (a.mode !== 'stop' && a.mode !== 'partition')
    problems.push(
      `${at}.mode: provider 'aws-fis' supports 'stop' and 'partition' (EC2 has no pause, and FIS does not stop a kubelet); use one of them or provider 'kind'`,
    );
  const o = a.awsFisOptions;
  if (!o) {
    problems.push(
      `${at}.awsFisOptions: provider 'aws-fis' needs awsFisOptions.roleArn, the IAM role FIS assumes (see docs/targets/eks.md)`,
    );
    return {};
  }
  if (o.template !== undefined && o.templateFile !== undefined)
    problems.push(`${at}.awsFisOptions: give template or templateFile, not both`);
  const template = o.templateFile !== undefined ? null : (o.template ?? DEFAULT_FIS_TEMPLATE[a.mode] ?? null);
  if (o.template !== undefined && FIS_TEMPLATES[o.template] !== a.mode)
    problems.push(
      `${at}.awsFisOptions.template: '${o.template}' is a '${FIS_TEMPLATES[o.template]}' fault; set mode: '${FIS_TEMPLATES[o.template]}' or pick another template`,
    );
  const maxDurationMs = ms(o.maxDuration);
  return {
    awsFisOptions: {
      roleArn: o.roleArn,
      region: o.region ?? null,
      cluster: o.cluster ?? null,
      template,
      templateFile: o.templateFile ?? null,
      alarmArns: o.alarmArns,
      maxDurationMs,
      logGroupArn: o.logGroupArn ?? null,
      pollIntervalMs: ms(o.pollInterval),
      startTimeoutMs: ms(o.startTimeout),
      stopTimeoutMs: ms(o.stopTimeout),
    },
  };
}
