/**
 * PodDisruptionBudget arithmetic shared by the disruption controller and the eviction handler
 * (upstream pkg/controller/disruption and component-helpers/apps/poddisruptionbudget): expected
 * and desired healthy counts, healthy pods, the `disruptedPods` bookkeeping and the
 * DisruptionAllowed condition. Pure: controller lookups come in as a callback, time as epoch ms.
 */
import type { KubeObject, OwnerReference } from '../../store/types.ts';
import { rfc3339 } from '../../store/util.ts';
import { controllerRef, isPodReady } from '../podUtil.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** How long an eviction's `disruptedPods` entry waits for the pod to get a deletionTimestamp. */
export const kDeletionTimeoutMs = 2 * 60_000;

export class BudgetError extends Error {}

/** `intstr.GetScaledValueFromIntOrPercent`: ints pass through, `"N%"` scales `total`. */
export function scaledValue(value: unknown, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) throw new BudgetError('nil value for IntOrString');
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value !== 'string')
    throw new BudgetError('invalid value for IntOrString: invalid type: neither int nor percentage');
  if (!value.endsWith('%'))
    throw new BudgetError('invalid value for IntOrString: invalid type: string is not a percentage');
  const digits = value.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits))
    throw new BudgetError(
      `invalid value for IntOrString: invalid value "${value}": strconv.Atoi: parsing "${digits}": invalid syntax`,
    );
  const scaled = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** The scale of a pod's controller, or undefined when that controller is not found (finder chain). */
export type ControllerScaleFinder = (
  ref: OwnerReference,
  namespace: string,
) => { uid: string; scale: number } | undefined;

export interface ExpectedCount {
  expectedCount: number;
  desiredHealthy: number;
  unmanagedPods: string[];
}

/** Σ scale of the distinct controllers of `pods`; pods without a controller are reported, not counted. */
export function expectedScale(
  pods: readonly KubeObject[],
  findScale: ControllerScaleFinder,
): { expectedCount: number; unmanagedPods: string[] } {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = controllerRef(pod);
    if (!ref) {
      unmanagedPods.push(pod.metadata.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = findScale(ref, pod.metadata.namespace ?? '');
    if (!found) throw new BudgetError(`found no controllers for pod "${pod.metadata.name}"`);
    scales.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const n of scales.values()) expectedCount += n;
  return { expectedCount, unmanagedPods };
}

/**
 * `getExpectedPodCount`: maxUnavailable and percentage minAvailable scale from the owning
 * controllers; an integer minAvailable counts the selected pods instead.
 */
export function expectedPodCount(
  pdb: KubeObject,
  pods: readonly KubeObject[],
  findScale: ControllerScaleFinder,
): ExpectedCount {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = expectedScale(pods, findScale);
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable), unmanagedPods };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number')
      return { expectedCount: pods.length, desiredHealthy: Math.trunc(spec.minAvailable), unmanagedPods: [] };
    const { expectedCount, unmanagedPods } = expectedScale(pods, findScale);
    return {
      expectedCount,
      desiredHealthy: scaledValue(spec.minAvailable, expectedCount, true),
      unmanagedPods,
    };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

function timeMs(value: unknown): number {
  const t = Date.parse(typeof value === 'string' ? value : '');
  return Number.isFinite(t) ? t : 0;
}

/** Ready, not terminating, and not recently approved for eviction. */
export function countHealthyPods(
  pods: readonly KubeObject[],
  disruptedPods: Record<string, string>,
  nowMs: number,
): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const disrupted = disruptedPods[pod.metadata.name ?? ''];
    if (disrupted !== undefined && timeMs(disrupted) + kDeletionTimeoutMs > nowMs) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

export interface DisruptedPodMap {
  disruptedPods: Record<string, string>;
  /** When the earliest surviving entry expires (epoch ms). */
  recheckAt?: number;
  /** Pods whose entry expired without the pod being deleted. */
  notDeleted: string[];
}

/** Keeps entries of existing, not yet terminating pods whose eviction is younger than the deletion timeout. */
export function buildDisruptedPodMap(
  pdb: KubeObject,
  pods: readonly KubeObject[],
  nowMs: number,
): DisruptedPodMap {
  const previous: Record<string, string> = pdb.status?.disruptedPods ?? {};
  const out: DisruptedPodMap = { disruptedPods: {}, notDeleted: [] };
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const name = pod.metadata.name ?? '';
    const at = previous[name];
    if (at === undefined) continue;
    const expectedDeletion = timeMs(at) + kDeletionTimeoutMs;
    if (expectedDeletion < nowMs) out.notDeleted.push(name);
    else {
      if (out.recheckAt === undefined || expectedDeletion < out.recheckAt) out.recheckAt = expectedDeletion;
      out.disruptedPods[name] = at;
    }
  }
  return out;
}

/** `disruptionsAllowed` is never negative and stays 0 while no pods are expected. */
export function disruptionsAllowed(
  currentHealthy: number,
  desiredHealthy: number,
  expectedCount: number,
): number {
  const allowed = currentHealthy - desiredHealthy;
  return expectedCount <= 0 || allowed <= 0 ? 0 : allowed;
}

export interface MetaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

/** `apimeta.SetStatusCondition` on a status object's `conditions` list. */
export function setStatusCondition(status: any, condition: MetaCondition, nowMs: number): void {
  const list: any[] = (status.conditions ??= []);
  const existing = list.find((c) => c.type === condition.type);
  if (!existing) {
    list.push({ ...condition, lastTransitionTime: condition.lastTransitionTime ?? rfc3339(new Date(nowMs)) });
    return;
  }
  if (existing.status !== condition.status) {
    existing.status = condition.status;
    existing.lastTransitionTime = condition.lastTransitionTime ?? rfc3339(new Date(nowMs));
  }
  existing.reason = condition.reason;
  existing.message = condition.message;
  existing.observedGeneration = condition.observedGeneration;
}

/** `pdbhelper.UpdateDisruptionAllowedCondition`. */
export function updateDisruptionAllowedCondition(status: any, nowMs: number): void {
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  setStatusCondition(
    status,
    {
      type: 'DisruptionAllowed',
      status: allowed ? 'True' : 'False',
      reason: allowed ? 'SufficientPods' : 'InsufficientPods',
      message: '',
      observedGeneration: status.observedGeneration,
    },
    nowMs,
  );
}

/** `pdbhelper.ConditionsAreUpToDate`. */
export function conditionsAreUpToDate(pdb: KubeObject): boolean {
  const status = pdb.status ?? {};
  const cond = ((status.conditions ?? []) as any[]).find((c) => c.type === 'DisruptionAllowed');
  if (!cond || status.observedGeneration !== pdb.metadata.generation) return false;
  return (status.disruptionsAllowed ?? 0) > 0
    ? cond.status === 'True' && cond.reason === 'SufficientPods'
    : cond.status === 'False' && cond.reason === 'InsufficientPods';
}
