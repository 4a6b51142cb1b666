/**
 * The HPA replica calculator against upstream replica_calculator.go semantics: utilization and raw
 * value targets, tolerance, failed/deleted/pending/unready pods, missing samples on scale-up and
 * scale-down, the cpu initialization period and initial readiness delay, integer truncation.
 */
import { describe, expect, it } from 'vitest';
import {
  formatMilliQuantity,
  milliValue,
} from '../../infra-fixtures/local-cluster/controllers/hpa/quantity.ts';
import {
  calculateRequests,
  getRawResourceReplicas,
  getResourceReplicas,
  groupPods,
  type CalculatorOptions,
  type PodMetrics,
} from '../../infra-fixtures/local-cluster/controllers/hpa/replicas.ts';
import type { KubeObject } from '../../infra-fixtures/local-cluster/store/types.ts';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const iso = (agoS: number) => new Date(NOW - agoS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const options: CalculatorOptions = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 300_000,
  initialReadinessDelayMs: 30_000,
  now: NOW,
};

interface PodOpts {
  cpu?: string | null;
  memory?: string;
  phase?: string;
  ready?: 'True' | 'False' | null;
  startAgoS?: number | null;
  readyChangedAgoS?: number;
  deleting?: boolean;
  sidecarCpu?: string;
}

function pod(name: string, o: PodOpts = {}): KubeObject {
  const requests: Record<string, string> = {};
  if (o.cpu !== null) requests.cpu = o.cpu ?? '1';
  if (o.memory) requests.memory = o.memory;
  const ready = o.ready === undefined ? 'True' : o.ready;
  const startAgoS = o.startAgoS === undefined ? 3600 : o.startAgoS;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(o.deleting ? { deletionTimestamp: iso(1) } : {}) },
    spec: {
      containers: [{ name: 'app', image: 'app:1', resources: { requests } }],
      ...(o.sidecarCpu
        ? {
            initContainers: [
              { name: 'init', image: 'x', resources: { requests: { cpu: '5' } } },
              {
                name: 'proxy',
                image: 'x',
                restartPolicy: 'Always',
                resources: { requests: { cpu: o.sidecarCpu } },
              },
            ],
          }
        : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(startAgoS === null ? {} : { startTime: iso(startAgoS) }),
      conditions:
        ready === null
          ? []
          : [
              {
                type: 'Ready',
                status: ready,
                lastTransitionTime: iso(o.readyChangedAgoS ?? startAgoS ?? 3600),
              },
            ],
    },
  };
}

function samples(values: Record<string, number>, windowMs = 15_000): PodMetrics {
  return new Map(Object.entries(values).map(([k, value]) => [k, { value, timestamp: NOW, windowMs }]));
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `p-${i + 1}`);
const pods = (n: number, o: PodOpts = {}) => names(n).map((name) => pod(name, o));
const byName = (values: number[]) => Object.fromEntries(values.map((v, i) => [`p-${i + 1}`, v]));

