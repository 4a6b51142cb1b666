/**
 * The monitoring half of the node lifecycle controller (upstream monitorNodeHealth and its
 * tainting passes): node health per pass, NodeNotReady events, MarkPodsNotReady, the NoSchedule
 * taints that follow node conditions, and the rate-limited NoExecute taints per zone.
 */
import type { Store } from '../../store/store.ts';
import type { KubeObject, StoredObject } from '../../store/types.ts';
import type { EventRecorder } from '../events.ts';
import { conditionOf, tryUpdateNodeHealth, type Condition, type HealthContext } from './health.ts';
import { markPodsNotReady } from './pods.ts';
import {
  conditionTaintDiff,
  hasTaint,
  kNotReadyNoExecute,
  kUnreachableNoExecute,
  swapTaints,
} from './taints.ts';
import { zoneKey, type Zones } from './zones.ts';

export interface NodeMonitorDeps extends HealthContext {
  zones: Zones;
  events: EventRecorder;
  /** Reports an error that must not stop the pass. */
  report(err: unknown): void;
}

export interface NodeMonitor {
  monitorNodeHealth(): void;
  noScheduleTaintingPass(nodeName: string): void;
  noExecuteTaintingPass(): void;
  processBoundPod(namespace: string, name: string): void;
}

const kExcludeDisruption = 'node.kubernetes.io/exclude-disruption';

export function groupByNode(store: Store): Map<string, StoredObject[]> {
  const out = new Map<string, StoredObject[]>();
  for (const pod of store.list('pods').items) {
    const node = pod.spec?.nodeName;
    if (!node) continue;
    const list = out.get(node);
    if (list) list.push(pod);
    else out.set(node, [pod]);
  }
  return out;
}

export function createNodeMonitor(deps: NodeMonitorDeps): NodeMonitor {
  const { store, now, health, zones, events: nodeEvents, report } = deps;
  const ctx: HealthContext = deps;
  const ms = () => now().getTime();
  const guard = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      report(err);
    }
  };
  const known = new Map<string, StoredObject>();
  const retry = new Set<string>();

  // ---- taints -------------------------------------------------------------------------------

  function markNodeAsReachable(node: KubeObject): void {
    const name = node.metadata.name ?? '';
    swapTaints(store, name, [], [kUnreachableNoExecute, kNotReadyNoExecute], now());
    zones.queue(zoneKey(node), ms()).remove(name);
  }

  function markNodeForTainting(node: KubeObject, status: 'False' | 'Unknown'): void {
    const name = node.metadata.name ?? '';
    const q = zones.queue(zoneKey(node), ms());
    // A queued node whose taint vanished (removed by hand) is queued afresh.
    if (!hasTaint(node, status === 'False' ? kNotReadyNoExecute : kUnreachableNoExecute)) q.remove(name);
    q.add(name, ms());
  }

  function processTaintBaseEviction(node: StoredObject, observed: Condition): void {
    const name = node.metadata.name;
    if (observed.status === 'False') {
      if (hasTaint(node, kUnreachableNoExecute))
        swapTaints(store, name, [kNotReadyNoExecute], [kUnreachableNoExecute], now());
      else markNodeForTainting(node, 'False');
    } else if (observed.status === 'Unknown') {
      if (hasTaint(node, kNotReadyNoExecute))
        swapTaints(store, name, [kUnreachableNoExecute], [kNotReadyNoExecute], now());
      else markNodeForTainting(node, 'Unknown');
    } else if (observed.status === 'True') markNodeAsReachable(node);
  }

  function noScheduleTaintingPass(name: string): void {
    const node = store.tryGet('nodes', '', name);
    if (!node) return;
    const { add, remove } = conditionTaintDiff(node);
    if (add.length || remove.length) swapTaints(store, name, add, remove, now());
  }

  function noExecuteTaintingPass(): void {
    for (const q of zones.queues.values()) {
      q.try(ms(), (name) => {
        const node = store.tryGet('nodes', '', name);
        if (!node) return true;
        const ready = conditionOf(node.status, 'Ready');
        if (!ready) return 50;
        try {
          if (ready.status === 'False')
            swapTaints(store, name, [kNotReadyNoExecute], [kUnreachableNoExecute], now());
          else if (ready.status === 'Unknown')
            swapTaints(store, name, [kUnreachableNoExecute], [kNotReadyNoExecute], now());
        } catch (err) {
          report(err);
          return 50;
        }
        return true;
      });
    }
  }

  // ---- node health ----------------------------------------------------------------------------

  function monitorNodeHealth(): void {
    const nodes = store.list('nodes').items;
    const names = new Set(nodes.map((n) => n.metadata.name));
    for (const node of nodes) {
      const name = node.metadata.name;
      zones.ensure(zoneKey(node), ms());
      if (known.has(name)) continue;
      nodeEvents.record(
        node,
        'Normal',
        'RegisteredNode',
        `Node ${name} event: Registered Node ${name} in Controller`,
      );
      known.set(name, node);
      guard(() => markNodeAsReachable(node));
    }
    for (const [name, node] of known) {
      if (names.has(name)) continue;
      nodeEvents.record(
        node,
        'Normal',
        'RemovingNode',
        `Node ${name} event: Removing Node ${name} from Controller`,
      );
      known.delete(name);
      health.delete(name);
      retry.delete(name);
    }

    const readyByZone = new Map<string, Array<string | undefined>>();
    const pods = groupByNode(store);
    for (const { metadata } of nodes) {
      const name = metadata.name;
      const node = store.tryGet('nodes', '', name);
      if (!node) continue;
      let result;
      try {
        result = tryUpdateNodeHealth(ctx, node);
      } catch (err) {
        report(err);
        continue;
      }
      const { observed, current } = result;
      if (result.node.metadata.labels?.[kExcludeDisruption] === undefined) {
        const zone = zoneKey(result.node);
        readyByZone.set(zone, [...(readyByZone.get(zone) ?? []), current?.status]);
      }
      if (current) {
        guard(() => processTaintBaseEviction(result.node, observed));
        const wentDown = current.status !== 'True' && observed.status === 'True';
        if (wentDown)
          nodeEvents.record(
            result.node,
            'Normal',
            'NodeNotReady',
            `Node ${name} status is now: NodeNotReady`,
          );
        if (wentDown || (retry.has(name) && observed.status !== 'True')) {
          try {
            markPodsNotReady(store, nodeEvents, pods.get(name) ?? [], name, now());
          } catch (err) {
            report(err);
            retry.add(name);
            continue;
          }
        }
      }
      retry.delete(name);
    }

    const change = zones.update(readyByZone, ms());
    if (change === 'enter') {
      for (const { metadata } of nodes) {
        const node = store.tryGet('nodes', '', metadata.name);
        if (node) guard(() => markNodeAsReachable(node));
      }
    } else if (change === 'exit') {
      // Every node gets a full grace period again: the outage was most likely ours.
      const t = ms();
      for (const h of health.values()) {
        h.probeMs = t;
        h.readyTransitionMs = t;
      }
    }
  }

  /** processPod: a pod bound to a node that is not Ready is marked not ready too. */
  function processBoundPod(namespace: string, name: string): void {
    const pod = store.tryGet('pods', namespace, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName) return;
    const h = health.get(nodeName);
    if (!h || !store.tryGet('nodes', '', nodeName)) return;
    const ready = conditionOf(h.status, 'Ready');
    if (ready && ready.status !== 'True') markPodsNotReady(store, nodeEvents, [pod], nodeName, now());
  }

  return { monitorNodeHealth, noScheduleTaintingPass, noExecuteTaintingPass, processBoundPod };
}
