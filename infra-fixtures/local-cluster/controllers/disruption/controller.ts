/**
 * The disruption controller (upstream pkg/controller/disruption): keeps every PodDisruptionBudget's
 * status (expected/desired/current healthy, disruptionsAllowed, disruptedPods, observedGeneration,
 * DisruptionAllowed) in step with its pods and their controllers' scale. When the status cannot be
 * computed it fails safe: disruptionsAllowed 0 with DisruptionAllowed=False/SyncFailed.
 */
import { jsonEqual } from '../../store/json.ts';
import type { StorageName } from '../../store/registry.ts';
import { matchesLabelSelector } from '../../store/selectors.ts';
import type { Store } from '../../store/store.ts';
import type { KubeObject, OwnerReference, StoredObject, WatchEvent } from '../../store/types.ts';
import type { EventRecorder } from '../events.ts';
import { controllerRef } from '../podUtil.ts';
import type { ControllerSpec, ObjectKey, ReconcileResult } from '../runtime.ts';
import {
  BudgetError,
  buildDisruptedPodMap,
  conditionsAreUpToDate,
  countHealthyPods,
  disruptionsAllowed,
  expectedPodCount,
  setStatusCondition,
  updateDisruptionAllowedCondition,
  type ControllerScaleFinder,
} from './budget.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/**
 * Upstream's finder chain: a ReplicaSet's Deployment, a ReplicaSet not owned by a Deployment,
 * then any kind with a scale subresource (which also catches a ReplicaSet whose Deployment is gone).
 */
export function controllerScaleFinder(store: Store): ControllerScaleFinder {
  const byUid = (storage: StorageName, ns: string, ref: { name: string; uid: string }) => {
    const obj = store.tryGet(storage, ns, ref.name);
    return obj && obj.metadata.uid === ref.uid ? obj : undefined;
  };
  const replicas = (obj: StoredObject) => (Number.isInteger(obj.spec?.replicas) ? obj.spec.replicas : 1);
  return (ref: OwnerReference, namespace: string) => {
    const group = groupOf(ref.apiVersion ?? '');
    if (ref.kind === 'ReplicaSet' && (group === 'apps' || group === 'extensions')) {
      const rs = byUid('replicasets', namespace, ref);
      if (rs) {
        const owner = controllerRef(rs);
        if (owner?.kind === 'Deployment') {
          const d = byUid('deployments', namespace, owner);
          if (d) return { uid: d.metadata.uid, scale: replicas(d) };
        } else return { uid: rs.metadata.uid, scale: replicas(rs) };
      }
    }
    const type = store.registry.types.find(
      (t) => t.kind === ref.kind && t.group === group && t.storage && !t.view,
    );
    if (!type) throw new BudgetError(`no matches for kind "${ref.kind}" in version "${ref.apiVersion}"`);
    const target = byUid(type.storage!, namespace, ref);
    if (!type.subresources.some((s) => s.name === 'scale')) {
      if (!target) return undefined;
      throw new BudgetError(
        `${type.plural}${type.group ? '.' + type.group : ''} does not implement the scale subresource`,
      );
    }
    return target ? { uid: target.metadata.uid, scale: replicas(target) } : undefined;
  };
}

