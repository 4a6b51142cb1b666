/**
 * The taint eviction controller (kube-controller-manager's `taint-eviction-controller`): pods on
 * a node with NoExecute taints are deleted at once when a taint is not tolerated, after the
 * shortest matching tolerationSeconds when all are, and never when every matching toleration is
 * unbounded. The countdown starts when this controller first sees the pod under the taint (not
 * at the taint's timeAdded), and is cancelled when the taints go away first.
 *
 * Deleting adds the DisruptionTarget condition (DeletionByTaintManager) and deletes the pod
 * normally: a bound pod stays Terminating until its kubelet finishes it, so on a dead node it
 * waits for the node to come back. Events: TaintManagerEviction "Marking for deletion Pod ns/name"
 * and "Cancelling deletion of Pod ns/name", without the pod's uid, as upstream sends them.
 */
import type { Store } from '../../store/store.ts';
import type { KubeObject, StoredObject } from '../../store/types.ts';
import { rfc3339 } from '../../store/util.ts';
import type { EventRecorder } from '../events.ts';
import {
  matchingTolerations,
  minTolerationMs,
  noExecuteTaints,
  type Taint,
  type Toleration,
} from './taints.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

interface Work {
  namespace: string;
  name: string;
  fireMs: number;
  /** Fired works stay, so the pod is deleted once; they go when the pod or the taints do. */
  fired: boolean;
}

export class TaintEvictionManager {
  private readonly works = new Map<string, Work>();

  constructor(
    private readonly store: Store,
    private readonly recorder: EventRecorder,
    private readonly now: () => Date,
  ) {}

  /** Earliest pending deletion, for the caller's timer. */
  nextFireMs(): number | undefined {
    let next: number | undefined;
    for (const w of this.works.values())
      if (!w.fired && (next === undefined || w.fireMs < next)) next = w.fireMs;
    return next;
  }

  /** handleNodeUpdate: re-evaluate every pod on the node against its current NoExecute taints. */
  handleNode(nodeName: string, podsOnNode: KubeObject[]): void {
    const node = this.store.tryGet('nodes', '', nodeName);
    if (!node) return;
    const taints = noExecuteTaints(node);
    const nowMs = this.now().getTime();
    for (const pod of podsOnNode) {
      const key = podKey(pod);
      if (!taints.length) this.cancel(key);
      else this.processPod(pod, taints, nowMs);
    }
  }

  /** handlePodUpdate: a pod appeared, moved, changed tolerations, or is gone. */
  handlePod(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const pod = this.store.tryGet('pods', namespace, name);
    if (!pod) {
      this.cancel(key);
      return;
    }
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const taints = noExecuteTaints(this.store.tryGet('nodes', '', nodeName));
    if (taints.length) this.processPod(pod, taints, this.now().getTime());
  }

  /** Deletes every pod whose time has come; returns the errors of failed deletions (retried later). */
  fireDue(): unknown[] {
    const nowMs = this.now().getTime();
    const errors: unknown[] = [];
    for (const [key, w] of this.works) {
      if (w.fired || w.fireMs > nowMs) continue;
      this.recorder.record(
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: w.name, namespace: w.namespace } },
        'Normal',
        'TaintManagerEviction',
        `Marking for deletion Pod ${key}`,
      );
      try {
        this.deletePod(w);
        w.fired = true;
      } catch (err) {
        this.works.delete(key);
        errors.push(err);
      }
    }
    return errors;
  }

  private processPod(pod: KubeObject, taints: Taint[], nowMs: number): void {
    const key = podKey(pod);
    const tolerations = (pod.spec?.tolerations ?? []) as Toleration[];
    const { all, used } = matchingTolerations(taints, tolerations);
    if (!all) {
      this.cancel(key);
      this.add(pod, nowMs);
      return;
    }
    const min = minTolerationMs(used);
    if (min < 0) {
      this.cancel(key);
      return;
    }
    // A running countdown keeps going: the pod does not get a fresh toleration period on every update.
    if (this.works.has(key)) return;
    this.add(pod, nowMs + min);
  }

  private add(pod: KubeObject, fireMs: number): void {
    const key = podKey(pod);
    if (this.works.has(key)) return;
    const namespace = pod.metadata.namespace ?? '';
    this.works.set(key, { namespace, name: pod.metadata.name ?? '', fireMs, fired: false });
  }

  private cancel(key: string): void {
    const w = this.works.get(key);
    if (!w) return;
    this.works.delete(key);
    if (w.fired) return;
    this.recorder.record(
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: w.name, namespace: w.namespace } },
      'Normal',
      'TaintManagerEviction',
      `Cancelling deletion of Pod ${key}`,
    );
  }

  private deletePod(w: Work): void {
    const pod = this.store.tryGet('pods', w.namespace, w.name);
    if (!pod) return;
    const at = rfc3339(this.now());
    const disruption = {
      type: 'DisruptionTarget',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: at,
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
    };
    const conditions = (pod.status?.conditions ?? []) as any[];
    const prev = conditions.find((c) => c.type === 'DisruptionTarget');
    if (!prev || prev.status !== 'True' || prev.reason !== disruption.reason) {
      this.store.mutate(
        'pods',
        w.namespace,
        w.name,
        (draft: StoredObject) => {
          const rest = ((draft.status?.conditions ?? []) as any[]).filter(
            (c) => c.type !== 'DisruptionTarget',
          );
          const kept =
            prev?.status === 'True'
              ? { ...disruption, lastTransitionTime: prev.lastTransitionTime }
              : disruption;
          draft.status = { ...draft.status, conditions: [...rest, kept] };
        },
        { subresource: 'status' },
      );
    }
    this.store.delete('pods', w.namespace, w.name, { preconditions: { uid: pod.metadata.uid } });
  }
}

function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}
