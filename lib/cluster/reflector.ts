/**
 * List-then-watch of one resource collection, kept alive for a whole run: the watch resumes from
 * the last resourceVersion when it ends, relists when the server says the version is too old
 * (410, as an ERROR event or an HTTP status), and backs off exponentially after failures. Unlike
 * client-node's informer it never gives up after a non-410 error, and `stop()` returns only when no
 * request, socket or timer of it is left.
 *
 * Watch objects arrive as raw JSON while typed lists are deserialized (timestamps become Dates),
 * so watch objects are passed through the same ObjectSerializer to give handlers one shape.
 */
import type { KubernetesObject, V1ListMeta } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { GauntletError } from '../errors.ts';
import { apiMessage, httpStatus } from './api-errors.ts';

/** The part of client-node's Watch the reflector uses (a fake in unit tests). */
export interface WatchLike {
  watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController>;
}

export interface ReflectorSpec<T extends KubernetesObject> {
  /** Resource name for messages, e.g. `pods`. */
  readonly resource: string;
  /** Collection path for the watch, e.g. `/api/v1/namespaces/web/pods`. */
  readonly path: string;
  /** client-node model name used to deserialize watch objects, e.g. `V1Pod`. */
  readonly modelType: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Lists the collection with the same selectors as the watch. */
  list(): Promise<{ items: T[]; metadata?: V1ListMeta }>;
}

export interface ReflectorChange<T> {
  type: 'added' | 'modified' | 'deleted';
  object: T;
  /** The cached state before a modification or deletion. */
  old?: T;
  /** True for the objects of the first list: state at start, not a change during the run. */
  initial: boolean;
}

export interface ReflectorOptions<T> {
  readonly watch: WatchLike;
  onChange(change: ReflectorChange<T>): void;
  /** After the first list and after every relist, once its changes were delivered. */
  onSynced?(): void;
  onError(err: unknown): void;
  /** Back-off after failures: first delay and cap; default 250 ms doubling to 10 s. */
  readonly backoff?: { initialMs?: number; maxMs?: number };
  /** Server-side watch lifetime; default a random 300–600 s like client-go, so watches rotate. */
  readonly watchTimeoutSeconds?: number;
  /** Transient failures of the first list are retried for this long; default 30 s. */
  readonly initialListTimeoutMs?: number;
}

interface WatchOutcome {
  err: unknown;
  expired: boolean;
  delivered: number;
  lifetimeMs: number;
}

/** A watch that closed cleanly this soon without delivering anything counts as a failure (no hot loop). */
const kMinHealthyWatchMs = 1000;
/** How long stop() waits for a request already on the wire (loopback answers in milliseconds). */
const kStopWaitMs = 5000;

export class Reflector<T extends KubernetesObject> {
  private readonly cache = new Map<string, T>();
  private rv = '';
  private stopped = false;
  private controller: AbortController | undefined;
  private endWatch: (() => void) | undefined;
  private pendingWatch: Promise<unknown> | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private delayMs: number;
  private loop: Promise<void> | undefined;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(
    private readonly spec: ReflectorSpec<T>,
    private readonly options: ReflectorOptions<T>,
  ) {
    this.initialMs = options.backoff?.initialMs ?? 250;
    this.maxMs = options.backoff?.maxMs ?? 10_000;
    this.delayMs = this.initialMs;
  }

  /** Lists, starts watching, and resolves once the first list was delivered. */
  start(): Promise<void> {
    if (this.loop) throw new Error(`reflector ${this.spec.resource}: already started`);
    return new Promise<void>((resolve, reject) => {
      this.loop = this.run(resolve, reject);
    });
  }

  /** Cached objects (the last listed or watched state). */
  items(): T[] {
    return [...this.cache.values()];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    this.endWatch?.();
    this.cancelSleep();
    await waitBounded(this.pendingWatch, kStopWaitMs);
    await waitBounded(this.loop, kStopWaitMs);
  }

  private async run(onSynced: () => void, onFailed: (err: unknown) => void): Promise<void> {
    let synced = false;
    let expiredInARow = 0;
    const deadline = Date.now() + (this.options.initialListTimeoutMs ?? 30_000);
    while (!this.stopped) {
      if (this.rv === '') {
        try {
          await this.relist(!synced);
        } catch (err) {
          if (this.stopped) break;
          const status = httpStatus(err);
          if (!synced && (status === 401 || status === 403 || status === 404 || Date.now() > deadline)) {
            onFailed(this.describe('list', err));
            return;
          }
          this.options.onError(this.describe('list', err));
          await this.sleep(this.nextDelay());
          continue;
        }
        if (this.stopped) break;
        if (!synced) {
          synced = true;
          onSynced();
        }
      }
      if (this.stopped) break;
      const outcome = await this.watchOnce();
      if (this.stopped) break;
      if (outcome.expired) {
        // Our resourceVersion fell out of the server's history: start over from a fresh list,
        // at once the first time, with back-off when a fresh list's version expires as well.
        this.rv = '';
        if (++expiredInARow > 1) await this.sleep(this.nextDelay());
        continue;
      }
      expiredInARow = 0;
      if (outcome.err) {
        this.options.onError(this.describe('watch', outcome.err));
        await this.sleep(this.nextDelay());
      } else if (outcome.delivered === 0 && outcome.lifetimeMs < kMinHealthyWatchMs) {
        await this.sleep(this.nextDelay());
      } else {
        this.delayMs = this.initialMs;
      }
    }
    if (!synced) onFailed(new Error(`${this.spec.resource}: stopped before the initial list completed`));
  }

