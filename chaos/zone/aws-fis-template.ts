/**
 * FIS experiment templates for a zone, from the files in infra-fixtures/aws/ (or a user's file in
 * the same format):
 *
 *   { "gauntlet": { "mode": "stop", "faultAction": "Stop-Instances", "summary": "…" },
 *     "template": <CreateExperimentTemplate input with {{zone}} {{cluster}} {{roleArn}} {{maxDuration}}> }
 *
 * `faultAction` names the action whose start is the fault's start (T0) and whose `skipped` state
 * means the zone had nothing to hit. The stop conditions come from the scenario's alarms, the log
 * configuration from its log group, and tags mark the template and its experiments as gauntlet's
 * zone fault, so a revert without an experiment id can still find them.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreateExperimentTemplateCommandInput } from '@aws-sdk/client-fis';
import type { ClusterClient } from '../../lib/cluster/client.ts';
import { formatDuration } from '../../lib/scenario/duration.ts';
import {
  DEFAULT_FIS_TEMPLATE,
  type FisTemplateName,
  type ResolvedAwsFisZoneOptions,
  type ZoneFaultMode,
} from '../../lib/scenario/zone-provider-schema.ts';

export const FIS_TEMPLATE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../infra-fixtures/aws',
);
/** Tag on templates and experiments: `<zone>/<mode>`. */
export const ZONE_FAULT_TAG = 'gauntlet.dev/zone-fault';
export const CLUSTER_TAG = 'gauntlet.dev/cluster';
const PLACEHOLDERS = ['zone', 'cluster', 'roleArn', 'maxDuration'] as const;
type Values = Record<(typeof PLACEHOLDERS)[number], string>;

/**
 * Resource key and target type of the actions the shipped templates use (FIS actions reference);
 * actions not listed here are passed through unchecked.
 */
export const KNOWN_ACTIONS: Readonly<Record<string, { key: string; resourceType: string }>> = {
  'aws:ec2:stop-instances': { key: 'Instances', resourceType: 'aws:ec2:instance' },
  'aws:ec2:terminate-instances': { key: 'Instances', resourceType: 'aws:ec2:instance' },
  'aws:network:disrupt-connectivity': { key: 'Subnets', resourceType: 'aws:ec2:subnet' },
  'aws:eks:terminate-nodegroup-instances': { key: 'Nodegroups', resourceType: 'aws:eks:nodegroup' },
  'aws:ec2:asg-insufficient-instance-capacity-error': {
    key: 'AutoScalingGroups',
    resourceType: 'aws:ec2:autoscaling-group',
  },
  'aws:ec2:api-insufficient-instance-capacity-error': { key: 'Roles', resourceType: 'aws:iam:role' },
};
const DURATION_PARAMS = new Set(['duration', 'startInstancesAfterDuration']);
const ISO_DURATION = /^PT(?=\d)(\d+H)?(\d+M)?(\d+S)?$/;
const SELECTION = /^(ALL|COUNT\(\d+\)|PERCENT\(\d+\))$/;

export interface FisTemplateFile {
  readonly gauntlet: { readonly mode: ZoneFaultMode; readonly faultAction: string; readonly summary: string };
  readonly template: CreateExperimentTemplateCommandInput;
}

export interface BuildOptions {
  readonly zone: string;
  readonly mode: ZoneFaultMode;
  readonly cluster: string;
  readonly roleArn: string;
  readonly maxDurationMs: number;
  readonly alarmArns: readonly string[];
  readonly logGroupArn: string | null;
}

export interface BuiltTemplate {
  readonly input: CreateExperimentTemplateCommandInput & { clientToken: string };
  readonly faultAction: string;
  readonly summary: string;
}

export type AwsFisZoneProviderOptions = Partial<ResolvedAwsFisZoneOptions>;

export class FisTemplateError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'FisTemplateError';
  }
}

export function templateFilePath(name: FisTemplateName): string {
  return path.join(FIS_TEMPLATE_DIR, `${name}.json`);
}

export function readTemplateFile(file: string): FisTemplateFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FisTemplateError(file, `cannot read the template: ${(err as Error).message}`);
  }
  const f = parsed as Partial<FisTemplateFile>;
  if (!f.gauntlet?.faultAction || !f.gauntlet.mode || !f.template)
    throw new FisTemplateError(
      file,
      'expected {"gauntlet": {"mode", "faultAction", "summary"}, "template": {…}} (see infra-fixtures/aws/README.md)',
    );
  return f as FisTemplateFile;
}

/** `PT30M` for 30 minutes: FIS takes ISO-8601 durations as strings. */
export function isoDuration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes % 60 === 0 ? `PT${minutes / 60}H` : `PT${minutes}M`;
}

function fill<T>(value: T, values: Values, file: string): T {
  if (typeof value === 'string')
    return value.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      if (!(name in values))
        throw new FisTemplateError(
          file,
          `unknown placeholder {{${name}}}; use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')}`,
        );
      return values[name as keyof Values];
    }) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => fill(v, values, file)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values, file)])) as T;
  return value;
}

