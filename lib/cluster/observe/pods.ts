/**
 * The target's pods: creation, Ready transitions, the start of termination (deletionTimestamp),
 * removal, and DisruptionTarget conditions (evictions). `pods.ready` per zone counts pods that
 * are Ready and not terminating: the ones a Service routes to.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ReflectorChange } from '../reflector.ts';
import { objectRef, type GaugeSample } from '../timeline.ts';
import type { EvictionLog, TrackerContext } from './context.ts';

/** Zone label for pods whose node is unknown (unscheduled, or the node was not seen). */
export const kUnknownZone = 'unknown';

export interface PodState {
  name: string;
  uid: string;
  node: string | undefined;
  phase: string;
  ready: boolean;
  terminating: boolean;
  /** A DisruptionTarget=True condition: the pod is being evicted or preempted. */
  disrupted: boolean;
}

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

function disruptionOf(pod: V1Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
}

function podState(pod: V1Pod): PodState {
  return {
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    node: pod.spec?.nodeName || undefined,
    phase: pod.status?.phase ?? 'Unknown',
    ready: isPodReady(pod),
    terminating: pod.metadata?.deletionTimestamp != null,
    disrupted: disruptionOf(pod) !== undefined,
  };
}

export class PodTracker {
  private readonly pods = new Map<string, PodState>();
  constructor(
    private readonly ctx: TrackerContext,
    private readonly namespace: string,
    private readonly zoneOf: (node: string | undefined) => string | undefined,
    private readonly evictions: EvictionLog,
  ) {}

  list(): Array<PodState & { zone: string }> {
    return [...this.pods.values()].map((p) => ({ ...p, zone: this.zone(p) }));
  }

  private zone(p: PodState): string {
    return this.zoneOf(p.node) ?? kUnknownZone;
  }

  apply(change: ReflectorChange<V1Pod>): void {
    const now = podState(change.object);
    const before = this.pods.get(now.name);
    if (change.type === 'deleted') this.pods.delete(now.name);
    else this.pods.set(now.name, now);
    if (change.initial) return;
    const t = this.ctx.now();
    const object = objectRef('Pod', this.namespace, now.name);
    const where = () => ({ node: now.node ?? null, zone: this.zone(now) });
    const at = () => (now.node ? ` on ${now.node} (${this.zone(now)})` : '');

    if (change.type === 'deleted') {
      this.ctx.emit({
        t,
        kind: 'pod-deleted',
        object,
        message: `pod ${now.name} deleted${at()}`,
        detail: { ...where(), wasReady: before?.ready ?? now.ready, graceful: now.terminating },
      });
      return;
    }
    // A pod replaced under the same name (StatefulSet) is a new pod.
    const fresh = !before || before.uid !== now.uid;
    if (fresh) {
      this.ctx.emit({
        t,
        kind: 'pod-created',
        object,
        message: `pod ${now.name} created${at()}`,
        detail: { ...where(), phase: now.phase },
      });
    }
    if (now.ready !== (fresh ? false : before.ready)) {
      const cond = change.object.status?.conditions?.find((c) => c.type === 'Ready');
      this.ctx.emit({
        t,
        kind: now.ready ? 'pod-ready' : 'pod-not-ready',
        object,
        message: `pod ${now.name} ${now.ready ? 'became ready' : 'is not ready'}${at()}`,
        detail: {
          ...where(),
          terminating: now.terminating,
          ...(cond?.reason ? { reason: cond.reason } : {}),
        },
      });
    }
    if (now.terminating && (fresh || !before.terminating)) {
      const meta = change.object.metadata;
      this.ctx.emit({
        t,
        kind: 'pod-terminating',
        object,
        message: `pod ${now.name} terminating${at()}`,
        detail: {
          ...where(),
          wasReady: now.ready,
          gracePeriodSeconds: meta?.deletionGracePeriodSeconds ?? null,
        },
      });
    }
    const disruption = disruptionOf(change.object);
    if (disruption && (fresh || !before.disrupted)) {
      this.evictions.record(
        { namespace: this.namespace, name: now.name },
        `pod ${now.name} disrupted${at()}: ${disruption.reason ?? 'DisruptionTarget'}`,
        {
          ...where(),
          source: 'DisruptionTarget',
          ...(disruption.reason ? { reason: disruption.reason } : {}),
          ...(disruption.message ? { conditionMessage: disruption.message } : {}),
        },
      );
    }
  }

  gauges(zones: readonly string[]): GaugeSample[] {
    const perZone = new Map<string, number>(zones.map((z) => [z, 0]));
    for (const p of this.pods.values()) {
      const zone = this.zone(p);
      const ready = p.ready && !p.terminating ? 1 : 0;
      if (ready || perZone.has(zone)) perZone.set(zone, (perZone.get(zone) ?? 0) + ready);
    }
    return [...perZone].map(([zone, value]) => ({ name: 'pods.ready', labels: { zone }, value }));
  }
}
