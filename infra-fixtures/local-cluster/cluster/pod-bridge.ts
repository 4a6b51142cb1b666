/**
 * Store ↔ process kubelets, the work of the real kubelet's pod config source and status manager:
 * a pod bound to a node starts on that node's kubelet; a deletionTimestamp (or the object vanishing)
 * terminates it, and once its processes are gone the object is removed; the kubelet's status
 * reports and events go back into the store.
 *
 * Status writes keep the conditions the kubelet does not own (DisruptionTarget, …). Like the
 * kubelet's status manager, a periodic sync re-asserts the kubelet's view: the node lifecycle
 * controller marks pods not ready while their node is unreachable, and the kubelet's own reports
 * are de-duplicated, so without the sync such pods would stay not ready after the node returns.
 */
import { createEventRecorder, type EventRecorder } from '../controllers/events.ts';
import type { ProcessKubelet } from '../kubelet/kubelet.ts';
import type { KubeletEvent, Pod, PodKey, PodStatus } from '../kubelet/types.ts';
import { ApiError } from '../store/errors.ts';
import { jsonEqual } from '../store/json.ts';
import type { Store } from '../store/store.ts';
import type { StoredObject } from '../store/types.ts';

/** Condition types the kubelet writes; all others survive its status reports. */
const kKubeletConditions = new Set([
  'PodScheduled',
  'PodReadyToStartContainers',
  'Initialized',
  'ContainersReady',
  'Ready',
]);

export interface PodBridge {
  /** The kubelet's status callback for one node. */
  onPodStatus(node: string): (key: PodKey, status: PodStatus) => void;
  onEvent(node: string): (key: PodKey, event: KubeletEvent) => void;
  /** Writes the kubelet's current view of every pod of the node where the store differs. */
  syncNode(node: string): void;
  stop(): void;
}

export interface PodBridgeOptions {
  /** Period of the status re-sync (upstream status manager: 10 s). */
  statusSyncMs: number;
  onError: (err: unknown) => void;
}

function splitKey(key: PodKey): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

function mergedStatus(
  stored: Record<string, unknown> | undefined,
  reported: PodStatus,
): Record<string, unknown> {
  const kept = ((stored?.conditions ?? []) as Array<{ type: string }>).filter(
    (c) => !kKubeletConditions.has(c.type),
  );
  return { ...(stored ?? {}), ...reported, conditions: [...reported.conditions, ...kept] };
}

export function startPodBridge(
  store: Store,
  kubelets: ReadonlyMap<string, ProcessKubelet>,
  options: PodBridgeOptions,
): PodBridge {
  /** Per node: pod key → uid of the pod the kubelet runs under that key. */
  const owned = new Map<string, Map<PodKey, string>>([...kubelets.keys()].map((n) => [n, new Map()]));
  /** uid → shortest grace asked for so far. */
  const terminating = new Map<string, number>();
  const recorders = new Map<string, EventRecorder>();
  let stopped = false;

  const recorder = (node: string): EventRecorder => {
    let r = recorders.get(node);
    if (!r) recorders.set(node, (r = createEventRecorder(store, 'kubelet', node)));
    return r;
  };

  /** The stored pod the kubelet's `key` on `node` stands for, if it is still the same one. */
  function current(node: string, key: PodKey): StoredObject | undefined {
    const uid = owned.get(node)?.get(key);
    const [ns, name] = splitKey(key);
    const pod = store.tryGet('pods', ns, name);
    return pod && uid !== undefined && pod.metadata.uid === uid ? pod : undefined;
  }

  function writeStatus(node: string, key: PodKey, status: PodStatus): void {
    const pod = current(node, key);
    if (!pod || stopped) return;
    const next = mergedStatus(pod.status, status);
    if (jsonEqual(next, pod.status)) return;
    try {
      store.mutate(
        'pods',
        pod.metadata.namespace,
        pod.metadata.name,
        (draft) => {
          if (draft.metadata.uid !== pod.metadata.uid) return draft;
          draft.status = mergedStatus(draft.status, status);
        },
        { subresource: 'status' },
      );
    } catch (err) {
      // The pod went away between the report and the write: nothing to update.
      if (!(err instanceof ApiError && err.code === 404)) options.onError(err);
    }
  }

  function sync(pod: StoredObject, kubelet: ProcessKubelet): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const keys = owned.get(kubelet.nodeName)!;
    const held = keys.get(key);
    // A same-named successor waits until its predecessor's processes are gone (see terminate).
    if (held !== undefined && held !== pod.metadata.uid) return;
    // Claimed first: the kubelet reports its first events from inside syncPod.
    keys.set(key, pod.metadata.uid);
    try {
      kubelet.syncPod(pod as unknown as Pod);
    } catch (err) {
      if (held === undefined) keys.delete(key);
      options.onError(err);
    }
  }

  function terminate(pod: StoredObject, kubelet: ProcessKubelet, grace: number | undefined): void {
    const { uid, namespace, name } = pod.metadata;
    const earlier = terminating.get(uid);
    if (earlier !== undefined) {
      // A shorter grace (force delete during a graceful one) brings the kill forward.
      if (grace !== undefined && grace < earlier) {
        terminating.set(uid, grace);
        kubelet.terminatePod(pod as unknown as Pod, grace).catch(options.onError);
      }
      return;
    }
    terminating.set(uid, grace ?? Number.POSITIVE_INFINITY);
    const key = `${namespace}/${name}`;
    kubelet
      .terminatePod(pod as unknown as Pod, grace)
      .then(() => {
        terminating.delete(uid);
        const keys = owned.get(kubelet.nodeName)!;
        if (keys.get(key) === uid) keys.delete(key);
        if (stopped) return;
        store.finalizeDelete('pods', namespace, name, uid);
        const successor = store.tryGet('pods', namespace, name);
        if (successor && successor.spec?.nodeName === kubelet.nodeName) handle(successor);
      })
      .catch(options.onError);
  }

  function handle(pod: StoredObject, deleted = false): void {
    const kubelet = kubelets.get(pod.spec?.nodeName ?? '');
    if (!kubelet) return;
    if (deleted) {
      // Gone from the API (force delete, or a finished pod): stop whatever still runs.
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (owned.get(kubelet.nodeName)!.get(key) === pod.metadata.uid) terminate(pod, kubelet, 0);
      return;
    }
    if (pod.metadata.deletionTimestamp) terminate(pod, kubelet, pod.metadata.deletionGracePeriodSeconds);
    else sync(pod, kubelet);
  }

  const watch = store.watch('pods', {}, (event) => {
    if (event.type === 'BOOKMARK' || event.type === 'ERROR' || stopped) return;
    handle(event.object as StoredObject, event.type === 'DELETED');
  });

  function syncNode(node: string): void {
    const kubelet = kubelets.get(node);
    if (!kubelet?.heartbeating || stopped) return;
    for (const key of kubelet.podKeys()) {
      const status = kubelet.podStatus(key);
      if (status) writeStatus(node, key, status);
    }
  }

  const timer = setInterval(() => {
    for (const node of kubelets.keys()) syncNode(node);
  }, options.statusSyncMs);
  timer.unref();

  return {
    onPodStatus: (node) => (key, status) => writeStatus(node, key, status),
    onEvent: (node) => (key, event) => {
      const pod = current(node, key);
      if (pod && !stopped)
        recorder(node).record(pod, event.type, event.reason, event.message, event.fieldPath);
    },
    syncNode,
    stop() {
      stopped = true;
      clearInterval(timer);
      watch.stop();
    },
  };
}
