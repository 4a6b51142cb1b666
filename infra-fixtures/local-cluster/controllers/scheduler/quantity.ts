/** Resource quantities (`100m`, `1.5`, `128Mi`, `1G`, `1e3`) as numbers, and pod request sums. */
import type { KubeObject } from '../../store/types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Multipliers of the Kubernetes quantity suffixes (decimal SI and binary). */
export const kQuantitySuffix: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Parses a quantity; unparsable input counts as 0 (validation is not the scheduler's job). */
export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return 0;
  const m = /^([+-]?\d*\.?\d+)(?:[eE]([+-]?\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec(q.trim());
  if (!m) return 0;
  return Number(m[1]) * 10 ** Number(m[2] ?? 0) * kQuantitySuffix[m[3] ?? '']!;
}

export interface Resources {
  milliCpu: number;
  memory: number;
  pods: number;
}

/** Effective pod requests: Σ containers, at least the largest init container (upstream). */
export function podRequests(pod: KubeObject): Resources {
  const sum = (list: any[], key: string) =>
    list.reduce((n, c) => n + parseQuantity(c?.resources?.requests?.[key]), 0);
  const containers: any[] = pod.spec?.containers ?? [];
  const inits: any[] = pod.spec?.initContainers ?? [];
  const initMax = (key: string) =>
    Math.max(0, ...inits.map((c) => parseQuantity(c?.resources?.requests?.[key])));
  return {
    milliCpu: Math.round(Math.max(sum(containers, 'cpu'), initMax('cpu')) * 1000),
    memory: Math.max(sum(containers, 'memory'), initMax('memory')),
    pods: 1,
  };
}

export function nodeAllocatable(node: KubeObject): Resources {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    milliCpu: a.cpu === undefined ? Infinity : Math.round(parseQuantity(a.cpu) * 1000),
    memory: a.memory === undefined ? Infinity : parseQuantity(a.memory),
    pods: a.pods === undefined ? 110 : parseQuantity(a.pods),
  };
}
