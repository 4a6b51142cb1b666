/**
 * The `__meta_kubernetes_*` label sets Prometheus' Kubernetes discovery builds from object
 * metadata, pods, services and nodes (discovery/kubernetes/{pod,service,node}.go), so relabel
 * rules written against kubernetes_sd_configs read the same names and values here.
 */
import type { KubeObject } from '../store/types.ts';

export type LabelSet = Record<string, string>;

export const kMeta = '__meta_kubernetes_';
export const kNamespaceLabel = `${kMeta}namespace`;

/** strutil.SanitizeLabelName: every character outside [a-zA-Z0-9_] becomes `_`. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * `<role>_name`, `<role>_label_<k>`, `<role>_labelpresent_<k>` and, unless `labelsOnly`, the
 * annotation pair, as upstream's addObjectMetaLabels writes them.
 */
export function objectMetaLabels(obj: KubeObject, role: string, labelsOnly = false): LabelSet {
  const ls: LabelSet = { [`${kMeta}${role}_name`]: obj.metadata.name ?? '' };
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    const ln = sanitizeLabelName(k);
    ls[`${kMeta}${role}_label_${ln}`] = v;
    ls[`${kMeta}${role}_labelpresent_${ln}`] = 'true';
  }
  if (labelsOnly) return ls;
  for (const [k, v] of Object.entries(obj.metadata.annotations ?? {})) {
    const ln = sanitizeLabelName(k);
    ls[`${kMeta}${role}_annotation_${ln}`] = String(v);
    ls[`${kMeta}${role}_annotationpresent_${ln}`] = 'true';
  }
  return ls;
}

/** The owner reference with `controller: true`, as metav1.GetControllerOf. */
function controllerOf(obj: KubeObject): { kind: string; name: string } | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** Lower-cased status of the Ready condition; `unknown` without one. */
function podReady(pod: KubeObject): string {
  const conds = (pod.status?.conditions ?? []) as Array<{ type?: string; status?: string }>;
  const ready = conds.find((c) => c.type === 'Ready');
  return (ready?.status ?? 'Unknown').toLowerCase();
}

/** podLabels() of upstream: the pod-level labels every pod-backed target carries. */
export function podLabels(pod: KubeObject): LabelSet {
  const ls: LabelSet = {
    ...objectMetaLabels(pod, 'pod'),
    [`${kMeta}pod_ip`]: String(pod.status?.podIP ?? ''),
    [`${kMeta}pod_ready`]: podReady(pod),
    [`${kMeta}pod_phase`]: String(pod.status?.phase ?? ''),
    [`${kMeta}pod_node_name`]: String(pod.spec?.nodeName ?? ''),
    [`${kMeta}pod_host_ip`]: String(pod.status?.hostIP ?? ''),
    [`${kMeta}pod_uid`]: pod.metadata.uid ?? '',
  };
  const owner = controllerOf(pod);
  if (owner?.kind) ls[`${kMeta}pod_controller_kind`] = owner.kind;
  if (owner?.name) ls[`${kMeta}pod_controller_name`] = owner.name;
  return ls;
}

/** serviceLabels() of upstream, attached to endpoints and endpointslice groups of a Service. */
export function serviceLabels(svc: KubeObject): LabelSet {
  return { ...objectMetaLabels(svc, 'service'), [kNamespaceLabel]: svc.metadata.namespace ?? '' };
}

/** The node labels `attach_metadata: {node: true}` adds: name and labels, no annotations. */
export function attachedNodeLabels(node: KubeObject): LabelSet {
  return objectMetaLabels(node, 'node', true);
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
}

export interface PodContainer {
  readonly container: Container;
  readonly init: boolean;
  /** `<runtime>://<id>` from the container's status; '' before it ran. */
  readonly id: string;
}

/** Regular containers, then init containers, each with its status' container ID. */
export function podContainers(pod: KubeObject): PodContainer[] {
  const ids = new Map<string, string>();
  const statuses = [
    ...((pod.status?.containerStatuses ?? []) as Array<{ name: string; containerID?: string }>),
    ...((pod.status?.initContainerStatuses ?? []) as Array<{ name: string; containerID?: string }>),
  ];
  for (const s of statuses) if (s.containerID) ids.set(s.name, s.containerID);
  const of = (list: unknown, init: boolean): PodContainer[] =>
    ((list ?? []) as Container[]).map((c) => ({ container: c, init, id: ids.get(c.name) ?? '' }));
  return [...of(pod.spec?.containers, false), ...of(pod.spec?.initContainers, true)];
}

/** Per-target container labels of the pod role for one declared port (or none). */
export function containerLabels(pc: PodContainer, port?: ContainerPort): LabelSet {
  const ls: LabelSet = {
    [`${kMeta}pod_container_name`]: pc.container.name,
    [`${kMeta}pod_container_id`]: pc.id,
    [`${kMeta}pod_container_image`]: pc.container.image ?? '',
    [`${kMeta}pod_container_init`]: String(pc.init),
  };
  if (port) {
    ls[`${kMeta}pod_container_port_name`] = port.name ?? '';
    ls[`${kMeta}pod_container_port_number`] = String(port.containerPort);
    ls[`${kMeta}pod_container_port_protocol`] = port.protocol ?? 'TCP';
  }
  return ls;
}

/** `host:port`, with brackets for IPv6 as net.JoinHostPort writes it. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