describe('getResourceReplicas (Utilization)', () => {
  it('scales up: ceil(ratio × ready pods)', () => {
    expect(getResourceReplicas(3, 30, 'cpu', pods(3), samples(byName([300, 500, 700])), options)).toEqual({
      replicas: 5,
      utilization: 50,
      rawAverage: 500,
    });
  });

  it('scales down', () => {
    const r = getResourceReplicas(5, 50, 'cpu', pods(5), samples(byName([100, 300, 500, 250, 250])), options);
    expect(r).toEqual({ replicas: 3, utilization: 28, rawAverage: 280 });
  });

  it('keeps the current count within the tolerance (|1 − ratio| ≤ 0.1)', () => {
    const m = samples(byName([1010, 1030, 1020]));
    expect(getResourceReplicas(3, 100, 'cpu', pods(3), m, options).replicas).toBe(3);
    expect(getResourceReplicas(3, 100, 'cpu', pods(3), m, { ...options, tolerance: 0.01 }).replicas).toBe(4);
    // 110 % is still inside, 111 % is not.
    expect(getResourceReplicas(1, 100, 'cpu', pods(1), samples({ 'p-1': 1100 }), options).replicas).toBe(1);
    expect(getResourceReplicas(1, 100, 'cpu', pods(1), samples({ 'p-1': 1110 }), options).replicas).toBe(2);
  });

  it('truncates utilization and the raw average like Go integer division', () => {
    const r = getResourceReplicas(3, 50, 'cpu', pods(3), samples(byName([333, 333, 334])), options);
    expect(r).toMatchObject({ utilization: 33, rawAverage: 333 });
  });

  it('ignores failed and deleted pods entirely', () => {
    const list = [pod('p-1'), pod('p-2'), pod('p-3', { phase: 'Failed' }), pod('p-4', { deleting: true })];
    const r = getResourceReplicas(2, 30, 'cpu', list, samples(byName([500, 700, 300, 500])), options);
    expect(r).toEqual({ replicas: 4, utilization: 60, rawAverage: 600 });
  });

  it('counts pending pods as 0 % on a scale-up', () => {
    const list = [pod('p-1', { phase: 'Pending' }), pod('p-2'), pod('p-3')];
    const r = getResourceReplicas(3, 30, 'cpu', list, samples({ 'p-2': 500, 'p-3': 700 }), options);
    // 60 % without the pending pod (ratio 2); 1200/3000 = 40 % with it → ceil(1.33 × 3).
    expect(r).toEqual({ replicas: 4, utilization: 60, rawAverage: 600 });
  });

  it('does not let unready pods block a scale-down', () => {
    const list = [pod('p-1', { phase: 'Pending' }), pod('p-2'), pod('p-3')];
    const r = getResourceReplicas(3, 50, 'cpu', list, samples({ 'p-2': 100, 'p-3': 100 }), options);
    expect(r.replicas).toBe(1); // ceil(0.2 × 2 ready pods)
  });

  it('treats a pod in its cpu initialization period as unready until a full window follows readiness', () => {
    const warm = (readyChangedAgoS: number, ready: 'True' | 'False' = 'True') =>
      pod('p-1', { startAgoS: 60, readyChangedAgoS, ready });
    const m = samples({ 'p-1': 900, 'p-2': 900 });
    const g = (p: KubeObject) => groupPods([p, pod('p-2')], m, 'cpu', options);
    expect(g(warm(5)).unready).toEqual(new Set(['p-1'])); // sample at now < ready(−5 s) + 15 s window
    expect(g(warm(15)).unready).toEqual(new Set()); // exactly a window: not before → ready
    expect(g(warm(30, 'False')).unready).toEqual(new Set(['p-1']));
    // No Ready condition or no start time at all: unready.
    expect(g(pod('p-1', { ready: null })).unready).toEqual(new Set(['p-1']));
    expect(g(pod('p-1', { startAgoS: null })).unready).toEqual(new Set(['p-1']));
  });

  it('after initialization only a pod that never became ready is unready', () => {
    const m = samples({ 'p-1': 900 });
    const g = (p: KubeObject) => groupPods([p], m, 'cpu', options);
    // Went unready 5 min after start: it was ready before, so its sample counts.
    expect(g(pod('p-1', { startAgoS: 600, readyChangedAgoS: 300, ready: 'False' })).readyPodCount).toBe(1);
    // Unready since 10 s after start (within the 30 s initial readiness delay): never ready.
    expect(g(pod('p-1', { startAgoS: 600, readyChangedAgoS: 590, ready: 'False' })).unready).toEqual(
      new Set(['p-1']),
    );
  });

  it('readiness rules apply to cpu only', () => {
    const p = pod('p-1', { startAgoS: 60, readyChangedAgoS: 5, memory: '1Gi' });
    expect(groupPods([p], samples({ 'p-1': 1 }), 'memory', options).readyPodCount).toBe(1);
  });

  it('missing samples count as 100 % of the request on a scale-down', () => {
    const r = getResourceReplicas(4, 50, 'cpu', pods(4), samples(byName([100, 100, 100])), options);
    // 10 % → with p-4 at 1000m: 1300/4000 = 32 % → ceil(0.64 × 4).
    expect(r).toEqual({ replicas: 3, utilization: 10, rawAverage: 100 });
  });

  it('missing samples count as the target when the target is above 100 %', () => {
    const r = getResourceReplicas(4, 200, 'cpu', pods(4), samples(byName([100, 100, 100])), options);
    // p-4 at 2000m: 2300/4000 = 57 % of a 200 % target → ceil(0.285 × 4).
    expect(r.replicas).toBe(2);
  });

  it('missing samples count as 0 % on a scale-up', () => {
    const r = getResourceReplicas(4, 50, 'cpu', pods(4), samples(byName([1000, 1000, 1000])), options);
    expect(r.replicas).toBe(6); // 3000/4000 = 75 % → ceil(1.5 × 4)
  });

  it('keeps the count when the assumed samples land within tolerance or flip the direction', () => {
    expect(getResourceReplicas(2, 100, 'cpu', pods(2), samples({ 'p-1': 1900 }), options).replicas).toBe(2);
    expect(getResourceReplicas(2, 100, 'cpu', pods(2), samples({ 'p-1': 1200 }), options).replicas).toBe(2);
  });

  it('sums restartable init containers (sidecars) into the request, not plain init containers', () => {
    const list = [pod('p-1', { cpu: '500m', sidecarCpu: '500m' })];
    expect(calculateRequests(list, 'cpu').get('p-1')).toBe(1000);
    expect(getResourceReplicas(1, 50, 'cpu', list, samples({ 'p-1': 500 }), options).utilization).toBe(50);
  });

  it('fails with upstream messages', () => {
    expect(() => getResourceReplicas(1, 50, 'cpu', [], samples({}), options)).toThrow(
      'no pods returned by selector while calculating replica count',
    );
    expect(() =>
      getResourceReplicas(1, 50, 'cpu', [pod('p-1', { phase: 'Pending' })], samples({ 'p-1': 1 }), options),
    ).toThrow('did not receive metrics for targeted pods (pods might be unready)');
    expect(() =>
      getResourceReplicas(1, 50, 'cpu', [pod('p-1', { cpu: null })], samples({ 'p-1': 1 }), options),
    ).toThrow('missing request for cpu in container app of Pod p-1');
    expect(() =>
      getResourceReplicas(1, 50, 'cpu', [pod('p-1', { cpu: '0' })], samples({ 'p-1': 1 }), options),
    ).toThrow('no metrics returned matched known pods');
  });
});

