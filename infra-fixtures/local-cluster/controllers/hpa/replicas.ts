/**
 * The replica calculator of the HPA (upstream replica_calculator.go + metrics/utilization.go) for
 * per-pod resource metrics: utilization against requests (`GetResourceReplicas`) and raw average
 * values (`GetRawResourceReplicas`). Pure: pods and samples go in, a proposal comes out; errors
 * carry upstream's messages because they end up in events and conditions.
 *
 * Integer maths follows the Go code (int64 division truncates), so borderline ratios round the same
 * way the real controller rounds them.
 */
import type { KubeObject } from '../../store/types.ts';
import { milliValue } from './quantity.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface PodMetric {
  /** Usage in milli-units (millicores for cpu, milli-bytes for memory), like `Quantity.MilliValue()`. */
  value: number;
  /** When the sample was taken (epoch ms). */
  timestamp: number;
  /** The sampling window the value covers (ms). */
  windowMs: number;
}

/** Samples keyed by pod name, as the metrics client returns them. */
export type PodMetrics = Map<string, PodMetric>;

export interface CalculatorOptions {
  tolerance: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
  now: number;
}

export class MetricCalculationError extends Error {}

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

function condition(pod: KubeObject, type: string): any | undefined {
  return ((pod.status?.conditions ?? []) as any[]).find((c) => c?.type === type);
}

function timeMs(value: unknown): number {
  const t = Date.parse(typeof value === 'string' ? value : '');
  return Number.isFinite(t) ? t : 0;
}

/**
 * Deleted and failed pods are ignored; pending pods and (for cpu) pods still warming up are
 * "unready"; pods without a sample are "missing". Everything else counts as ready.
 */
export function groupPods(
  pods: readonly KubeObject[],
  metrics: PodMetrics,
  resource: string,
  options: CalculatorOptions,
): PodGroups {
  const groups: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp || phase === 'Failed') {
      groups.ignored.add(name);
      continue;
    }
    if (phase === 'Pending') {
      groups.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      groups.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = condition(pod, 'Ready');
      const startTime = pod.status?.startTime;
      let unready: boolean;
      if (!ready || !startTime) unready = true;
      else {
        const start = timeMs(startTime);
        const transition = timeMs(ready.lastTransitionTime);
        if (start + options.cpuInitializationPeriodMs > options.now) {
          // Still initialising: a sample must cover a full window after the last readiness change.
          unready = ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
        } else {
          // Unready and never been ready since its initial readiness delay.
          unready = ready.status === 'False' && start + options.initialReadinessDelayMs > transition;
        }
      }
      if (unready) {
        groups.unready.add(name);
        continue;
      }
    }
    groups.readyPodCount++;
  }
  return groups;
}

/** Σ container requests (regular containers plus restartable init containers) per pod, in milli-units. */
export function calculateRequests(pods: readonly KubeObject[], resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const containers: any[] = [
      ...(pod.spec?.containers ?? []),
      ...((pod.spec?.initContainers ?? []) as any[]).filter((c) => c?.restartPolicy === 'Always'),
    ];
    let sum = 0;
    for (const c of containers) {
      const request = c?.resources?.requests?.[resource];
      if (request === undefined || request === null)
        throw new MetricCalculationError(
          `missing request for ${resource} in container ${c?.name} of Pod ${pod.metadata.name}`,
        );
      sum += milliValue(request);
    }
    out.set(pod.metadata.name ?? '', sum);
  }
  return out;
}

export interface UtilizationRatio {
  ratio: number;
  /** Whole percent of requests, truncated like upstream's int32 conversion. */
  utilization: number;
  /** Average usage per counted pod, milli-units. */
  rawAverage: number;
}

export function resourceUtilizationRatio(
  metrics: PodMetrics,
  requests: Map<string, number>,
  targetUtilization: number,
): UtilizationRatio {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [pod, metric] of metrics) {
    const request = requests.get(pod);
    // A sample without a request is an extraneous metric; missing requests fail earlier.
    if (request === undefined) continue;
    metricsTotal += metric.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new MetricCalculationError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return {
    ratio: utilization / targetUtilization,
    utilization,
    rawAverage: Math.trunc(metricsTotal / entries),
  };
}

