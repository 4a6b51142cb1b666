/**
 * Scheduler filters (spec §7.5): unschedulable nodes, taints, node selector/affinity, resources,
 * host ports, required pod (anti-)affinity and DoNotSchedule topology spread. Each returns the
 * upstream failure reason, which the FailedScheduling message counts per node.
 */
import { labelSelectorRequirements, matchesRequirements } from '../../store/selectors.ts';
import type { KubeObject, LabelSelector } from '../../store/types.ts';
import { nodeAllocatable, podRequests, type Resources } from './quantity.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface ClusterView {
  nodes: KubeObject[];
  /** Assigned, non-terminal pods per node name. */
  podsOn: Map<string, KubeObject[]>;
  /** Every assigned, non-terminating, non-terminal pod (for affinity and spread counting). */
  placed: KubeObject[];
}

export function tolerates(tolerations: any[], taint: any): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key && t.key !== taint.key) return false;
    if (!t.key && t.operator !== 'Exists') return false;
    if (t.operator === 'Exists') return true;
    return (t.value ?? '') === (taint.value ?? '');
  });
}

export function untoleratedTaint(pod: KubeObject, node: KubeObject): any | undefined {
  const tolerations: any[] = pod.spec?.tolerations ?? [];
  return ((node.spec?.taints ?? []) as any[]).find(
    (taint) =>
      (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerates(tolerations, taint),
  );
}

function matchExpression(expr: any, value: string | undefined): boolean {
  const values: string[] = expr.values ?? [];
  switch (expr.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

/** nodeSelector plus required nodeAffinity (terms are ORed, expressions ANDed). */
export function matchesNodeAffinity(pod: KubeObject, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>))
    if (labels[k] !== v) return false;
  const terms: any[] =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (!terms.length) return true;
  return terms.some(
    (term) =>
      (term.matchExpressions ?? []).every((e: any) => matchExpression(e, labels[e.key])) &&
      (term.matchFields ?? []).every((e: any) =>
        matchExpression(e, e.key === 'metadata.name' ? node.metadata.name : undefined),
      ),
  );
}

function fitsResources(pod: KubeObject, node: KubeObject, view: ClusterView): string | undefined {
  const want = podRequests(pod);
  const have = nodeAllocatable(node);
  const used: Resources = { milliCpu: 0, memory: 0, pods: 0 };
  for (const p of view.podsOn.get(node.metadata.name ?? '') ?? []) {
    const r = podRequests(p);
    used.milliCpu += r.milliCpu;
    used.memory += r.memory;
    used.pods += 1;
  }
  if (used.pods + 1 > have.pods) return 'Too many pods';
  if (want.milliCpu > 0 && used.milliCpu + want.milliCpu > have.milliCpu) return 'Insufficient cpu';
  if (want.memory > 0 && used.memory + want.memory > have.memory) return 'Insufficient memory';
  return undefined;
}

function hostPorts(pod: KubeObject): string[] {
  return ((pod.spec?.containers ?? []) as any[]).flatMap((c) =>
    ((c.ports ?? []) as any[])
      .filter((p) => p.hostPort)
      .map((p) => `${p.protocol ?? 'TCP'}/${p.hostIP ?? '0.0.0.0'}/${p.hostPort}`),
  );
}

function portsFree(pod: KubeObject, node: KubeObject, view: ClusterView): boolean {
  const wanted = hostPorts(pod);
  if (!wanted.length) return true;
  const taken = new Set((view.podsOn.get(node.metadata.name ?? '') ?? []).flatMap(hostPorts));
  return wanted.every((p) => !taken.has(p));
}

function termMatches(term: any, pod: KubeObject, other: KubeObject): boolean {
  const namespaces: string[] = term.namespaces?.length ? term.namespaces : [pod.metadata.namespace];
  if (!term.namespaceSelector && !namespaces.includes(other.metadata.namespace ?? '')) return false;
  return matchesRequirements(
    labelSelectorRequirements(term.labelSelector as LabelSelector),
    other.metadata.labels,
  );
}

function domainOf(view: ClusterView, nodeName: string | undefined, key: string): string | undefined {
  return view.nodes.find((n) => n.metadata.name === nodeName)?.metadata.labels?.[key];
}

/** Required inter-pod affinity and anti-affinity, including existing pods' anti-affinity (symmetry). */
function interPodAffinity(pod: KubeObject, node: KubeObject, view: ClusterView): string | undefined {
  const labels = node.metadata.labels ?? {};
  const anti: any[] =
    pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  for (const term of anti) {
    const domain = labels[term.topologyKey];
    if (domain === undefined) continue;
    if (
      view.placed.some(
        (p) => termMatches(term, pod, p) && domainOf(view, p.spec?.nodeName, term.topologyKey) === domain,
      )
    ) {
      return "node(s) didn't match pod anti-affinity rules";
    }
  }
  for (const p of view.placed) {
    for (const term of (p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ??
      []) as any[]) {
      const domain = labels[term.topologyKey];
      if (
        domain !== undefined &&
        termMatches(term, p, pod) &&
        domainOf(view, p.spec?.nodeName, term.topologyKey) === domain
      ) {
        return "node(s) didn't satisfy existing pods anti-affinity rules";
      }
    }
  }
  const aff: any[] = pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  for (const term of aff) {
    const domain = labels[term.topologyKey];
    const matching = view.placed.filter((p) => termMatches(term, pod, p));
    // The first pod of a self-affine group may go anywhere (upstream special case).
    if (!matching.length && termMatches(term, pod, pod)) continue;
    if (
      domain === undefined ||
      !matching.some((p) => domainOf(view, p.spec?.nodeName, term.topologyKey) === domain)
    ) {
      return "node(s) didn't match pod affinity rules";
    }
  }
  return undefined;
}

export type Filter = (pod: KubeObject, node: KubeObject, view: ClusterView) => string | undefined;

export const kFilters: Filter[] = [
  (pod, node) => {
    if (!node.spec?.unschedulable) return undefined;
    const tolerated = tolerates(pod.spec?.tolerations ?? [], {
      key: 'node.kubernetes.io/unschedulable',
      effect: 'NoSchedule',
    });
    return tolerated ? undefined : 'node(s) were unschedulable';
  },
  (pod, node) => {
    const taint = untoleratedTaint(pod, node);
    return taint ? `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}` : undefined;
  },
  (pod, node) =>
    matchesNodeAffinity(pod, node) ? undefined : "node(s) didn't match Pod's node affinity/selector",
  fitsResources,
  (pod, node, view) =>
    portsFree(pod, node, view) ? undefined : "node(s) didn't have free ports for the requested pod ports",
  interPodAffinity,
];
