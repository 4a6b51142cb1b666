/** Pod operations shared by the binding subresource and the scheduler. */
import type { Store } from './store.ts';
import type { StoredObject } from './types.ts';
import { rfc3339 } from './util.ts';

/** Sets nodeName and PodScheduled=True, as the binding registry does upstream. */
export function bindPod(store: Store, pod: StoredObject, nodeName: string): StoredObject {
  const bound = store.mutate('pods', pod.metadata.namespace, pod.metadata.name, (draft) => {
    if (draft.metadata.uid !== pod.metadata.uid)
      throw new Error(`pod ${pod.metadata.name} was replaced while binding`);
    draft.spec.nodeName = nodeName;
  });
  return store.mutate(
    'pods',
    bound.metadata.namespace,
    bound.metadata.name,
    (draft) => {
      const conditions = ((draft.status.conditions ?? []) as Array<{ type: string }>).filter(
        (c) => c.type !== 'PodScheduled',
      );
      conditions.push({
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: rfc3339(store.now()),
      } as never);
      draft.status.conditions = conditions;
    },
    { subresource: 'status' },
  );
}
