/**
 * Undo steps, shared by an action's revert (same process, it knows what it did) and by
 * `recoverFromJournal` (a later process, which acts only where our annotation is still on the
 * object, so a change someone made since is left alone). Every step is idempotent.
 */
import type { ClusterClient } from '../lib/cluster/client.ts';
import type { UndoStep } from './action.ts';
import { CHAOS_ANNOTATION } from './journal.ts';
import { isNotFound, mergePatch, wrapApiError } from './k8s.ts';
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
