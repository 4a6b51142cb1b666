/**
 * The horizontal-pod-autoscaler controller (upstream horizontal.go `reconcileAutoscaler`): every
 * sync period, and when an HPA is created or its spec changes, it reads the target's scale, asks
 * the replica calculator for a proposal, stabilizes and rate-limits it, writes the new
 * `spec.replicas` and the HPA status, and records the same events kubectl describe shows upstream.
 *
 * Reconciles run one at a time on a promise chain: a reconcile is synchronous store work, and the
 * per-HPA history (recommendations, scale events) must see syncs in order.
 */
import { ApiError } from '../../store/errors.ts';
import { clone, jsonEqual } from '../../store/json.ts';
import type { Store } from '../../store/store.ts';
import type { KubeObject, StoredObject } from '../../store/types.ts';
import { rfc3339 } from '../../store/util.ts';
import { createEventRecorder, type EventRecorder } from '../events.ts';
import {
  newHistory,
  normalizeDesiredReplicas,
  recordInitialRecommendation,
  recordScaleEvent,
  type AutoscalerHistory,
} from './behavior.ts';
import { computeReplicasForMetrics, type Condition, type PodUsageSource } from './metrics.ts';
import { getScaleTarget, hpasSelecting, ScaleTargetError, selectPods, type ScaleTarget } from './target.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface HpaSettings {
  podUsage: PodUsageSource;
  tolerance: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
  downscaleStabilizationWindowMs: number;
  now: () => number;
}

