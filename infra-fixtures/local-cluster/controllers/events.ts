/**
 * Core/v1 Events as client-go's recorder writes them: `involvedObject` with the uid (describe
 * filters on it, spec §3), `source`/`reportingComponent`, first/last timestamps, and repeats of
 * the same (object, reason, message) folded into `count`.
 */
import type { Store } from '../store/store.ts';
import type { KubeObject } from '../store/types.ts';
import { rfc3339 } from '../store/util.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void;
}

/** Events about cluster-scoped objects (nodes) go to `default`, like upstream. */
function eventNamespace(obj: KubeObject): string {
  return obj.metadata.namespace || 'default';
}

export function createEventRecorder(store: Store, component: string, host?: string): EventRecorder {
  const recent = new Map<string, string>();
  return {
    record(obj, type, reason, message, fieldPath) {
      const uid = obj.metadata.uid ?? '';
      const ns = eventNamespace(obj);
      const key = [uid, fieldPath ?? '', type, reason, message].join('\u0000');
      const now = store.now();
      try {
        const existing = recent.get(key);
        if (existing && store.tryGet('events', ns, existing)) {
          store.mutate('events', ns, existing, (e) => {
            e.count = (Number(e.count) || 1) + 1;
            e.lastTimestamp = rfc3339(now);
          });
          return;
        }
        const name = `${obj.metadata.name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`;
        store.create('events', {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace: ns },
          involvedObject: {
            kind: obj.kind,
            namespace: obj.metadata.namespace,
            name: obj.metadata.name,
            uid,
            apiVersion: obj.apiVersion,
            resourceVersion: obj.metadata.resourceVersion,
            ...(fieldPath ? { fieldPath } : {}),
          },
          reason,
          message,
          source: { component, ...(host ? { host } : {}) },
          firstTimestamp: rfc3339(now),
          lastTimestamp: rfc3339(now),
          count: 1,
          type,
          eventTime: null,
          reportingComponent: component,
          reportingInstance: host ?? '',
        });
        recent.set(key, name);
        if (recent.size > 5000) recent.delete(recent.keys().next().value!);
      } catch {
        // Events are best effort upstream too: a failed event never fails the controller.
      }
    },
  };
}
