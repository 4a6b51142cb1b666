/**
 * Evicting one pod through the Eviction API (policy/v1), the way `kubectl drain` does: 201 is
 * accepted, 404 means the pod is already gone, and 429 (a PodDisruptionBudget says not now) is
 * retried, but with a bounded, doubling back-off instead of kubectl's forever-every-5-s.
 */
import type { ClusterClient } from '../lib/cluster/client.ts';
import { apiStatus, ChaosActionError, sleep, wrapApiError } from './k8s.ts';

export interface EvictionRetry {
  readonly attempts: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

export interface EvictionOutcome {
  readonly pod: string;
  readonly namespace: string;
  /** Requests sent, including the accepted one. */
  readonly attempts: number;
  readonly result: 'evicted' | 'already gone';
  /** Messages of the refusals (429), oldest first, at most a few. */
  readonly refusals: readonly string[];
}

export async function evictPod(
  client: ClusterClient,
  pod: { name: string; namespace: string },
  retry: EvictionRetry,
  signal: AbortSignal,
  onRefused?: (attempt: number, message: string, waitMs: number) => void,
): Promise<EvictionOutcome> {
  const refusals: string[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      await client.core.createNamespacedPodEviction({
        name: pod.name,
        namespace: pod.namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: pod.name, namespace: pod.namespace },
        },
      });
      return { pod: pod.name, namespace: pod.namespace, attempts: attempt, result: 'evicted', refusals };
    } catch (err) {
      const s = apiStatus(err);
      if (s?.code === 404)
        return {
          pod: pod.name,
          namespace: pod.namespace,
          attempts: attempt,
          result: 'already gone',
          refusals,
        };
      if (s?.code !== 429) throw wrapApiError(`evict pod/${pod.namespace}/${pod.name}`, err);
      if (refusals.length < 5) refusals.push(s.message);
      if (attempt >= retry.attempts)
        throw new ChaosActionError(
          `evict pod/${pod.namespace}/${pod.name}: still refused after ${attempt} attempts (429 ${s.message || 'TooManyRequests'}); ` +
            `check the PodDisruptionBudget or raise evictionRetry.attempts`,
        );
      const waitMs = Math.min(retry.maxBackoffMs, retry.backoffMs * 2 ** (attempt - 1));
      onRefused?.(attempt, s.message, waitMs);
      await sleep(waitMs, signal);
    }
  }
}
