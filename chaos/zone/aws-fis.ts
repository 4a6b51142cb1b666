/**
 * The `aws-fis` zone provider: an AWS Fault Injection Service experiment per zone fault, built from
 * the templates in infra-fixtures/aws/ (aws-fis-template.ts):
 *
 *   inject   CreateExperimentTemplate → StartExperiment → GetExperiment every pollInterval until the
 *            template's fault action runs; its startTime is the fault's start (the experiment can
 *            sit in `initiating` for a while). A fault action that FIS skipped (no target in the
 *            zone), a cancelled experiment (safety lever) or a refused request injected nothing.
 *   revert   StopExperiment (FIS then starts the instances again and restores the network ACLs),
 *            GetExperiment until it is over, DeleteExperimentTemplate. An experiment that already
 *            ended (completed, failed, or stopped by a stop-condition alarm) is reported and cleaned up.
 *
 * The region and EKS cluster come from the scenario's awsFisOptions or the EKS context
 * (`arn:aws:eks:REGION:ACCOUNT:cluster/NAME`, or eksctl's `user@NAME.REGION.eksctl.io`), and are
 * journalled before inject. Templates and experiments are tagged `gauntlet.dev/zone-fault=<zone>/<mode>`
 * and `gauntlet.dev/cluster=<name>`, so a revert without an experiment id (the run died before
 * StartExperiment answered) finds and stops what is still running. Credentials come from the SDK's
 * default chain (environment, profile, web identity in CI).
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  FisClient,
  FisServiceException,
  GetExperimentCommand,
  ListExperimentResolvedTargetsCommand,
  ListExperimentsCommand,
  ListExperimentTemplatesCommand,
  type ListExperimentsCommandOutput,
  type ListExperimentTemplatesCommandOutput,
  ResourceNotFoundException,
  StartExperimentCommand,
  StopExperimentCommand,
  type Experiment,
} from '@aws-sdk/client-fis';
import type { ClusterClient } from '../../lib/cluster/client.ts';
import type { ResolvedZoneOutage } from '../../lib/scenario/chaos-schema.ts';
import { abortError, ChaosActionError, sleep } from '../k8s.ts';
import {
  buildZoneTemplate,
  CLUSTER_TAG,
  eksContext,
  FisTemplateError,
  planText,
  templateFor,
  ZONE_FAULT_TAG,
  type AwsFisZoneProviderOptions,
} from './aws-fis-template.ts';
import { describeStopOutcome, type StopOutcome } from './aws-fis-outcome.ts';
import {
  ZoneFaultRejected,
  type ZoneFaultContext,
  type ZoneFaultHandle,
  type ZoneFaultProvider,
  type ZoneProviderFactory,
} from './provider.ts';

export const FIS_TERMINAL_STATES: readonly string[] = ['completed', 'stopped', 'failed', 'cancelled'];
const MAX_LIST_PAGES = 20;

export type { AwsFisZoneProviderOptions };

export interface AwsFisZoneHandle extends ZoneFaultHandle {
  readonly region: string;
  readonly cluster: string;
  readonly templateId?: string;
  /** The fault action's start (T0), ISO. */
  readonly startedAt?: string;
  readonly experimentStartedAt?: string;
  readonly faultAction?: string;
  readonly resolvedTargets?: readonly string[];
}

