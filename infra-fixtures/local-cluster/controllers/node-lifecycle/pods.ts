/**
 * MarkPodsNotReady: the pods of a node that stopped reporting get Ready=False, so Endpoints and
 * EndpointSlices drop them even though their processes may still be serving. Only the Ready
 * condition changes (ContainersReady stays as the kubelet left it), and each changed pod gets a
 * Warning NodeNotReady event.
 */
import type { Store } from '../../store/store.ts';
import type { KubeObject } from '../../store/types.ts';
import { rfc3339 } from '../../store/util.ts';
import type { EventRecorder } from '../events.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export function markPodsNotReady(
  store: Store,
  recorder: EventRecorder,
  pods: KubeObject[],
  nodeName: string,
  at: Date,
): void {
  const errors: unknown[] = [];
  for (const pod of pods) {
    if (pod.spec?.nodeName !== nodeName) continue;
    const ready = ((pod.status?.conditions ?? []) as any[]).find((c) => c.type === 'Ready');
    if (!ready || ready.status === 'False') continue;
    try {
      const updated = store.mutate(
        'pods',
        pod.metadata.namespace,
        pod.metadata.name ?? '',
        (draft) => {
          if (draft.metadata.uid !== pod.metadata.uid) return;
          for (const c of (draft.status?.conditions ?? []) as any[]) {
            if (c.type !== 'Ready' || c.status === 'False') continue;
            c.status = 'False';
            c.lastTransitionTime = rfc3339(at);
          }
        },
        { subresource: 'status' },
      );
      if (updated.metadata.uid === pod.metadata.uid)
        recorder.record(updated, 'Warning', 'NodeNotReady', 'Node is not ready');
    } catch (err) {
      // A pod deleted meanwhile needs nothing; anything else is retried on the next pass.
      if ((err as { code?: number }).code !== 404) errors.push(err);
    }
  }
  if (errors.length) throw errors[0];
}
