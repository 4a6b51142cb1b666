/**
 * Taints the node lifecycle controller owns and the toleration matching the taint eviction
 * controller uses (upstream taintutils, v1helper.GetMatchingTolerations, ToleratesTaint).
 * Taints are matched by key and effect; every taint the controller adds carries `timeAdded`.
 */
import type { Store } from '../../store/store.ts';
import type { KubeObject } from '../../store/types.ts';
import { rfc3339 } from '../../store/util.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export const kTaintNotReady = 'node.kubernetes.io/not-ready';
export const kTaintUnreachable = 'node.kubernetes.io/unreachable';
export const kTaintUnschedulable = 'node.kubernetes.io/unschedulable';

export const kUnreachableNoExecute: Taint = { key: kTaintUnreachable, effect: 'NoExecute' };
export const kNotReadyNoExecute: Taint = { key: kTaintNotReady, effect: 'NoExecute' };

/** Node condition and status → NoSchedule taint key (TaintNodesByCondition). */
const kConditionTaints: Record<string, Partial<Record<string, string>>> = {
  Ready: { False: kTaintNotReady, Unknown: kTaintUnreachable },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
const kConditionTaintKeys = new Set(Object.values(kConditionTaints).flatMap((m) => Object.values(m)));

export function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

export function taintsOf(node: KubeObject | undefined): Taint[] {
  return Array.isArray(node?.spec?.taints) ? (node.spec.taints as Taint[]) : [];
}

export function hasTaint(node: KubeObject, taint: Taint): boolean {
  return taintsOf(node).some((t) => sameTaint(t, taint));
}

export function noExecuteTaints(node: KubeObject | undefined): Taint[] {
  return taintsOf(node).filter((t) => t.effect === 'NoExecute');
}

/** NoSchedule taints the node's conditions (and spec.unschedulable) call for, and those it has. */
export function conditionTaintDiff(node: KubeObject): { add: Taint[]; remove: Taint[] } {
  const want: Taint[] = [];
  for (const c of (node.status?.conditions ?? []) as any[]) {
    const key = kConditionTaints[c.type]?.[c.status];
    if (key) want.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) want.push({ key: kTaintUnschedulable, effect: 'NoSchedule' });
  const have = taintsOf(node).filter(
    (t) => t.effect === 'NoSchedule' && (t.key === kTaintUnschedulable || kConditionTaintKeys.has(t.key)),
  );
  return {
    add: want.filter((w) => !have.some((h) => sameTaint(h, w))),
    remove: have.filter((h) => !want.some((w) => sameTaint(h, w))),
  };
}

/**
 * SwapNodeControllerTaint: adds (stamped with timeAdded) and removes taints in one write.
 * Returns whether anything changed.
 */
export function swapTaints(store: Store, nodeName: string, add: Taint[], remove: Taint[], at: Date): boolean {
  const node = store.tryGet('nodes', '', nodeName);
  if (!node) return false;
  const current = taintsOf(node);
  const needsAdd = add.some((a) => !current.some((t) => sameTaint(t, a)));
  const needsRemove = remove.some((r) => current.some((t) => sameTaint(t, r)));
  if (!needsAdd && !needsRemove) return false;
  store.mutate('nodes', '', nodeName, (draft) => {
    let taints = taintsOf(draft).filter((t) => !remove.some((r) => sameTaint(t, r)));
    for (const a of add) {
      if (taints.some((t) => sameTaint(t, a))) continue;
      taints = [
        ...taints,
        { key: a.key, ...(a.value ? { value: a.value } : {}), effect: a.effect, timeAdded: rfc3339(at) },
      ];
    }
    draft.spec ??= {};
    if (taints.length) draft.spec.taints = taints;
    else delete draft.spec.taints;
  });
  return true;
}

export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** For each taint the first toleration that tolerates it; `all` is false when one is not tolerated. */
export function matchingTolerations(
  taints: Taint[],
  tolerations: Toleration[],
): { all: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((tol) => toleratesTaint(tol, taint));
    if (!t) return { all: false, used: [] };
    used.push(t);
  }
  return { all: true, used };
}

/** Shortest tolerationSeconds in ms among `used`: 0 when none were used, -1 when all tolerate forever. */
export function minTolerationMs(used: Toleration[]): number {
  if (!used.length) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}
