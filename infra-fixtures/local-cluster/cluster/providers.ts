/**
 * What the API server and the controllers ask the kubelets for: pod logs (`kubectl logs [-f]`),
 * CPU and memory usage (`metrics.k8s.io`, `kubectl top`, the HPA), and the configMap/secret values
 * of container env. A node that is off, frozen or cut off gives no usage samples, as metrics-server
 * cannot scrape it either.
 */
import type { LogOutput, LogProvider, NodeUsage, PodUsage, UsageProvider } from '../api/context.ts';
import { EnvError, type EnvSourceResolver } from '../kubelet/env.ts';
import { KubeletError } from '../kubelet/errors.ts';
import type { ProcessKubelet } from '../kubelet/kubelet.ts';
import { ApiError, errors } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import type { StoredObject } from '../store/types.ts';

const keyOf = (pod: StoredObject): string => `${pod.metadata.namespace}/${pod.metadata.name}`;

function reachable(
  kubelets: ReadonlyMap<string, ProcessKubelet>,
  pod: StoredObject,
): ProcessKubelet | undefined {
  const k = kubelets.get(pod.spec?.nodeName ?? '');
  return k?.heartbeating ? k : undefined;
}

function asApiError(err: unknown): unknown {
  return err instanceof KubeletError ? new ApiError(err.code, err.reason, err.message) : err;
}

export function logProvider(kubelets: ReadonlyMap<string, ProcessKubelet>): LogProvider {
  return (pod, options): LogOutput => {
    const kubelet = kubelets.get(pod.spec?.nodeName ?? '');
    const name = pod.metadata.name;
    if (!kubelet) {
      throw errors.badRequest(
        `container "${options.container}" in pod "${name}" is waiting to start: ContainerCreating`,
      );
    }
    const query = {
      container: options.container,
      previous: options.previous,
      timestamps: options.timestamps,
      ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
      ...(options.sinceSeconds !== undefined ? { sinceSeconds: options.sinceSeconds } : {}),
      ...(options.limitBytes !== undefined ? { limitBytes: options.limitBytes } : {}),
    };
    try {
      // Also for -f: fail with a Status before the 200 goes out when nothing has run yet.
      const text = kubelet.logs(keyOf(pod), query);
      if (!options.follow || options.previous) return text;
    } catch (err) {
      throw asApiError(err);
    }
    return (onData, onEnd) => {
      try {
        return kubelet.followLogs(keyOf(pod), query, onData, onEnd);
      } catch {
        onEnd();
        return () => undefined;
      }
    };
  };
}

/**
 * Sum of a pod's containers, for the HPA (undefined: no sample yet). The sample time and window go
 * along, so the HPA can tell a sample taken while the pod was still starting, as upstream does.
 */
export function podCpu(
  kubelets: ReadonlyMap<string, ProcessKubelet>,
  pod: StoredObject,
): { cpuMillicores: number; memoryBytes: number; timestamp: number; windowMs: number } | undefined {
  const usage = reachable(kubelets, pod)?.podUsage(keyOf(pod));
  if (!usage) return undefined;
  return {
    cpuMillicores: usage.containers.reduce((sum, c) => sum + c.cpuMillicores, 0),
    memoryBytes: usage.containers.reduce((sum, c) => sum + c.memoryBytes, 0),
    timestamp: usage.timestamp,
    windowMs: usage.windowMs,
  };
}

export function usageProvider(
  kubelets: ReadonlyMap<string, ProcessKubelet>,
  windowMs: number,
): UsageProvider {
  return {
    pod(pod): PodUsage | undefined {
      return reachable(kubelets, pod)?.podUsage(keyOf(pod));
    },
    node(node): NodeUsage | undefined {
      const k = kubelets.get(node.metadata.name);
      if (!k?.heartbeating) return undefined;
      return { ...k.nodeUsage(), timestamp: Date.now(), windowMs };
    },
  };
}

/** configMapKeyRef / secretKeyRef from the store, read when the container starts. */
export function envSourceResolver(store: Store): EnvSourceResolver {
  return (pod, env) => {
    const from = env.valueFrom as
      | {
          configMapKeyRef?: { name?: string; key?: string; optional?: boolean };
          secretKeyRef?: { name?: string; key?: string; optional?: boolean };
        }
      | undefined;
    const ref = from?.configMapKeyRef ?? from?.secretKeyRef;
    if (!ref) return undefined;
    const secret = from?.configMapKeyRef === undefined;
    const kind = secret ? 'secret' : 'configmap';
    const obj = store.tryGet(
      secret ? 'secrets' : 'configmaps',
      pod.metadata.namespace ?? 'default',
      ref.name ?? '',
    );
    const data = (obj?.data ?? {}) as Record<string, unknown>;
    const raw = data[ref.key ?? ''];
    if (typeof raw === 'string') return secret ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (ref.optional) return '';
    throw new EnvError(
      obj
        ? `couldn't find key ${ref.key} in ${secret ? 'Secret' : 'ConfigMap'} ${pod.metadata.namespace}/${ref.name}`
        : `${kind} "${ref.name}" not found`,
    );
  };
}
