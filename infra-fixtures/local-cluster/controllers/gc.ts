/**
 * The periodic half of garbage collection. Cascading on delete happens inside the store; this
 * sweep catches dependents whose owner vanished before they were written (a ReplicaSet creating a
 * pod while being deleted), force-deletes pods bound to nodes that no longer exist (upstream
 * PodGC: no kubelet will ever finalize them), and expires Events after an hour like the API
 * server's event TTL.
 */
import type { Store } from '../store/store.ts';

export interface GarbageCollector {
  /** One pass; returns how many objects were deleted or released. */
  sweep(): number;
  stop(): void;
}

export function startGarbageCollector(
  store: Store,
  options: { intervalMs?: number; eventTtlMs?: number } = {},
): GarbageCollector {
  const eventTtlMs = options.eventTtlMs ?? 3600_000;

  function sweep(): number {
    const uids = new Set<string>();
    for (const s of store.registry.storages()) for (const o of store._all(s)) uids.add(o.metadata.uid);
    let touched = 0;
    for (const storage of store.registry.storages()) {
      for (const obj of [...store._all(storage)]) {
        const refs = obj.metadata.ownerReferences ?? [];
        if (!refs.length || obj.metadata.deletionTimestamp) continue;
        const alive = refs.filter((r) => uids.has(r.uid));
        if (alive.length === refs.length) continue;
        const { namespace, name } = obj.metadata;
        try {
          if (!alive.length) store.delete(storage, namespace, name, { propagationPolicy: 'Background' });
          else store.mutate(storage, namespace, name, (d) => void (d.metadata.ownerReferences = alive));
          touched++;
        } catch {
          // Gone or changed meanwhile: the next sweep looks again.
        }
      }
    }
    const nodes = new Set([...store._all('nodes')].map((n) => n.metadata.name));
    for (const pod of [...store._all('pods')]) {
      const node = pod.spec?.nodeName;
      if (!node || nodes.has(node)) continue;
      store.delete('pods', pod.metadata.namespace, pod.metadata.name, { gracePeriodSeconds: 0 });
      touched++;
    }
    const cutoff = store.now().getTime() - eventTtlMs;
    for (const e of [...store._all('events')]) {
      const last = Date.parse(String(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp));
      if (Number.isFinite(last) && last < cutoff) {
        store.delete('events', e.metadata.namespace, e.metadata.name);
        touched++;
      }
    }
    return touched;
  }

  const timer = setInterval(sweep, options.intervalMs ?? 30_000);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
