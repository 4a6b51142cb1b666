/**
 * Endpoints controller (spec §7.3): `addresses` are Ready, non-terminating pods, `notReadyAddresses`
 * the not-ready ones; terminating pods are dropped at once, while their processes may still serve.
 */
import { jsonEqual } from '../store/json.ts';
import type { Store } from '../store/store.ts';
import type { EventRecorder } from './events.ts';
import { keyOf, type ControllerSpec, type ObjectKey } from './runtime.ts';
import { selectorOf, serviceBackends, servicesFor, targetRef, type Backend } from './serviceBackends.ts';

function subsetsOf(backends: Backend[]): unknown[] {
  const groups = new Map<string, Backend[]>();
  for (const b of backends) {
    if (b.terminating || !b.ports.length) continue;
    groups.set(b.portsKey, [...(groups.get(b.portsKey) ?? []), b]);
  }
  return [...groups.values()].map((group) => {
    const address = (b: Backend) => ({
      ip: b.ip,
      ...(b.pod.spec?.nodeName ? { nodeName: b.pod.spec.nodeName } : {}),
      targetRef: targetRef(b.pod),
    });
    const ready = group.filter((b) => b.ready).map(address);
    const notReady = group.filter((b) => !b.ready).map(address);
    return {
      ...(ready.length ? { addresses: ready } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady } : {}),
      ports: group[0]!.ports,
    };
  });
}

export function endpointsController(store: Store, _recorder: EventRecorder): ControllerSpec {
  function reconcile(key: ObjectKey): void {
    const svc = store.tryGet('services', key.namespace, key.name);
    const existing = store.tryGet('endpoints', key.namespace, key.name);
    if (!svc || svc.metadata.deletionTimestamp) {
      if (existing) store.delete('endpoints', key.namespace, key.name);
      return;
    }
    if (!selectorOf(svc)) return;
    const subsets = subsetsOf(serviceBackends(store, svc));
    const labels = { ...(svc.metadata.labels ?? {}) };
    if (!existing) {
      store.create('endpoints', {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: key.name, namespace: key.namespace, labels },
        ...(subsets.length ? { subsets } : {}),
      });
      return;
    }
    if (jsonEqual(existing.subsets ?? [], subsets) && jsonEqual(existing.metadata.labels ?? {}, labels))
      return;
    store.mutate('endpoints', key.namespace, key.name, (d) => {
      d.metadata.labels = labels;
      if (subsets.length) d.subsets = subsets;
      else delete d.subsets;
    });
  }

  return {
    name: 'endpoints',
    primary: 'services',
    secondary: [{ storage: 'pods', keys: (e) => servicesFor(store, e.object).map(keyOf) }],
    reconcile,
  };
}
