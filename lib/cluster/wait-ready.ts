/**
 * Waits until the target Deployment is fully rolled out and available (what `kubectl rollout
 * status` waits for), reporting progress as it changes. Fails fast on a rollout past its progress
 * deadline, and explains a timeout with what the unready pods are stuck on.
 */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { GauntletError } from '../errors.ts';
import { callApi, isNotFound } from './api-errors.ts';
import type { ClusterClient } from './client.ts';
import { isPodReady } from './observe/pods.ts';
import { rolloutComplete } from './observe/workloads.ts';

export interface ReadyProgress {
  desired: number;
  updated: number;
  ready: number;
  available: number;
  /** Pods of every revision. */
  replicas: number;
  /** e.g. `2/3 available, 3/3 updated`. */
  message: string;
}

export interface WaitForReadyOptions {
  onProgress?(progress: ReadyProgress): void;
  /** Poll interval; default 500 ms. */
  pollMs?: number;
  signal?: AbortSignal;
}

export async function waitForReady(
  client: ClusterClient,
  target: { readonly namespace: string; readonly deployment: string; readonly selector?: string },
  timeoutMs: number,
  options: WaitForReadyOptions = {},
): Promise<ReadyProgress> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`waitForReady: timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  const { namespace: ns, deployment: name } = target;
  const deadline = Date.now() + timeoutMs;
  const pollMs = options.pollMs ?? 500;
  let lastMessage = '';
  for (;;) {
    const d = await callApi(client, `read deployment ${ns}/${name}`, () =>
      client.apps.readNamespacedDeployment({ name, namespace: ns }),
    ).catch((err: unknown) => {
      throw isNotFound(err)
        ? new GauntletError(
            'GAUNTLET_SETUP',
            `target.deployment: no deployment "${name}" in namespace "${ns}" (deleted?); deploy it or fix the target`,
          )
        : err;
    });
    const progress = progressOf(d);
    if (progress.message !== lastMessage) {
      lastMessage = progress.message;
      options.onProgress?.(progress);
    }
    if (progress.desired === 0) {
      throw new GauntletError(
        'GAUNTLET_SETUP',
        `deployment ${ns}/${name} is scaled to 0 replicas; scale it up (kubectl scale deployment ${name} -n ${ns} --replicas=N) before running load`,
      );
    }
    if (rolloutComplete(d)) return progress;
    const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
    if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
      throw new GauntletError(
        'GAUNTLET_SETUP',
        `deployment ${ns}/${name} exceeded its progress deadline (${progress.message})${await podProblems(client, ns, target.selector)}; fix the rollout (kubectl rollout status/undo deployment ${name} -n ${ns})`,
      );
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new GauntletError(
        'GAUNTLET_SETUP',
        `deployment ${ns}/${name} not available after ${Math.round(timeoutMs / 1000)} s (${progress.message})${await podProblems(client, ns, target.selector)}; check kubectl describe deployment ${name} -n ${ns}`,
      );
    }
    await sleep(Math.min(pollMs, left), options.signal);
  }
}

function progressOf(d: V1Deployment): ReadyProgress {
  const desired = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const p = {
    desired,
    updated: s.updatedReplicas ?? 0,
    ready: s.readyReplicas ?? 0,
    available: s.availableReplicas ?? 0,
    replicas: s.replicas ?? 0,
  };
  const old = p.replicas - p.updated;
  const message =
    `${p.available}/${desired} available, ${p.updated}/${desired} updated` +
    (old > 0 ? `, ${old} old pending termination` : '') +
    ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0) ? ', spec change not yet observed' : '');
  return { ...p, message };
}

/** `; pods: web-1 Pending (Unschedulable: 0/3 nodes …), web-2 CrashLoopBackOff` for up to three pods. */
async function podProblems(client: ClusterClient, ns: string, selector: string | undefined): Promise<string> {
  if (!selector) return '';
  let pods: V1Pod[];
  try {
    pods = (await client.core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items;
  } catch {
    return '';
  }
  const problems = pods
    .filter((p) => !isPodReady(p) && !p.metadata?.deletionTimestamp)
    .slice(0, 3)
    .map((p) => `${p.metadata?.name} ${podProblem(p)}`);
  return problems.length > 0 ? `; pods: ${problems.join(', ')}` : '';
}

function podProblem(p: V1Pod): string {
  for (const c of p.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    if (w?.reason) return w.message ? `${w.reason} (${w.message})` : w.reason;
    if (!c.ready && c.state?.running) return `container ${c.name} running but not ready (readiness probe)`;
  }
  const scheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False')
    return `${p.status?.phase ?? 'Pending'} (${scheduled.reason ?? ''}: ${scheduled.message ?? ''})`;
  return p.status?.phase ?? 'Unknown';
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
