/**
 * kube-state-metrics-compatible series rendered from plain objects: the names, labels and value
 * conventions of kube-state-metrics v2 (one series per status value of a condition with 1 on the
 * current one; a waiting reason series only for the current reason; absent status counts as 0),
 * so kube-prometheus-style rules read them unchanged. Pure: objects in, exposition text out.
 */
import type { KubeObject } from '../store/types.ts';

export interface StateObjects {
  readonly pods?: readonly KubeObject[];
  readonly deployments?: readonly KubeObject[];
  readonly hpas?: readonly KubeObject[];
  readonly nodes?: readonly KubeObject[];
}

type Labels = Record<string, string>;
type Sample = readonly [Labels, number];

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly samples: Sample[];
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Text exposition format 0.0.4: HELP, TYPE, then one line per sample. Empty families are left out. */
export function formatFamilies(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!f.samples.length) continue;
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const [labels, value] of f.samples) {
      const ls = Object.entries(labels)
        .map(([k, v]) => `${k}="${escapeValue(v)}"`)
        .join(',');
      lines.push(`${f.name}${ls ? `{${ls}}` : ''} ${formatValue(value)}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function family(name: string, type: Family['type'], help: string): Family {
  return { name, type, help, samples: [] };
}

const num = (v: unknown, fallback = 0): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;

/** KSM's addConditionMetrics: one series per status value, 1 on the current one. */
function conditionSamples(base: Labels, status: string | undefined, key = 'status'): Sample[] {
  const s = (status ?? 'Unknown').toLowerCase();
  return ['true', 'false', 'unknown'].map((v) => [{ ...base, [key]: v }, v === s ? 1 : 0] as const);
}

const kPhases = ['Pending', 'Succeeded', 'Failed', 'Unknown', 'Running'];

interface ContainerStatus {
  name: string;
  restartCount?: number;
  ready?: boolean;
  state?: { waiting?: { reason?: string }; running?: unknown; terminated?: { reason?: string } };
  lastState?: { terminated?: { reason?: string } };
}

function podFamilies(pods: readonly KubeObject[]): Family[] {
  const info = family('kube_pod_info', 'gauge', 'Information about pod.');
  const phase = family('kube_pod_status_phase', 'gauge', 'The pods current phase.');
  const ready = family(
    'kube_pod_status_ready',
    'gauge',
    'Describes whether the pod is ready to serve requests.',
  );
  const restarts = family(
    'kube_pod_container_status_restarts_total',
    'counter',
    'The number of container restarts per container.',
  );
  const waiting = family(
    'kube_pod_container_status_waiting',
    'gauge',
    'Describes whether the container is currently in waiting state.',
  );
  const waitingReason = family(
    'kube_pod_container_status_waiting_reason',
    'gauge',
    'Describes the reason the container is currently in waiting state.',
  );
  const running = family(
    'kube_pod_container_status_running',
    'gauge',
    'Describes whether the container is currently in running state.',
  );
  const cReady = family(
    'kube_pod_container_status_ready',
    'gauge',
    'Describes whether the containers readiness check succeeded.',
  );
  const lastTerminated = family(
    'kube_pod_container_status_last_terminated_reason',
    'gauge',
    'Describes the last reason the container was in terminated state.',
  );
  for (const pod of pods) {
    const base = {
      namespace: pod.metadata.namespace ?? '',
      pod: pod.metadata.name ?? '',
      uid: pod.metadata.uid ?? '',
    };
    const owner = pod.metadata.ownerReferences?.find((r) => r.controller === true);
    info.samples.push([
      {
        ...base,
        host_ip: String(pod.status?.hostIP ?? ''),
        pod_ip: String(pod.status?.podIP ?? ''),
        node: String(pod.spec?.nodeName ?? ''),
        created_by_kind: owner?.kind ?? '<none>',
        created_by_name: owner?.name ?? '<none>',
        priority_class: String(pod.spec?.priorityClassName ?? ''),
        host_network: String(pod.spec?.hostNetwork === true),
      },
      1,
    ]);
    const p = pod.status?.phase as string | undefined;
    if (p) for (const v of kPhases) phase.samples.push([{ ...base, phase: v }, v === p ? 1 : 0]);
    const conds = (pod.status?.conditions ?? []) as Array<{ type?: string; status?: string }>;
    const readyCond = conds.find((c) => c.type === 'Ready');
    if (readyCond) ready.samples.push(...conditionSamples(base, readyCond.status, 'condition'));
    for (const s of (pod.status?.containerStatuses ?? []) as ContainerStatus[]) {
      const c = { ...base, container: s.name };
      restarts.samples.push([c, num(s.restartCount)]);
      waiting.samples.push([c, s.state?.waiting ? 1 : 0]);
      if (s.state?.waiting?.reason) waitingReason.samples.push([{ ...c, reason: s.state.waiting.reason }, 1]);
      running.samples.push([c, s.state?.running ? 1 : 0]);
      cReady.samples.push([c, s.ready ? 1 : 0]);
      const last = s.lastState?.terminated?.reason;
      if (last) lastTerminated.samples.push([{ ...c, reason: last }, 1]);
    }
  }
  return [info, phase, ready, restarts, waiting, waitingReason, running, cReady, lastTerminated];
}

function deploymentFamilies(deployments: readonly KubeObject[]): Family[] {
  const f = (suffix: string, help: string): Family => family(`kube_deployment_${suffix}`, 'gauge', help);
  const spec = f('spec_replicas', 'Number of desired pods for a deployment.');
  const replicas = f('status_replicas', 'The number of replicas per deployment.');
  const available = f('status_replicas_available', 'The number of available replicas per deployment.');
  const unavailable = f('status_replicas_unavailable', 'The number of unavailable replicas per deployment.');
  const updated = f('status_replicas_updated', 'The number of updated replicas per deployment.');
  const readyR = f('status_replicas_ready', 'The number of ready replicas per deployment.');
  const generation = f(
    'metadata_generation',
    'Sequence number representing a specific generation of the desired state.',
  );
  const observed = f('status_observed_generation', 'The generation observed by the deployment controller.');
  const condition = f('status_condition', 'The current status conditions of a deployment.');
  for (const d of deployments) {
    const base = { namespace: d.metadata.namespace ?? '', deployment: d.metadata.name ?? '' };
    const st = d.status ?? {};
    spec.samples.push([base, num(d.spec?.replicas, 1)]);
    replicas.samples.push([base, num(st.replicas)]);
    available.samples.push([base, num(st.availableReplicas)]);
    unavailable.samples.push([base, num(st.unavailableReplicas)]);
    updated.samples.push([base, num(st.updatedReplicas)]);
    readyR.samples.push([base, num(st.readyReplicas)]);
    generation.samples.push([base, num(d.metadata.generation)]);
    observed.samples.push([base, num(st.observedGeneration)]);
    for (const c of (st.conditions ?? []) as Array<{ type: string; status?: string }>)
      condition.samples.push(...conditionSamples({ ...base, condition: c.type }, c.status));
  }
  return [spec, replicas, available, unavailable, updated, readyR, generation, observed, condition];
}

function hpaFamilies(hpas: readonly KubeObject[]): Family[] {
  const f = (suffix: string, help: string): Family =>
    family(`kube_horizontalpodautoscaler_${suffix}`, 'gauge', help);
  const max = f(
    'spec_max_replicas',
    'Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.',
  );
  const min = f(
    'spec_min_replicas',
    'Lower limit for the number of pods that can be set by the autoscaler, default 1.',
  );
  const current = f(
    'status_current_replicas',
    'Current number of replicas of pods managed by this autoscaler.',
  );
  const desired = f(
    'status_desired_replicas',
    'Desired number of replicas of pods managed by this autoscaler.',
  );
  const condition = f('status_condition', 'The condition of this autoscaler.');
  for (const h of hpas) {
    const base = { namespace: h.metadata.namespace ?? '', horizontalpodautoscaler: h.metadata.name ?? '' };
    max.samples.push([base, num(h.spec?.maxReplicas)]);
    min.samples.push([base, num(h.spec?.minReplicas, 1)]);
    current.samples.push([base, num(h.status?.currentReplicas)]);
    desired.samples.push([base, num(h.status?.desiredReplicas)]);
    for (const c of (h.status?.conditions ?? []) as Array<{ type: string; status?: string }>)
      condition.samples.push(...conditionSamples({ ...base, condition: c.type }, c.status));
  }
  return [max, min, current, desired, condition];
}

function nodeFamilies(nodes: readonly KubeObject[]): Family[] {
  const info = family('kube_node_info', 'gauge', 'Information about a cluster node.');
  const condition = family('kube_node_status_condition', 'gauge', 'The condition of a cluster node.');
  const unschedulable = family(
    'kube_node_spec_unschedulable',
    'gauge',
    'Whether a node can schedule new pods.',
  );
  const taint = family('kube_node_spec_taint', 'gauge', 'The taint of a cluster node.');
  for (const n of nodes) {
    const node = n.metadata.name ?? '';
    const addresses = (n.status?.addresses ?? []) as Array<{ type: string; address: string }>;
    info.samples.push([
      {
        node,
        internal_ip: addresses.find((a) => a.type === 'InternalIP')?.address ?? '',
        kubelet_version: String(n.status?.nodeInfo?.kubeletVersion ?? ''),
        pod_cidr: String(n.spec?.podCIDR ?? ''),
      },
      1,
    ]);
    for (const c of (n.status?.conditions ?? []) as Array<{ type: string; status?: string }>)
      condition.samples.push(...conditionSamples({ node, condition: c.type }, c.status));
    unschedulable.samples.push([{ node }, n.spec?.unschedulable === true ? 1 : 0]);
    for (const t of (n.spec?.taints ?? []) as Array<{ key: string; value?: string; effect: string }>)
      taint.samples.push([{ node, key: t.key, value: t.value ?? '', effect: t.effect }, 1]);
  }
  return [info, condition, unschedulable, taint];
}

export function renderStateMetrics(objs: StateObjects): string {
  return formatFamilies([
    ...podFamilies(objs.pods ?? []),
    ...deploymentFamilies(objs.deployments ?? []),
    ...hpaFamilies(objs.hpas ?? []),
    ...nodeFamilies(objs.nodes ?? []),
  ]);
}
