/**
 * Deployment status and conditions (spec §7.1): counts summed over the ReplicaSets, Available by
 * minimum availability, and Progressing with the progress-deadline bookkeeping of upstream
 * `syncRolloutStatus` (NewReplicaSetCreated / FoundNewReplicaSet / ReplicaSetUpdated →
 * NewReplicaSetAvailable, or ProgressDeadlineExceeded).
 */
import type { KubeObject } from '../../store/types.ts';
import { rfc3339 } from '../../store/util.ts';
import { replicasOf, surgeAndUnavailable } from './util.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

/** Upstream SetDeploymentCondition: same status and reason → unchanged; same status keeps the transition time. */
export function setCondition(status: any, cond: Condition): void {
  const list: Condition[] = status.conditions ?? [];
  const existing = list.find((c) => c.type === cond.type);
  if (existing && existing.status === cond.status && existing.reason === cond.reason) return;
  if (existing && existing.status === cond.status) cond.lastTransitionTime = existing.lastTransitionTime;
  status.conditions = [...list.filter((c) => c.type !== cond.type), cond];
}

export function newCondition(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  now: Date,
): Condition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

export function getCondition(status: any, type: string): Condition | undefined {
  return ((status?.conditions ?? []) as Condition[]).find((c) => c.type === type);
}

const sum = (rss: KubeObject[], f: (rs: KubeObject) => number): number => rss.reduce((n, rs) => n + f(rs), 0);

/** Counts and the Available condition, keeping the other conditions of `base`. */
export function calculateStatus(
  d: KubeObject,
  newRS: KubeObject | undefined,
  allRSs: KubeObject[],
  base: any,
  now: Date,
): any {
  const available = sum(allRSs, (rs) => rs.status?.availableReplicas ?? 0);
  const status: any = {
    observedGeneration: d.metadata.generation,
    replicas: sum(allRSs, (rs) => rs.status?.replicas ?? 0),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(allRSs, (rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicasOf(d) - available),
    conditions: [...(base?.conditions ?? [])],
  };
  if (base?.collisionCount !== undefined) status.collisionCount = base.collisionCount;
  const { maxUnavailable } = surgeAndUnavailable(d);
  if (available >= replicasOf(d) - maxUnavailable) {
    setCondition(
      status,
      newCondition(
        'Available',
        'True',
        'MinimumReplicasAvailable',
        'Deployment has minimum availability.',
        now,
      ),
    );
  } else {
    setCondition(
      status,
      newCondition(
        'Available',
        'False',
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
        now,
      ),
    );
  }
  // Upstream fields are omitempty: zero counts are left out.
  for (const k of [
    'replicas',
    'updatedReplicas',
    'readyReplicas',
    'availableReplicas',
    'unavailableReplicas',
  ])
    if (!status[k]) delete status[k];
  return status;
}

export function deploymentComplete(d: KubeObject, status: any): boolean {
  const r = replicasOf(d);
  return (
    (status.updatedReplicas ?? 0) === r &&
    (status.replicas ?? 0) === r &&
    (status.availableReplicas ?? 0) === r &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

function progressing(old: any, next: any): boolean {
  const oldOld = (old?.replicas ?? 0) - (old?.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old?.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old?.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old?.availableReplicas ?? 0)
  );
}

function timedOut(d: KubeObject, status: any, now: Date): boolean {
  const cond = getCondition(status, 'Progressing');
  if (!cond || cond.reason === 'NewReplicaSetAvailable') return false;
  if (cond.reason === 'ProgressDeadlineExceeded') return true;
  return Date.parse(cond.lastUpdateTime) + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 < now.getTime();
}

/** Adds the Progressing verdict to `next`; returns ms until the deadline should be re-checked. */
export function applyProgress(
  d: KubeObject,
  newRS: KubeObject | undefined,
  next: any,
  now: Date,
): number | undefined {
  if (d.spec?.progressDeadlineSeconds === undefined || d.spec?.paused) return undefined;
  const current = getCondition(next, 'Progressing');
  const complete =
    (next.replicas ?? 0) === (next.updatedReplicas ?? 0) && current?.reason === 'NewReplicaSetAvailable';
  if (complete) return undefined;
  const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  if (deploymentComplete(d, next)) {
    setCondition(
      next,
      newCondition(
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `${what} has successfully progressed.`,
        now,
      ),
    );
    return undefined;
  }
  if (progressing(d.status, next)) {
    const cond = newCondition('Progressing', 'True', 'ReplicaSetUpdated', `${what} is progressing.`, now);
    if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
    next.conditions = [...(next.conditions ?? []).filter((c: Condition) => c.type !== 'Progressing'), cond];
  } else if (timedOut(d, next, now)) {
    setCondition(
      next,
      newCondition(
        'Progressing',
        'False',
        'ProgressDeadlineExceeded',
        `${what} has timed out progressing.`,
        now,
      ),
    );
    return undefined;
  }
  const cond = getCondition(next, 'Progressing');
  if (!cond || cond.status !== 'True') return undefined;
  const deadline = Date.parse(cond.lastUpdateTime) + (d.spec.progressDeadlineSeconds ?? 600) * 1000;
  return Math.max(1000, deadline - now.getTime() + 1000);
}
