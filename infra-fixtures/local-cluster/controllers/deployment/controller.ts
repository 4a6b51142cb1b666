/**
 * Deployment controller (spec §7.1): rolling updates and Recreate, revisions (`rollout undo`
 * re-selects an old ReplicaSet by template and bumps its revision), restart annotations (a
 * template change → a new ReplicaSet), paused deployments and the status `rollout status` reads.
 */
import type { Store } from '../../store/store.ts';
import type { KubeObject } from '../../store/types.ts';
import type { EventRecorder } from '../events.ts';
import { controllerRef, isTerminating } from '../podUtil.ts';
import { keyOf, ownerKeys, type ControllerSpec, type ObjectKey, type ReconcileResult } from '../runtime.ts';
import { rolloutRecreate, rolloutRolling, syncPaused } from './rollout.ts';
import { DeploymentSync } from './sync.ts';
import { isRollingUpdate } from './util.ts';

export function deploymentController(store: Store, recorder: EventRecorder): ControllerSpec {
  function rsKeys(rs: KubeObject): ObjectKey[] {
    const owned = ownerKeys(rs, 'Deployment');
    if (owned.length) return owned;
    return store.list('deployments', { namespace: rs.metadata.namespace }).items.map(keyOf);
  }

  /** Pod changes matter to Recreate, which waits for old pods to be gone. */
  function podKeys(pod: KubeObject): ObjectKey[] {
    const ref = controllerRef(pod);
    if (ref?.kind !== 'ReplicaSet') return [];
    const rs = store.tryGet('replicasets', pod.metadata.namespace, ref.name);
    return rs ? ownerKeys(rs, 'Deployment') : [];
  }

  function reconcile(key: ObjectKey): ReconcileResult | void {
    const d = store.tryGet('deployments', key.namespace, key.name);
    if (!d || isTerminating(d)) return;
    const sel = d.spec?.selector;
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
      recorder.record(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      return;
    }
    const sync = new DeploymentSync(store, recorder, d);
    const requeue = d.spec?.paused
      ? syncPaused(sync)
      : isRollingUpdate(d)
        ? rolloutRolling(sync)
        : rolloutRecreate(sync);
    // minReadySeconds needs no timer here: the ReplicaSet requeues itself and its status change wakes us.
    return requeue !== undefined ? { requeueAfterMs: requeue } : undefined;
  }

  return {
    name: 'deployment',
    primary: 'deployments',
    secondary: [
      { storage: 'replicasets', keys: (e) => rsKeys(e.object) },
      { storage: 'pods', keys: (e) => (e.type === 'DELETED' ? podKeys(e.object) : []) },
    ],
    reconcile,
  };
}
