/**
 * The default scheduler (spec §7.5): filters nodes, scores the feasible ones (soft spread, then
 * least allocated), binds (nodeName + PodScheduled=True + event Scheduled), or records why not
 * (PodScheduled=False/Unschedulable + Warning FailedScheduling) and retries with 1–10 s backoff
 * and whenever nodes or placed pods change.
 */
import { bindPod } from '../../store/podOps.ts';
import type { Store } from '../../store/store.ts';
import type { KubeObject, StoredObject } from '../../store/types.ts';
import { rfc3339 } from '../../store/util.ts';
import type { EventRecorder } from '../events.ts';
import { isTerminal, isTerminating } from '../podUtil.ts';
import { keyOf, type ControllerSpec, type ObjectKey, type ReconcileResult } from '../runtime.ts';
import { kFilters, type ClusterView } from './filters.ts';
import { nodeAllocatable, podRequests } from './quantity.ts';
import { spreadAllows, spreadPenalty } from './spread.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export const kSchedulerName = 'default-scheduler';

function isPending(pod: KubeObject): boolean {
  return (
    !pod.spec?.nodeName &&
    !isTerminating(pod) &&
    !isTerminal(pod) &&
    (pod.spec?.schedulerName ?? kSchedulerName) === kSchedulerName
  );
}

function clusterView(store: Store): ClusterView {
  const nodes = store.list('nodes').items;
  const podsOn = new Map<string, KubeObject[]>();
  const placed: KubeObject[] = [];
  for (const p of store.list('pods').items) {
    const node = p.spec?.nodeName;
    if (!node || isTerminal(p)) continue;
    podsOn.set(node, [...(podsOn.get(node) ?? []), p]);
    if (!isTerminating(p)) placed.push(p);
  }
  return { nodes, podsOn, placed };
}

function leastAllocatedScore(pod: KubeObject, node: KubeObject, view: ClusterView): number {
  const have = nodeAllocatable(node);
  const want = podRequests(pod);
  let cpu = want.milliCpu;
  let mem = want.memory;
  for (const p of view.podsOn.get(node.metadata.name ?? '') ?? []) {
    const r = podRequests(p);
    cpu += r.milliCpu;
    mem += r.memory;
  }
  const free = (used: number, total: number) =>
    Number.isFinite(total) && total > 0 ? Math.max(0, (total - used) / total) : 1;
  return (free(cpu, have.milliCpu) + free(mem, have.memory)) / 2;
}

export interface Placement {
  node?: StoredObject;
  /** Upstream-style "0/N nodes are available: …" when no node fits. */
  message?: string;
}

export function place(pod: KubeObject, view: ClusterView): Placement {
  if (!view.nodes.length) return { message: 'no nodes available to schedule pods' };
  const reasons = new Map<string, number>();
  const feasible: KubeObject[] = [];
  for (const node of view.nodes) {
    let reason: string | undefined;
    for (const f of kFilters) if ((reason = f(pod, node, view))) break;
    reason ??= spreadAllows(pod, node, view);
    if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    else feasible.push(node);
  }
  if (!feasible.length) {
    const n = view.nodes.length;
    const parts = [...reasons.entries()].map(([r, c]) => `${c} ${r}`).sort();
    return {
      message: `0/${n} nodes are available: ${parts.join(', ')}. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`,
    };
  }
  const scored = feasible
    .map((node) => ({
      node,
      penalty: spreadPenalty(pod, node, view),
      free: leastAllocatedScore(pod, node, view),
    }))
    .sort(
      (a, b) =>
        a.penalty - b.penalty ||
        b.free - a.free ||
        ((a.node.metadata.name ?? '') < (b.node.metadata.name ?? '') ? -1 : 1),
    );
  return { node: scored[0]!.node as StoredObject };
}

export function schedulerController(store: Store, recorder: EventRecorder): ControllerSpec {
  const attempts = new Map<string, number>();

  function pendingKeys(): ObjectKey[] {
    return store.list('pods', { fieldSelector: 'spec.nodeName=' }).items.filter(isPending).map(keyOf);
  }

  function markUnschedulable(pod: StoredObject, message: string): void {
    const current = ((pod.status?.conditions ?? []) as any[]).find((c) => c.type === 'PodScheduled');
    if (current?.status !== 'False' || current.message !== message) {
      store.mutate(
        'pods',
        pod.metadata.namespace,
        pod.metadata.name,
        (d) => {
          const conditions = ((d.status.conditions ?? []) as any[]).filter((c) => c.type !== 'PodScheduled');
          conditions.push({
            type: 'PodScheduled',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: rfc3339(store.now()),
            reason: 'Unschedulable',
            message,
          });
          d.status.conditions = conditions;
        },
        { subresource: 'status' },
      );
    }
    recorder.record(pod, 'Warning', 'FailedScheduling', message);
  }

  function reconcile(key: ObjectKey): ReconcileResult | void {
    const id = `${key.namespace}/${key.name}`;
    const pod = store.tryGet('pods', key.namespace, key.name);
    if (!pod || !isPending(pod)) {
      attempts.delete(id);
      return;
    }
    const { node, message } = place(pod, clusterView(store));
    if (node) {
      attempts.delete(id);
      bindPod(store, pod, node.metadata.name);
      recorder.record(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.metadata.name}`,
      );
      return;
    }
    markUnschedulable(pod, message ?? 'no nodes available to schedule pods');
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, n);
    return { requeueAfterMs: Math.min(10_000, 1000 * 2 ** (n - 1)) };
  }

  return {
    name: 'scheduler',
    primary: 'pods',
    secondary: [
      // Node changes (new node, uncordon, taint removed) can make pending pods schedulable.
      { storage: 'nodes', keys: () => pendingKeys() },
      {
        storage: 'pods',
        keys: (e) =>
          e.object.spec?.nodeName && (e.type === 'DELETED' || isTerminating(e.object)) ? pendingKeys() : [],
      },
    ],
    reconcile,
    resyncMs: 10_000,
  };
}
