/**
 * A tiny controller runtime: store watches map changes to keys (`namespace/name` of the primary
 * kind), a de-duplicating queue feeds one async worker, and every key is re-enqueued on a
 * periodic resync. Reconcilers are level-based: they read current state and converge, so a lost
 * or duplicated event only costs one extra pass.
 *
 *   const c = startController(store, {
 *     name: 'replicaset', primary: 'replicasets',
 *     secondary: [{ storage: 'pods', keys: (e) => ownerKeys(e.object, 'ReplicaSet') }],
 *     reconcile: (key) => { …; return { requeueAfterMs: 1000 } },
 *   });
 *   await c.idle();  // tests: wait until the queue is drained
 *   await c.stop();
 */
import { ApiError } from '../store/errors.ts';
import type { StorageName } from '../store/registry.ts';
import type { Store } from '../store/store.ts';
import type { KubeObject, WatchEvent } from '../store/types.ts';

export interface ObjectKey {
  namespace: string;
  name: string;
}

export interface ReconcileResult {
  /** Reconcile this key again after a delay (e.g. minReadySeconds, progress deadlines). */
  requeueAfterMs?: number;
}

export interface ControllerSpec {
  name: string;
  /** Kind whose objects are reconciled; resync enqueues all of them. */
  primary: StorageName;
  /** Other kinds whose changes map to primary keys. */
  secondary?: Array<{ storage: StorageName; keys: (event: WatchEvent) => ObjectKey[] }>;
  reconcile(key: ObjectKey): ReconcileResult | void | Promise<ReconcileResult | void>;
  /** Default 30 s. */
  resyncMs?: number;
}

export interface RunningController {
  readonly name: string;
  enqueue(key: ObjectKey, afterMs?: number): void;
  /** Resolves once the queue is empty and no reconcile is running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function keyOf(obj: KubeObject): ObjectKey {
  return { namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' };
}

/** Keys of the controlling owner of `obj` when it is of `kind`. */
export function ownerKeys(obj: KubeObject, kind: string): ObjectKey[] {
  const ref = (obj.metadata.ownerReferences ?? []).find((r) => r.controller && r.kind === kind);
  return ref ? [{ namespace: obj.metadata.namespace ?? '', name: ref.name }] : [];
}

export function startController(
  store: Store,
  spec: ControllerSpec,
  onError: (err: unknown) => void = defaultOnError(spec.name),
): RunningController {
  const queue = new Map<string, ObjectKey>();
  const delayed = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  const failures = new Map<string, number>();
  let running = false;
  let stopped = false;
  let idleWaiters: Array<() => void> = [];

  const id = (k: ObjectKey): string => `${k.namespace}/${k.name}`;

  function enqueue(key: ObjectKey, afterMs = 0): void {
    if (stopped) return;
    const k = id(key);
    if (afterMs > 0) {
      // Like client-go's delaying queue: an earlier requeue replaces a later one (a deadline
      // shortened from 600 s to 10 s must not wait for the old timer).
      const due = Date.now() + afterMs;
      const pending = delayed.get(k);
      if (pending && pending.due <= due) return;
      if (pending) clearTimeout(pending.timer);
      const timer = setTimeout(() => {
        delayed.delete(k);
        enqueue(key);
      }, afterMs);
      delayed.set(k, { timer, due });
      return;
    }
    queue.set(k, key);
    schedule();
  }

  function schedule(): void {
    if (running || stopped || !queue.size) return;
    running = true;
    setImmediate(() => void drain());
  }

  async function drain(): Promise<void> {
    while (queue.size && !stopped) {
      const [k, key] = queue.entries().next().value as [string, ObjectKey];
      queue.delete(k);
      try {
        const result = await spec.reconcile(key);
        failures.delete(k);
        if (result?.requeueAfterMs !== undefined) enqueue(key, Math.max(1, result.requeueAfterMs));
      } catch (err) {
        const n = (failures.get(k) ?? 0) + 1;
        failures.set(k, n);
        const conflict = err instanceof ApiError && (err.code === 409 || err.code === 404);
        if (!conflict) onError(err);
        enqueue(key, Math.min(10_000, (conflict ? 20 : 200) * 2 ** Math.min(n, 9)));
      }
      // Let HTTP requests and timers in between reconciles: they are synchronous store work.
      await new Promise((r) => setImmediate(r));
    }
    running = false;
    if (!queue.size) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    } else schedule();
  }

  const watches = [
    store.watch(spec.primary, {}, (e) => enqueue(keyOf(e.object))),
    ...(spec.secondary ?? []).map((s) =>
      store.watch(s.storage, {}, (e) => s.keys(e).forEach((k) => enqueue(k))),
    ),
  ];
  const resync = setInterval(() => {
    for (const obj of store.list(spec.primary).items) enqueue(keyOf(obj));
  }, spec.resyncMs ?? 30_000);

  return {
    name: spec.name,
    enqueue,
    idle: () =>
      !running && !queue.size ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    stop: async () => {
      stopped = true;
      clearInterval(resync);
      for (const w of watches) w.stop();
      for (const t of delayed.values()) clearTimeout(t.timer);
      delayed.clear();
      queue.clear();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    },
  };
}

function defaultOnError(name: string): (err: unknown) => void {
  return (err) =>
    console.error(`controller ${name}: reconcile failed:`, err instanceof Error ? err.message : err);
}
