/** What every tracker needs: the run clock and a sink for timeline events. */
import type { ClusterEvent } from '../timeline.ts';

export interface TrackerContext {
  /** Seconds since the run start. */
  now(): number;
  emit(event: ClusterEvent): void;
}

/** Reports of one eviction arrive within this many seconds of each other. */
const kEvictionDedupS = 120;

/**
 * Evictions are reported by several sources (a pod's DisruptionTarget condition, an `Evicted`
 * or `TaintManagerEviction` Event); the timeline gets one eviction per pod, from the first.
 * Keyed by name (Events may lack the uid) within a window, so a later pod that reuses the name
 * (StatefulSet) can be evicted again.
 */
export class EvictionLog {
  private readonly seen = new Map<string, number>();
  constructor(private readonly ctx: TrackerContext) {}

  record(pod: { namespace: string; name: string }, message: string, detail: Record<string, unknown>): void {
    const key = `${pod.namespace}/${pod.name}`;
    const t = this.ctx.now();
    const last = this.seen.get(key);
    if (last !== undefined && t - last < kEvictionDedupS) return;
    this.seen.set(key, t);
    this.ctx.emit({
      t,
      kind: 'eviction',
      object: `Pod/${pod.namespace}/${pod.name}`,
      message,
      detail,
    });
  }
}
