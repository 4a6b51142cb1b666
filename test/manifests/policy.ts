/**
 * Production-readiness policies on built manifests: what the stack claims about itself, checked
 * before anything is deployed. Each workload must have probes, requests and a memory limit, run as
 * non-root on a read-only root filesystem, drain gracefully (a preStop hook), be covered by a
 * PodDisruptionBudget that allows a drain, spread over zones, and have an HPA with room to scale.
 */
import type { KubeObject } from './schema.ts';
import { objectLabel } from './schema.ts';

export const POLICIES = [
  'probes',
  'resources',
  'non-root',
  'read-only-root-fs',
  'graceful-shutdown',
  'pdb',
  'zone-spread',
  'hpa-headroom',
] as const;
export type PolicyId = (typeof POLICIES)[number];

export interface Violation {
  readonly policy: PolicyId;
  readonly object: string;
  readonly message: string;
}

const ZONE = 'topology.kubernetes.io/zone';
const WORKLOADS = new Set(['Deployment', 'StatefulSet']);

interface Container {
  name?: string;
  ports?: unknown[];
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  lifecycle?: { preStop?: unknown };
}
interface PodSpec {
  containers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  nodeSelector?: Record<string, string>;
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms?: Array<{
          matchExpressions?: Array<{ key?: string; operator?: string; values?: string[] }>;
        }>;
      };
    };
  };
  topologySpreadConstraints?: Array<{
    topologyKey?: string;
    whenUnsatisfiable?: string;
    maxSkew?: number;
    labelSelector?: { matchLabels?: Record<string, string> };
  }>;
}
type Spec = {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  scaleTargetRef?: { kind?: string; name?: string };
  minReplicas?: number;
  maxReplicas?: number;
};
const spec = (o: KubeObject) => (o.spec ?? {}) as Spec;

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** Whether a PDB lets at least one pod go (a drain can proceed) while keeping the rest. */
function allowsDrain(pdb: Spec, replicas: number): boolean {
  const pct = (v: string) => Math.floor((parseFloat(v) / 100) * replicas);
  if (pdb.maxUnavailable !== undefined) {
    const n = typeof pdb.maxUnavailable === 'string' ? pct(pdb.maxUnavailable) : pdb.maxUnavailable;
    return n >= 1 && n < replicas;
  }
  if (pdb.minAvailable !== undefined) {
    const n =
      typeof pdb.minAvailable === 'string'
        ? Math.ceil((parseFloat(pdb.minAvailable) / 100) * replicas)
        : pdb.minAvailable;
    return n >= 1 && n < replicas;
  }
  return false;
}

export function checkPolicies(objects: readonly KubeObject[]): Violation[] {
  const out: Violation[] = [];
  for (const w of objects.filter((o) => WORKLOADS.has(o.kind ?? ''))) {
    const object = objectLabel(w);
    const add = (policy: PolicyId, message: string) => out.push({ policy, object, message });
    const s = spec(w);
    const pod = s.template?.spec ?? {};
    const labels = s.template?.metadata?.labels ?? {};
    const ns = w.metadata?.namespace;
    for (const c of pod.containers ?? []) {
      const at = `container ${c.name}`;
      if (!c.readinessProbe) add('probes', `${at} has no readinessProbe`);
      if (!c.livenessProbe) add('probes', `${at} has no livenessProbe`);
      if (!c.resources?.requests?.cpu || !c.resources.requests.memory)
        add('resources', `${at} requests no cpu or no memory`);
      if (!c.resources?.limits?.memory) add('resources', `${at} has no memory limit`);
      const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      const user = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      if (nonRoot !== true || user === 0) add('non-root', `${at} may run as root (runAsNonRoot not true)`);
      if (c.securityContext?.allowPrivilegeEscalation !== false)
        add('non-root', `${at} allows privilege escalation`);
      if (!c.securityContext?.capabilities?.drop?.includes('ALL'))
        add('non-root', `${at} keeps capabilities`);
      if (c.securityContext?.readOnlyRootFilesystem !== true)
        add('read-only-root-fs', `${at} has a writable root filesystem`);
      if (c.ports?.length && !c.lifecycle?.preStop)
        add('graceful-shutdown', `${at} serves traffic but has no preStop hook to outlast endpoint removal`);
    }
    const replicas = s.replicas ?? 1;
    const pdbs = objects.filter(
      (o) =>
        o.kind === 'PodDisruptionBudget' &&
        o.metadata?.namespace === ns &&
        matches(spec(o).selector?.matchLabels, labels),
    );
    if (!pdbs.length) add('pdb', 'no PodDisruptionBudget selects its pods');
    else if (!pdbs.some((p) => allowsDrain(spec(p), replicas)))
      add('pdb', `no PodDisruptionBudget lets one of ${replicas} pods go while keeping the rest`);
    const zoneSpread = (pod.topologySpreadConstraints ?? []).some(
      (t) =>
        t.topologyKey === ZONE &&
        t.whenUnsatisfiable === 'DoNotSchedule' &&
        (t.maxSkew ?? 1) === 1 &&
        matches(t.labelSelector?.matchLabels, labels),
    );
    if (!zoneSpread) add('zone-spread', `no DoNotSchedule spread over ${ZONE} with maxSkew 1 for its pods`);
    const pinned =
      pod.nodeSelector?.[ZONE] !== undefined ||
      (
        pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
      ).some((t) =>
        (t.matchExpressions ?? []).some(
          (e) => e.key === ZONE && e.operator === 'In' && (e.values?.length ?? 0) < 2,
        ),
      );
    if (pinned) add('zone-spread', `its pods are pinned to one zone`);
    const hpa = objects.find(
      (o) =>
        o.kind === 'HorizontalPodAutoscaler' &&
        o.metadata?.namespace === ns &&
        spec(o).scaleTargetRef?.kind === w.kind &&
        spec(o).scaleTargetRef?.name === w.metadata?.name,
    );
    if (!hpa) add('hpa-headroom', 'no HorizontalPodAutoscaler scales it');
    else if ((spec(hpa).maxReplicas ?? 0) <= (spec(hpa).minReplicas ?? 1))
      add(
        'hpa-headroom',
        `HPA maxReplicas ${spec(hpa).maxReplicas} leaves no room above minReplicas ${spec(hpa).minReplicas}`,
      );
  }
  return out;
}
