/**
 * Version views over one storage: autoscaling/v1 HPAs over stored autoscaling/v2 objects, and
 * events.k8s.io/v1 Events over stored core/v1 Events. Like upstream, fields a view cannot express
 * ride along in annotations so a v1 round trip does not lose v2 data.
 */
import type { ResourceView } from './registry.ts';
import type { KubeObject } from './types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

const kMetricsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
const kBehaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';
const kConditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';
const kCurrentMetricsAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';

function isCpuUtilization(m: any): boolean {
  return m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';
}

function withoutKeys(
  map: Record<string, string> | undefined,
  keys: string[],
): Record<string, string> | undefined {
  if (!map) return undefined;
  const out = { ...map };
  for (const k of keys) delete out[k];
  return Object.keys(out).length ? out : undefined;
}

function parseJson(text: string | undefined): any {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const hpaV1View: ResourceView = {
  fromStorage(obj) {
    const spec = obj.spec ?? {};
    const status = obj.status ?? {};
    const metrics: any[] = spec.metrics ?? [];
    const cpu = metrics.find(isCpuUtilization);
    const others = metrics.filter((m) => m !== cpu);
    const annotations: Record<string, string> = { ...(obj.metadata.annotations ?? {}) };
    if (others.length) annotations[kMetricsAnnotation] = JSON.stringify(others);
    if (spec.behavior) annotations[kBehaviorAnnotation] = JSON.stringify(spec.behavior);
    if (status.conditions?.length) annotations[kConditionsAnnotation] = JSON.stringify(status.conditions);
    const curCpu = (status.currentMetrics ?? []).find(
      (m: any) => m.type === 'Resource' && m.resource?.name === 'cpu',
    );
    const otherCurrent = (status.currentMetrics ?? []).filter((m: any) => m !== curCpu);
    if (otherCurrent.length) annotations[kCurrentMetricsAnnotation] = JSON.stringify(otherCurrent);
    return {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { ...obj.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) },
      spec: {
        scaleTargetRef: spec.scaleTargetRef,
        ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
        maxReplicas: spec.maxReplicas,
        ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource.target.averageUtilization } : {}),
      },
      status: {
        ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
        ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
        currentReplicas: status.currentReplicas ?? 0,
        desiredReplicas: status.desiredReplicas ?? 0,
        ...(curCpu?.resource?.current?.averageUtilization !== undefined
          ? { currentCPUUtilizationPercentage: curCpu.resource.current.averageUtilization }
          : {}),
      },
    };
  },
  toStorage(obj) {
    const spec = obj.spec ?? {};
    const status = obj.status ?? {};
    const ann = obj.metadata.annotations ?? {};
    const metrics: any[] = [];
    if (spec.targetCPUUtilizationPercentage !== undefined) {
      metrics.push({
        type: 'Resource',
        resource: {
          name: 'cpu',
          target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage },
        },
      });
    }
    metrics.push(...(parseJson(ann[kMetricsAnnotation]) ?? []));
    const currentMetrics: any[] = [];
    if (status.currentCPUUtilizationPercentage !== undefined) {
      currentMetrics.push({
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } },
      });
    }
    currentMetrics.push(...(parseJson(ann[kCurrentMetricsAnnotation]) ?? []));
    const behavior = parseJson(ann[kBehaviorAnnotation]);
    const conditions = parseJson(ann[kConditionsAnnotation]);
    const annotations = withoutKeys(ann, [
      kMetricsAnnotation,
      kBehaviorAnnotation,
      kConditionsAnnotation,
      kCurrentMetricsAnnotation,
    ]);
    const metadata = { ...obj.metadata };
    if (annotations) metadata.annotations = annotations;
    else delete metadata.annotations;
    return {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata,
      spec: {
        scaleTargetRef: spec.scaleTargetRef,
        ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
        maxReplicas: spec.maxReplicas,
        ...(metrics.length ? { metrics } : {}),
        ...(behavior ? { behavior } : {}),
      },
      status: {
        ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
        ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
        currentReplicas: status.currentReplicas ?? 0,
        desiredReplicas: status.desiredReplicas ?? 0,
        ...(currentMetrics.length ? { currentMetrics } : {}),
        ...(conditions ? { conditions } : {}),
      },
    };
  },
};

function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

export const eventsV1View: ResourceView = {
  fromStorage(e) {
    return defined({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: e.metadata,
      eventTime: e.eventTime ?? null,
      series: e.series,
      reportingController: e.reportingComponent,
      reportingInstance: e.reportingInstance,
      action: e.action,
      reason: e.reason,
      regarding: e.involvedObject,
      related: e.related,
      note: e.message,
      type: e.type,
      deprecatedSource: e.source,
      deprecatedFirstTimestamp: e.firstTimestamp,
      deprecatedLastTimestamp: e.lastTimestamp,
      deprecatedCount: e.count,
    }) as unknown as KubeObject;
  },
  toStorage(e) {
    return defined({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: e.metadata,
      eventTime: e.eventTime ?? undefined,
      series: e.series,
      reportingComponent: e.reportingController,
      reportingInstance: e.reportingInstance,
      action: e.action,
      reason: e.reason,
      involvedObject: e.regarding ?? {},
      related: e.related,
      message: e.note,
      type: e.type,
      source:
        e.deprecatedSource ?? (e.reportingController ? { component: e.reportingController } : undefined),
      firstTimestamp: e.deprecatedFirstTimestamp,
      lastTimestamp: e.deprecatedLastTimestamp,
      count: e.deprecatedCount,
    }) as unknown as KubeObject;
  },
  fieldAliases: {
    'regarding.kind': 'involvedObject.kind',
    'regarding.namespace': 'involvedObject.namespace',
    'regarding.name': 'involvedObject.name',
    'regarding.uid': 'involvedObject.uid',
    'regarding.apiVersion': 'involvedObject.apiVersion',
    'regarding.resourceVersion': 'involvedObject.resourceVersion',
    'regarding.fieldPath': 'involvedObject.fieldPath',
    reportingController: 'reportingComponent',
    deprecatedSource: 'source',
  },
};
