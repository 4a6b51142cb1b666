/**
 * Pod topology spread (spec §7.5). Eligible domains honour the pod's node affinity but, by
 * default, ignore taints (`nodeTaintsPolicy: Ignore`): a dead zone still counts, so healthy zones
 * cannot exceed maxSkew and new pods stay Pending during a zone outage, exactly as upstream.
 */
import { labelSelectorRequirements, matchesRequirements } from '../../store/selectors.ts';
import type { KubeObject } from '../../store/types.ts';
import { matchesNodeAffinity, untoleratedTaint, type ClusterView } from './filters.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector?: any;
  minDomains?: number;
  nodeAffinityPolicy?: 'Honor' | 'Ignore';
  nodeTaintsPolicy?: 'Honor' | 'Ignore';
  matchLabelKeys?: string[];
}

function selectorFor(pod: KubeObject, c: SpreadConstraint): ReturnType<typeof labelSelectorRequirements> {
  const reqs = labelSelectorRequirements(c.labelSelector ?? { matchLabels: {} });
  for (const key of c.matchLabelKeys ?? []) {
    const v = pod.metadata.labels?.[key];
    if (v !== undefined) reqs.push({ key, op: 'eq', values: [v] });
  }
  return reqs;
}

/** Matching-pod counts per domain over the eligible nodes of one constraint. */
export function domainCounts(pod: KubeObject, c: SpreadConstraint, view: ClusterView): Map<string, number> {
  const counts = new Map<string, number>();
  const nodeDomain = new Map<string, string>();
  for (const node of view.nodes) {
    const domain = node.metadata.labels?.[c.topologyKey];
    if (domain === undefined) continue;
    if ((c.nodeAffinityPolicy ?? 'Honor') === 'Honor' && !matchesNodeAffinity(pod, node)) continue;
    if (c.nodeTaintsPolicy === 'Honor' && untoleratedTaint(pod, node)) continue;
    nodeDomain.set(node.metadata.name ?? '', domain);
    if (!counts.has(domain)) counts.set(domain, 0);
  }
  const reqs = selectorFor(pod, c);
  for (const p of view.placed) {
    if (p.metadata.namespace !== pod.metadata.namespace) continue;
    const domain = nodeDomain.get(p.spec?.nodeName ?? '');
    if (domain === undefined || !matchesRequirements(reqs, p.metadata.labels)) continue;
    counts.set(domain, (counts.get(domain) ?? 0) + 1);
  }
  return counts;
}

export function constraintsOf(pod: KubeObject): SpreadConstraint[] {
  return (pod.spec?.topologySpreadConstraints ?? []) as SpreadConstraint[];
}

/** DoNotSchedule check for one node: count(domain)+self−min ≤ maxSkew for every hard constraint. */
export function spreadAllows(pod: KubeObject, node: KubeObject, view: ClusterView): string | undefined {
  for (const c of constraintsOf(pod)) {
    if (c.whenUnsatisfiable !== 'DoNotSchedule') continue;
    const domain = node.metadata.labels?.[c.topologyKey];
    if (domain === undefined)
      return "node(s) didn't match pod topology spread constraints (missing required label)";
    const counts = domainCounts(pod, c, view);
    let min = counts.size ? Math.min(...counts.values()) : 0;
    if (counts.size < (c.minDomains ?? 1)) min = 0;
    const self = matchesRequirements(selectorFor(pod, c), pod.metadata.labels) ? 1 : 0;
    if ((counts.get(domain) ?? 0) + self - min > c.maxSkew)
      return "node(s) didn't match pod topology spread constraints";
  }
  return undefined;
}

/** Soft spread penalty: pods already in this node's domains (ScheduleAnyway, or the system default). */
export function spreadPenalty(pod: KubeObject, node: KubeObject, view: ClusterView): number {
  const soft = constraintsOf(pod).filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
  let constraints = soft;
  if (!constraintsOf(pod).length) {
    // System default spreading: pods of the same controller, by hostname and by zone.
    const owner = (pod.metadata.ownerReferences ?? []).find((r) => r.controller);
    if (!owner) return 0;
    const labelSelector = { matchLabels: pod.metadata.labels ?? {} };
    constraints = [
      {
        maxSkew: 3,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector,
      },
      {
        maxSkew: 5,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector,
      },
    ];
  }
  let penalty = 0;
  for (const c of constraints) {
    const domain = node.metadata.labels?.[c.topologyKey];
    if (domain === undefined) continue;
    penalty += domainCounts(pod, c, view).get(domain) ?? 0;
  }
  return penalty;
}
