/**
 * Node lifecycle controller plus taint-based eviction, as kube-controller-manager 1.32 runs them
 * (`node-lifecycle-controller` and `taint-eviction-controller`).
 *
 *   const nlc = startNodeLifecycleController(store, { monitorPeriodMs: 5000, gracePeriodMs: 50_000 });
 *   await nlc.syncOnce();   // one full pass now (tests with a fake clock call only this)
 *   await nlc.stop();
 *
 * Every `monitorPeriodMs` (--node-monitor-period, 5 s):
 *   - a node whose Lease and Ready heartbeat have not moved for `gracePeriodMs`
 *     (--node-monitor-grace-period: 50 s since 1.32, kubernetes PR #126287; 40 s before) gets
 *     Ready, MemoryPressure, DiskPressure and PIDPressure = Unknown / NodeStatusUnknown
 *     ("Kubelet stopped posting node status."), a NodeNotReady event ("Node X status is now:
 *     NodeNotReady"), and its pods get Ready=False plus a Warning NodeNotReady event each;
 *   - NoSchedule taints follow the conditions at once (Ready Unknown → unreachable, False →
 *     not-ready, pressure conditions → their taints);
 *   - the NoExecute taint (unreachable, or not-ready when the kubelet itself reports Ready=False)
 *     is added on the next pass, rate-limited per zone (see zones.ts): 0.1 nodes/s, so the first
 *     node of a zone is tainted at once and the next ones 10 s apart. When every zone has no
 *     Ready node at all, nothing is tainted NoExecute and nothing is evicted;
 *   - a Ready node loses the NoExecute taints on the next pass, the NoSchedule ones at once.
 * The taint eviction part (taint-eviction.ts) then deletes pods that do not tolerate the
 * NoExecute taint, at once or after their tolerationSeconds (pods get 300 s by default).
 *
 * Upstream marks pods not ready only on the Ready→not-Ready transition the controller itself
 * causes (the kubelet stopped reporting), and for pods bound later to a not-Ready node; a node
 * whose kubelet reports Ready=False gets the not-ready taints and evictions, while its pods'
 * readiness stays the kubelet's business.
 *
 * All timing comes from `now()` (default: the store's clock), so small periods and a fake clock
 * both work. Node events come from `node-controller`, pod eviction events from
 * `taint-eviction-controller`.
 */
import { ApiError } from '../../store/errors.ts';
import { Store } from '../../store/store.ts';
import { createEventRecorder } from '../events.ts';
import type { NodeHealth } from './health.ts';
import { createNodeMonitor, groupByNode } from './monitor.ts';
import { TaintEvictionManager } from './taint-eviction.ts';
import { noExecuteTaints } from './taints.ts';
import { Zones } from './zones.ts';

export interface NodeLifecycleOptions {
  /** --node-monitor-period. Default 5000. */
  monitorPeriodMs?: number;
  /** --node-monitor-grace-period. Default 50 000 (Kubernetes 1.32). */
  gracePeriodMs?: number;
  /** --node-startup-grace-period, for nodes that never posted Ready. Default 60 000. */
  startupGracePeriodMs?: number;
  /** --node-eviction-rate, nodes per second per zone. Default 0.1. */
  evictionRate?: number;
  /** --secondary-node-eviction-rate, for partially disrupted large zones. Default 0.01. */
  secondaryEvictionRate?: number;
  /** --large-cluster-size-threshold. Default 50. */
  largeClusterSizeThreshold?: number;
  /** --unhealthy-zone-threshold. Default 0.55. */
  unhealthyZoneThreshold?: number;
  now?: () => Date;
  onError?: (err: unknown) => void;
}

export interface NodeLifecycleController {
  syncOnce(): Promise<void>;
  stop(): Promise<void>;
}

/** Upstream NodeEvictionPeriod: how often the rate-limited tainting queues are worked. */
const kTaintingPassMs = 100;
const kMaxTimerMs = 2 ** 31 - 1;

