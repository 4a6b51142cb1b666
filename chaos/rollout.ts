/**
 * Deployment rollouts the way kubectl reads and drives them: `rollout status` (observed
 * generation, updated / old / available replicas, ProgressDeadlineExceeded), `rollout undo` (the
 * previous revision's ReplicaSet template), and template replacement with a JSON patch.
 */
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import type { ClusterClient } from '../lib/cluster/client.ts';
import { ChaosActionError, pollUntil, wrapApiError } from './k8s.ts';

const POD_TEMPLATE_HASH = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';

export type PlainTemplate = Record<string, unknown>;

/** A pod template as plain JSON (the journal's form; client-node models carry Dates). */
export function plainTemplate(t: unknown): PlainTemplate {
  return JSON.parse(JSON.stringify(t ?? {})) as PlainTemplate;
}

function withoutHash(t: PlainTemplate): PlainTemplate {
  const copy = plainTemplate(t);
  const labels = (copy.metadata as { labels?: Record<string, string> } | undefined)?.labels;
  if (labels) delete labels[POD_TEMPLATE_HASH];
  return copy;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Equal as the deployment controller compares them: ignoring the pod-template-hash label. */
export function templatesEqual(a: unknown, b: unknown): boolean {
  return canonical(withoutHash(plainTemplate(a))) === canonical(withoutHash(plainTemplate(b)));
}

export type RolloutState =
  | { readonly done: true; readonly message: string }
  | { readonly done: false; readonly failed: boolean; readonly message: string };

/** kubectl's `rollout status` verdict for one read of the deployment. */
export function rolloutState(d: V1Deployment, minGeneration = 0): RolloutState {
  const name = d.metadata?.name ?? '';
  const observed = d.status?.observedGeneration ?? 0;
  if ((d.metadata?.generation ?? 0) > observed || observed < minGeneration)
    return { done: false, failed: false, message: 'waiting for deployment spec update to be observed' };
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const updated = s.updatedReplicas ?? 0;
  if (updated < want)
    return {
      done: false,
      failed: false,
      message: `${updated} out of ${want} new replicas have been updated`,
    };
  if ((s.replicas ?? 0) > updated)
    return {
      done: false,
      failed: false,
      message: `${(s.replicas ?? 0) - updated} old replicas are pending termination`,
    };
  if ((s.availableReplicas ?? 0) < updated)
    return {
      done: false,
      failed: false,
      message: `${s.availableReplicas ?? 0} of ${updated} updated replicas are available`,
    };
  return { done: true, message: `deployment "${name}" successfully rolled out` };
}

export async function readDeployment(
  client: ClusterClient,
  namespace: string,
  name: string,
): Promise<V1Deployment> {
  try {
    return await client.apps.readNamespacedDeployment({ name, namespace });
  } catch (err) {
    throw wrapApiError(`read deployment ${namespace}/${name}`, err);
  }
}

/** Waits until the rollout of generation ≥ `minGeneration` is complete; fails on its progress deadline. */
export async function waitForRollout(
  client: ClusterClient,
  namespace: string,
  name: string,
  opts: { minGeneration: number; timeoutMs: number; signal: AbortSignal },
): Promise<V1Deployment> {
  return pollUntil(
    async () => {
      const d = await readDeployment(client, namespace, name);
      const state = rolloutState(d, opts.minGeneration);
      if (!state.done && state.failed)
        throw new ChaosActionError(`rollout ${namespace}/${name}: ${state.message}`);
      return state.done ? d : undefined;
    },
    { what: `rollout of deployment ${namespace}/${name}`, timeoutMs: opts.timeoutMs, signal: opts.signal },
  );
}

/** Waits until the controller reports Progressing=False/ProgressDeadlineExceeded for ≥ `minGeneration`. */
export async function waitForProgressDeadline(
  client: ClusterClient,
  namespace: string,
  name: string,
  opts: { minGeneration: number; timeoutMs: number; signal: AbortSignal },
): Promise<V1Deployment> {
  return pollUntil(
    async () => {
      const d = await readDeployment(client, namespace, name);
      if ((d.status?.observedGeneration ?? 0) < opts.minGeneration) return undefined;
      const c = d.status?.conditions?.find((x) => x.type === 'Progressing');
      if (c?.status === 'False' && c.reason === 'ProgressDeadlineExceeded') return d;
      const state = rolloutState(d, opts.minGeneration);
      if (state.done)
        throw new ChaosActionError(
          `deployment ${namespace}/${name} became ready with the broken template; the fault did not take effect`,
        );
      return undefined;
    },
    {
      what: `progress deadline of deployment ${namespace}/${name}`,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
    },
  );
}

/**
 * The template `kubectl rollout undo` goes back to: that of the ReplicaSet with the second-highest
 * revision among those the deployment owns, without its pod-template-hash label.
 */
export async function previousRevision(
  client: ClusterClient,
  d: V1Deployment,
): Promise<{ revision: number; template: PlainTemplate }> {
  const namespace = d.metadata?.namespace ?? 'default';
  let sets: V1ReplicaSet[];
  try {
    sets = (await client.apps.listNamespacedReplicaSet({ namespace })).items;
  } catch (err) {
    throw wrapApiError(`list replicasets in ${namespace}`, err);
  }
  const owned = sets
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.controller && o.uid === d.metadata?.uid))
    .map((rs) => ({ rs, revision: Number(rs.metadata?.annotations?.[REVISION] ?? NaN) }))
    .filter((x) => Number.isFinite(x.revision))
    .sort((a, b) => b.revision - a.revision);
  const prev = owned[1];
  if (!prev)
    throw new ChaosActionError(
      `rollback of ${namespace}/${d.metadata?.name}: no previous revision (the deployment has ${owned.length} revision(s))`,
    );
  return { revision: prev.revision, template: withoutHash(plainTemplate(prev.rs.spec?.template)) };
}

/** Replaces the pod template (and optionally progressDeadlineSeconds); returns the new generation. */
export async function replaceTemplate(
  client: ClusterClient,
  namespace: string,
  name: string,
  template: PlainTemplate,
  progressDeadlineSeconds?: number | null,
): Promise<number> {
  const ops: Array<Record<string, unknown>> = [{ op: 'replace', path: '/spec/template', value: template }];
  if (typeof progressDeadlineSeconds === 'number')
    ops.push({ op: 'add', path: '/spec/progressDeadlineSeconds', value: progressDeadlineSeconds });
  try {
    // JSON patch is client-node's default content type for patch calls.
    const d = await client.apps.patchNamespacedDeployment({ name, namespace, body: ops });
    return d.metadata?.generation ?? 0;
  } catch (err) {
    throw wrapApiError(`patch deployment ${namespace}/${name}`, err);
  }
}
