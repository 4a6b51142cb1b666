/**
 * Custom resources: a stored CustomResourceDefinition becomes served resource types, and its
 * deletion takes its objects with it, the way apiextensions-apiserver and its finalizer work.
 *
 *   - Every write of a definition re-registers its types (`syncDefinition`, called by the store's
 *     commit): one storage named after the definition (`testruns.k6.io`), whose canonical type is
 *     the storage version, and one served type per served version. Versions convert with strategy
 *     None, so a view only rewrites `apiVersion`, as upstream does.
 *   - Custom objects are pruned, defaulted and validated against the storage version's
 *     openAPIV3Schema (crdSchema.ts); with a status subresource, writes to the main resource keep
 *     the stored status and `/status` writes only touch status.
 *   - Deleting a definition adds the `customresourcecleanup.apiextensions.k8s.io` finalizer and a
 *     Terminating condition, refuses new objects, deletes every object, and lets the definition go
 *     once the last object is gone (objects with finalizers of their own hold it until released).
 */
import { deleteObject, type DeleteResult } from './deletion.ts';
import { pruneAndDefault, validateSchema, type Schema } from './crdSchema.ts';
import { ApiError } from './errors.ts';
import { clone } from './json.ts';
import { customResourceColumns } from './printers/crd.ts';
import type { CustomStorageName, Registry, ResourceType, ResourceView } from './registry.ts';
import { def, status } from './resourceParts.ts';
import type { Store } from './store.ts';
import { versionsOf, type CrdVersion } from './strategies/crd.ts';
import type { Strategy } from './strategies/types.ts';
import type { DeleteOptions, KubeObject, StoredObject } from './types.ts';
import { rfc3339 } from './util.ts';

export const kCleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

/** Kube-aware version order (v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > others by name), as discovery sorts. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return { rank: 0, major: 0, minor: 0 };
    return {
      rank: m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1,
      major: Number(m[1]),
      minor: Number(m[3] ?? 0),
    };
  };
  const x = parse(a);
  const y = parse(b);
  if (x.rank !== y.rank) return y.rank - x.rank;
  if (x.rank === 0) return a < b ? -1 : a > b ? 1 : 0;
  return y.major - x.major || y.minor - x.minor;
}

function versionView(group: string, version: string): ResourceView {
  const apiVersion = `${group}/${version}`;
  return {
    toStorage: (obj) => obj,
    // A private copy: callers (the PATCH handler) edit what a view returns.
    fromStorage: (obj) => ({ ...clone(obj), apiVersion }),
  };
}

function customStrategy(schema: Schema | undefined, hasStatus: boolean): Strategy {
  return {
    prepareForCreate(obj) {
      // Upstream drops status on create when it is a subresource; written later via /status.
      if (hasStatus) delete obj.status;
      pruneAndDefault(schema, obj, true);
    },
    prepareForUpdate: (obj) => void pruneAndDefault(schema, obj, true),
    validate: (obj) => validateSchema(schema, obj),
    initialStatus: () => undefined,
  };
}

function typeOf(crd: KubeObject, v: CrdVersion, canonical: boolean): ResourceType {
  const { group, scope } = crd.spec;
  const names = crd.spec.names;
  const hasStatus = v.subresources?.status !== undefined && v.subresources.status !== null;
  return def({
    group,
    version: v.name,
    plural: names.plural,
    singular: names.singular ?? String(names.kind).toLowerCase(),
    kind: names.kind,
    namespaced: scope === 'Namespaced',
    storage: crd.metadata.name as CustomStorageName,
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    columns: customResourceColumns(v.additionalPrinterColumns),
    tracksGeneration: true,
    statusSubresource: hasStatus,
    returnsDeletedObject: true,
    subresources: hasStatus ? [status(names.kind)] : [],
    strategy: customStrategy(v.schema?.openAPIV3Schema as Schema | undefined, hasStatus),
    ...(canonical ? {} : { view: versionView(group, v.name) }),
  });
}

/** The definition's storage (canonical) type and its served types, preferred version first. */
export function customTypes(crd: KubeObject): { canonical: ResourceType; served: ResourceType[] } {
  const versions = versionsOf(crd);
  const storageVersion = versions.find((v) => v.storage) ?? versions[0]!;
  const served = versions
    .filter((v) => v.served)
    .sort((a, b) => compareVersions(a.name, b.name))
    .map((v) => typeOf(crd, v, false));
  return { canonical: typeOf(crd, storageVersion, true), served };
}

