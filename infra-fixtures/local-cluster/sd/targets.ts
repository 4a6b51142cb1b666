/**
 * Target groups for the four discovery roles, built from plain objects the way Prometheus'
 * Kubernetes discovery builds them (discovery/kubernetes/{pod,endpoints,endpointslice,node}.go):
 * the same `__meta_kubernetes_*` names, the same targets per port and address, and the same
 * extra targets for container ports no Service port covers. Pure: objects in, groups out.
 */
import type { KubeObject } from '../store/types.ts';
import {
  attachedNodeLabels,
  containerLabels,
  joinHostPort,
  kMeta,
  kNamespaceLabel,
  objectMetaLabels,
  podContainers,
  podLabels,
  sanitizeLabelName,
  serviceLabels,
  type LabelSet,
} from './labels.ts';

export const kRoles = ['pod', 'endpoints', 'endpointslice', 'node'] as const;
export type Role = (typeof kRoles)[number];

/** One upstream target group: labels shared by its targets, and each target's own labels. */
export interface TargetGroup {
  /** `pod/<ns>/<name>`, `endpoints/<ns>/<name>`, `endpointslice/<ns>/<name>`, `node/<name>`. */
  readonly source: string;
  readonly labels: LabelSet;
  /** Each holds `__address__` and the per-target meta labels. */
  readonly targets: LabelSet[];
}

/** The objects a role reads; a role uses only the lists it needs. */
export interface DiscoveryObjects {
  readonly pods?: readonly KubeObject[];
  readonly services?: readonly KubeObject[];
  readonly endpoints?: readonly KubeObject[];
  readonly endpointSlices?: readonly KubeObject[];
  readonly nodes?: readonly KubeObject[];
}

export interface DiscoveryOptions {
  /** `attach_metadata: {node: true}`: node name and labels on pod, endpoints and endpointslice targets. */
  readonly attachNodeMetadata?: boolean;
}

type ObjIndex = Map<string, KubeObject>;

const nsKey = (ns: string | undefined, name: string | undefined): string => `${ns ?? ''}/${name ?? ''}`;

function index(objs: readonly KubeObject[] | undefined, namespaced: boolean): ObjIndex {
  const m: ObjIndex = new Map();
  for (const o of objs ?? [])
    m.set(namespaced ? nsKey(o.metadata.namespace, o.metadata.name) : (o.metadata.name ?? ''), o);
  return m;
}

function nodeLabelsFor(nodes: ObjIndex, name: string | undefined, on: boolean | undefined): LabelSet {
  if (!on || !name) return {};
  const node = nodes.get(name);
  return node ? attachedNodeLabels(node) : {};
}

export function podTargetGroups(objs: DiscoveryObjects, options: DiscoveryOptions = {}): TargetGroup[] {
  const nodes = index(objs.nodes, false);
  const groups: TargetGroup[] = [];
  for (const pod of objs.pods ?? []) {
    const ip = pod.status?.podIP as string | undefined;
    // Upstream sends an empty group for a pod without an IP (starting or evicted): no targets.
    if (!ip) continue;
    const labels: LabelSet = {
      ...podLabels(pod),
      [kNamespaceLabel]: pod.metadata.namespace ?? '',
      ...nodeLabelsFor(nodes, pod.spec?.nodeName, options.attachNodeMetadata),
    };
    const targets: LabelSet[] = [];
    for (const pc of podContainers(pod)) {
      const ports = pc.container.ports ?? [];
      // A container without ports still gets a target on the bare pod IP, for relabeling to add one.
      if (!ports.length) targets.push({ __address__: ip, ...containerLabels(pc) });
      for (const port of ports)
        targets.push({ __address__: joinHostPort(ip, port.containerPort), ...containerLabels(pc, port) });
    }
    groups.push({ source: `pod/${pod.metadata.namespace}/${pod.metadata.name}`, labels, targets });
  }
  return groups;
}

interface PodSeen {
  readonly pod: KubeObject;
  readonly ports: Set<number>;
}

/** Pod labels and the labels of the container port matching `port`, for a pod-backed target. */
function podTarget(
  target: LabelSet,
  pod: KubeObject,
  port: number | undefined,
  seen: Map<string, PodSeen>,
): LabelSet {
  const key = nsKey(pod.metadata.namespace, pod.metadata.name);
  let entry = seen.get(key);
  if (!entry) seen.set(key, (entry = { pod, ports: new Set() }));
  const out = { ...target, ...podLabels(pod) };
  if (port !== undefined) {
    entry.ports.add(port);
    // Only regular containers: upstream matches the endpoint port against spec.containers.
    const match = podContainers(pod)
      .filter((pc) => !pc.init)
      .flatMap((pc) => (pc.container.ports ?? []).map((p) => ({ pc, p })))
      .find(({ p }) => p.containerPort === port);
    if (match) Object.assign(out, containerLabels(match.pc, match.p));
  }
  return out;
}

