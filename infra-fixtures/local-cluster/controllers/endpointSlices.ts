/**
 * EndpointSlice controller (spec §7.3): slices owned by their Service, labelled with the service
 * name and manager; each endpoint carries ready (Ready ∧ ¬terminating), serving (Ready) and
 * terminating conditions, its node and zone. Terminating pods stay listed with terminating=true.
 */
import { jsonEqual } from '../store/json.ts';
import type { Store } from '../store/store.ts';
import type { KubeObject, StoredObject } from '../store/types.ts';
import type { EventRecorder } from './events.ts';
import { controllerOwnerReference, controllerRef } from './podUtil.ts';
import { keyOf, ownerKeys, type ControllerSpec, type ObjectKey } from './runtime.ts';
import {
  selectorOf,
  serviceBackends,
  servicesFor,
  targetRef,
  type Backend,
  type BackendPort,
} from './serviceBackends.ts';

const kManagedBy = 'endpointslice-controller.k8s.io';

interface SliceContent {
  endpoints: unknown[];
  ports?: BackendPort[];
}

function desiredSlices(store: Store, svc: StoredObject): SliceContent[] {
  const zones = new Map(
    store
      .list('nodes')
      .items.map((n) => [n.metadata.name, n.metadata.labels?.['topology.kubernetes.io/zone']]),
  );
  const groups = new Map<string, Backend[]>();
  for (const b of serviceBackends(store, svc)) groups.set(b.portsKey, [...(groups.get(b.portsKey) ?? []), b]);
  if (!groups.size) return [{ endpoints: [] }];
  return [...groups.values()].map((group) => ({
    endpoints: group.map((b) => {
      const node = b.pod.spec?.nodeName;
      const zone = node ? zones.get(node) : undefined;
      return {
        addresses: [b.ip],
        conditions: { ready: b.ready && !b.terminating, serving: b.ready, terminating: b.terminating },
        ...(node ? { nodeName: node } : {}),
        ...(zone ? { zone } : {}),
        targetRef: targetRef(b.pod),
      };
    }),
    ports: group[0]!.ports,
  }));
}

function sliceLabels(svc: KubeObject): Record<string, string> {
  return {
    ...(svc.metadata.labels ?? {}),
    'kubernetes.io/service-name': svc.metadata.name ?? '',
    'endpointslice.kubernetes.io/managed-by': kManagedBy,
  };
}

export function endpointSliceController(store: Store, _recorder: EventRecorder): ControllerSpec {
  function reconcile(key: ObjectKey): void {
    const svc = store.tryGet('services', key.namespace, key.name);
    if (!svc || svc.metadata.deletionTimestamp || !selectorOf(svc)) return; // owner GC removes the slices
    const existing = store
      .list('endpointslices', {
        namespace: key.namespace,
        labelSelector: `kubernetes.io/service-name=${key.name}`,
      })
      .items.filter((s) => controllerRef(s)?.uid === svc.metadata.uid);
    const desired = desiredSlices(store, svc);
    const labels = sliceLabels(svc);
    desired.forEach((content, i) => {
      const current = existing[i];
      const body = { endpoints: content.endpoints, ...(content.ports ? { ports: content.ports } : {}) };
      if (!current) {
        store.create('endpointslices', {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            generateName: `${key.name}-`,
            namespace: key.namespace,
            labels,
            ownerReferences: [controllerOwnerReference(svc)],
          },
          addressType: 'IPv4',
          ...body,
        });
        return;
      }
      const same =
        jsonEqual(current.endpoints ?? [], body.endpoints) &&
        jsonEqual(current.ports, body.ports) &&
        jsonEqual(current.metadata.labels, labels);
      if (same) return;
      store.mutate('endpointslices', key.namespace, current.metadata.name, (d) => {
        d.metadata.labels = labels;
        d.endpoints = body.endpoints;
        if (body.ports) d.ports = body.ports;
        else delete d.ports;
      });
    });
    for (const extra of existing.slice(desired.length))
      store.delete('endpointslices', key.namespace, extra.metadata.name);
  }

  return {
    name: 'endpointslice',
    primary: 'services',
    secondary: [
      { storage: 'pods', keys: (e) => servicesFor(store, e.object).map(keyOf) },
      { storage: 'endpointslices', keys: (e) => ownerKeys(e.object, 'Service') },
    ],
    reconcile,
  };
}