export function createAwsFisZoneProvider(
  client: ClusterClient,
  options: AwsFisZoneProviderOptions = {},
): ZoneFaultProvider {
  const pollMs = options.pollIntervalMs ?? 5_000;
  const startTimeoutMs = options.startTimeoutMs ?? 300_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 600_000;
  const clients = new Map<string, FisClient>();
  const fail = (message: string, cause?: unknown) =>
    new ChaosActionError(`zone-outage (aws-fis): ${message}`, cause === undefined ? undefined : { cause });
  const refuse = (message: string) => new ZoneFaultRejected(`zone-outage (aws-fis): ${message}`);

  function fis(region: string): FisClient {
    let c = clients.get(region);
    if (!c) clients.set(region, (c = new FisClient({ region })));
    return c;
  }

  function why(err: unknown): string {
    return err instanceof FisServiceException
      ? `${err.name}: ${err.message}`
      : ((err as Error)?.message ?? String(err));
  }

  /** Region and cluster: handle first, then options, then the context; mismatches refuse. */
  function where(h?: Partial<AwsFisZoneHandle>): { region: string; cluster: string } {
    const ctx = eksContext(client);
    const region =
      h?.region ?? options.region ?? ctx.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    const cluster = h?.cluster ?? options.cluster ?? ctx.cluster;
    if (!h && options.cluster && ctx.cluster && options.cluster !== ctx.cluster)
      throw refuse(
        `awsFisOptions.cluster '${options.cluster}' is not the cluster of context "${client.contextName}" ('${ctx.cluster}'); faults go only to the cluster gauntlet observes`,
      );
    if (!h && options.region && ctx.region && options.region !== ctx.region)
      throw refuse(
        `awsFisOptions.region '${options.region}' is not the region of context "${client.contextName}" ('${ctx.region}')`,
      );
    if (!region)
      throw refuse(
        `cannot tell the AWS region of context "${client.contextName}"; set awsFisOptions.region or AWS_REGION`,
      );
    if (!cluster)
      throw refuse(
        `cannot tell the EKS cluster of context "${client.contextName}" (not arn:aws:eks:…:cluster/NAME); set awsFisOptions.cluster`,
      );
    return { region, cluster };
  }

  async function get(region: string, id: string, signal: AbortSignal): Promise<Experiment> {
    try {
      const r = await fis(region).send(new GetExperimentCommand({ id }), { abortSignal: signal });
      return r.experiment ?? { id };
    } catch (err) {
      if (signal.aborted) throw abortError(signal);
      if (err instanceof ResourceNotFoundException) throw err;
      throw fail(`GetExperiment ${id}: ${why(err)}`, err);
    }
  }

  async function deleteTemplate(
    region: string,
    id: string | undefined,
    ctx: ZoneFaultContext,
  ): Promise<void> {
    if (!id) return;
    try {
      await fis(region).send(new DeleteExperimentTemplateCommand({ id }), { abortSignal: ctx.signal });
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return;
      // A leftover template injects nothing; say so and go on.
      ctx.log(`zone-outage (aws-fis): could not delete experiment template ${id}: ${why(err)}`);
    }
  }

  /**
   * Stops the experiment unless it is over, and waits for FIS to finish its clean-up. `ended`:
   * it was over before we asked (completed, failed, or stopped by a stop-condition alarm).
   */
  async function stopAndWait(
    region: string,
    id: string,
    ctx: ZoneFaultContext,
  ): Promise<StopOutcome | undefined> {
    let exp: Experiment;
    try {
      exp = await get(region, id, ctx.signal);
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
    const status = () => exp.state?.status ?? 'unknown';
    if (FIS_TERMINAL_STATES.includes(status())) return { exp, ended: true };
    if (status() !== 'stopping') {
      try {
        await fis(region).send(new StopExperimentCommand({ id }), { abortSignal: ctx.signal });
      } catch (err) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        if (err instanceof ResourceNotFoundException) return undefined;
        // It may have ended between the two calls; the state read next decides.
        ctx.log(`zone-outage (aws-fis): StopExperiment ${id}: ${why(err)}`);
      }
    }
    const deadline = Date.now() + stopTimeoutMs;
    for (;;) {
      exp = await get(region, id, ctx.signal);
      if (FIS_TERMINAL_STATES.includes(status())) return { exp, ended: false };
      if (Date.now() >= deadline)
        throw fail(
          `experiment ${id} still ${status()} ${Math.round(stopTimeoutMs / 1000)} s after StopExperiment; FIS is still cleaning up, run gauntlet recover again later`,
        );
      await sleep(pollMs, ctx.signal);
    }
  }

  function report(r: StopOutcome | undefined, id: string, zone: string, ctx: ZoneFaultContext): void {
    ctx.log(describeStopOutcome(r, id, zone));
  }

  /** Finds our experiments and templates by tag: a revert without an id. */
  async function revertByTags(h: ZoneFaultHandle, region: string, cluster: string, ctx: ZoneFaultContext) {
    const ours = (tags: Record<string, string> | undefined) =>
      tags?.[ZONE_FAULT_TAG] === `${h.zone}/${h.mode}` && tags?.[CLUSTER_TAG] === cluster;
    const list = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
      try {
        return await call();
      } catch (err) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        throw fail(`${what}: ${why(err)}`, err);
      }
    };
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const r: ListExperimentsCommandOutput = await list('ListExperiments', () =>
        fis(region).send(new ListExperimentsCommand({ maxResults: 100, nextToken }), {
          abortSignal: ctx.signal,
        }),
      );
      for (const e of r.experiments ?? []) {
        if (!e.id || !ours(e.tags)) continue;
        if (FIS_TERMINAL_STATES.includes(e.state?.status ?? '')) continue;
        report(await stopAndWait(region, e.id, ctx), e.id, h.zone, ctx);
      }
      nextToken = r.nextToken;
      if (!nextToken) break;
    }
    nextToken = undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const r: ListExperimentTemplatesCommandOutput = await list('ListExperimentTemplates', () =>
        fis(region).send(new ListExperimentTemplatesCommand({ maxResults: 100, nextToken }), {
          abortSignal: ctx.signal,
        }),
      );
      for (const t of r.experimentTemplates ?? [])
        if (t.id && ours(t.tags)) await deleteTemplate(region, t.id, ctx);
      nextToken = r.nextToken;
      if (!nextToken) break;
    }
  }

  async function resolvedTargets(
    region: string,
    id: string,
    targetName: string | undefined,
    ctx: ZoneFaultContext,
  ) {
    try {
      const r = await fis(region).send(
        new ListExperimentResolvedTargetsCommand({ experimentId: id, maxResults: 100, targetName }),
        { abortSignal: ctx.signal },
      );
      return (r.resolvedTargets ?? []).map(
        (t) =>
          t.targetInformation?.identifier ?? t.targetInformation?.arn ?? JSON.stringify(t.targetInformation),
      );
    } catch (err) {
      if (ctx.signal.aborted) throw abortError(ctx.signal);
      ctx.log(`zone-outage (aws-fis): ListExperimentResolvedTargets ${id}: ${why(err)}`);
      return [];
    }
  }

  return {
    name: 'aws-fis',
    describe: (zone, mode) => planText(zone, mode, options),
    preparedHandle: () => where(),

    async inject(zone, mode, ctx) {
      const { region, cluster } = where();
      const file = templateFor(options, mode);
      if (!file) throw refuse(`no FIS template makes a '${mode}' fault; use mode 'stop' or 'partition'`);
      let built;
      try {
        built = buildZoneTemplate(file, {
          zone,
          mode,
          cluster,
          roleArn: options.roleArn ?? '',
          maxDurationMs: options.maxDurationMs ?? 1_800_000,
          alarmArns: options.alarmArns ?? [],
          logGroupArn: options.logGroupArn ?? null,
        });
      } catch (err) {
        if (err instanceof FisTemplateError) throw refuse(err.message);
        throw err;
      }
      const tags = built.input.tags;
      let templateId: string;
      try {
        const r = await fis(region).send(new CreateExperimentTemplateCommand(built.input), {
          abortSignal: ctx.signal,
        });
        templateId = r.experimentTemplate?.id ?? '';
        if (!templateId) throw new Error('no template id in the answer');
      } catch (err) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        throw refuse(`CreateExperimentTemplate (${path.basename(file)}, ${zone}): ${why(err)}`);
      }
      let exp: Experiment;
      try {
        const r = await fis(region).send(
          new StartExperimentCommand({ experimentTemplateId: templateId, clientToken: randomUUID(), tags }),
          { abortSignal: ctx.signal },
        );
        exp = r.experiment ?? {};
      } catch (err) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        if (err instanceof FisServiceException && err.$fault === 'client') {
          await deleteTemplate(region, templateId, ctx);
          throw refuse(`StartExperiment from template ${templateId}: ${why(err)}`);
        }
        // No answer: the experiment may be starting; revert finds it by its tags.
        throw fail(`StartExperiment from template ${templateId}: ${why(err)}`, err);
      }
      const id = exp.id ?? '';
      ctx.log(
        `zone ${zone}: FIS experiment ${id} from template ${templateId} (${exp.state?.status ?? 'unknown'})`,
      );
      const deadline = Date.now() + startTimeoutMs;
      for (;;) {
        const status: string = exp.state?.status ?? 'unknown';
        const action = exp.actions?.[built.faultAction];
        const actionStatus = action?.state?.status ?? 'unknown';
        const reason = exp.state?.reason ? `: ${exp.state.reason}` : '';
        if (actionStatus === 'skipped') {
          report(await stopAndWait(region, id, ctx), id, zone, ctx);
          await deleteTemplate(region, templateId, ctx);
          throw refuse(
            `FIS found nothing to hit in ${zone}: action ${built.faultAction} was skipped (no target resolved); check the tags in docs/targets/eks.md`,
          );
        }
        if (action?.startTime && (actionStatus === 'running' || actionStatus === 'completed')) {
          const startedAt = action.startTime.toISOString();
          const targetName = Object.values(built.input.actions?.[built.faultAction]?.targets ?? {})[0];
          const hit = await resolvedTargets(region, id, targetName, ctx);
          ctx.log(
            `zone ${zone} down (${mode}): experiment ${id}, ${built.faultAction} ${actionStatus} since ${startedAt}` +
              (hit.length ? ` on ${hit.join(', ')}` : ''),
          );
          const handle: AwsFisZoneHandle = {
            provider: 'aws-fis',
            zone,
            mode,
            id,
            region,
            cluster,
            templateId,
            startedAt,
            ...(exp.startTime ? { experimentStartedAt: exp.startTime.toISOString() } : {}),
            faultAction: built.faultAction,
            resolvedTargets: hit.slice(0, 50),
          };
          return handle;
        }
        if (status === 'cancelled') {
          await deleteTemplate(region, templateId, ctx);
          throw refuse(
            `FIS cancelled experiment ${id}${reason}; the account's safety lever may be engaged; nothing ran`,
          );
        }
        if (status === 'failed')
          throw fail(`experiment ${id} failed before ${built.faultAction} started${reason}`);
        if (status === 'stopping' || status === 'stopped')
          throw fail(
            `experiment ${id} was stopped before ${built.faultAction} started${reason}` +
              (options.alarmArns?.length ? ' (a stop-condition alarm may have fired)' : ''),
          );
        if (status === 'completed')
          throw fail(`experiment ${id} completed without running ${built.faultAction} (${actionStatus})`);
        if (Date.now() >= deadline) {
          report(await stopAndWait(region, id, ctx), id, zone, ctx);
          throw fail(
            `experiment ${id} still ${status} (${built.faultAction} ${actionStatus}) after ${Math.round(startTimeoutMs / 1000)} s; stopped it`,
          );
        }
        await sleep(pollMs, ctx.signal);
        exp = await get(region, id, ctx.signal);
      }
    },

    async revert(handle, ctx) {
      const h = handle as Partial<AwsFisZoneHandle> & ZoneFaultHandle;
      const { region, cluster } = where(h.region && h.cluster ? h : undefined);
      if (h.id === undefined) return revertByTags(h, region, cluster, ctx);
      report(await stopAndWait(region, h.id, ctx), h.id, h.zone, ctx);
      await deleteTemplate(region, h.templateId, ctx);
    },
  };
}

/** The registry entry: options from the scenario's `awsFisOptions`, none on recover. */
export const awsFisZoneProvider: ZoneProviderFactory = Object.assign(
  (client: ClusterClient, spec?: ResolvedZoneOutage) =>
    createAwsFisZoneProvider(client, spec?.awsFisOptions ?? {}),
  { plan: (zone: string, spec: ResolvedZoneOutage) => planText(zone, spec.mode, spec.awsFisOptions ?? {}) },
);
