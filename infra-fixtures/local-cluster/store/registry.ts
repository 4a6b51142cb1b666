/**
 * The resource-type registry: every served group/version/resource, in one place. Discovery, routing,
 * Table printing, field selectors and storage all read it, so adding a kind means adding one entry
 * in `resources.ts` (plus a strategy if it has defaults or validation).
 *
 * Several served types may share one storage (autoscaling v1 and v2 HPAs; core and events.k8s.io
 * Events): the storage's canonical type has no `view`; the others convert on the way in and out.
 */
import type { TableColumn } from './printers/format.ts';
import type { FieldGetter } from './selectors.ts';
import type { KubeObject } from './types.ts';

export const storageNames = [
  'namespaces',
  'nodes',
  'pods',
  'services',
  'endpoints',
  'events',
  'configmaps',
  'secrets',
  'serviceaccounts',
  'deployments',
  'replicasets',
  'daemonsets',
  'controllerrevisions',
  'horizontalpodautoscalers',
  'poddisruptionbudgets',
  'ingresses',
  'networkpolicies',
  'endpointslices',
  'leases',
] as const;
/** Storage key of a resource; the store API takes these names (`store.get('pods', ns, name)`). */
export type StorageName = (typeof storageNames)[number];

export const kAllVerbs = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
] as const;
export type Verb = (typeof kAllVerbs)[number];

export interface SubresourceType {
  name: string;
  kind: string;
  /** Set when the subresource speaks another group/version (Scale, Eviction). */
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceView {
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
  /** Field-selector names of this view mapped onto storage field names. */
  fieldAliases?: Record<string, string>;
}

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: readonly string[];
  subresources: SubresourceType[];
  columns: TableColumn[];
  /** Field selectors beyond `metadata.name`/`metadata.namespace`. */
  fieldSelectors: Record<string, FieldGetter>;
  /** Storage backing this type; `undefined` for computed types (metrics.k8s.io). */
  storage: StorageName | undefined;
  view?: ResourceView;
  /** `metadata.generation` is tracked (bumped on spec changes) for this kind. */
  tracksGeneration: boolean;
  /** Writes to the main resource ignore `status`; `/status` writes touch only `status`. */
  statusSubresource: boolean;
  /** DELETE replies with the object (true) or a `Status` Success (false), as upstream. */
  returnsDeletedObject: boolean;
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export class Registry {
  readonly types: readonly ResourceType[];
  private readonly _byPath = new Map<string, ResourceType>();
  private readonly _canonical = new Map<StorageName, ResourceType>();

  constructor(types: readonly ResourceType[]) {
    this.types = types;
    for (const t of types) {
      this._byPath.set(`${t.group}/${t.version}/${t.plural}`, t);
      if (t.storage && !t.view) this._canonical.set(t.storage, t);
    }
    for (const name of storageNames) {
      if (!this._canonical.has(name))
        throw new Error(`registry: storage "${name}" has no canonical resource type`);
    }
  }

  /** The served type at `/apis/<group>/<version>/<plural>` (group '' = core). */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this._byPath.get(`${group}/${version}/${plural}`);
  }

  /** The type objects of this storage are kept as (apiVersion/kind of stored objects). */
  canonical(storage: StorageName): ResourceType {
    return this._canonical.get(storage)!;
  }

  /** Group/versions in discovery order; within a group the first version is the preferred one. */
  groupVersions(): Array<{ group: string; versions: string[] }> {
    const out: Array<{ group: string; versions: string[] }> = [];
    for (const t of this.types) {
      let g = out.find((x) => x.group === t.group);
      if (!g) out.push((g = { group: t.group, versions: [] }));
      if (!g.versions.includes(t.version)) g.versions.push(t.version);
    }
    return out;
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.version === version);
  }
}
