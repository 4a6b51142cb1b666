/**
 * A read-only picture of the target for the preflight verdict: where its pods run (zone from the
 * node's topology.kubernetes.io/zone label), whether each container has a readiness probe, runs
 * as non-root and has a read-only root filesystem (container securityContext over the pod's, as
 * the kubelet merges them), and the namespace's PodDisruptionBudgets.
 */
import type { V1Container, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { callApi } from './api-errors.ts';
import type { ClusterClient } from './client.ts';
import { isPodReady } from './observe/pods.ts';
import { nodeZone } from './observe/nodes.ts';
import { selectorMatches } from './selector.ts';

export interface PreflightContainer {
  name: string;
  readinessProbe: boolean;
  /** Guaranteed non-root: runAsNonRoot, or a non-zero runAsUser, and not runAsUser 0. */
  runAsNonRoot: boolean;
  readOnlyRootFilesystem: boolean;
}

export interface PreflightPod {
  name: string;
  /** '' when the pod is unscheduled or its node has no zone label. */
  zone: string;
  node: string;
  ready: boolean;
  containers: PreflightContainer[];
}

export interface PreflightPdb {
  name: string;
  disruptionsAllowed: number;
  matchesTarget: boolean;
  currentHealthy: number;
  desiredHealthy: number;
}

export interface PreflightSnapshot {
  pods: PreflightPod[];
  pdbs: PreflightPdb[];
}

export async function preflightSnapshot(
  client: ClusterClient,
  target: {
    readonly namespace: string;
    readonly selector: string;
    readonly podLabels: Record<string, string>;
  },
): Promise<PreflightSnapshot> {
  const ns = target.namespace;
  const [podList, nodeList, pdbList] = await Promise.all([
    callApi(client, `list pods in ${ns}`, () =>
      client.core.listNamespacedPod({ namespace: ns, labelSelector: target.selector }),
    ),
    callApi(client, 'list nodes', () => client.core.listNode()),
    callApi(client, `list poddisruptionbudgets in ${ns}`, () =>
      client.policy.listNamespacedPodDisruptionBudget({ namespace: ns }),
    ),
  ]);
  const zones = new Map(nodeList.items.map((n) => [n.metadata?.name ?? '', nodeZone(n)]));
  const zoneOf = (node: string) => {
    const z = zones.get(node);
    return z === undefined || z === 'none' ? '' : z;
  };
  const pods = podList.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => {
      const node = p.spec?.nodeName ?? '';
      return {
        name: p.metadata?.name ?? '',
        zone: node ? zoneOf(node) : '',
        node,
        ready: isPodReady(p),
        containers: (p.spec?.containers ?? []).map((c) => containerFacts(p, c)),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const pdbs = pdbList.items
    .map((pdb) => pdbFacts(pdb, target.podLabels))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { pods, pdbs };
}

function containerFacts(pod: V1Pod, c: V1Container): PreflightContainer {
  const podSc = pod.spec?.securityContext;
  const sc = c.securityContext;
  const runAsUser = sc?.runAsUser ?? podSc?.runAsUser;
  const nonRoot = sc?.runAsNonRoot ?? podSc?.runAsNonRoot;
  return {
    name: c.name,
    readinessProbe: c.readinessProbe != null,
    runAsNonRoot: runAsUser === 0 ? false : nonRoot === true || (runAsUser !== undefined && runAsUser > 0),
    readOnlyRootFilesystem: sc?.readOnlyRootFilesystem === true,
  };
}

function pdbFacts(pdb: V1PodDisruptionBudget, podLabels: Record<string, string>): PreflightPdb {
  // policy/v1: an empty selector matches every pod of the namespace, a missing one none.
  const selector = pdb.spec?.selector;
  return {
    name: pdb.metadata?.name ?? '',
    disruptionsAllowed: pdb.status?.disruptionsAllowed ?? 0,
    matchesTarget: selector ? selectorMatches(selector, podLabels) : false,
    currentHealthy: pdb.status?.currentHealthy ?? 0,
    desiredHealthy: pdb.status?.desiredHealthy ?? 0,
  };
}