  private async relist(initial: boolean): Promise<void> {
    const list = await this.spec.list();
    if (this.stopped) return;
    const fresh = new Map<string, T>();
    for (const item of list.items) fresh.set(keyOf(item), item);
    for (const [key, old] of this.cache) {
      if (!fresh.has(key)) {
        this.cache.delete(key);
        this.deliver({ type: 'deleted', object: old, old, initial });
      }
    }
    for (const [key, item] of fresh) {
      const old = this.cache.get(key);
      this.cache.set(key, item);
      if (!old) this.deliver({ type: 'added', object: item, initial });
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion)
        this.deliver({ type: 'modified', object: item, old, initial });
    }
    this.rv = list.metadata?.resourceVersion ?? '';
    this.options.onSynced?.();
  }

  private watchOnce(): Promise<WatchOutcome> {
    return new Promise<WatchOutcome>((resolve) => {
      const started = Date.now();
      let settled = false;
      let expired = false;
      let eventError: unknown;
      let delivered = 0;
      const finish = (err: unknown) => {
        if (settled) return;
        settled = true;
        this.controller?.abort();
        this.controller = undefined;
        this.endWatch = undefined;
        const status = httpStatus(err);
        resolve({
          err: status === 410 ? undefined : (eventError ?? err ?? undefined),
          expired: expired || status === 410,
          delivered,
          lifetimeMs: Date.now() - started,
        });
      };
      this.endWatch = () => finish(null);
      const params = {
        resourceVersion: this.rv,
        allowWatchBookmarks: true,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
        labelSelector: this.spec.labelSelector,
        fieldSelector: this.spec.fieldSelector,
      };
      const onEvent = (phase: string, raw: unknown) => {
        if (settled || this.stopped) return;
        if (phase === 'ERROR') {
          const status = raw as { code?: number; message?: string };
          if (status.code === 410) expired = true;
          else eventError = Object.assign(new Error(status.message ?? 'watch ERROR event'), status);
          finish(null);
          return;
        }
        const meta = (raw as { metadata?: { resourceVersion?: string } }).metadata;
        if (phase === 'BOOKMARK') {
          if (meta?.resourceVersion) this.rv = meta.resourceVersion;
          return;
        }
        const object = ObjectSerializer.deserialize(raw, this.spec.modelType, '') as T;
        const key = keyOf(object);
        const old = this.cache.get(key);
        if (phase === 'DELETED') {
          this.cache.delete(key);
          this.deliver({ type: 'deleted', object, ...(old ? { old } : {}), initial: false });
        } else if (phase === 'ADDED' || phase === 'MODIFIED') {
          this.cache.set(key, object);
          this.deliver({ type: old ? 'modified' : 'added', object, ...(old ? { old } : {}), initial: false });
        }
        if (meta?.resourceVersion) this.rv = meta.resourceVersion;
        delivered++;
      };
      const pending = this.options.watch
        .watch(this.spec.path, params, onEvent, finish)
        .then((controller) => {
          if (settled || this.stopped) controller.abort();
          else this.controller = controller;
        })
        .catch(finish);
      this.pendingWatch = pending;
    });
  }

  private deliver(change: ReflectorChange<T>): void {
    try {
      this.options.onChange(change);
    } catch (err) {
      this.options.onError(err);
    }
  }

  private describe(what: 'list' | 'watch', err: unknown): Error {
    const status = httpStatus(err);
    const message = `${what} ${this.spec.resource}${status ? ` (${status})` : ''}: ${apiMessage(err)}`;
    if (status === 401 || status === 403) {
      return new GauntletError(
        'GAUNTLET_SETUP',
        `${message}; grant the kubeconfig's user list and watch on ${this.spec.resource} (RBAC)`,
        { cause: err },
      );
    }
    return new Error(message, { cause: err });
  }

  private nextDelay(): number {
    const d = this.delayMs;
    this.delayMs = Math.min(this.maxMs, this.delayMs * 2);
    // Jitter so that watches failing together do not retry in lockstep.
    return d * (0.8 + Math.random() * 0.4);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.stopped) return resolve();
      this.wake = resolve;
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = undefined;
        this.wake = undefined;
        resolve();
      }, ms);
    });
  }

  private cancelSleep(): void {
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepTimer = undefined;
    this.wake?.();
    this.wake = undefined;
  }
}

function keyOf(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** Waits for `p` (ignoring its failure) but no longer than `ms`, leaving no timer behind. */
async function waitBounded(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
