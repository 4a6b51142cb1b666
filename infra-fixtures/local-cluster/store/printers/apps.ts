/** Table columns for workloads, autoscaling, policy and networking kinds (upstream printers, 1.32). */
import { formatLabelSelector } from '../selectors.ts';
import type { KubeObject } from '../types.ts';
import { ageColumn, containerColumns, int, nameColumn, orNone, type TableColumn } from './format.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

const templateContainers = (o: KubeObject) => o.spec?.template?.spec?.containers;
const selectorColumn: TableColumn = {
  name: 'Selector',
  type: 'string',
  priority: 1,
  description: 'Label selector for pods.',
  cell: (o) => formatLabelSelector(o.spec?.selector),
};

export const deploymentColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Ready',
    type: 'string',
    description: 'Number of the pod with ready state',
    cell: (o) => `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas)}`,
  },
  {
    name: 'Up-to-date',
    type: 'integer',
    description:
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    cell: (o) => int(o.status?.updatedReplicas),
  },
  {
    name: 'Available',
    type: 'integer',
    description:
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    cell: (o) => int(o.status?.availableReplicas),
  },
  ageColumn,
  ...containerColumns(templateContainers),
  selectorColumn,
];

export const replicaSetColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Desired',
    type: 'integer',
    description: 'Replicas is the number of desired replicas.',
    cell: (o) => int(o.spec?.replicas),
  },
  {
    name: 'Current',
    type: 'integer',
    description: 'Replicas is the most recently observed number of replicas.',
    cell: (o) => int(o.status?.replicas),
  },
  {
    name: 'Ready',
    type: 'integer',
    description: 'The number of ready replicas for this replica set.',
    cell: (o) => int(o.status?.readyReplicas),
  },
  ageColumn,
  ...containerColumns(templateContainers),
  selectorColumn,
];

export const daemonSetColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Desired',
    type: 'integer',
    description: 'The total number of nodes that should be running the daemon pod.',
    cell: (o) => int(o.status?.desiredNumberScheduled),
  },
  {
    name: 'Current',
    type: 'integer',
    description: 'The number of nodes that are running at least 1 daemon pod.',
    cell: (o) => int(o.status?.currentNumberScheduled),
  },
  {
    name: 'Ready',
    type: 'integer',
    description: 'The number of nodes that should be running the daemon pod and have one or more ready.',
    cell: (o) => int(o.status?.numberReady),
  },
  {
    name: 'Up-to-date',
    type: 'integer',
    description: 'The total number of nodes that are running updated daemon pod',
    cell: (o) => int(o.status?.updatedNumberScheduled),
  },
  {
    name: 'Available',
    type: 'integer',
    description: 'The number of nodes that should be running the daemon pod and have one or more available.',
    cell: (o) => int(o.status?.numberAvailable),
  },
  {
    name: 'Node Selector',
    type: 'string',
    description: 'NodeSelector is a selector which must be true for the pod to fit on a node.',
    cell: (o) => {
      const sel = Object.entries((o.spec?.template?.spec?.nodeSelector ?? {}) as Record<string, string>);
      return sel.length ? sel.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
    },
  },
  ageColumn,
  ...containerColumns(templateContainers),
  selectorColumn,
];

export const controllerRevisionColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Controller',
    type: 'string',
    description: 'Controller of the object',
    cell: (o) => {
      const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
      if (!ref) return '<none>';
      const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
      return `${ref.kind.toLowerCase()}${group ? '.' + group : ''}/${ref.name}`;
    },
  },
  {
    name: 'Revision',
    type: 'integer',
    description: 'Revision indicates the revision of the state represented by Data.',
    cell: (o) => int(o.revision),
  },
  ageColumn,
];

function metricName(spec: any): string {
  switch (spec.type) {
    case 'Resource':
      return spec.resource?.name ?? '';
    case 'ContainerResource':
      return spec.containerResource?.name ?? '';
    case 'Pods':
      return spec.pods?.metric?.name ?? '';
    case 'Object':
      return spec.object?.metric?.name ?? '';
    case 'External':
      return spec.external?.metric?.name ?? '';
    default:
      return String(spec.type ?? '');
  }
}

function metricTarget(spec: any): any {
  return (
    spec.resource?.target ??
    spec.containerResource?.target ??
    spec.pods?.target ??
    spec.object?.target ??
    spec.external?.target ??
    {}
  );
}

