/** Pod predicates shared by the workload, endpoint and scheduling controllers (upstream podutil). */
import type { KubeObject, OwnerReference } from '../store/types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export function condition(obj: KubeObject, type: string): any | undefined {
  return ((obj.status?.conditions ?? []) as any[]).find((c) => c.type === type);
}

export function isPodReady(pod: KubeObject): boolean {
  return condition(pod, 'Ready')?.status === 'True';
}

/** Ready for at least `minReadySeconds` (judged by the Ready condition's lastTransitionTime). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, nowMs: number): boolean {
  const ready = condition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= nowMs;
}

/** Milliseconds until a ready pod becomes available; undefined when not ready or already available. */
export function msUntilAvailable(
  pod: KubeObject,
  minReadySeconds: number,
  nowMs: number,
): number | undefined {
  const ready = condition(pod, 'Ready');
  if (ready?.status !== 'True' || !minReadySeconds) return undefined;
  const at = Date.parse(ready.lastTransitionTime ?? '') + minReadySeconds * 1000;
  return Number.isFinite(at) && at > nowMs ? at - nowMs : undefined;
}

export function isTerminating(obj: KubeObject): boolean {
  return Boolean(obj.metadata.deletionTimestamp);
}

export function isTerminal(pod: KubeObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Counted by ReplicaSets: not terminating and not finished (spec §7.2). */
export function isActivePod(pod: KubeObject): boolean {
  return !isTerminating(pod) && !isTerminal(pod);
}

export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller);
}

export function controllerOwnerReference(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function creationMs(obj: KubeObject): number {
  return Date.parse(obj.metadata.creationTimestamp ?? '') || 0;
}

export function restartCount(pod: KubeObject): number {
  return ((pod.status?.containerStatuses ?? []) as any[]).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}
