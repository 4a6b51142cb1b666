/**
 * Deletion semantics: graceful pod deletion, finalizers, namespace termination and owner-reference
 * garbage collection (Background, Foreground, Orphan; spec §1 "GC"). Upstream does the GC part
 * asynchronously in a controller; here it runs right after the owner changes, which keeps the
 * visible order (owner first, then dependents) without a second loop to schedule.
 */
import { deleteDefinition, finishDefinitionIfEmpty } from './crds.ts';
import { errors } from './errors.ts';
import { clone } from './json.ts';
import { isCustomStorage, type StorageName } from './registry.ts';
import type { Store } from './store.ts';
import { rfc3339 } from './util.ts';
import type { DeleteOptions, StoredObject } from './types.ts';

export interface DeleteResult {
  /** The object after the call: marked with deletionTimestamp, or its last state when removed. */
  object: StoredObject;
  /** True when the object is gone from the store. */
  removed: boolean;
}

const kForeground = 'foregroundDeletion';
const kUndeletableNamespaces = new Set(['default', 'kube-system', 'kube-public']);

function gracePeriod(storage: StorageName, obj: StoredObject, options: DeleteOptions): number {
  if (storage !== 'pods') return 0;
  // Upstream deletes unbound and finished pods at once: no kubelet would ever finalize them.
  if (!obj.spec?.nodeName || obj.status?.phase === 'Succeeded' || obj.status?.phase === 'Failed') return 0;
  const grace = options.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, Math.floor(Number(grace) || 0));
}

