/**
 * Reading the cluster's figures for one step: the mean of a step gauge (ready replicas) over the
 * judged window, and the CPU cores the target's pods used, from metrics.k8s.io samples. Pure.
 */
import type { StepPoint } from '../result/gauges.ts';

/** Time-weighted mean of a step series over [from, to]; null when it has no value in the window. */
export function stepMean(series: readonly StepPoint[], from: number, to: number): number | null {
  if (!(to > from)) return null;
  let area = 0;
  let covered = 0;
  for (let i = 0; i < series.length; i++) {
    const p = series[i] as StepPoint;
    const end = i + 1 < series.length ? (series[i + 1] as StepPoint).t : Infinity;
    const a = Math.max(from, p.t);
    const b = Math.min(to, end);
    if (b > a) {
      area += p.value * (b - a);
      covered += b - a;
    }
  }
  return covered > 0 ? area / covered : null;
}

/**
 * A Kubernetes CPU quantity in cores: '250m' → 0.25, '1234567n' → 0.001234567, '2' → 2.
 * Returns null for anything else, so a surprising value is left out rather than misread.
 */
export function parseCpuQuantity(q: string): number | null {
  const m = /^([0-9]+(?:\.[0-9]+)?)(n|u|m|k)?$/.exec(q.trim());
  if (!m) return null;
  const scale = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3 }[m[2] as 'n' | 'u' | 'm' | 'k'] ?? 1;
  return Number(m[1]) * scale;
}

/** One PodMetrics reading: the pod's CPU averaged over [timestamp − window, timestamp]. */
export interface PodCpuSample {
  readonly pod: string;
  /** Wall clock, ms. */
  readonly timestampMs: number;
  readonly windowMs: number;
  readonly cores: number;
}

export interface StepCpu {
  /** Summed over the pods, cores; null when no pod had a sample during the step. */
  readonly cores: number | null;
  readonly pods: number;
  /** Every pod's sample window lay inside the step; otherwise part of it is from before the step. */
  readonly covered: boolean;
}

/** Samples may be stamped a little before the load they describe began (clock rounding). */
const kToleranceMs = 1000;

/**
 * The target's CPU during a step: per pod, the latest sample whose window lies inside
 * [fromMs, toMs], else the latest sample taken during the step (which then also covers some time
 * before it: `covered` is false). Pods without a sample taken during the step are left out.
 */
export function stepCpu(samples: readonly PodCpuSample[], fromMs: number, toMs: number): StepCpu {
  const byPod = new Map<string, { inside?: PodCpuSample; during?: PodCpuSample }>();
  for (const s of samples) {
    if (s.timestampMs <= fromMs || s.timestampMs > toMs + kToleranceMs) continue;
    const e = byPod.get(s.pod) ?? {};
    if (!e.during || s.timestampMs > e.during.timestampMs) e.during = s;
    if (s.timestampMs - s.windowMs >= fromMs - kToleranceMs) {
      if (!e.inside || s.timestampMs > e.inside.timestampMs) e.inside = s;
    }
    byPod.set(s.pod, e);
  }
  if (byPod.size === 0) return { cores: null, pods: 0, covered: false };
  let cores = 0;
  let covered = true;
  for (const e of byPod.values()) {
    const pick = e.inside ?? e.during;
    if (!e.inside) covered = false;
    cores += pick?.cores ?? 0;
  }
  return { cores, pods: byPod.size, covered };
}