function selectedPods(store: Store, pdb: KubeObject): StoredObject[] {
  return store
    .list('pods', { namespace: pdb.metadata.namespace })
    .items.filter((p) => matchesLabelSelector(pdb.spec?.selector, p.metadata.labels));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function disruptionController(
  store: Store,
  recorder: EventRecorder,
  now: () => number,
): ControllerSpec {
  const findScale = controllerScaleFinder(store);
  // Pod → budgets it matched last time, so a label change also refreshes the budget it left.
  const lastMatch = new Map<string, ObjectKey[]>();

  function writeStatus(pdb: StoredObject, status: any): void {
    store.mutate(
      'poddisruptionbudgets',
      pdb.metadata.namespace,
      pdb.metadata.name,
      (d) => {
        if (d.metadata.uid !== pdb.metadata.uid) return;
        d.status = status;
      },
      { subresource: 'status' },
    );
  }

  function failSafe(pdb: StoredObject, err: string): void {
    const status = structuredClone(pdb.status ?? {});
    status.disruptionsAllowed = 0;
    setStatusCondition(
      status,
      {
        type: 'DisruptionAllowed',
        status: 'False',
        reason: 'SyncFailed',
        message: err,
        observedGeneration: status.observedGeneration,
      },
      now(),
    );
    writeStatus(pdb, status);
  }

  function reconcile(key: ObjectKey): ReconcileResult | void {
    const pdb = store.tryGet('poddisruptionbudgets', key.namespace, key.name);
    if (!pdb) return;
    let pods: StoredObject[];
    try {
      pods = selectedPods(store, pdb);
    } catch (err) {
      recorder.record(pdb, 'Warning', 'NoPods', `Failed to get pods: ${message(err)}`);
      return failSafe(pdb, message(err));
    }
    if (!pods.length) recorder.record(pdb, 'Normal', 'NoPods', 'No matching pods found');

    let expected;
    try {
      expected = expectedPodCount(pdb, pods, findScale);
    } catch (err) {
      if (!(err instanceof BudgetError)) throw err;
      recorder.record(
        pdb,
        'Warning',
        'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${err.message}`,
      );
      return failSafe(pdb, err.message);
    }
    if (expected.unmanagedPods.length) {
      recorder.record(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? null)}) were found ` +
          'to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. ' +
          'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
      );
    }

    const nowMs = now();
    const disrupted = buildDisruptedPodMap(pdb, pods, nowMs);
    for (const name of disrupted.notDeleted) {
      const pod = pods.find((p) => p.metadata.name === name);
      if (pod)
        recorder.record(
          pod,
          'Warning',
          'NotDeleted',
          `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.name} to be deleted but it wasn't`,
        );
    }
    const currentHealthy = countHealthyPods(pods, disrupted.disruptedPods, nowMs);
    const allowed = disruptionsAllowed(currentHealthy, expected.desiredHealthy, expected.expectedCount);
    const old = pdb.status ?? {};
    const upToDate =
      old.currentHealthy === currentHealthy &&
      old.desiredHealthy === expected.desiredHealthy &&
      old.expectedPods === expected.expectedCount &&
      old.disruptionsAllowed === allowed &&
      jsonEqual(old.disruptedPods ?? {}, disrupted.disruptedPods) &&
      old.observedGeneration === pdb.metadata.generation &&
      conditionsAreUpToDate(pdb);
    if (!upToDate) {
      const status: any = {
        currentHealthy,
        desiredHealthy: expected.desiredHealthy,
        expectedPods: expected.expectedCount,
        disruptionsAllowed: allowed,
        ...(Object.keys(disrupted.disruptedPods).length ? { disruptedPods: disrupted.disruptedPods } : {}),
        observedGeneration: pdb.metadata.generation,
        conditions: structuredClone(old.conditions ?? []),
      };
      updateDisruptionAllowedCondition(status, nowMs);
      writeStatus(pdb, status);
    }
    return disrupted.recheckAt !== undefined
      ? { requeueAfterMs: Math.max(1, disrupted.recheckAt - nowMs) }
      : undefined;
  }

  function budgetsFor(pod: KubeObject): ObjectKey[] {
    const ns = pod.metadata.namespace ?? '';
    return store
      .list('poddisruptionbudgets', { namespace: ns })
      .items.filter((b) => matchesLabelSelector(b.spec?.selector, pod.metadata.labels))
      .map((b) => ({ namespace: ns, name: b.metadata.name }));
  }

  function podKeys(event: WatchEvent): ObjectKey[] {
    const id = `${event.object.metadata.namespace}/${event.object.metadata.name}`;
    const before = lastMatch.get(id) ?? [];
    if (event.type === 'DELETED') {
      lastMatch.delete(id);
      return before.length ? before : budgetsFor(event.object);
    }
    const current = budgetsFor(event.object);
    if (current.length) lastMatch.set(id, current);
    else lastMatch.delete(id);
    return [...before, ...current];
  }

  // A scale change moves expectedPods before any pod changes; refresh the namespace's budgets.
  const namespaceBudgets = (event: WatchEvent): ObjectKey[] => {
    const ns = event.object.metadata.namespace ?? '';
    return store
      .list('poddisruptionbudgets', { namespace: ns })
      .items.map((b) => ({ namespace: ns, name: b.metadata.name }));
  };

  return {
    name: 'disruption',
    primary: 'poddisruptionbudgets',
    secondary: [
      { storage: 'pods', keys: podKeys },
      { storage: 'deployments', keys: namespaceBudgets },
      { storage: 'replicasets', keys: namespaceBudgets },
    ],
    reconcile,
  };
}