function validate(store: unknown, o: NodeLifecycleOptions): void {
  const fail = (field: string, what: string, value: unknown) => {
    throw new Error(`startNodeLifecycleController: ${field} ${String(value)} must be ${what}`);
  };
  if (!(store instanceof Store))
    throw new Error('startNodeLifecycleController: store must be a local-cluster Store');
  for (const f of ['monitorPeriodMs', 'gracePeriodMs', 'startupGracePeriodMs'] as const) {
    const v = o[f];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0))
      fail(f, 'a positive number of milliseconds', v);
  }
  for (const f of ['evictionRate', 'secondaryEvictionRate'] as const) {
    const v = o[f];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0))
      fail(f, 'a number of nodes per second ≥ 0', v);
  }
  const size = o.largeClusterSizeThreshold;
  if (size !== undefined && !(Number.isInteger(size) && size >= 0))
    fail('largeClusterSizeThreshold', 'an integer ≥ 0', size);
  const t = o.unhealthyZoneThreshold;
  if (t !== undefined && !(typeof t === 'number' && t > 0 && t <= 1))
    fail('unhealthyZoneThreshold', 'a fraction in (0, 1]', t);
  if (o.now !== undefined && typeof o.now !== 'function') fail('now', 'a function returning a Date', o.now);
  if (o.onError !== undefined && typeof o.onError !== 'function') fail('onError', 'a function', o.onError);
}

