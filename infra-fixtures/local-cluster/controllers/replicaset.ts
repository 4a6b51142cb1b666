/**
 * ReplicaSet controller (spec §7.2): keeps the number of active owned pods at `spec.replicas`,
 * adopting matching orphans and releasing pods whose labels stopped matching. Terminating pods do
 * not count, so a replacement appears as soon as a pod gets its deletionTimestamp.
 */
import { labelSelectorRequirements, matchesRequirements } from '../store/selectors.ts';
import type { Store } from '../store/store.ts';
import type { KubeObject, StoredObject } from '../store/types.ts';
import { clone, jsonEqual } from '../store/json.ts';
import type { EventRecorder } from './events.ts';
import {
  condition,
  controllerOwnerReference,
  controllerRef,
  creationMs,
  isActivePod,
  isPodAvailable,
  isPodReady,
  isTerminating,
  msUntilAvailable,
  restartCount,
} from './podUtil.ts';
import { keyOf, ownerKeys, type ControllerSpec, type ObjectKey, type ReconcileResult } from './runtime.ts';

const kBurstReplicas = 500;

export function podFromTemplate(owner: StoredObject): KubeObject {
  const template = clone(owner.spec?.template ?? {});
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [controllerOwnerReference(owner)],
    },
    spec: template.spec ?? {},
  };
}

/** Victims first: unscheduled, pending, not ready, crowded node, recently ready, restarts, newest. */
function deletionOrder(pods: StoredObject[]): StoredObject[] {
  const perNode = new Map<string, number>();
  for (const p of pods)
    if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const phaseRank = (p: KubeObject) =>
    ({ Pending: 0, Unknown: 1, Running: 2 })[p.status?.phase as 'Pending'] ?? 0;
  const readySince = (p: KubeObject) => Date.parse(condition(p, 'Ready')?.lastTransitionTime ?? '') || 0;
  return [...pods].sort((a, b) => {
    const assigned = Number(Boolean(a.spec?.nodeName)) - Number(Boolean(b.spec?.nodeName));
    if (assigned) return assigned;
    if (phaseRank(a) !== phaseRank(b)) return phaseRank(a) - phaseRank(b);
    if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1;
    const crowd = (perNode.get(b.spec?.nodeName) ?? 0) - (perNode.get(a.spec?.nodeName) ?? 0);
    if (crowd) return crowd;
    if (isPodReady(a) && readySince(a) !== readySince(b)) return readySince(b) - readySince(a);
    if (restartCount(a) !== restartCount(b)) return restartCount(b) - restartCount(a);
    return creationMs(b) - creationMs(a);
  });
}

/** Owned pods after adoption/release; orphans that match the selector are adopted. */
export function claimPods(store: Store, owner: StoredObject): StoredObject[] {
  const reqs = labelSelectorRequirements(owner.spec?.selector);
  const owned: StoredObject[] = [];
  for (const pod of store.list('pods', { namespace: owner.metadata.namespace }).items) {
    const ref = controllerRef(pod);
    const matches = reqs.length > 0 && matchesRequirements(reqs, pod.metadata.labels);
    if (ref?.uid === owner.metadata.uid) {
      if (matches || isTerminating(pod)) owned.push(pod);
      else {
        store.mutate('pods', pod.metadata.namespace, pod.metadata.name, (d) => {
          d.metadata.ownerReferences = (d.metadata.ownerReferences ?? []).filter(
            (r) => r.uid !== owner.metadata.uid,
          );
        });
      }
    } else if (!ref && matches && !isTerminating(pod) && !owner.metadata.deletionTimestamp) {
      owned.push(
        store.mutate('pods', pod.metadata.namespace, pod.metadata.name, (d) => {
          d.metadata.ownerReferences = [
            ...(d.metadata.ownerReferences ?? []),
            controllerOwnerReference(owner),
          ];
        }),
      );
    }
  }
  return owned;
}

export function replicaSetController(store: Store, recorder: EventRecorder): ControllerSpec {
  function podKeys(pod: KubeObject): ObjectKey[] {
    const owned = ownerKeys(pod, 'ReplicaSet');
    if (owned.length) return owned;
    // An orphan may be adopted by any ReplicaSet of its namespace.
    return store.list('replicasets', { namespace: pod.metadata.namespace }).items.map(keyOf);
  }

  function manage(rs: StoredObject, active: StoredObject[]): void {
    const diff = active.length - (rs.spec?.replicas ?? 0);
    if (diff < 0) {
      let remaining = Math.min(-diff, kBurstReplicas);
      // Slow start (1, 2, 4, …): a template that cannot be created fails once, not 500 times.
      for (let batch = 1; remaining > 0; batch *= 2) {
        const n = Math.min(batch, remaining);
        for (let i = 0; i < n; i++) {
          try {
            const pod = store.create('pods', podFromTemplate(rs));
            recorder.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
          } catch (err) {
            recorder.record(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
            throw err;
          }
        }
        remaining -= n;
      }
    } else if (diff > 0) {
      for (const pod of deletionOrder(active).slice(0, Math.min(diff, kBurstReplicas))) {
        store.delete('pods', pod.metadata.namespace, pod.metadata.name);
        recorder.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      }
    }
  }

  function reconcile(key: ObjectKey): ReconcileResult | void {
    const rs = store.tryGet('replicasets', key.namespace, key.name);
    if (!rs || isTerminating(rs)) return;
    const owned = claimPods(store, rs);
    const active = owned.filter(isActivePod);
    manage(rs, active);
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const now = store.now().getTime();
    const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
    const status: Record<string, unknown> = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) =>
        Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v),
      ).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
      observedGeneration: rs.metadata.generation,
    };
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'])
      if (!status[k]) delete status[k];
    if (!jsonEqual(status, rs.status)) {
      store.mutate('replicasets', key.namespace, key.name, (d) => void (d.status = status), {
        subresource: 'status',
      });
    }
    const waits = active
      .map((p) => msUntilAvailable(p, minReady, now))
      .filter((x): x is number => x !== undefined);
    if (waits.length) return { requeueAfterMs: Math.min(...waits) + 50 };
  }

  return {
    name: 'replicaset',
    primary: 'replicasets',
    secondary: [{ storage: 'pods', keys: (e) => podKeys(e.object) }],
    reconcile,
  };
}