/** Targets for the container ports of seen pods that no endpoint port covered. */
function uncoveredPortTargets(seen: Map<string, PodSeen>): LabelSet[] {
  const out: LabelSet[] = [];
  for (const { pod, ports } of seen.values()) {
    const ip = pod.status?.podIP as string | undefined;
    if (!ip) continue;
    for (const pc of podContainers(pod)) {
      if (pc.init) continue;
      for (const p of pc.container.ports ?? []) {
        if (ports.has(p.containerPort)) continue;
        out.push({
          __address__: joinHostPort(ip, p.containerPort),
          ...containerLabels(pc, p),
          ...podLabels(pod),
        });
      }
    }
  }
  return out;
}

interface TargetRef {
  kind?: string;
  name?: string;
  namespace?: string;
}

function resolvePod(
  pods: ObjIndex,
  ref: TargetRef | undefined,
  ns: string | undefined,
): KubeObject | undefined {
  if (ref?.kind !== 'Pod') return undefined;
  return pods.get(nsKey(ref.namespace ?? ns, ref.name));
}

export function endpointsTargetGroups(objs: DiscoveryObjects, options: DiscoveryOptions = {}): TargetGroup[] {
  const pods = index(objs.pods, true);
  const services = index(objs.services, true);
  const nodes = index(objs.nodes, false);
  const groups: TargetGroup[] = [];
  for (const eps of objs.endpoints ?? []) {
    const ns = eps.metadata.namespace;
    const svc = services.get(nsKey(ns, eps.metadata.name));
    const labels: LabelSet = {
      [kNamespaceLabel]: ns ?? '',
      ...objectMetaLabels(eps, 'endpoints', true),
      ...(svc ? serviceLabels(svc) : {}),
    };
    const targets: LabelSet[] = [];
    const seen = new Map<string, PodSeen>();
    type Address = { ip: string; nodeName?: string; hostname?: string; targetRef?: TargetRef };
    type Port = { name?: string; port: number; protocol?: string };
    const add = (addr: Address, port: Port, ready: string): void => {
      let target: LabelSet = {
        __address__: joinHostPort(addr.ip, port.port),
        [`${kMeta}endpoint_port_name`]: port.name ?? '',
        [`${kMeta}endpoint_port_protocol`]: port.protocol ?? 'TCP',
        [`${kMeta}endpoint_ready`]: ready,
      };
      if (addr.targetRef) {
        target[`${kMeta}endpoint_address_target_kind`] = addr.targetRef.kind ?? '';
        target[`${kMeta}endpoint_address_target_name`] = addr.targetRef.name ?? '';
      }
      if (addr.nodeName) target[`${kMeta}endpoint_node_name`] = addr.nodeName;
      if (addr.hostname) target[`${kMeta}endpoint_hostname`] = addr.hostname;
      Object.assign(target, nodeLabelsFor(nodes, addr.nodeName, options.attachNodeMetadata));
      const pod = resolvePod(pods, addr.targetRef, ns);
      if (pod) target = podTarget(target, pod, port.port, seen);
      targets.push(target);
    };
    const subsets = (eps as { subsets?: unknown }).subsets as
      Array<{ addresses?: Address[]; notReadyAddresses?: Address[]; ports?: Port[] }> | undefined;
    for (const ss of subsets ?? []) {
      for (const port of ss.ports ?? []) {
        for (const a of ss.addresses ?? []) add(a, port, 'true');
        for (const a of ss.notReadyAddresses ?? []) add(a, port, 'false');
      }
    }
    targets.push(...uncoveredPortTargets(seen));
    groups.push({ source: `endpoints/${ns}/${eps.metadata.name}`, labels, targets });
  }
  return groups;
}

const kServiceNameLabel = 'kubernetes.io/service-name';

