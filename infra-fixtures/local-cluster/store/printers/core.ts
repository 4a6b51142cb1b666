/** Table columns for the remaining core/v1 kinds, after the upstream printers (1.32). */
import type { KubeObject } from '../types.ts';
import { ageColumn, ageSince, nameColumn, orNone, type TableColumn } from './format.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

function servicePorts(svc: KubeObject): string {
  const ports: any[] = svc.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports
    .map((p) =>
      p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`,
    )
    .join(',');
}

function serviceExternalIp(svc: KubeObject): string {
  const type = svc.spec?.type ?? 'ClusterIP';
  const external: string[] = svc.spec?.externalIPs ?? [];
  if (type === 'LoadBalancer') {
    const ingress: any[] = svc.status?.loadBalancer?.ingress ?? [];
    const ips = [...ingress.map((i) => i.ip || i.hostname), ...external].filter(Boolean);
    return ips.length ? ips.join(',') : '<pending>';
  }
  if (type === 'ExternalName') return svc.spec?.externalName ?? '<none>';
  return external.length ? external.join(',') : '<none>';
}

function formatMap(map: Record<string, string> | undefined): string {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

export const serviceColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Type',
    type: 'string',
    description: 'type determines how the Service is exposed.',
    cell: (o) => o.spec?.type ?? 'ClusterIP',
  },
  {
    name: 'Cluster-IP',
    type: 'string',
    description: 'clusterIP is the IP address of the service and is usually assigned randomly.',
    cell: (o) => orNone(o.spec?.clusterIP),
  },
  {
    name: 'External-IP',
    type: 'string',
    description: 'externalIPs is a list of IP addresses.',
    cell: (o) => serviceExternalIp(o),
  },
  {
    name: 'Port(s)',
    type: 'string',
    description: 'The list of ports that are exposed by this service.',
    cell: (o) => servicePorts(o),
  },
  ageColumn,
  {
    name: 'Selector',
    type: 'string',
    priority: 1,
    description: 'Route service traffic to pods with label keys and values matching this selector.',
    cell: (o) => formatMap(o.spec?.selector),
  },
];

/** Upstream `formatEndpoints`: at most three `ip:port`, then `+ N more...`. */
export function formatEndpoints(ep: KubeObject): string {
  const subsets: any[] = ep.subsets ? (ep.subsets as any[]) : [];
  if (!subsets.length) return '<none>';
  const list: string[] = [];
  let count = 0;
  let more = false;
  for (const ss of subsets) {
    const addrs: any[] = ss.addresses ?? [];
    const ports: any[] = ss.ports?.length ? ss.ports : [undefined];
    for (const port of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === 3) {
          more = true;
          break;
        }
        list.push(port ? `${a.ip}:${port.port}` : a.ip);
      }
    }
  }
  return more ? `${list.join(',')} + ${count - 3} more...` : list.join(',');
}

export const endpointsColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Endpoints',
    type: 'string',
    description: 'Endpoints of the service',
    cell: (o) => formatEndpoints(o),
  },
  ageColumn,
];

export const namespaceColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Status',
    type: 'string',
    description: 'The status of the namespace',
    cell: (o) => o.status?.phase ?? 'Active',
  },
  ageColumn,
];

const countKeys = (...maps: unknown[]): number =>
  maps.reduce<number>((n, m) => n + (m && typeof m === 'object' ? Object.keys(m).length : 0), 0);

export const configMapColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Data',
    type: 'integer',
    description: 'Data contains the configuration data.',
    cell: (o) => countKeys(o.data, o.binaryData),
  },
  ageColumn,
];

export const secretColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Type',
    type: 'string',
    description: 'Used to facilitate programmatic handling of secret data.',
    cell: (o) => String(o.type ?? 'Opaque'),
  },
  {
    name: 'Data',
    type: 'integer',
    description: 'Data contains the secret data.',
    cell: (o) => countKeys(o.data, o.stringData),
  },
  ageColumn,
];

export const serviceAccountColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Secrets',
    type: 'integer',
    description: 'Secrets is a list of the secrets in the same namespace.',
    cell: (o) => ((o.secrets as unknown[]) ?? []).length,
  },
  ageColumn,
];

function eventLastSeen(e: any): string | undefined {
  return e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
}

function eventSource(e: any): string {
  const component = e.source?.component || e.reportingComponent || '';
  const host = e.source?.host || e.reportingInstance || '';
  if (!component && !host) return '<none>';
  return host ? `${component}, ${host}` : component;
}

export const eventColumns: TableColumn[] = [
  {
    name: 'Last Seen',
    type: 'string',
    description: 'The time at which the most recent occurrence of this event was recorded.',
    cell: (o, now) => ageSince(eventLastSeen(o), now),
  },
  {
    name: 'Type',
    type: 'string',
    description: 'Type of this event (Normal, Warning), new types could be added in the future',
    cell: (o) => String(o.type ?? ''),
  },
  {
    name: 'Reason',
    type: 'string',
    description:
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    cell: (o) => String(o.reason ?? ''),
  },
  {
    name: 'Object',
    type: 'string',
    description: 'The object that this event is about.',
    cell: (o) => {
      const io = (o.involvedObject ?? {}) as any;
      return `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`;
    },
  },
  {
    name: 'Subobject',
    type: 'string',
    priority: 1,
    description:
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.',
    cell: (o) => String((o.involvedObject as any)?.fieldPath ?? ''),
  },
  {
    name: 'Source',
    type: 'string',
    priority: 1,
    description: 'The component reporting this event.',
    cell: (o) => eventSource(o),
  },
  {
    name: 'Message',
    type: 'string',
    description: 'A human-readable description of the status of this operation.',
    cell: (o) => String(o.message ?? ''),
  },
  {
    name: 'First Seen',
    type: 'string',
    priority: 1,
    description: 'The time at which the event was first recorded.',
    cell: (o, now) => ageSince((o.firstTimestamp as string) ?? (o.eventTime as string), now),
  },
  {
    name: 'Count',
    type: 'string',
    priority: 1,
    description: 'The number of times this event has occurred.',
    cell: (o) => String((o.series as any)?.count ?? o.count ?? 1),
  },
  { ...nameColumn, priority: 1 },
];
