/**
 * Undo steps, shared by an action's revert (same process, it knows what it did) and by
 * `recoverFromJournal` (a later process, which acts only where our annotation is still on the
 * object, so a change someone made since is left alone). Every step is idempotent.
 */
import type { ClusterClient } from '../lib/cluster/client.ts';
import { TESTRUN_GROUP, TESTRUN_PLURAL, TESTRUN_VERSION } from '../lib/load/k6-operator/resources.ts';
import type { CreatedObject, UndoStep } from './action.ts';
import { CHAOS_ANNOTATION } from './journal.ts';
import { ChaosActionError, isNotFound, mergePatch, wrapApiError } from './k8s.ts';
import { readDeployment, replaceTemplate, templatesEqual } from './rollout.ts';
import { awsFisZoneProvider } from './zone/aws-fis.ts';
import { kindZoneProvider } from './zone/kind.ts';
import { createLocalZoneProvider } from './zone/local.ts';
import { zoneProvider, type ZoneProviderRegistry } from './zone/provider.ts';

export const defaultZoneProviders: ZoneProviderRegistry = {
  local: (client) => createLocalZoneProvider(client),
  kind: kindZoneProvider,
  'aws-fis': awsFisZoneProvider,
};

export interface UndoOptions {
  /** Recovery: act only on objects that still carry this annotation value. */
  readonly requireMark?: string;
  readonly zoneProviders?: ZoneProviderRegistry;
  readonly signal: AbortSignal;
  log(message: string): void;
}

/** Applies one step; returns what it did, in words. */
export async function applyUndo(client: ClusterClient, step: UndoStep, opts: UndoOptions): Promise<string> {
  switch (step.kind) {
    case 'uncordon':
      return uncordon(client, step.node, opts);
    case 'restore-template':
      return restoreTemplate(client, step, opts);
    case 'zone-recover': {
      const provider = zoneProvider(opts.zoneProviders ?? defaultZoneProviders, step.handle.provider, client);
      await provider.revert(step.handle, { signal: opts.signal, log: opts.log });
      return `zone ${step.handle.zone} recovered (${step.handle.provider}, ${step.handle.mode})`;
    }
    case 'delete-object':
      return deleteObject(client, step.object, opts);
  }
}

function markMismatch(
  annotations: Record<string, string> | undefined,
  opts: UndoOptions,
): string | undefined {
  if (opts.requireMark === undefined) return undefined;
  const current = annotations?.[CHAOS_ANNOTATION];
  return current === opts.requireMark
    ? undefined
    : current === undefined
      ? 'our annotation is gone (changed since)'
      : `annotated by ${current} since`;
}

async function uncordon(client: ClusterClient, name: string, opts: UndoOptions): Promise<string> {
  let node;
  try {
    node = await client.core.readNode({ name });
  } catch (err) {
    if (isNotFound(err)) return `node/${name} is gone`;
    throw wrapApiError(`read node/${name}`, err);
  }
  const mismatch = markMismatch(node.metadata?.annotations, opts);
  if (mismatch) return `node/${name} left alone: ${mismatch}`;
  if (!node.spec?.unschedulable) return `node/${name} already schedulable`;
  try {
    await client.core.patchNode({ name, body: { spec: { unschedulable: null } } }, mergePatch());
  } catch (err) {
    throw wrapApiError(`uncordon node/${name}`, err);
  }
  return `node/${name} uncordoned`;
}

async function restoreTemplate(
  client: ClusterClient,
  step: Extract<UndoStep, { kind: 'restore-template' }>,
  opts: UndoOptions,
): Promise<string> {
  const what = `deployment/${step.namespace}/${step.deployment}`;
  let d;
  try {
    d = await readDeployment(client, step.namespace, step.deployment);
  } catch (err) {
    if (isNotFound((err as { cause?: unknown }).cause)) return `${what} is gone`;
    throw err;
  }
  const mismatch = markMismatch(d.metadata?.annotations, opts);
  if (mismatch) return `${what} left alone: ${mismatch}`;
  const sameTemplate = templatesEqual(d.spec?.template, step.template);
  const deadline = step.progressDeadlineSeconds;
  const sameDeadline = typeof deadline !== 'number' || d.spec?.progressDeadlineSeconds === deadline;
  if (sameTemplate && sameDeadline) return `${what} already has its original template`;
  await replaceTemplate(
    client,
    step.namespace,
    step.deployment,
    step.template,
    sameDeadline ? undefined : deadline,
  );
  return `${what}: original template restored`;
}

type Annotated = { metadata?: { annotations?: Record<string, string> } };

interface Deletable {
  read(client: ClusterClient, namespace: string, name: string): Promise<Annotated>;
  remove(client: ClusterClient, namespace: string, name: string): Promise<unknown>;
}

/**
 * The kinds a run creates and recovery may delete, keyed `<apiVersion> <kind>`: one entry each, so
 * every API call names its resource (test/rbac reads them from here).
 */
const deletable: Readonly<Record<string, Deletable>> = {
  'v1 ConfigMap': {
    read: (c, namespace, name) => c.core.readNamespacedConfigMap({ namespace, name }),
    remove: (c, namespace, name) => c.core.deleteNamespacedConfigMap({ namespace, name }),
  },
  [`${TESTRUN_GROUP}/${TESTRUN_VERSION} TestRun`]: {
    read: async (c, namespace, name) =>
      (await c.custom.getNamespacedCustomObject({
        group: TESTRUN_GROUP,
        version: TESTRUN_VERSION,
        plural: TESTRUN_PLURAL,
        namespace,
        name,
      })) as Annotated,
    // Background: the runner Jobs and pods the operator made for it go with it.
    remove: (c, namespace, name) =>
      c.custom.deleteNamespacedCustomObject({
        group: TESTRUN_GROUP,
        version: TESTRUN_VERSION,
        plural: TESTRUN_PLURAL,
        namespace,
        name,
        propagationPolicy: 'Background',
      }),
  },
};

async function deleteObject(client: ClusterClient, o: CreatedObject, opts: UndoOptions): Promise<string> {
  const what = `${o.kind.toLowerCase()}/${o.namespace}/${o.name}`;
  const api = deletable[`${o.apiVersion} ${o.kind}`];
  if (!api)
    throw new ChaosActionError(
      `${what}: recovery deletes no ${o.apiVersion} ${o.kind}; delete it with kubectl -n ${o.namespace} delete ${o.kind.toLowerCase()} ${o.name}`,
    );
  let obj: Annotated;
  try {
    obj = await api.read(client, o.namespace, o.name);
  } catch (err) {
    if (isNotFound(err)) return `${what} is gone`;
    throw wrapApiError(`read ${what}`, err);
  }
  const mismatch = markMismatch(obj.metadata?.annotations, opts);
  if (mismatch) return `${what} left alone: ${mismatch}`;
  try {
    await api.remove(client, o.namespace, o.name);
  } catch (err) {
    // Gone in between (a TestRun's garbage collection takes its ConfigMap): done all the same.
    if (isNotFound(err)) return `${what} is gone`;
    throw wrapApiError(`delete ${what}`, err);
  }
  return `${what} deleted`;
}