function checkPreconditions(
  store: Store,
  storage: StorageName,
  obj: StoredObject,
  options: DeleteOptions,
): void {
  const p = options.preconditions;
  const group = store.registry.canonical(storage).group;
  if (p?.uid && p.uid !== obj.metadata.uid) {
    throw errors.conflict(
      storage,
      obj.metadata.name,
      group,
      `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${obj.metadata.uid}`,
    );
  }
  if (p?.resourceVersion && p.resourceVersion !== obj.metadata.resourceVersion) {
    throw errors.conflict(
      storage,
      obj.metadata.name,
      group,
      `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
    );
  }
}

function policyOf(options: DeleteOptions): 'Background' | 'Foreground' | 'Orphan' {
  const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : 'Background');
  if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
    throw errors.badRequest(
      `propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  return policy;
}

export function deleteObject(
  store: Store,
  storage: StorageName,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
): DeleteResult {
  const obj = store.get(storage, namespace, name);
  checkPreconditions(store, storage, obj, options);
  const policy = policyOf(options);
  if (storage === 'namespaces') return deleteNamespace(store, obj, options);
  if (storage === 'customresourcedefinitions') return deleteDefinition(store, obj, options);
  const grace = gracePeriod(storage, obj, options);
  const m = obj.metadata;
  const finalizers = [...(m.finalizers ?? [])];
  if (policy === 'Foreground' && !finalizers.includes(kForeground) && dependentsOf(store, m.uid).length)
    finalizers.push(kForeground);

  if (options.dryRun) {
    const preview = clone(obj);
    const removed = grace === 0 && !finalizers.length;
    if (!removed) Object.assign(preview.metadata, markDeleted(store, grace), { finalizers });
    return { object: preview, removed };
  }
  if (m.deletionTimestamp) {
    // Already terminating: a shorter grace period may still speed it up (force delete).
    if (storage === 'pods' && grace < (m.deletionGracePeriodSeconds ?? 0)) {
      if (grace === 0 && !finalizers.length) return { object: removeNow(store, storage, obj), removed: true };
      const draft = clone(obj);
      Object.assign(draft.metadata, markDeleted(store, grace));
      return { object: store._write(storage, draft, obj), removed: false };
    }
    return { object: obj, removed: false };
  }
  if (policy === 'Orphan') orphanDependents(store, m.uid);
  if (grace === 0 && !finalizers.length) return { object: removeNow(store, storage, obj), removed: true };

  const draft = clone(obj);
  Object.assign(draft.metadata, markDeleted(store, grace));
  if (finalizers.length) draft.metadata.finalizers = finalizers;
  const saved = store._write(storage, draft, obj);
  if (finalizers.includes(kForeground)) {
    for (const dep of dependentsOf(store, m.uid)) {
      if (!dep.obj.metadata.deletionTimestamp)
        deleteObject(store, dep.storage, dep.obj.metadata.namespace, dep.obj.metadata.name, {
          propagationPolicy: 'Foreground',
        });
    }
    releaseForegroundOwner(store, m.uid);
  }
  const current = store.tryGet(storage, m.namespace, m.name);
  return current?.metadata.uid === m.uid
    ? { object: current, removed: false }
    : { object: saved, removed: true };
}

function markDeleted(
  store: Store,
  grace: number,
): { deletionTimestamp: string; deletionGracePeriodSeconds: number } {
  return {
    deletionTimestamp: rfc3339(new Date(store.now().getTime() + grace * 1000)),
    deletionGracePeriodSeconds: grace,
  };
}

/** Removes an object whose containers are gone (kubelet) or whose finalizers are done. */
export function finalizeDelete(
  store: Store,
  storage: StorageName,
  namespace: string | undefined,
  name: string,
  uid?: string,
): boolean {
  const obj = store.tryGet(storage, namespace, name);
  if (!obj || (uid && obj.metadata.uid !== uid)) return false;
  if ((obj.metadata.finalizers ?? []).length) {
    if (!obj.metadata.deletionTimestamp || obj.metadata.deletionGracePeriodSeconds !== 0) {
      const draft = clone(obj);
      Object.assign(draft.metadata, markDeleted(store, 0));
      store._write(storage, draft, obj);
    }
    return false;
  }
  removeNow(store, storage, obj);
  return true;
}

function removeNow(store: Store, storage: StorageName, obj: StoredObject): StoredObject {
  const removed = store._commit(storage, 'DELETED', obj, undefined);
  collectDependents(store, removed);
  releaseForegroundOwners(store, removed);
  if (isCustomStorage(storage)) finishDefinitionIfEmpty(store, storage);
  if (storage !== 'namespaces' && removed.metadata.namespace)
    finishNamespaceIfEmpty(store, removed.metadata.namespace);
  return removed;
}

interface Dependent {
  storage: StorageName;
  obj: StoredObject;
}

function dependentsOf(store: Store, uid: string): Dependent[] {
  const out: Dependent[] = [];
  for (const storage of store.registry.storages()) {
    for (const obj of store._all(storage)) {
      if ((obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) out.push({ storage, obj });
    }
  }
  return out;
}

export function findByUid(store: Store, uid: string): Dependent | undefined {
  for (const storage of store.registry.storages()) {
    for (const obj of store._all(storage)) if (obj.metadata.uid === uid) return { storage, obj };
  }
  return undefined;
}

function stripOwner(store: Store, dep: Dependent, uid: string): void {
  const draft = clone(dep.obj);
  const refs = (draft.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
  if (refs.length) draft.metadata.ownerReferences = refs;
  else delete draft.metadata.ownerReferences;
  store._write(dep.storage, draft, dep.obj);
}

function orphanDependents(store: Store, uid: string): void {
  for (const dep of dependentsOf(store, uid)) stripOwner(store, dep, uid);
}

/** Background GC: dependents whose every owner is gone are deleted; others lose the dangling reference. */
function collectDependents(store: Store, owner: StoredObject): void {
  for (const dep of dependentsOf(store, owner.metadata.uid)) {
    const current = store.tryGet(dep.storage, dep.obj.metadata.namespace, dep.obj.metadata.name);
    if (!current || current.metadata.uid !== dep.obj.metadata.uid) continue;
    const others = (current.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
    if (others.some((r) => findByUid(store, r.uid)))
      stripOwner(store, { storage: dep.storage, obj: current }, owner.metadata.uid);
    else if (!current.metadata.deletionTimestamp) {
      deleteObject(store, dep.storage, current.metadata.namespace, current.metadata.name, {
        propagationPolicy: 'Background',
      });
    }
  }
}

function releaseForegroundOwners(store: Store, removed: StoredObject): void {
  for (const ref of removed.metadata.ownerReferences ?? []) releaseForegroundOwner(store, ref.uid);
}

/** Drops the `foregroundDeletion` finalizer once no blocking dependent is left. */
function releaseForegroundOwner(store: Store, ownerUid: string): void {
  const owner = findByUid(store, ownerUid);
  if (
    !owner ||
    !owner.obj.metadata.deletionTimestamp ||
    !(owner.obj.metadata.finalizers ?? []).includes(kForeground)
  )
    return;
  const blocking = dependentsOf(store, ownerUid).filter((d) =>
    (d.obj.metadata.ownerReferences ?? []).some((r) => r.uid === ownerUid && r.blockOwnerDeletion),
  );
  if (blocking.length) return;
  const draft = clone(owner.obj);
  const rest = (draft.metadata.finalizers ?? []).filter((f) => f !== kForeground);
  if (rest.length) draft.metadata.finalizers = rest;
  else delete draft.metadata.finalizers;
  store._write(owner.storage, draft, owner.obj);
}

function deleteNamespace(store: Store, ns: StoredObject, options: DeleteOptions): DeleteResult {
  const name = ns.metadata.name;
  if (kUndeletableNamespaces.has(name))
    throw errors.forbidden('namespaces', name, 'this namespace may not be deleted');
  if (ns.metadata.deletionTimestamp) return { object: ns, removed: false };
  const draft = clone(ns);
  draft.metadata.deletionTimestamp = rfc3339(store.now());
  draft.metadata.deletionGracePeriodSeconds = 0;
  draft.status = { ...(draft.status ?? {}), phase: 'Terminating' };
  if (options.dryRun) return { object: draft, removed: false };
  // Finalizers would remove it too early via _write; the namespace goes when its content is gone.
  const marked = store._commit('namespaces', 'MODIFIED', draft, ns);
  for (const storage of store.registry.storages()) {
    if (!store.registry.canonical(storage).namespaced) continue;
    for (const obj of [...store._all(storage)]) {
      if (obj.metadata.namespace !== name || obj.metadata.deletionTimestamp) continue;
      if (store.tryGet(storage, name, obj.metadata.name))
        deleteObject(store, storage, name, obj.metadata.name, { propagationPolicy: 'Background' });
    }
  }
  finishNamespaceIfEmpty(store, name);
  const current = store.tryGet('namespaces', '', name);
  return current ? { object: current, removed: false } : { object: marked, removed: true };
}

function finishNamespaceIfEmpty(store: Store, name: string): void {
  const ns = store.tryGet('namespaces', '', name);
  if (!ns?.metadata.deletionTimestamp) return;
  for (const storage of store.registry.storages()) {
    if (!store.registry.canonical(storage).namespaced) continue;
    for (const obj of store._all(storage)) if (obj.metadata.namespace === name) return;
  }
  store._commit('namespaces', 'DELETED', ns, undefined);
}
