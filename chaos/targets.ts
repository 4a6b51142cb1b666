/**
 * Finding what an action touches: the target's pods, "the node hosting most target pods", "the
 * zone hosting most target pods" (from the nodes' topology.kubernetes.io/zone label), and the
 * blast-radius checks every action shares (the caps and "never the last ready replica").
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { ClusterClient } from '../lib/cluster/client.ts';
import { GauntletError } from '../lib/errors.ts';
import type { ChaosTarget } from './action.ts';
import { wrapApiError } from './k8s.ts';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** An action would exceed its blast radius; nothing was touched. */
export class ChaosRefusedError extends GauntletError {
  constructor(message: string) {
    super('GAUNTLET_USAGE', message);
    this.name = 'ChaosRefusedError';
  }
}

export function isReady(p: V1Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isTerminating(p: V1Pod): boolean {
  return Boolean(p.metadata?.deletionTimestamp);
}

/** Live (not terminating, not finished) pods matching the selector in the target's namespace. */
export async function listTargetPods(
  client: ClusterClient,
  target: ChaosTarget,
  selector?: string,
): Promise<V1Pod[]> {
  const labelSelector = selector ?? target.selector;
  try {
    const pods = await client.core.listNamespacedPod({ namespace: target.namespace, labelSelector });
    return pods.items.filter(
      (p) => !isTerminating(p) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
    );
  } catch (err) {
    throw wrapApiError(`list pods ${target.namespace} (${labelSelector})`, err);
  }
}

export async function listNodes(client: ClusterClient): Promise<V1Node[]> {
  try {
    return (await client.core.listNode()).items;
  } catch (err) {
    throw wrapApiError('list nodes', err);
  }
}

/** Keys sorted by count (highest first), ties by name, so the pick is deterministic. */
function rank(counts: Map<string, number>): string[] {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
}

export function countBy<T>(items: readonly T[], key: (t: T) => string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    if (k) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** The node hosting most target pods, optionally only among the nodes of `zone`. */
export async function nodeWithMostTargetPods(
  client: ClusterClient,
  target: ChaosTarget,
  zone?: string,
): Promise<string> {
  const pods = await listTargetPods(client, target);
  let allowed: Set<string> | undefined;
  if (zone !== undefined) {
    const nodes = (await listNodes(client)).filter((n) => n.metadata?.labels?.[ZONE_LABEL] === zone);
    if (!nodes.length) throw new ChaosRefusedError(`no node is in zone ${zone} (label ${ZONE_LABEL})`);
    allowed = new Set(nodes.map((n) => n.metadata?.name ?? ''));
    const ranked = rank(
      countBy(pods, (p) => (allowed?.has(p.spec?.nodeName ?? '') ? p.spec?.nodeName : undefined)),
    );
    // A zone without target pods still has a node to drain: the first by name.
    return ranked[0] ?? [...allowed].sort()[0]!;
  }
  const ranked = rank(countBy(pods, (p) => p.spec?.nodeName));
  if (!ranked[0])
    throw new ChaosRefusedError(
      `no pod of ${target.namespace}/${target.deployment} (${target.selector}) runs on a node; nothing to pick`,
    );
  return ranked[0];
}

/** The zone hosting most target pods, from their nodes' zone label. */
export async function zoneWithMostTargetPods(client: ClusterClient, target: ChaosTarget): Promise<string> {
  const [pods, nodes] = await Promise.all([listTargetPods(client, target), listNodes(client)]);
  const zoneOf = new Map(nodes.map((n) => [n.metadata?.name ?? '', n.metadata?.labels?.[ZONE_LABEL]]));
  const ranked = rank(countBy(pods, (p) => zoneOf.get(p.spec?.nodeName ?? '')));
  if (!ranked[0])
    throw new ChaosRefusedError(
      `no pod of ${target.namespace}/${target.deployment} runs on a node with a ${ZONE_LABEL} label; name the zone`,
    );
  return ranked[0];
}

/**
 * Refuses a fault that would take every ready target pod down (unless the scenario allows a
 * total outage): `lost` are the pods the fault takes, judged against all live target pods.
 */
export function assertNotLastReady(
  what: string,
  target: ChaosTarget,
  all: readonly V1Pod[],
  lost: (p: V1Pod) => boolean,
  allowTotalOutage: boolean,
): void {
  if (allowTotalOutage) return;
  const ready = all.filter(isReady);
  if (ready.length > 0 && ready.every(lost))
    throw new ChaosRefusedError(
      `${what}: would take all ${ready.length} ready replica(s) of ${target.namespace}/${target.deployment} down; ` +
        `set allowTotalOutage: true on the action to allow a total outage`,
    );
}
