/**
 * One HPA's metric evaluation (upstream `computeReplicasForMetrics` and the resource branch of
 * `computeReplicasForMetric`): fetches per-pod samples from the usage source, runs the replica
 * calculator for every metric spec, and reports the proposal, the `currentMetrics` entries and the
 * ScalingActive condition. Only per-pod resource metrics (cpu, memory) have a source here; the other
 * metric types fail the way they do on a cluster without a custom/external metrics adapter.
 */
import type { KubeObject, StoredObject } from '../../store/types.ts';
import type { EventRecorder } from '../events.ts';
import { formatMilliQuantity, isQuantity, milliValue } from './quantity.ts';
import {
  getRawResourceReplicas,
  getResourceReplicas,
  MetricCalculationError,
  type CalculatorOptions,
  type PodMetrics,
} from './replicas.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** One usage sample of a pod; `timestamp` defaults to now and `windowMs` to 15 s (metrics-server's resolution). */
export interface HpaPodSample {
  cpuMillicores: number;
  memoryBytes?: number;
  timestamp?: Date | number;
  windowMs?: number;
}

export type PodUsageSource = (pod: StoredObject) => HpaPodSample | undefined;

export interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface MetricsContext {
  hpa: KubeObject;
  pods: readonly StoredObject[];
  podUsage: PodUsageSource;
  calculator: CalculatorOptions;
  recorder: EventRecorder;
  setCondition(c: Condition): void;
}

export interface MetricsResult {
  /** -1 when no replica count could be computed. */
  replicas: number;
  metric: string;
  statuses: any[];
  error?: string;
}

const kDefaultWindowMs = 15_000;

function fail(message: string): never {
  throw new MetricCalculationError(message);
}

