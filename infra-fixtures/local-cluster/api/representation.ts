/**
 * How objects leave the server: version views, lists, server-side Tables (spec §4) and
 * PartialObjectMetadata, chosen from the request's Accept header.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { errors } from '../store/errors.ts';
import { apiVersionOf, type ResourceType } from '../store/registry.ts';
import type { KubeObject } from '../store/types.ts';

export type Shape = 'object' | 'table' | 'partial';
export type IncludeObject = 'None' | 'Object' | 'Metadata';

/** Table when any accepted media range says `as=Table`; PartialObjectMetadata likewise. */
export function negotiateShape(headers: IncomingHttpHeaders): Shape {
  const accept = String(headers.accept ?? '');
  for (const range of accept.split(',')) {
    const params = range.split(';').map((p) => p.trim());
    if (params.includes('as=Table')) return 'table';
    if (params.includes('as=PartialObjectMetadata') || params.includes('as=PartialObjectMetadataList'))
      return 'partial';
  }
  return 'object';
}

export function parseIncludeObject(value: string | null): IncludeObject {
  if (value === null || value === '') return 'Metadata';
  if (value === 'None' || value === 'Object' || value === 'Metadata') return value;
  throw errors.badRequest(
    `includeObject: Unsupported value: "${value}": supported values: "Metadata", "None", "Object"`,
  );
}

export function toView(type: ResourceType, obj: KubeObject): KubeObject {
  return type.view ? type.view.fromStorage(obj) : obj;
}

export function partialMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export function listOf(type: ResourceType, items: KubeObject[], meta: ListMeta, shape: Shape): KubeObject {
  if (shape === 'partial') {
    return {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { ...meta },
      items: items.map(partialMetadata),
    };
  }
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: { ...meta },
    items: items.map((o) => toView(type, o)),
  };
}

export interface TableOptions {
  includeObject: IncludeObject;
  /** Omit column definitions (watch events after the first). */
  noHeaders?: boolean;
  listMeta?: ListMeta;
}

export function toTable(
  type: ResourceType,
  objs: KubeObject[],
  opts: TableOptions,
  nowMs = Date.now(),
): KubeObject {
  const rows = objs.map((obj) => {
    const view = toView(type, obj);
    const cells = type.columns.map((c) => {
      try {
        return c.cell(view, nowMs);
      } catch {
        return '<error>';
      }
    });
    const row: Record<string, unknown> = { cells };
    if (opts.includeObject === 'Object') row.object = view;
    else if (opts.includeObject === 'Metadata') row.object = partialMetadata(view);
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta
      ? { ...opts.listMeta }
      : { resourceVersion: objs[0]?.metadata.resourceVersion ?? '' },
    columnDefinitions: opts.noHeaders
      ? []
      : type.columns.map((c) => ({
          name: c.name,
          type: c.type,
          format: c.format ?? '',
          description: c.description,
          priority: c.priority ?? 0,
        })),
    rows,
  };
}
