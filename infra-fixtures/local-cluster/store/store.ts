/**
 * The in-memory object store of the local cluster: the one source of truth that the API server,
 * the controllers and the process kubelet all read and write. Its API and the rules worth knowing
 * (frozen snapshots, synchronous watch callbacks, deletion and garbage collection) are in README.md
 * beside this file.
 */
import { randomUUID } from 'node:crypto';
import { deleteObject, finalizeDelete, type DeleteResult } from './deletion.ts';
import { ApiError, errors } from './errors.ts';
import { clone, deepFreeze, isPlainObject, jsonEqual } from './json.ts';
import { checkDefinitionAcceptsCreate, syncDefinition } from './crds.ts';
import {
  checkPreconditions,
  normalizeInput,
  preserveIdentity,
  strategyOf,
  validateObject,
} from './objects.ts';
import { applyPatch } from './patch.ts';
import { apiVersionOf, isCustomStorage, type Registry, type StorageName } from './registry.ts';
import { defaultRegistry } from './resources.ts';
import { buildMatcher, paginate, type ListOptions, type ListResult, type SelectorOptions } from './query.ts';
import type { StrategyContext } from './strategies/index.ts';
import type { DeleteOptions, KubeObject, PatchType, StoredObject, WatchEvent } from './types.ts';
import { randomSuffix, rfc3339 } from './util.ts';
import { WatchHub } from './watchHub.ts';

export type { DeleteResult } from './deletion.ts';
export type { ListOptions, ListResult, SelectorOptions } from './query.ts';
export { randomSuffix, rfc3339, rfc3339Micro } from './util.ts';

export interface StoreOptions {
  registry?: Registry;
  /** Changes kept for watch resumption (spec §5 asks for ≥1000). Default 10000. */
  historyLimit?: number;
  /** Wall clock for timestamps; injectable so tests and fault clocks can move time. */
  now?: () => Date;
  onWatchHandlerError?: (err: unknown) => void;
}

export interface WatchOptions extends SelectorOptions {
  resourceVersion?: string;
  /** With a resourceVersion: ADDED for current matches, then a BOOKMARK marking `k8s.io/initial-events-end`. */
  sendInitialEvents?: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
}

const kInitialNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class Store {
  readonly registry: Registry;
  readonly now: () => Date;
  private readonly _tables = new Map<StorageName, Map<string, StoredObject>>();
  private readonly _hub: WatchHub;
  private _rv = 0;

  constructor(options: StoreOptions = {}) {
    this.registry = options.registry ?? defaultRegistry();
    this.now = options.now ?? (() => new Date());
    this._hub = new WatchHub(
      options.historyLimit ?? 10_000,
      options.onWatchHandlerError ?? ((err) => console.error('store: watch handler failed:', err)),
    );
    for (const name of kInitialNamespaces)
      this.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  get resourceVersion(): string {
    return String(this._rv);
  }

  get(storage: StorageName, namespace: string | undefined, name: string): StoredObject {
    const obj = this.tryGet(storage, namespace, name);
    if (!obj) throw this._notFound(storage, name);
    return obj;
  }

  tryGet(storage: StorageName, namespace: string | undefined, name: string): StoredObject | undefined {
    return this._table(storage).get(this._key(storage, namespace, name));
  }

  list(storage: StorageName, options: ListOptions = {}): ListResult {
    const match = buildMatcher(this.registry.canonical(storage), options);
    return paginate([...this._table(storage).entries()], match, options, this._rv);
  }

  create(
    storage: StorageName,
    input: KubeObject,
    options: WriteOptions & { namespace?: string } = {},
  ): StoredObject {
    const type = this.registry.canonical(storage);
    if (isCustomStorage(storage)) checkDefinitionAcceptsCreate(this, storage);
    const obj = normalizeInput(this.registry.canonical(storage), input);
    const meta = obj.metadata;
    if (type.namespaced) {
      const ns = options.namespace || meta.namespace || '';
      if (options.namespace && meta.namespace && meta.namespace !== options.namespace) {
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      if (!ns)
        throw errors.invalid(
          type.kind,
          meta.name ?? '',
          [{ reason: 'FieldValueRequired', field: 'metadata.namespace', message: 'Required value' }],
          type.group,
        );
      const nsObj = this.tryGet('namespaces', '', ns);
      if (!nsObj) throw errors.notFound('namespaces', ns);
      if (nsObj.metadata.deletionTimestamp) {
        throw errors.forbidden(
          storage,
          meta.name ?? '',
          `unable to create new content in namespace ${ns} because it is being terminated`,
          type.group,
        );
      }
      meta.namespace = ns;
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) {
      do meta.name = `${meta.generateName}${randomSuffix()}`;
      while (this.tryGet(storage, meta.namespace, meta.name));
    }
    if (!meta.name) {
      throw errors.invalid(
        type.kind,
        '',
        [
          {
            reason: 'FieldValueRequired',
            field: 'metadata.name',
            message: 'Required value: name or generateName is required',
          },
        ],
        type.group,
      );
    }
    for (const k of [
      'uid',
      'resourceVersion',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'selfLink',
      'managedFields',
      'generation',
    ])
      delete meta[k];
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.now());
    if (type.tracksGeneration) meta.generation = 1;
    const strategy = strategyOf(type, storage);
    strategy.prepareForCreate?.(obj, this._ctx());
    if (type.statusSubresource && storage !== 'nodes') {
      // A strategy may leave status unset (custom resources get theirs through /status later).
      const initial: unknown = strategy.initialStatus ? strategy.initialStatus(obj) : {};
      if (initial === undefined) delete obj.status;
      else obj.status = initial;
    }
    validateObject(this.registry.canonical(storage), storage, obj, undefined);
    if (this.tryGet(storage, meta.namespace, meta.name))
      throw errors.alreadyExists(storage, meta.name, type.group);
    if (options.dryRun) return deepFreeze(obj as StoredObject);
    return this._commit(storage, 'ADDED', obj as StoredObject, undefined);
  }

  update(storage: StorageName, input: KubeObject, options: WriteOptions = {}): StoredObject {
    const type = this.registry.canonical(storage);
    const obj = normalizeInput(this.registry.canonical(storage), input);
    const old = checkPreconditions(
      this.registry.canonical(storage),
      storage,
      obj,
      this.get(storage, obj.metadata.namespace, obj.metadata.name ?? ''),
    );
    preserveIdentity(obj, old);
    if (type.statusSubresource) {
      if (old.status === undefined) delete obj.status;
      else obj.status = clone(old.status);
    }
    strategyOf(type, storage).prepareForUpdate?.(obj, old, this._ctx());
    if (type.tracksGeneration && !jsonEqual(obj.spec, old.spec))
      obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
    validateObject(this.registry.canonical(storage), storage, obj, old);
    return this._write(storage, obj as StoredObject, old, options);
  }

  updateStatus(storage: StorageName, input: KubeObject, options: WriteOptions = {}): StoredObject {
    const obj = normalizeInput(this.registry.canonical(storage), input);
    const old = checkPreconditions(
      this.registry.canonical(storage),
      storage,
      obj,
      this.get(storage, obj.metadata.namespace, obj.metadata.name ?? ''),
    );
    const next = clone(old) as StoredObject;
    if (obj.status === undefined) delete next.status;
    else next.status = obj.status;
    return this._write(storage, next, old, options);
  }

  patch(
    storage: StorageName,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    options: WriteOptions & { subresource?: 'status' } = {},
  ): StoredObject {
    const old = this.get(storage, namespace, name);
    const patched = applyPatch(type, clone(old), patch);
    if (!isPlainObject(patched) || !isPlainObject(patched.metadata)) {
      throw errors.badRequest('the patch does not produce an object with metadata');
    }
    const meta = patched.metadata as Record<string, unknown>;
    if ((meta.name ?? '') !== name)
      throw errors.badRequest(
        `the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`,
      );
    if (this.registry.canonical(storage).namespaced && (meta.namespace ?? '') !== (namespace ?? '')) {
      throw errors.badRequest('the namespace of the object does not match the namespace on the URL');
    }
    const result = patched as KubeObject;
    return options.subresource === 'status'
      ? this.updateStatus(storage, result, options)
      : this.update(storage, result, options);
  }

  /** Read-modify-write: `fn` edits (or returns a replacement for) a private copy of the current object. */
  mutate(
    storage: StorageName,
    namespace: string | undefined,
    name: string,
    fn: (draft: StoredObject) => KubeObject | void,
    options: WriteOptions & { subresource?: 'status' } = {},
  ): StoredObject {
    for (let attempt = 0; ; attempt++) {
      const draft = clone(this.get(storage, namespace, name)) as StoredObject;
      const next = fn(draft) ?? draft;
      try {
        return options.subresource === 'status'
          ? this.updateStatus(storage, next, options)
          : this.update(storage, next, options);
      } catch (err) {
        if (!(err instanceof ApiError) || err.code !== 409 || attempt >= 4) throw err;
      }
    }
  }

  delete(
    storage: StorageName,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): DeleteResult {
    return deleteObject(this, storage, namespace, name, options);
  }

  finalizeDelete(storage: StorageName, namespace: string | undefined, name: string, uid?: string): boolean {
    return finalizeDelete(this, storage, namespace, name, uid);
  }

  deleteCollection(
    storage: StorageName,
    selector: SelectorOptions,
    options: DeleteOptions = {},
  ): StoredObject[] {
    const victims = this.list(storage, selector).items;
    const out: StoredObject[] = [];
    for (const v of victims) {
      if (!this.tryGet(storage, v.metadata.namespace, v.metadata.name)) continue;
      out.push(this.delete(storage, v.metadata.namespace, v.metadata.name, options).object);
    }
    return out;
  }

  watch(storage: StorageName, options: WatchOptions, handler: (event: WatchEvent) => void): { stop(): void } {
    const match = buildMatcher(this.registry.canonical(storage), options);
    const rvText = options.resourceVersion ?? '';
    if (rvText !== '' && !/^\d+$/.test(rvText))
      throw errors.badRequest(`invalid resourceVersion "${rvText}": must be a decimal number`);
    const rv = rvText === '' ? 0 : Number(rvText);
    const filter = { storage, matches: match };
    const initial = rv === 0 || options.sendInitialEvents;
    const listing = () => this.list(storage, { namespace: options.namespace }).items.filter(match);
    const stop = this._hub.subscribe(
      filter,
      handler,
      this._rv,
      initial ? { initial: listing() } : { replayAfter: Math.min(rv, this._rv) },
    );
    if (options.sendInitialEvents) {
      const type = this.registry.canonical(storage);
      handler({
        type: 'BOOKMARK',
        object: {
          kind: type.kind,
          apiVersion: apiVersionOf(type),
          metadata: {
            resourceVersion: this.resourceVersion,
            annotations: { 'k8s.io/initial-events-end': 'true' },
          },
        },
      });
    }
    return { stop };
  }

  /** @internal All stored objects of one storage (no copy, no order). */
  _all(storage: StorageName): IterableIterator<StoredObject> {
    return this._table(storage).values();
  }

  /** @internal Commits an already prepared object (used by deletion/GC). */
  _write(
    storage: StorageName,
    obj: StoredObject,
    old: StoredObject,
    options: WriteOptions = {},
  ): StoredObject {
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    if (jsonEqual(obj, old)) return old;
    if (options.dryRun) return deepFreeze(obj);
    const saved = this._commit(storage, 'MODIFIED', obj, old);
    const m = saved.metadata;
    const graceful = storage === 'pods' && (m.deletionGracePeriodSeconds ?? 0) > 0;
    // Namespaces go when their content is gone (deletion.ts), never on a write.
    if (m.deletionTimestamp && !(m.finalizers ?? []).length && !graceful && storage !== 'namespaces') {
      return finalizeDelete(this, storage, m.namespace, m.name, m.uid)
        ? saved
        : this.get(storage, m.namespace, m.name);
    }
    return saved;
  }

  /** @internal Removes or stores an object, bumping the global resourceVersion and notifying watchers. */
  _commit(
    storage: StorageName,
    type: 'ADDED' | 'MODIFIED' | 'DELETED',
    obj: StoredObject,
    prev: StoredObject | undefined,
  ): StoredObject {
    this._rv += 1;
    const saved = deepFreeze({
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: String(this._rv) },
    }) as StoredObject;
    const key = this._key(storage, saved.metadata.namespace, saved.metadata.name);
    if (type === 'DELETED') this._table(storage).delete(key);
    else this._table(storage).set(key, saved);
    if (storage === 'customresourcedefinitions') {
      // Before watchers hear of it, so one reacting to ADDED can use the new resource at once.
      syncDefinition(this.registry, type, saved);
      if (type === 'DELETED') this._tables.delete(saved.metadata.name as StorageName);
    }
    this._hub.record({ rv: this._rv, storage, type, object: saved, ...(prev ? { prev } : {}) });
    return saved;
  }

  /** @internal */
  _notFound(storage: StorageName, name: string): ApiError {
    return errors.notFound(storage, name, this.registry.canonical(storage).group);
  }

  private _table(storage: StorageName): Map<string, StoredObject> {
    let t = this._tables.get(storage);
    if (!t) {
      if (!this.registry.has(storage))
        throw isCustomStorage(storage)
          ? errors.pathNotFound()
          : errors.internal(`unknown storage "${storage}"`);
      this._tables.set(storage, (t = new Map()));
    }
    return t;
  }

  private _key(storage: StorageName, namespace: string | undefined, name: string): string {
    return this.registry.canonical(storage).namespaced ? `${namespace ?? ''}/${name}` : name;
  }

  private _ctx(): StrategyContext {
    return { now: this.now(), list: (s) => [...this._table(s).values()] };
  }
}