describe('getRawResourceReplicas (AverageValue)', () => {
  it('scales on the average usage per pod', () => {
    expect(getRawResourceReplicas(3, 400, 'cpu', pods(3), samples(byName([300, 500, 700])), options)).toEqual(
      {
        replicas: 4,
        usage: 500,
      },
    );
    expect(
      getRawResourceReplicas(3, 500, 'cpu', pods(3), samples(byName([500, 500, 520])), options).replicas,
    ).toBe(3);
  });

  it('assumes a missing pod sits at the target on a scale-down, at 0 on a scale-up', () => {
    expect(
      getRawResourceReplicas(3, 400, 'cpu', pods(3), samples(byName([100, 100])), options).replicas,
    ).toBe(2);
    expect(
      getRawResourceReplicas(3, 400, 'cpu', pods(3), samples(byName([1200, 1200])), options).replicas,
    ).toBe(6);
  });
});

describe('quantities', () => {
  it('reads MilliValue (rounding up) and writes canonical DecimalSI', () => {
    expect(['100m', '0.1', '1', '1.5', '128Mi', '0.0001'].map(milliValue)).toEqual([
      100, 100, 1000, 1500, 134217728000, 1,
    ]);
    expect([0, 250, 1000, 1500, 2_000_000, 104857600000].map(formatMilliQuantity)).toEqual([
      '0',
      '250m',
      '1',
      '1500m',
      '2k',
      '104857600',
    ]);
  });
});
