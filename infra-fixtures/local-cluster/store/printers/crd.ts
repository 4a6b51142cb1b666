/**
 * Table columns of CustomResourceDefinitions and of custom resources. A custom resource prints
 * NAME, then its version's `additionalPrinterColumns`, or AGE when it declares none (upstream
 * apiextensions-apiserver `crd_handler.go` and `tableconvertor`). Column values come from the
 * simple JSONPath subset upstream allows there: `.a.b`, `.a[0]`, `.a['b.c']`.
 */
import type { KubeObject } from '../types.ts';
import { ageColumn, ageSince, nameColumn, type CellValue, type TableColumn } from './format.ts';

export const crdColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Created At',
    type: 'date',
    description: 'Time the definition was created.',
    cell: (o) => o.metadata.creationTimestamp ?? '',
  },
];

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

type Step = string | number;

/** `.spec.script.configMap.name` → ['spec', 'script', 'configMap', 'name']; undefined if unsupported. */
export function parseJsonPath(path: string): Step[] | undefined {
  const text = path.trim().replace(/^\{(.*)\}$/, '$1');
  const steps: Step[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4]!)));
    at = re.lastIndex;
  }
  return steps.length ? steps : undefined;
}

function lookup(obj: unknown, steps: readonly Step[]): unknown {
  let cur: unknown = obj;
  for (const s of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

/** upstream prints a missing value as `<none>`. */
function cellOf(type: string, value: unknown, nowMs: number): CellValue {
  if (value === undefined || value === null) return '<none>';
  switch (type) {
    case 'date':
      return typeof value === 'string' ? ageSince(value, nowMs) : '<invalid>';
    case 'integer':
    case 'number':
      return typeof value === 'number' ? value : String(value);
    case 'boolean':
      return typeof value === 'boolean' ? value : String(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

const kColumnTypes = new Set(['integer', 'number', 'string', 'boolean', 'date']);

function column(c: PrinterColumn): TableColumn {
  const steps = parseJsonPath(c.jsonPath) ?? [];
  const type = kColumnTypes.has(c.type) ? (c.type as TableColumn['type']) : 'string';
  return {
    name: c.name,
    type,
    format: c.format === 'name' ? 'name' : '',
    priority: (c.priority ?? 0) > 0 ? 1 : 0,
    description: c.description ?? '',
    cell: (o: KubeObject, now: number) => cellOf(type, lookup(o, steps), now),
  };
}

export function customResourceColumns(printerColumns: readonly PrinterColumn[] | undefined): TableColumn[] {
  if (!printerColumns?.length) return [nameColumn, ageColumn];
  return [nameColumn, ...printerColumns.map(column)];
}