export function metricUsageRatio(metrics: PodMetrics, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

function withinTolerance(ratio: number, tolerance: number): boolean {
  return 1.0 - tolerance <= ratio && ratio <= 1.0 + tolerance;
}

function removeAll(metrics: PodMetrics, names: Set<string>): void {
  for (const n of names) metrics.delete(n);
}

/** A stand-in sample for a pod whose usage is assumed rather than measured. */
function assumed(value: number): PodMetric {
  return { value, timestamp: 0, windowMs: 0 };
}

export interface ResourceProposal {
  replicas: number;
  utilization: number;
  rawAverage: number;
}

/** The samples the calculation may use: those of ready, non-ignored pods; throws when none is left. */
function usableMetrics(
  resource: string,
  pods: readonly KubeObject[],
  fetched: PodMetrics,
  options: CalculatorOptions,
): { metrics: PodMetrics; groups: ReturnType<typeof groupPods> } {
  if (!pods.length)
    throw new MetricCalculationError('no pods returned by selector while calculating replica count');
  const metrics: PodMetrics = new Map(fetched);
  const groups = groupPods(pods, metrics, resource, options);
  removeAll(metrics, groups.ignored);
  removeAll(metrics, groups.unready);
  if (!metrics.size)
    throw new MetricCalculationError('did not receive metrics for targeted pods (pods might be unready)');
  return { metrics, groups };
}

/** Desired replicas for a `Utilization` target (percent of requests). */
export function getResourceReplicas(
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  pods: readonly KubeObject[],
  fetched: PodMetrics,
  options: CalculatorOptions,
): ResourceProposal {
  const { metrics, groups } = usableMetrics(resource, pods, fetched, options);
  const requests = calculateRequests(pods, resource);
  const { ratio, utilization, rawAverage } = resourceUtilizationRatio(metrics, requests, targetUtilization);
  const keep = { replicas: currentReplicas, utilization, rawAverage };

  const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1.0;
  if (!scaleUpWithUnready && !groups.missing.size) {
    if (withinTolerance(ratio, options.tolerance)) return keep;
    return { replicas: Math.ceil(ratio * groups.readyPodCount), utilization, rawAverage };
  }
  if (groups.missing.size) {
    if (ratio < 1.0) {
      // Scale-down: a pod without a sample is assumed to use its whole request (or the target, if higher).
      const fallback = Math.max(100, targetUtilization);
      for (const name of groups.missing)
        metrics.set(name, assumed(Math.trunc(((requests.get(name) ?? 0) * fallback) / 100)));
    } else if (ratio > 1.0) {
      for (const name of groups.missing) metrics.set(name, assumed(0));
    }
  }
  if (scaleUpWithUnready) for (const name of groups.unready) metrics.set(name, assumed(0));

  const next = resourceUtilizationRatio(metrics, requests, targetUtilization).ratio;
  if (withinTolerance(next, options.tolerance) || (ratio < 1.0 && next > 1.0) || (ratio > 1.0 && next < 1.0))
    return keep;
  const replicas = Math.ceil(next * metrics.size);
  // A changed pod count must not flip the direction the ratio points to.
  if ((next < 1.0 && replicas > currentReplicas) || (next > 1.0 && replicas < currentReplicas)) return keep;
  return { replicas, utilization, rawAverage };
}

export interface RawProposal {
  replicas: number;
  /** Average usage per pod, milli-units. */
  usage: number;
}

/** Desired replicas for an `AverageValue` target on a resource (`calcPlainMetricReplicas`). */
export function getRawResourceReplicas(
  currentReplicas: number,
  targetUsage: number,
  resource: string,
  pods: readonly KubeObject[],
  fetched: PodMetrics,
  options: CalculatorOptions,
): RawProposal {
  const { metrics, groups } = usableMetrics(resource, pods, fetched, options);
  const { ratio, usage } = metricUsageRatio(metrics, targetUsage);
  const keep = { replicas: currentReplicas, usage };

  const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1.0;
  if (!scaleUpWithUnready && !groups.missing.size) {
    if (withinTolerance(ratio, options.tolerance)) return keep;
    return { replicas: Math.ceil(ratio * groups.readyPodCount), usage };
  }
  if (groups.missing.size) {
    if (ratio < 1.0) {
      // Scale-down: a pod without a sample is assumed to sit exactly at the target.
      for (const name of groups.missing) metrics.set(name, assumed(targetUsage));
    } else if (ratio > 1.0) {
      for (const name of groups.missing) metrics.set(name, assumed(0));
    }
  }
  if (scaleUpWithUnready) for (const name of groups.unready) metrics.set(name, assumed(0));

  const next = metricUsageRatio(metrics, targetUsage).ratio;
  if (withinTolerance(next, options.tolerance) || (ratio < 1.0 && next > 1.0) || (ratio > 1.0 && next < 1.0))
    return keep;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1.0 && replicas > currentReplicas) || (next > 1.0 && replicas < currentReplicas)) return keep;
  return { replicas, usage };
}