/** 1.30+ HPA TARGETS: `cpu: 20%/50%`, `cpu: <unknown>/50%`, at most two then `+ N more...`. */
export function formatHpaTargets(hpa: KubeObject): string {
  const specs: any[] = hpa.spec?.metrics ?? [];
  if (!specs.length) return '<none>';
  const current: any[] = hpa.status?.currentMetrics ?? [];
  const list: string[] = [];
  specs.forEach((spec, i) => {
    if (list.length >= 2) return;
    const target = metricTarget(spec);
    const cur = current[i];
    const curValue =
      cur?.resource?.current ??
      cur?.containerResource?.current ??
      cur?.pods?.current ??
      cur?.object?.current ??
      cur?.external?.current;
    let text: string;
    if (target.averageUtilization !== undefined) {
      const c = curValue?.averageUtilization !== undefined ? `${curValue.averageUtilization}%` : '<unknown>';
      text = `${c}/${target.averageUtilization}%`;
    } else {
      const want = target.averageValue ?? target.value ?? '';
      const c = curValue?.averageValue ?? curValue?.value ?? '<unknown>';
      text = `${c}/${want}`;
    }
    list.push(`${metricName(spec)}: ${text}`);
  });
  return specs.length > 2 ? `${list.join(', ')} + ${specs.length - 2} more...` : list.join(', ');
}

export const hpaColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Reference',
    type: 'string',
    description:
      'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.',
    cell: (o) => `${o.spec?.scaleTargetRef?.kind ?? ''}/${o.spec?.scaleTargetRef?.name ?? ''}`,
  },
  {
    name: 'Targets',
    type: 'string',
    description:
      'metrics contains the specifications for which to use to calculate the desired replica count.',
    cell: (o) => formatHpaTargets(o),
  },
  {
    name: 'MinPods',
    type: 'string',
    description:
      'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.',
    cell: (o) => (o.spec?.minReplicas === undefined ? '<unset>' : String(o.spec.minReplicas)),
  },
  {
    name: 'MaxPods',
    type: 'integer',
    description:
      'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.',
    cell: (o) => int(o.spec?.maxReplicas),
  },
  {
    name: 'Replicas',
    type: 'integer',
    description: 'currentReplicas is current number of replicas of pods managed by this autoscaler.',
    cell: (o) => int(o.status?.currentReplicas),
  },
  ageColumn,
];

const intOrNa = (v: unknown): string => (v === undefined || v === null ? 'N/A' : String(v));

export const pdbColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Min Available',
    type: 'string',
    description: 'The minimum number of pods that must be available simultaneously.',
    cell: (o) => intOrNa(o.spec?.minAvailable),
  },
  {
    name: 'Max Unavailable',
    type: 'string',
    description: 'The maximum number of pods that may be unavailable simultaneously.',
    cell: (o) => intOrNa(o.spec?.maxUnavailable),
  },
  {
    name: 'Allowed Disruptions',
    type: 'integer',
    description: 'Calculated number of pods that may be disrupted at this time.',
    cell: (o) => int(o.status?.disruptionsAllowed),
  },
  ageColumn,
];

export const ingressColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Class',
    type: 'string',
    description: 'The name of the IngressClass resource that should be used.',
    cell: (o) => orNone(o.spec?.ingressClassName),
  },
  {
    name: 'Hosts',
    type: 'string',
    description: 'Hosts that incoming requests are matched against.',
    cell: (o) => {
      const hosts = ((o.spec?.rules ?? []) as any[]).map((r) => r.host).filter(Boolean);
      return hosts.length ? hosts.join(',') : '*';
    },
  },
  {
    name: 'Address',
    type: 'string',
    description: 'Address is a list containing ingress points for the load-balancer.',
    cell: (o) => ((o.status?.loadBalancer?.ingress ?? []) as any[]).map((i) => i.ip || i.hostname).join(','),
  },
  {
    name: 'Ports',
    type: 'string',
    description: 'Ports of TLS configurations that open',
    cell: (o) => ((o.spec?.tls ?? []).length ? '80, 443' : '80'),
  },
  ageColumn,
];

export const networkPolicyColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Pod-Selector',
    type: 'string',
    description: 'Selects the pods to which this NetworkPolicy object applies.',
    cell: (o) => {
      const s = formatLabelSelector(o.spec?.podSelector);
      return s === '<none>' ? '<none>' : s;
    },
  },
  ageColumn,
];

export const leaseColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Holder',
    type: 'string',
    description: 'The holder of the lease',
    cell: (o) => String(o.spec?.holderIdentity ?? ''),
  },
  ageColumn,
];

export const endpointSliceColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'AddressType',
    type: 'string',
    description: 'The IP protocol for this slice',
    cell: (o) => String(o.addressType ?? ''),
  },
  {
    name: 'Ports',
    type: 'string',
    description: 'The ports for this slice',
    cell: (o) => {
      const ports = ((o.ports ?? []) as any[]).map((p) => p.port).filter((p) => p !== undefined);
      return ports.length ? ports.join(',') : '<unset>';
    },
  },
  {
    name: 'Endpoints',
    type: 'string',
    description: 'The endpoints for this slice',
    cell: (o) => {
      const addrs = ((o.endpoints ?? []) as any[]).flatMap((e) => e.addresses ?? []);
      if (!addrs.length) return '<unset>';
      return addrs.length > 3
        ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...`
        : addrs.join(',');
    },
  },
  ageColumn,
];