/** The problems of a template body, as `where: what` lines; empty when FIS should accept it. */
export function templateProblems(t: CreateExperimentTemplateCommandInput, faultAction: string): string[] {
  const out: string[] = [];
  const targets = t.targets ?? {};
  const actions = t.actions ?? {};
  if (!t.description) out.push('description: required');
  if (!t.roleArn) out.push('roleArn: required');
  if (!Array.isArray(t.stopConditions) || !t.stopConditions.length)
    out.push('stopConditions: required, even when empty ([{"source": "none"}])');
  if (!actions[faultAction]) out.push(`actions: no action "${faultAction}" (gauntlet.faultAction)`);
  for (const [name, target] of Object.entries(targets)) {
    const at = `targets.${name}`;
    if (!target.resourceType) out.push(`${at}.resourceType: required`);
    if (!target.selectionMode || !SELECTION.test(target.selectionMode))
      out.push(`${at}.selectionMode: ALL, COUNT(n) or PERCENT(n)`);
    if (target.resourceArns?.length && target.resourceTags && Object.keys(target.resourceTags).length)
      out.push(`${at}: select by resourceArns or resourceTags, not both`);
  }
  for (const [name, action] of Object.entries(actions)) {
    const at = `actions.${name}`;
    if (!action.actionId) out.push(`${at}.actionId: required`);
    for (const [key, targetName] of Object.entries(action.targets ?? {})) {
      const target = targets[targetName];
      if (!target) out.push(`${at}.targets.${key}: no target "${targetName}"`);
      const known = KNOWN_ACTIONS[action.actionId ?? ''];
      if (known && key !== known.key)
        out.push(`${at}.targets: ${action.actionId} takes "${known.key}", not "${key}"`);
      if (known && target && target.resourceType !== known.resourceType)
        out.push(
          `${at}: ${action.actionId} acts on ${known.resourceType}, target "${targetName}" is ${target.resourceType}`,
        );
    }
    for (const [key, value] of Object.entries(action.parameters ?? {})) {
      if (typeof value !== 'string') out.push(`${at}.parameters.${key}: FIS parameters are strings`);
      else if (DURATION_PARAMS.has(key) && !ISO_DURATION.test(value))
        out.push(`${at}.parameters.${key}: "${value}" is not an ISO-8601 duration like PT30M`);
    }
    for (const after of action.startAfter ?? [])
      if (!actions[after]) out.push(`${at}.startAfter: no action "${after}"`);
  }
  return out;
}

/** The CreateExperimentTemplate request for one zone fault, checked before it is sent. */
export function buildZoneTemplate(file: string, o: BuildOptions): BuiltTemplate {
  const f = readTemplateFile(file);
  if (f.gauntlet.mode !== o.mode)
    throw new FisTemplateError(file, `a '${f.gauntlet.mode}' template cannot make a '${o.mode}' fault`);
  const values: Values = {
    zone: o.zone,
    cluster: o.cluster,
    roleArn: o.roleArn,
    maxDuration: isoDuration(o.maxDurationMs),
  };
  const body = fill(f.template, values, file);
  const input = {
    ...body,
    clientToken: randomUUID(),
    stopConditions: o.alarmArns.length
      ? o.alarmArns.map((value) => ({ source: 'aws:cloudwatch:alarm', value }))
      : [{ source: 'none' }],
    ...(o.logGroupArn
      ? {
          logConfiguration: {
            logSchemaVersion: 2,
            cloudWatchLogsConfiguration: { logGroupArn: o.logGroupArn },
          },
        }
      : {}),
    tags: { ...body.tags, [ZONE_FAULT_TAG]: `${o.zone}/${o.mode}`, [CLUSTER_TAG]: o.cluster },
  };
  const problems = templateProblems(input, f.gauntlet.faultAction);
  if (problems.length)
    throw new FisTemplateError(file, `not a valid experiment template: ${problems.join('; ')}`);
  return { input, faultAction: f.gauntlet.faultAction, summary: fill(f.gauntlet.summary, values, file) };
}

/** Region and cluster from an EKS context: `aws eks update-kubeconfig` or eksctl names, or the server host. */
export function eksContext(client: ClusterClient): { region?: string; cluster?: string } {
  const arn = /^arn:aws[a-z-]*:eks:([a-z0-9-]+):\d{12}:cluster\/(.+)$/.exec(client.contextName);
  if (arn) return { region: arn[1], cluster: arn[2] };
  const eksctl = /^[^@]+@([^.]+)\.([a-z0-9-]+)\.eksctl\.io$/.exec(client.contextName);
  if (eksctl) return { region: eksctl[2], cluster: eksctl[1] };
  let host = '';
  try {
    host = new URL(client.server).hostname;
  } catch {
    // Not a URL: no region to read from it.
  }
  const region = /\.([a-z]{2}(?:-[a-z]+)+-\d+)\.eks\.amazonaws\.com$/.exec(host)?.[1];
  return region ? { region } : {};
}

export function templateFor(options: AwsFisZoneProviderOptions, mode: ZoneFaultMode): string | undefined {
  if (options.templateFile) return path.resolve(options.templateFile);
  const name = options.template ?? DEFAULT_FIS_TEMPLATE[mode];
  return name ? templateFilePath(name) : undefined;
}

/** The dry-run words: the template's summary for this zone. */
export function planText(zone: string, mode: ZoneFaultMode, options: AwsFisZoneProviderOptions): string {
  const file = templateFor(options, mode);
  if (!file) return `no FIS template makes a '${mode}' fault`;
  let template;
  try {
    template = readTemplateFile(file);
  } catch (err) {
    return `(${(err as Error).message})`;
  }
  const summary = template.gauntlet.summary
    .replaceAll('{{zone}}', zone)
    .replaceAll('{{maxDuration}}', formatDuration(options.maxDurationMs ?? 1_800_000))
    .replaceAll('{{cluster}}', options.cluster ?? 'the context');
  const alarms = options.alarmArns?.length
    ? `stopped early by ${options.alarmArns.length} CloudWatch alarm(s)`
    : 'no stop-condition alarm';
  return `an FIS experiment from ${path.basename(file)}: ${summary}; ${alarms}; StopExperiment on revert`;
}
