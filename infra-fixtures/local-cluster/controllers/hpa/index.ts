/**
 * HorizontalPodAutoscaler (autoscaling/v2) controller for the local cluster.
 *
 *   const hpa = startHpaController(store, {
 *     podUsage: (pod) => kubelet.usage(pod),   // { cpuMillicores, memoryBytes?, timestamp?, windowMs? } | undefined
 *     syncPeriodMs: 15_000,                    // every HPA is reconciled this often, and at once on create/spec change
 *   });
 *   await hpa.syncOnce();                      // tests: reconcile every HPA now
 *   await hpa.stop();
 *
 * Defaults match kube-controller-manager: tolerance 0.1, cpu initialization period 5 min, initial
 * readiness delay 30 s, downscale stabilization 5 min (used when an HPA has no `behavior`).
 * `now` (epoch ms, default the store's clock) drives every window, so tests can move time.
 * Only per-pod cpu/memory Resource metrics have a source; other metric types report
 * ScalingActive=False as on a cluster without a metrics adapter.
 */
import { ApiError } from '../../store/errors.ts';
import type { Store } from '../../store/store.ts';
import { createHpaReconciler } from './controller.ts';
import type { PodUsageSource } from './metrics.ts';

export type { HpaPodSample, PodUsageSource } from './metrics.ts';

export interface HpaControllerOptions {
  podUsage: PodUsageSource;
  /** Default 15000 (`--horizontal-pod-autoscaler-sync-period`). */
  syncPeriodMs?: number;
  /** Default 0.1. */
  tolerance?: number;
  /** Default 300000. */
  cpuInitializationPeriodMs?: number;
  /** Default 30000. */
  initialReadinessDelayMs?: number;
  /** Default 300000; the scale-down window of HPAs without `behavior`. */
  downscaleStabilizationWindowMs?: number;
  now?: () => number;
  onError?: (e: unknown) => void;
}

export interface HpaController {
  syncOnce(): Promise<void>;
  stop(): Promise<void>;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new TypeError(
      `startHpaController: options.${name} must be a finite number >= 0, got ${String(value)}`,
    );
  return value;
}

export function startHpaController(store: Store, options: HpaControllerOptions): HpaController {
  if (typeof options?.podUsage !== 'function')
    throw new TypeError(
      'startHpaController: options.podUsage must be a function (pod) => { cpuMillicores } | undefined',
    );
  const syncPeriodMs = nonNegative('syncPeriodMs', options.syncPeriodMs, 15_000);
  if (syncPeriodMs < 1) throw new TypeError('startHpaController: options.syncPeriodMs must be at least 1');
  const onError =
    options.onError ??
    ((e: unknown) =>
      console.error('controller horizontal-pod-autoscaler:', e instanceof Error ? e.message : e));
  const reconciler = createHpaReconciler(store, {
    podUsage: options.podUsage,
    tolerance: nonNegative('tolerance', options.tolerance, 0.1),
    cpuInitializationPeriodMs: nonNegative(
      'cpuInitializationPeriodMs',
      options.cpuInitializationPeriodMs,
      300_000,
    ),
    initialReadinessDelayMs: nonNegative('initialReadinessDelayMs', options.initialReadinessDelayMs, 30_000),
    downscaleStabilizationWindowMs: nonNegative(
      'downscaleStabilizationWindowMs',
      options.downscaleStabilizationWindowMs,
      300_000,
    ),
    now: options.now ?? (() => store.now().getTime()),
  });

  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const queued = new Set<string>();
  const generations = new Map<string, number | undefined>();

  function reconcileSafely(namespace: string, name: string): void {
    try {
      reconciler.reconcile(namespace, name);
    } catch (err) {
      // A conflict or a vanished object is retried by the next sync, as upstream's requeue would.
      if (err instanceof ApiError && (err.code === 409 || err.code === 404)) return;
      onError(err);
    }
  }

  /** Queues `work` after every earlier reconcile; a failure rejects this call only, never later ones. */
  function run(work: () => void): Promise<void> {
    const next = chain.then(() => {
      if (!stopped) work();
    });
    chain = next.catch(() => undefined);
    return next;
  }

  function enqueue(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    if (stopped || queued.has(key)) return;
    queued.add(key);
    void run(() => {
      queued.delete(key);
      reconcileSafely(namespace, name);
    });
  }

  function syncOnce(): Promise<void> {
    return run(() => {
      const keys = store
        .list('horizontalpodautoscalers')
        .items.map((h) => [h.metadata.namespace ?? '', h.metadata.name] as const)
        .sort(([a1, b1], [a2, b2]) => (a1 === a2 ? b1.localeCompare(b2) : a1.localeCompare(a2)));
      for (const [ns, name] of keys) reconcileSafely(ns, name);
    });
  }

  // Reconcile at once on create and spec changes; our own status writes do not bump the generation.
  const watch = store.watch('horizontalpodautoscalers', {}, (event) => {
    const ns = event.object.metadata.namespace ?? '';
    const name = event.object.metadata.name ?? '';
    const key = `${ns}/${name}`;
    if (event.type === 'DELETED') {
      generations.delete(key);
      reconciler.forget(ns, name);
      return;
    }
    if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return;
    const generation = event.object.metadata.generation;
    if (event.type === 'MODIFIED' && generations.get(key) === generation) return;
    generations.set(key, generation);
    enqueue(ns, name);
  });
  const timer = setInterval(() => void syncOnce(), syncPeriodMs);

  return {
    syncOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      watch.stop();
      await chain;
    },
  };
}