export function endpointSliceTargetGroups(
  objs: DiscoveryObjects,
  options: DiscoveryOptions = {},
): TargetGroup[] {
  const pods = index(objs.pods, true);
  const services = index(objs.services, true);
  const nodes = index(objs.nodes, false);
  const groups: TargetGroup[] = [];
  for (const slice of objs.endpointSlices ?? []) {
    const ns = slice.metadata.namespace;
    const svcName = slice.metadata.labels?.[kServiceNameLabel];
    const svc = svcName === undefined ? undefined : services.get(nsKey(ns, svcName));
    const labels: LabelSet = {
      [kNamespaceLabel]: ns ?? '',
      [`${kMeta}endpointslice_address_type`]: String(slice.addressType ?? ''),
      ...objectMetaLabels(slice, 'endpointslice'),
      ...(svc ? serviceLabels(svc) : {}),
    };
    type Endpoint = {
      addresses?: string[];
      conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
      hostname?: string;
      nodeName?: string;
      zone?: string;
      targetRef?: TargetRef;
      deprecatedTopology?: Record<string, string>;
    };
    type Port = { name?: string; port?: number; protocol?: string; appProtocol?: string };
    const targets: LabelSet[] = [];
    const seen = new Map<string, PodSeen>();
    const add = (addr: string, ep: Endpoint, port: Port): void => {
      let target: LabelSet = {
        __address__: port.port === undefined ? addr : joinHostPort(addr, port.port),
      };
      const set = (name: string, v: string | number | boolean | undefined): void => {
        if (v !== undefined) target[`${kMeta}endpointslice_${name}`] = String(v);
      };
      set('port_name', port.name);
      set('port_protocol', port.protocol ?? 'TCP');
      set('port', port.port);
      set('port_app_protocol', port.appProtocol);
      set('endpoint_conditions_ready', ep.conditions?.ready);
      set('endpoint_conditions_serving', ep.conditions?.serving);
      set('endpoint_conditions_terminating', ep.conditions?.terminating);
      set('endpoint_hostname', ep.hostname);
      set('endpoint_node_name', ep.nodeName);
      set('endpoint_zone', ep.zone);
      if (ep.targetRef) {
        set('address_target_kind', ep.targetRef.kind ?? '');
        set('address_target_name', ep.targetRef.name ?? '');
      }
      for (const [k, v] of Object.entries(ep.deprecatedTopology ?? {})) {
        const ln = sanitizeLabelName(k);
        set(`endpoint_topology_${ln}`, v);
        set(`endpoint_topology_present_${ln}`, 'true');
      }
      const nodeName = ep.targetRef?.kind === 'Node' ? ep.targetRef.name : ep.nodeName;
      Object.assign(target, nodeLabelsFor(nodes, nodeName, options.attachNodeMetadata));
      const pod = resolvePod(pods, ep.targetRef, ns);
      if (pod) target = podTarget(target, pod, port.port, seen);
      targets.push(target);
    };
    const endpoints = (slice.endpoints ?? []) as Endpoint[];
    const ports = (slice.ports ?? []) as Port[];
    for (const ep of endpoints)
      for (const port of ports) for (const addr of ep.addresses ?? []) add(addr, ep, port);
    targets.push(...uncoveredPortTargets(seen));
    groups.push({ source: `endpointslice/${ns}/${slice.metadata.name}`, labels, targets });
  }
  return groups;
}

const kAddressOrder = ['InternalIP', 'ExternalIP', 'LegacyHostIP', 'Hostname'];

export function nodeTargetGroups(objs: DiscoveryObjects): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const node of objs.nodes ?? []) {
    const byType = new Map<string, string>();
    for (const a of (node.status?.addresses ?? []) as Array<{ type: string; address: string }>)
      if (!byType.has(a.type)) byType.set(a.type, a.address);
    const host = kAddressOrder.map((t) => byType.get(t)).find((a) => a !== undefined);
    // Upstream drops a node without any usable address (with a warning).
    if (host === undefined) continue;
    const port = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0);
    const target: LabelSet = { __address__: joinHostPort(host, port), instance: node.metadata.name ?? '' };
    for (const [type, address] of byType) target[sanitizeLabelName(`${kMeta}node_address_${type}`)] = address;
    groups.push({
      source: `node/${node.metadata.name}`,
      labels: objectMetaLabels(node, 'node'),
      targets: [target],
    });
  }
  return groups;
}

export function targetGroups(
  role: Role,
  objs: DiscoveryObjects,
  options: DiscoveryOptions = {},
): TargetGroup[] {
  switch (role) {
    case 'pod':
      return podTargetGroups(objs, options);
    case 'endpoints':
      return endpointsTargetGroups(objs, options);
    case 'endpointslice':
      return endpointSliceTargetGroups(objs, options);
    case 'node':
      return nodeTargetGroups(objs);
  }
}

/** One http_sd entry: Prometheus' `[{targets: [...], labels: {...}}]` format. */
export interface HttpSdGroup {
  targets: string[];
  labels: LabelSet;
}

/**
 * The http_sd wire format has no per-target labels, so each upstream target becomes an entry of
 * its own with the group's labels merged under its own, as Prometheus merges them.
 */
export function toHttpSd(groups: readonly TargetGroup[]): HttpSdGroup[] {
  const out: HttpSdGroup[] = [];
  for (const g of groups) {
    for (const t of g.targets) {
      const { __address__: address, ...own } = t;
      if (!address) continue;
      out.push({ targets: [address], labels: { ...g.labels, ...own } });
    }
  }
  return out;
}
