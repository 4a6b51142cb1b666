/**
 * The resource-type registry: every served group/version/resource, in one place. Discovery, routing,
 * Table printing, field selectors and storage all read it, so adding a kind means adding one entry
 * in `resources.ts` (plus a strategy if it has defaults or validation).
 *
 * Several served types may share one storage (autoscaling v1 and v2 HPAs; core and events.k8s.io
 * Events): the storage's canonical type has no `view`; the others convert on the way in and out.
 *
 * Custom resources join at run time: the store calls `setCustom` when a CustomResourceDefinition is
 * written and `removeCustom` when it is gone (crds.ts), and everything that reads the registry
 * (discovery, routing, tables) serves them from then on.
 */
import { errors } from './errors.ts';
import type { TableColumn } from './printers/format.ts';
import type { FieldGetter } from './selectors.ts';
import type { Strategy } from './strategies/types.ts';
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
  'customresourcedefinitions',
] as const;
export type BuiltinStorageName = (typeof storageNames)[number];
/** Custom resources are stored under their CRD's name, `<plural>.<group>`; a group always has a dot. */
export type CustomStorageName = `${string}.${string}`;
/** Storage key of a resource; the store API takes these names (`store.get('pods', ns, name)`). */
export type StorageName = BuiltinStorageName | CustomStorageName;

export function isCustomStorage(storage: StorageName): storage is CustomStorageName {
  return storage.includes('.');
}

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
  /** Write rules of this type; built-in kinds find theirs by storage name (strategies/index.ts). */
  strategy?: Strategy;
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export class Registry {
  private readonly _builtin: readonly ResourceType[];
  private _types: readonly ResourceType[];
  private readonly _byPath = new Map<string, ResourceType>();
  private readonly _canonical = new Map<StorageName, ResourceType>();
  private readonly _custom = new Map<CustomStorageName, readonly ResourceType[]>();

  constructor(types: readonly ResourceType[]) {
    this._builtin = types;
    this._types = types;
    for (const t of types) {
      this._byPath.set(`${t.group}/${t.version}/${t.plural}`, t);
      if (t.storage && !t.view) this._canonical.set(t.storage, t);
    }
    for (const name of storageNames) {
      if (!this._canonical.has(name))
        throw new Error(`registry: storage "${name}" has no canonical resource type`);
    }
  }

  /** Every served type: the built-in ones, then those of custom resource definitions. */
  get types(): readonly ResourceType[] {
    return this._types;
  }

  /** The served type at `/apis/<group>/<version>/<plural>` (group '' = core). */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this._byPath.get(`${group}/${version}/${plural}`);
  }

  /** The type objects of this storage are kept as (apiVersion/kind of stored objects). */
  canonical(storage: StorageName): ResourceType {
    const t = this._canonical.get(storage);
    // A custom resource whose definition was just deleted: the client raced the deletion.
    if (!t) throw errors.pathNotFound();
    return t;
  }

  /** Whether objects of this storage can be kept (built-in, or a custom resource now defined). */
  has(storage: StorageName): boolean {
    return this._canonical.has(storage);
  }

  /** Every storage, built-in ones first, for walks over all objects (GC, namespace deletion). */
  storages(): StorageName[] {
    return [...storageNames, ...this._custom.keys()];
  }

  /**
   * Serves (or re-serves, after a definition changed) one custom storage: `canonical` is the
   * storage version, `served` the versions clients may use (each converts via its view).
   */
  setCustom(storage: CustomStorageName, canonical: ResourceType, served: readonly ResourceType[]): void {
    this.removeCustom(storage);
    this._canonical.set(storage, canonical);
    this._custom.set(storage, served);
    for (const t of served) this._byPath.set(`${t.group}/${t.version}/${t.plural}`, t);
    this._rebuild();
  }

  removeCustom(storage: CustomStorageName): void {
    const served = this._custom.get(storage);
    if (!served) return;
    for (const t of served) this._byPath.delete(`${t.group}/${t.version}/${t.plural}`);
    this._custom.delete(storage);
    this._canonical.delete(storage);
    this._rebuild();
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

  private _rebuild(): void {
    this._types = [...this._builtin, ...[...this._custom.values()].flat()];
  }
}
