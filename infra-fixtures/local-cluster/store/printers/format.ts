/** Shared formatting for Table cells, ported from upstream `duration.HumanDuration` and friends. */
import type { KubeObject } from '../types.ts';

export type CellValue = string | number | boolean;

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: 'name' | '';
  /** 1 = only with `-o wide`. */
  priority?: 0 | 1;
  description: string;
  cell: (obj: KubeObject, nowMs: number) => CellValue;
}

/** `translateTimestampSince`: `45s`, `5m12s`, `3h`, `2d`; `<unknown>` for a missing time. */
export function ageSince(timestamp: string | undefined | null, nowMs: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(nowMs - t);
}

export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.',
  cell: (o) => o.metadata.name ?? '',
};

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations.',
  cell: (o, now) => ageSince(o.metadata.creationTimestamp, now),
};

export function orNone(value: string | undefined | null): string {
  return value ? value : '<none>';
}

type Container = { name: string; image?: string };

/** The `Containers`/`Images` wide columns shared by workload printers. */
export function containerColumns(template: (o: KubeObject) => Container[] | undefined): TableColumn[] {
  return [
    {
      name: 'Containers',
      type: 'string',
      priority: 1,
      description: 'Names of each container in the template.',
      cell: (o) => (template(o) ?? []).map((c) => c.name).join(','),
    },
    {
      name: 'Images',
      type: 'string',
      priority: 1,
      description: 'Images referenced by each container in the template.',
      cell: (o) => (template(o) ?? []).map((c) => c.image ?? '').join(','),
    },
  ];
}

export function int(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
