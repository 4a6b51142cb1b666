/**
 * The two rollout strategies (spec §7.1). RollingUpdate grows the new ReplicaSet within maxSurge
 * and shrinks old ones within maxUnavailable (unhealthy pods first, oldest ReplicaSet first);
 * Recreate scales every old ReplicaSet to zero and waits until their pods are gone.
 */
import type { Store } from '../../store/store.ts';
import type { StoredObject } from '../../store/types.ts';
import { controllerRef, isTerminal } from '../podUtil.ts';
import { deploymentComplete } from './status.ts';
import type { DeploymentSync } from './sync.ts';
import { replicasOf, surgeAndUnavailable } from './util.ts';

const sumSpec = (rss: StoredObject[]): number => rss.reduce((n, rs) => n + replicasOf(rs), 0);
const available = (rs: StoredObject | undefined): number => rs?.status?.availableReplicas ?? 0;

function newReplicasForRolling(sync: DeploymentSync): number {
  const d = sync.d;
  const { maxSurge } = surgeAndUnavailable(d);
  const current = sumSpec(sync.rsList);
  const newRS = sync.findNew();
  const newSpec = replicasOf(newRS);
  const maxTotal = replicasOf(d) + maxSurge;
  if (current >= maxTotal) return newSpec;
  return newSpec + Math.max(0, Math.min(maxTotal - current, replicasOf(d) - newSpec));
}

function reconcileNew(sync: DeploymentSync, newRS: StoredObject): boolean {
  const want = replicasOf(sync.d);
  const have = replicasOf(newRS);
  if (have === want) return sync.scale(newRS, have);
  if (have > want) return sync.scale(newRS, want);
  return sync.scale(newRS, newReplicasForRolling(sync));
}

function reconcileOld(sync: DeploymentSync, newRS: StoredObject): boolean {
  const d = sync.d;
  let old = sync.oldOf(newRS).map((rs) => sync.current(rs));
  if (sumSpec(old) === 0) return false;
  const all = () => sync.rsList;
  const { maxUnavailable } = surgeAndUnavailable(d);
  const minAvailable = replicasOf(d) - maxUnavailable;
  const cur = sync.current(newRS);
  const newUnavailable = replicasOf(cur) - available(cur);
  const maxScaledDown = sumSpec(all()) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;

  let scaled = 0;
  // Unhealthy replicas first: removing them does not reduce availability.
  for (const rs of old) {
    if (scaled >= maxScaledDown) break;
    const unhealthy = replicasOf(rs) - available(rs);
    if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - scaled, unhealthy);
    sync.scale(rs, replicasOf(rs) - n);
    scaled += n;
  }
  old = old.map((rs) => sync.current(rs));
  const availableNow = all().reduce((n, rs) => n + available(rs), 0);
  if (availableNow > minAvailable) {
    const budget = availableNow - minAvailable;
    let down = 0;
    for (const rs of old) {
      if (down >= budget) break;
      if (replicasOf(rs) === 0) continue;
      const n = Math.min(replicasOf(rs), budget - down);
      sync.scale(rs, replicasOf(rs) - n);
      down += n;
    }
    scaled += down;
  }
  return scaled > 0;
}

export function rolloutRolling(sync: DeploymentSync): number | undefined {
  const newRS = sync.getNew(true, () => newReplicasForRolling(sync));
  if (!newRS) return sync.syncStatus(undefined);
  const oldRSs = sync.oldOf(newRS);
  if (reconcileNew(sync, newRS)) return sync.syncStatus(sync.current(newRS));
  if (reconcileOld(sync, newRS)) return sync.syncStatus(sync.current(newRS));
  const requeue = sync.syncStatus(sync.current(newRS));
  if (deploymentComplete(sync.d, sync.d.status ?? {})) sync.cleanup(oldRSs);
  return requeue;
}

/** Pods of the old ReplicaSets that still exist and have not finished (terminating ones included). */
function oldPodsRunning(store: Store, oldRSs: StoredObject[], namespace: string | undefined): boolean {
  const uids = new Set(oldRSs.map((rs) => rs.metadata.uid));
  return store
    .list('pods', { namespace })
    .items.some((p) => uids.has(controllerRef(p)?.uid ?? '') && !isTerminal(p));
}

export function rolloutRecreate(sync: DeploymentSync): number | undefined {
  const existingNew = sync.getNew(false, () => 0);
  const oldRSs = sync.oldOf(existingNew);
  let scaledDown = false;
  for (const rs of oldRSs)
    if (replicasOf(sync.current(rs)) > 0) scaledDown = sync.scale(sync.current(rs), 0) || scaledDown;
  if (scaledDown) return sync.syncStatus(existingNew);
  if (oldPodsRunning(sync.store, oldRSs, sync.d.metadata.namespace)) return sync.syncStatus(existingNew);
  const newRS = existingNew ?? sync.getNew(true, () => replicasOf(sync.d));
  if (newRS) sync.scale(sync.current(newRS), replicasOf(sync.d));
  const requeue = sync.syncStatus(newRS ? sync.current(newRS) : undefined);
  if (deploymentComplete(sync.d, sync.d.status ?? {})) sync.cleanup(oldRSs);
  return requeue;
}

/** Paused: no new ReplicaSet, only scaling of the current one and status. */
export function syncPaused(sync: DeploymentSync): number | undefined {
  const newRS = sync.getNew(false, () => 0);
  if (newRS && sync.oldOf(newRS).every((rs) => replicasOf(rs) === 0)) sync.scale(newRS, replicasOf(sync.d));
  return sync.syncStatus(newRS ? sync.current(newRS) : undefined);
}
