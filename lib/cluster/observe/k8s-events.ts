/**
 * Kubernetes Events of the namespace, each occurrence once: a new Event, or a repeat folded into
 * an existing one (its `count` grows). Events that predate the observer are state, not news.
 * Eviction Events (`Evicted` from the kubelet, `TaintManagerEviction` "Marking for deletion"
 * from the node lifecycle controller) also feed the eviction log.
 */
import type { CoreV1Event } from '@kubernetes/client-node';
import type { ReflectorChange } from '../reflector.ts';
import type { EvictionLog, TrackerContext } from './context.ts';

export class K8sEventTracker {
  private readonly counts = new Map<string, number>();
  constructor(
    private readonly ctx: TrackerContext,
    private readonly namespace: string,
    private readonly evictions: EvictionLog,
  ) {}

  apply(change: ReflectorChange<CoreV1Event>): void {
    const e = change.object;
    const key = e.metadata?.uid ?? `${e.metadata?.namespace}/${e.metadata?.name}`;
    if (change.type === 'deleted') {
      this.counts.delete(key);
      return;
    }
    const count = e.count ?? e.series?.count ?? 1;
    const seen = this.counts.get(key);
    this.counts.set(key, count);
    if (change.initial || (seen !== undefined && count <= seen)) return;

    const io = e.involvedObject;
    const ns = io.namespace ?? (io.kind === 'Node' ? '' : this.namespace);
    const reason = e.reason ?? '';
    const message = e.message ?? '';
    this.ctx.emit({
      t: this.ctx.now(),
      kind: 'k8s-event',
      object: `${io.kind ?? ''}/${ns}/${io.name ?? ''}`,
      message: `${reason}: ${message}`,
      detail: {
        reason,
        type: e.type ?? 'Normal',
        message,
        count,
        source: e.source?.component ?? e.reportingComponent ?? null,
        ...(io.fieldPath ? { fieldPath: io.fieldPath } : {}),
      },
    });
    const isEviction =
      io.kind === 'Pod' &&
      (reason === 'Evicted' || (reason === 'TaintManagerEviction' && !/^cancel/i.test(message)));
    if (isEviction) {
      this.evictions.record(
        { namespace: ns, name: io.name ?? '' },
        `pod ${io.name} evicted: ${message || reason}`,
        { source: 'event', reason, eventMessage: message },
      );
    }
  }
}
