/** Building blocks of the resource table: defaults for a type entry, subresources, field getters. */
import { kAllVerbs, type ResourceType, type SubresourceType } from './registry.ts';
import type { FieldGetter } from './selectors.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export type Def = Omit<
  ResourceType,
  | 'verbs'
  | 'subresources'
  | 'shortNames'
  | 'categories'
  | 'fieldSelectors'
  | 'tracksGeneration'
  | 'statusSubresource'
  | 'returnsDeletedObject'
> &
  Partial<ResourceType>;

export function def(d: Def): ResourceType {
  return {
    verbs: kAllVerbs,
    subresources: [],
    shortNames: [],
    categories: [],
    fieldSelectors: {},
    tracksGeneration: false,
    statusSubresource: false,
    returnsDeletedObject: false,
    ...d,
  };
}

export const status = (kind: string): SubresourceType => ({
  name: 'status',
  kind,
  verbs: ['get', 'patch', 'update'],
});
export const scale: SubresourceType = {
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: ['get', 'patch', 'update'],
};

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
export const path =
  (...keys: string[]): FieldGetter =>
  (o) =>
    str(keys.reduce<any>((acc, k) => (acc === undefined || acc === null ? undefined : acc[k]), o));
export const bool =
  (...keys: string[]): FieldGetter =>
  (o) =>
    String(
      Boolean(keys.reduce<any>((acc, k) => (acc === undefined || acc === null ? undefined : acc[k]), o)),
    );

export const podFields: Record<string, FieldGetter> = {
  'spec.nodeName': path('spec', 'nodeName'),
  'spec.restartPolicy': path('spec', 'restartPolicy'),
  'spec.schedulerName': path('spec', 'schedulerName'),
  'spec.serviceAccountName': path('spec', 'serviceAccountName'),
  'spec.hostNetwork': bool('spec', 'hostNetwork'),
  'status.phase': path('status', 'phase'),
  'status.podIP': path('status', 'podIP'),
  'status.nominatedNodeName': path('status', 'nominatedNodeName'),
};

export const eventFields: Record<string, FieldGetter> = {
  'involvedObject.kind': path('involvedObject', 'kind'),
  'involvedObject.namespace': path('involvedObject', 'namespace'),
  'involvedObject.name': path('involvedObject', 'name'),
  'involvedObject.uid': path('involvedObject', 'uid'),
  'involvedObject.apiVersion': path('involvedObject', 'apiVersion'),
  'involvedObject.resourceVersion': path('involvedObject', 'resourceVersion'),
  'involvedObject.fieldPath': path('involvedObject', 'fieldPath'),
  reason: path('reason'),
  reportingComponent: path('reportingComponent'),
  source: path('source', 'component'),
  type: path('type'),
};