/** The metrics API's answer for the selected pods: only pods with a sample appear. */
function fetchResourceMetrics(ctx: MetricsContext, resource: string): PodMetrics {
  const out: PodMetrics = new Map();
  for (const pod of ctx.pods) {
    let sample: HpaPodSample | undefined;
    try {
      sample = ctx.podUsage(pod);
    } catch (err) {
      fail(
        `unable to fetch metrics from resource metrics API: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (!sample) continue;
    const raw =
      resource === 'cpu' ? sample.cpuMillicores : resource === 'memory' ? sample.memoryBytes : undefined;
    if (typeof raw !== 'number' || !Number.isFinite(raw)) continue;
    const ts = sample.timestamp;
    out.set(pod.metadata.name, {
      // Quantity.MilliValue() rounds up; memory is kept in milli-bytes like upstream.
      value: resource === 'cpu' ? Math.ceil(raw - 1e-9) : Math.ceil(raw * 1000 - 1e-6),
      timestamp: ts instanceof Date ? ts.getTime() : typeof ts === 'number' ? ts : ctx.calculator.now,
      windowMs: sample.windowMs ?? kDefaultWindowMs,
    });
  }
  if (!out.size) fail('no metrics returned from resource metrics API');
  return out;
}

interface Proposal {
  replicas: number;
  metric: string;
  status: any;
}

/** Records the Warning event and returns the ScalingActive=False condition for a failed metric. */
function unableToCompute(ctx: MetricsContext, reason: string, err: string): Condition {
  ctx.recorder.record(ctx.hpa, 'Warning', reason, err);
  return {
    type: 'ScalingActive',
    status: 'False',
    reason,
    message: `the HPA was unable to compute the replica count: ${err}`,
  };
}

class MetricFailure extends Error {
  constructor(
    message: string,
    readonly condition: Condition,
  ) {
    super(message);
  }
}

/** Prefixes a calculation error the way each upstream layer wraps it; other errors pass untouched. */
function wrapped(err: unknown, prefix: string): unknown {
  return err instanceof MetricCalculationError ? new MetricCalculationError(`${prefix}${err.message}`) : err;
}

function fetchFor(ctx: MetricsContext, resource: string): PodMetrics {
  try {
    return fetchResourceMetrics(ctx, resource);
  } catch (err) {
    throw wrapped(err, `unable to get metrics for resource ${resource}: `);
  }
}

function averageValueProposal(
  ctx: MetricsContext,
  resource: string,
  target: any,
  specReplicas: number,
): Proposal {
  try {
    if (!isQuantity(target.averageValue))
      fail(`invalid averageValue "${String(target.averageValue)}": must be a quantity such as 500m`);
    const p = getRawResourceReplicas(
      specReplicas,
      milliValue(target.averageValue),
      resource,
      ctx.pods,
      fetchFor(ctx, resource),
      ctx.calculator,
    );
    return {
      replicas: p.replicas,
      metric: `${resource} resource`,
      status: {
        type: 'Resource',
        resource: { name: resource, current: { averageValue: formatMilliQuantity(p.usage) } },
      },
    };
  } catch (err) {
    throw wrapped(err, `failed to get ${resource} usage: `);
  }
}

function utilizationProposal(
  ctx: MetricsContext,
  resource: string,
  target: any,
  specReplicas: number,
): Proposal {
  if (target.averageUtilization === undefined || target.averageUtilization === null)
    fail(
      'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set',
    );
  try {
    const p = getResourceReplicas(
      specReplicas,
      Number(target.averageUtilization),
      resource,
      ctx.pods,
      fetchFor(ctx, resource),
      ctx.calculator,
    );
    return {
      replicas: p.replicas,
      metric: `${resource} resource utilization (percentage of request)`,
      status: {
        type: 'Resource',
        resource: {
          name: resource,
          current: { averageUtilization: p.utilization, averageValue: formatMilliQuantity(p.rawAverage) },
        },
      },
    };
  } catch (err) {
    throw wrapped(err, `failed to get ${resource} utilization: `);
  }
}

function resourceProposal(ctx: MetricsContext, spec: any, specReplicas: number): Proposal {
  const resource = String(spec.resource?.name ?? '');
  const target = spec.resource?.target ?? {};
  try {
    return target.averageValue !== undefined && target.averageValue !== null
      ? averageValueProposal(ctx, resource, target, specReplicas)
      : utilizationProposal(ctx, resource, target, specReplicas);
  } catch (err) {
    if (!(err instanceof MetricCalculationError)) throw err;
    const condition = unableToCompute(ctx, 'FailedGetResourceMetric', err.message);
    throw new MetricFailure(`failed to get ${resource} resource metric value: ${err.message}`, condition);
  }
}

const kNoCustomMetrics =
  'unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered';
const kNoExternalMetrics =
  'unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered';

/** Metric types without a source in the local cluster fail like a cluster without the adapter. */
function unsupported(ctx: MetricsContext, spec: any): never {
  const type = String(spec?.type ?? '');
  let reason: string;
  let inner: string;
  let outer: string;
  switch (type) {
    case 'Pods':
      reason = 'FailedGetPodsMetric';
      inner = `unable to get metric ${spec.pods?.metric?.name}: ${kNoCustomMetrics}`;
      outer = `failed to get pods metric value: ${inner}`;
      break;
    case 'Object':
      reason = 'FailedGetObjectMetric';
      inner = `unable to get metric ${spec.object?.metric?.name}: ${kNoCustomMetrics}`;
      outer = `failed to get object metric value: ${inner}`;
      break;
    case 'External':
      reason = 'FailedGetExternalMetric';
      inner = `unable to get external metric ${ctx.hpa.metadata.namespace}/${spec.external?.metric?.name}: ${kNoExternalMetrics}`;
      outer = `failed to get ${spec.external?.metric?.name} external metric value: ${inner}`;
      break;
    case 'ContainerResource':
      reason = 'FailedGetContainerResourceMetric';
      inner = `failed to get ${spec.containerResource?.name} utilization: unable to get metrics for resource ${spec.containerResource?.name}: container metrics are not served by the local cluster's usage source`;
      outer = `failed to get ${spec.containerResource?.container} container metric value: ${inner}`;
      break;
    default:
      reason = 'InvalidMetricSourceType';
      inner = `unknown metric source type "${type}"`;
      outer = inner;
  }
  throw new MetricFailure(outer, unableToCompute(ctx, reason, inner));
}

/** The largest proposal over all metric specs; a partial failure still scales up but never down. */
export function computeReplicasForMetrics(
  ctx: MetricsContext,
  specReplicas: number,
  metricSpecs: readonly any[],
): MetricsResult {
  const statuses: any[] = metricSpecs.map(() => ({ type: '' }));
  let replicas = 0;
  let metric = '';
  let invalid = 0;
  let firstError: MetricFailure | undefined;
  metricSpecs.forEach((spec, i) => {
    try {
      const p =
        spec?.type === 'Resource' && (spec.resource?.name === 'cpu' || spec.resource?.name === 'memory')
          ? resourceProposal(ctx, spec, specReplicas)
          : unsupported(ctx, spec);
      statuses[i] = p.status;
      if (replicas === 0 || p.replicas > replicas) {
        replicas = p.replicas;
        metric = p.metric;
      }
    } catch (err) {
      if (!(err instanceof MetricFailure)) throw err;
      if (!firstError) firstError = err;
      invalid++;
    }
  });
  const error = firstError
    ? `invalid metrics (${invalid} invalid out of ${metricSpecs.length}), first error is: ${firstError.message}`
    : undefined;
  if (firstError && (invalid >= metricSpecs.length || replicas < specReplicas)) {
    ctx.setCondition(firstError.condition);
    return { replicas: -1, metric: '', statuses, error };
  }
  ctx.setCondition({
    type: 'ScalingActive',
    status: 'True',
    reason: 'ValidMetricFound',
    message: `the HPA was able to successfully calculate a replica count from ${metric}`,
  });
  return { replicas, metric, statuses, ...(error ? { error } : {}) };
}
