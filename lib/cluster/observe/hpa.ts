/**
 * The HorizontalPodAutoscaler (autoscaling/v2): current and desired replicas and the current CPU
 * utilization, and a rescale event whenever the desired count changes.
 */
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { ReflectorChange } from '../reflector.ts';
import { objectRef, type GaugeSample } from '../timeline.ts';
import type { TrackerContext } from './context.ts';

export interface HpaState {
  name: string;
  current: number;
  desired: number;
  /** Average CPU utilization in percent of requests; undefined until the HPA has a metric. */
  cpu: number | undefined;
  min: number;
  max: number;
}

/** CPU utilization from a Resource or ContainerResource metric, whichever the HPA reports first. */
export function hpaCpu(hpa: V2HorizontalPodAutoscaler): number | undefined {
  for (const m of hpa.status?.currentMetrics ?? []) {
    const metric =
      m.type === 'Resource' ? m.resource : m.type === 'ContainerResource' ? m.containerResource : undefined;
    if (metric?.name === 'cpu' && typeof metric.current?.averageUtilization === 'number') {
      return metric.current.averageUtilization;
    }
  }
  return undefined;
}

function hpaState(hpa: V2HorizontalPodAutoscaler): HpaState {
  return {
    name: hpa.metadata?.name ?? '',
    current: hpa.status?.currentReplicas ?? 0,
    desired: hpa.status?.desiredReplicas ?? 0,
    cpu: hpaCpu(hpa),
    min: hpa.spec?.minReplicas ?? 1,
    max: hpa.spec?.maxReplicas ?? 0,
  };
}

export class HpaTracker {
  private current: HpaState | undefined;
  constructor(
    private readonly ctx: TrackerContext,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  state(): HpaState | undefined {
    return this.current;
  }

  apply(change: ReflectorChange<V2HorizontalPodAutoscaler>): void {
    if (change.object.metadata?.name !== this.name) return;
    const before = this.current;
    const now = hpaState(change.object);
    this.current = change.type === 'deleted' ? undefined : now;
    // desiredReplicas is 0 until the HPA's first reconcile with a metric; 0 → N is not a rescale.
    if (change.initial || change.type === 'deleted' || !before || before.desired === now.desired) return;
    if (before.desired === 0) return;
    this.ctx.emit({
      t: this.ctx.now(),
      kind: 'hpa-rescale',
      object: objectRef('HorizontalPodAutoscaler', this.namespace, this.name),
      message: `HPA ${this.name} desired replicas ${before.desired} → ${now.desired}${now.cpu === undefined ? '' : ` (cpu ${now.cpu}%)`}`,
      detail: { from: before.desired, to: now.desired, current: now.current, cpu: now.cpu ?? null },
    });
  }

  gauges(): GaugeSample[] {
    const s = this.current;
    if (!s) return [];
    const labels = { hpa: this.name };
    const out: GaugeSample[] = [{ name: 'hpa.current', labels, value: s.current }];
    // Not yet computed (0, below any minReplicas): leave the gauge out rather than report a rise from 0.
    if (s.desired > 0) out.push({ name: 'hpa.desired', labels, value: s.desired });
    if (s.cpu !== undefined) out.push({ name: 'hpa.cpu', labels, value: s.cpu });
    return out;
  }
}