/** Keeps the registry in step with a committed definition change. */
export function syncDefinition(
  registry: Registry,
  change: 'ADDED' | 'MODIFIED' | 'DELETED',
  crd: StoredObject,
): void {
  const storage = crd.metadata.name as CustomStorageName;
  if (change === 'DELETED') return registry.removeCustom(storage);
  const { canonical, served } = customTypes(crd);
  registry.setCustom(storage, canonical, served);
}

/** A terminating definition accepts no new objects (upstream: 405 MethodNotAllowed). */
export function checkDefinitionAcceptsCreate(store: Store, storage: CustomStorageName): void {
  const crd = store.tryGet('customresourcedefinitions', '', storage);
  if (crd?.metadata.deletionTimestamp)
    throw new ApiError(
      405,
      'MethodNotAllowed',
      'create not allowed while custom resource definition is terminating',
      {},
    );
}

export function deleteDefinition(store: Store, crd: StoredObject, options: DeleteOptions): DeleteResult {
  if (crd.metadata.deletionTimestamp) return { object: crd, removed: false };
  const storage = crd.metadata.name as CustomStorageName;
  const now = rfc3339(store.now());
  const draft = clone(crd);
  draft.metadata.deletionTimestamp = now;
  draft.metadata.deletionGracePeriodSeconds = 0;
  draft.metadata.finalizers = [...new Set([...(draft.metadata.finalizers ?? []), kCleanupFinalizer])];
  draft.status = {
    ...(draft.status ?? {}),
    conditions: [
      ...((draft.status?.conditions ?? []) as Array<{ type: string }>).filter(
        (c) => c.type !== 'Terminating',
      ),
      {
        type: 'Terminating',
        status: 'True',
        lastTransitionTime: now,
        reason: 'InstanceDeletionInProgress',
        message: 'CustomResource deletion is in progress',
      },
    ],
  };
  if (options.dryRun) return { object: draft, removed: false };
  // Committed directly: _write would finalize at once while objects still exist.
  const marked = store._commit('customresourcedefinitions', 'MODIFIED', draft, crd);
  if (store.registry.has(storage)) {
    for (const obj of [...store._all(storage)]) {
      if (obj.metadata.deletionTimestamp) continue;
      deleteObject(store, storage, obj.metadata.namespace, obj.metadata.name, {
        propagationPolicy: 'Background',
      });
    }
  }
  finishDefinitionIfEmpty(store, storage);
  const current = store.tryGet('customresourcedefinitions', '', storage);
  return current?.metadata.uid === crd.metadata.uid
    ? { object: current, removed: false }
    : { object: marked, removed: true };
}

/** Releases a terminating definition once its last object is gone. */
export function finishDefinitionIfEmpty(store: Store, storage: CustomStorageName): void {
  const crd = store.tryGet('customresourcedefinitions', '', storage);
  if (!crd?.metadata.deletionTimestamp || !(crd.metadata.finalizers ?? []).includes(kCleanupFinalizer))
    return;
  if (store.registry.has(storage) && !store._all(storage).next().done) return;
  const draft = clone(crd);
  const rest = (draft.metadata.finalizers ?? []).filter((f) => f !== kCleanupFinalizer);
  if (rest.length) draft.metadata.finalizers = rest;
  else delete draft.metadata.finalizers;
  store._write('customresourcedefinitions', draft, crd);
}