/** Upstream `setConditionInList`: lastTransitionTime moves only when the status changes. */
function setCondition(hpa: KubeObject, c: Condition, nowIso: string): void {
  const list: any[] = (hpa.status.conditions ??= []);
  let existing = list.find((x) => x.type === c.type);
  if (!existing) list.push((existing = { type: c.type }));
  if (existing.status !== c.status) existing.lastTransitionTime = nowIso;
  existing.status = c.status;
  existing.reason = c.reason;
  existing.message = c.message;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Reconciles one HPA per call; keeps the per-HPA history upstream keeps in memory. */
export function createHpaReconciler(store: Store, settings: HpaSettings, recorder?: EventRecorder) {
  const events = recorder ?? createEventRecorder(store, 'horizontal-pod-autoscaler');
  const histories = new Map<string, AutoscalerHistory>();

  function writeStatus(hpa: KubeObject, original: unknown): void {
    if (jsonEqual(original, hpa.status)) return;
    try {
      store.mutate(
        'horizontalpodautoscalers',
        hpa.metadata.namespace,
        hpa.metadata.name ?? '',
        (d) => {
          d.status = hpa.status;
        },
        { subresource: 'status' },
      );
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      events.record(hpa, 'Warning', 'FailedUpdateStatus', message(err));
      throw err;
    }
  }

  function setStatus(
    hpa: KubeObject,
    currentReplicas: number,
    desiredReplicas: number,
    metrics: any[] | undefined,
    rescale: boolean,
    nowIso: string,
  ): void {
    const old = hpa.status ?? {};
    hpa.status = clone({
      currentReplicas,
      desiredReplicas,
      lastScaleTime: rescale ? nowIso : old.lastScaleTime,
      currentMetrics: metrics?.length ? metrics : undefined,
      conditions: old.conditions,
    });
  }

  function reconcile(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const stored = store.tryGet('horizontalpodautoscalers', namespace, name);
    if (!stored) {
      histories.delete(key);
      return;
    }
    const hpa = clone(stored) as KubeObject;
    hpa.status ??= {};
    const original = clone(stored.status ?? {});
    const nowMs = settings.now();
    const nowIso = rfc3339(new Date(nowMs));
    const condition = (c: Condition) => setCondition(hpa, c, nowIso);
    const spec = hpa.spec ?? {};

    let target: ScaleTarget;
    try {
      target = getScaleTarget(store, namespace, spec.scaleTargetRef);
    } catch (err) {
      if (!(err instanceof ScaleTargetError)) throw err;
      events.record(hpa, 'Warning', 'FailedGetScale', err.message);
      condition({
        type: 'AbleToScale',
        status: 'False',
        reason: 'FailedGetScale',
        message: `the HPA controller was unable to get the target's current scale: ${err.message}`,
      });
      writeStatus(hpa, original);
      return;
    }
    condition({
      type: 'AbleToScale',
      status: 'True',
      reason: 'SucceededGetScale',
      message: "the HPA controller was able to get the target's current scale",
    });
    const currentReplicas = target.replicas;
    let history = histories.get(key);
    if (!history) histories.set(key, (history = newHistory()));
    recordInitialRecommendation(history, currentReplicas, nowMs);

    const minReplicas = Number.isInteger(spec.minReplicas) ? spec.minReplicas : 1;
    const maxReplicas = Number(spec.maxReplicas);
    let desiredReplicas = 0;
    let rescaleReason = '';
    let rescale = true;
    let metricStatuses: any[] | undefined;

    if (currentReplicas === 0 && minReplicas !== 0) {
      desiredReplicas = 0;
      rescale = false;
      condition({
        type: 'ScalingActive',
        status: 'False',
        reason: 'ScalingDisabled',
        message: 'scaling is disabled since the replica count of the target is zero',
      });
    } else if (currentReplicas > maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const selected = validSelectorPods(hpa, target, condition);
      const result =
        'error' in selected
          ? { replicas: -1, metric: '', statuses: undefined, error: selected.error }
          : computeReplicasForMetrics(
              {
                hpa,
                pods: selected.pods,
                podUsage: settings.podUsage,
                calculator: {
                  tolerance: settings.tolerance,
                  cpuInitializationPeriodMs: settings.cpuInitializationPeriodMs,
                  initialReadinessDelayMs: settings.initialReadinessDelayMs,
                  now: nowMs,
                },
                recorder: events,
                setCondition: condition,
              },
              currentReplicas,
              spec.metrics ?? [],
            );
      if (result.replicas === -1) {
        setStatus(
          hpa,
          currentReplicas,
          Number(hpa.status.desiredReplicas ?? 0),
          result.statuses,
          false,
          nowIso,
        );
        writeStatus(hpa, original);
        events.record(hpa, 'Warning', 'FailedComputeMetricsReplicas', result.error ?? '');
        return;
      }
      metricStatuses = result.statuses;
      let rescaleMetric = '';
      if (result.replicas > desiredReplicas) {
        desiredReplicas = result.replicas;
        rescaleMetric = result.metric;
      }
      if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      const normalized = normalizeDesiredReplicas(history, {
        currentReplicas,
        desiredReplicas,
        minReplicas,
        maxReplicas,
        behavior: spec.behavior,
        now: nowMs,
        downscaleStabilizationWindowMs: settings.downscaleStabilizationWindowMs,
      });
      condition({ type: 'AbleToScale', status: 'True', ...normalized.ableToScale });
      condition({ type: 'ScalingLimited', ...normalized.scalingLimited });
      desiredReplicas = normalized.replicas;
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      try {
        store.mutate(target.storage, namespace, target.object.metadata.name, (d) => {
          d.spec = { ...(d.spec ?? {}), replicas: desiredReplicas };
        });
      } catch (err) {
        events.record(
          hpa,
          'Warning',
          'FailedRescale',
          `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${message(err)}`,
        );
        condition({
          type: 'AbleToScale',
          status: 'False',
          reason: 'FailedUpdateScale',
          message: `the HPA controller was unable to update the target scale: ${message(err)}`,
        });
        setStatus(
          hpa,
          currentReplicas,
          Number(hpa.status.desiredReplicas ?? 0),
          metricStatuses,
          false,
          nowIso,
        );
        writeStatus(hpa, original);
        return;
      }
      condition({
        type: 'AbleToScale',
        status: 'True',
        reason: 'SucceededRescale',
        message: `the HPA controller was able to update the target scale to ${desiredReplicas}`,
      });
      events.record(
        hpa,
        'Normal',
        'SuccessfulRescale',
        `New size: ${desiredReplicas}; reason: ${rescaleReason}`,
      );
      recordScaleEvent(
        history,
        spec.behavior,
        currentReplicas,
        desiredReplicas,
        nowMs,
        settings.downscaleStabilizationWindowMs,
      );
    } else desiredReplicas = currentReplicas;

    setStatus(hpa, currentReplicas, desiredReplicas, metricStatuses, rescale, nowIso);
    writeStatus(hpa, original);
  }

  /** Upstream `validateAndParseSelector`: a selector is required and may not be shared by two HPAs. */
  function validSelectorPods(
    hpa: KubeObject,
    target: ScaleTarget,
    condition: (c: Condition) => void,
  ): { pods: StoredObject[] } | { error: string } {
    if (!target.selectorText) {
      events.record(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      condition({
        type: 'ScalingActive',
        status: 'False',
        reason: 'InvalidSelector',
        message: "the HPA target's scale is missing a selector",
      });
      return { error: 'selector is required' };
    }
    const pods = selectPods(store, hpa.metadata.namespace ?? '', target.selector);
    const owners = hpasSelecting(store, hpa, pods);
    if (owners.length > 1) {
      const msg = `pods by selector ${target.selectorText} are controlled by multiple HPAs: [${owners.join(' ')}]`;
      events.record(hpa, 'Warning', 'AmbiguousSelector', msg);
      condition({ type: 'ScalingActive', status: 'False', reason: 'AmbiguousSelector', message: msg });
      return { error: msg };
    }
    return { pods };
  }

  return {
    reconcile,
    forget(namespace: string, name: string): void {
      histories.delete(`${namespace}/${name}`);
    },
  };
}