export function startNodeLifecycleController(
  store: Store,
  options: NodeLifecycleOptions = {},
): NodeLifecycleController {
  validate(store, options);
  const now = options.now ?? (() => store.now());
  const ms = () => now().getTime();
  const onError =
    options.onError ??
    ((err: unknown) => console.error('node-lifecycle-controller:', err instanceof Error ? err.message : err));
  const report = (err: unknown) => {
    // A node or pod deleted or rewritten meanwhile is settled on the next pass.
    if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) onError(err);
  };
  const guard = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      report(err);
    }
  };
  const nodeEvents = createEventRecorder(store, 'node-controller');
  const health = new Map<string, NodeHealth>();
  const zones = new Zones({
    evictionRate: options.evictionRate ?? 0.1,
    secondaryEvictionRate: options.secondaryEvictionRate ?? 0.01,
    largeClusterSizeThreshold: options.largeClusterSizeThreshold ?? 50,
    unhealthyZoneThreshold: options.unhealthyZoneThreshold ?? 0.55,
  });
  const evictions = new TaintEvictionManager(
    store,
    createEventRecorder(store, 'taint-eviction-controller'),
    now,
  );
  let stopped = false;

  const { monitorNodeHealth, noScheduleTaintingPass, noExecuteTaintingPass, processBoundPod } =
    createNodeMonitor({
      store,
      now,
      health,
      zones,
      events: nodeEvents,
      report,
      gracePeriodMs: options.gracePeriodMs ?? 50_000,
      startupGracePeriodMs: options.startupGracePeriodMs ?? 60_000,
    });

  // ---- events, timers -------------------------------------------------------------------------

  const pendingNodes = new Set<string>();
  const pendingTaintedNodes = new Set<string>();
  const pendingPods = new Map<string, { namespace: string; name: string; bound: boolean; evict: boolean }>();
  const seenTaints = new Map<string, string>();
  const seenPods = new Map<string, { nodeName: string; tolerations: string }>();
  let flushQueued = false;
  let taintingTimer: NodeJS.Timeout | undefined;
  let evictionTimer: NodeJS.Timeout | undefined;

  function queueFlush(): void {
    if (flushQueued || stopped) return;
    flushQueued = true;
    // Watch callbacks run inside the store's commit; do the writes after it.
    setImmediate(() => {
      flushQueued = false;
      if (!stopped) flush();
    });
  }

  function flush(): void {
    const nodes = [...pendingNodes];
    pendingNodes.clear();
    for (const name of nodes) guard(() => noScheduleTaintingPass(name));
    const tainted = [...pendingTaintedNodes];
    pendingTaintedNodes.clear();
    if (tainted.length) {
      const pods = groupByNode(store);
      for (const name of tainted) guard(() => evictions.handleNode(name, pods.get(name) ?? []));
    }
    const pods = [...pendingPods.values()];
    pendingPods.clear();
    for (const p of pods) {
      if (p.bound) guard(() => processBoundPod(p.namespace, p.name));
      if (p.evict) guard(() => evictions.handlePod(p.namespace, p.name));
    }
    fireEvictions();
  }

  function fireEvictions(): void {
    for (const err of evictions.fireDue()) report(err);
    armTimers();
  }

  function armTimers(): void {
    if (stopped) return;
    if (!taintingTimer && [...zones.queues.values()].some((q) => q.pending > 0)) {
      taintingTimer = setTimeout(() => {
        taintingTimer = undefined;
        if (stopped) return;
        guard(noExecuteTaintingPass);
        armTimers();
      }, kTaintingPassMs);
    }
    if (evictionTimer) clearTimeout(evictionTimer);
    evictionTimer = undefined;
    const next = evictions.nextFireMs();
    if (next === undefined) return;
    evictionTimer = setTimeout(
      () => {
        evictionTimer = undefined;
        if (!stopped) fireEvictions();
      },
      Math.min(kMaxTimerMs, Math.max(0, next - ms())),
    );
  }

  const watches = [
    store.watch('nodes', {}, (e) => {
      const name = e.object.metadata.name ?? '';
      if (e.type === 'DELETED') {
        seenTaints.delete(name);
        return;
      }
      pendingNodes.add(name);
      const taints = JSON.stringify(noExecuteTaints(e.object));
      if (seenTaints.get(name) !== taints) {
        seenTaints.set(name, taints);
        pendingTaintedNodes.add(name);
      }
      queueFlush();
    }),
    store.watch('pods', {}, (e) => {
      const namespace = e.object.metadata.namespace ?? '';
      const name = e.object.metadata.name ?? '';
      const key = `${namespace}/${name}`;
      const queued = pendingPods.get(key);
      if (e.type === 'DELETED') {
        seenPods.delete(key);
        pendingPods.set(key, { namespace, name, bound: false, evict: true });
        queueFlush();
        return;
      }
      const nodeName = e.object.spec?.nodeName ?? '';
      const tolerations = JSON.stringify(e.object.spec?.tolerations ?? []);
      const prev = seenPods.get(key);
      seenPods.set(key, { nodeName, tolerations });
      const bound = nodeName !== '' && prev?.nodeName !== nodeName;
      const evict = !prev || prev.nodeName !== nodeName || prev.tolerations !== tolerations;
      if (!bound && !evict) return;
      pendingPods.set(key, {
        namespace,
        name,
        bound: bound || Boolean(queued?.bound),
        evict: evict || Boolean(queued?.evict),
      });
      queueFlush();
    }),
  ];

  function pass(): void {
    flush();
    guard(monitorNodeHealth);
    const nodes = store.list('nodes').items.map((n) => n.metadata.name);
    for (const name of nodes) guard(() => noScheduleTaintingPass(name));
    guard(noExecuteTaintingPass);
    const pods = groupByNode(store);
    for (const name of nodes) guard(() => evictions.handleNode(name, pods.get(name) ?? []));
    flush();
  }

  const monitor = setInterval(() => {
    if (!stopped) pass();
  }, options.monitorPeriodMs ?? 5000);

  return {
    async syncOnce() {
      if (!stopped) pass();
    },
    async stop() {
      stopped = true;
      clearInterval(monitor);
      if (taintingTimer) clearTimeout(taintingTimer);
      if (evictionTimer) clearTimeout(evictionTimer);
      for (const w of watches) w.stop();
      pendingNodes.clear();
      pendingTaintedNodes.clear();
      pendingPods.clear();
    },
  };
}
