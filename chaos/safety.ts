/**
 * What chaos may touch, decided before anything is touched: the cluster must be the local cluster
 * or on the allowlist (by context name or API server URL), the namespace must not be one of the
 * cluster's own, and a dry-run plan says in words what each entry will do, read-only.
 */
import type { ClusterClient } from '../lib/cluster/client.ts';
import {
  DEFAULT_CHAOS_LIMITS,
  type ChaosLimits,
  type ResolvedChaosEntry,
} from '../lib/scenario/chaos-schema.ts';
import { formatDuration } from '../lib/scenario/duration.ts';
import type { ChaosTarget } from './action.ts';
import { createChaosAction, type ActionDeps } from './create.ts';
import { occurrenceTimes } from './schedule.ts';
import { ChaosRefusedError } from './targets.ts';

/** The local cluster's kubeconfig context (infra-fixtures/local-cluster). */
export const LOCAL_CONTEXT = 'gauntlet-local';
export const PROTECTED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

export interface ChaosAllowlist {
  /** kubeconfig context names faults may be injected into (the local cluster is always allowed). */
  readonly contexts?: readonly string[];
  /** API server URLs, e.g. `https://127.0.0.1:6443`. */
  readonly servers?: readonly string[];
  /** If given, the only namespaces faults may target. */
  readonly namespaces?: readonly string[];
}

function isLoopback(server: string): boolean {
  try {
    const host = new URL(server).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

function sameServer(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return a === b;
  }
}

/** The local cluster: its context name on a loopback API server. */
export function isLocalCluster(client: Pick<ClusterClient, 'contextName' | 'server'>): boolean {
  return client.contextName === LOCAL_CONTEXT && isLoopback(client.server);
}

/** Throws ChaosRefusedError (exit 2) unless faults may be injected into this cluster and namespace. */
export function assertAllowed(
  client: Pick<ClusterClient, 'contextName' | 'server'>,
  target: ChaosTarget,
  allow: ChaosAllowlist = {},
): void {
  const where = `context "${client.contextName}" (server ${client.server})`;
  const clusterOk =
    isLocalCluster(client) ||
    (allow.contexts ?? []).includes(client.contextName) ||
    (allow.servers ?? []).some((s) => sameServer(s, client.server));
  if (!clusterOk) {
    const listed = [
      `${LOCAL_CONTEXT} (the local cluster)`,
      ...(allow.contexts ?? []),
      ...(allow.servers ?? []),
    ];
    throw new ChaosRefusedError(
      `chaos refused: ${where} is not on the chaos allowlist (allowed: ${listed.join(', ')}); ` +
        `add the context to the allowlist if faults there are intended. Nothing was touched.`,
    );
  }
  if (PROTECTED_NAMESPACES.includes(target.namespace))
    throw new ChaosRefusedError(
      `chaos refused: namespace ${target.namespace} holds the cluster's own components; gauntlet never injects faults there. Nothing was touched.`,
    );
  if (allow.namespaces && !allow.namespaces.includes(target.namespace))
    throw new ChaosRefusedError(
      `chaos refused: namespace ${target.namespace} is not on the allowlist (${allow.namespaces.join(', ')}) for ${where}. Nothing was touched.`,
    );
}

export interface PlanOptions {
  /** The run's planned end (ms), to list open-ended repeats. */
  readonly endMs?: number;
  readonly limits?: ChaosLimits;
  readonly cluster?: Pick<ClusterClient, 'contextName' | 'server'>;
  readonly deps?: ActionDeps;
}

/** The dry-run plan: one paragraph per entry, with its offsets and what it will touch. Read-only. */
export function chaosPlanText(
  entries: readonly ResolvedChaosEntry[],
  target: ChaosTarget,
  opts: PlanOptions = {},
): string {
  const limits = opts.limits ?? DEFAULT_CHAOS_LIMITS;
  const lines = [
    `Chaos plan for ${target.namespace}/${target.deployment} (pods: ${target.selector})` +
      (opts.cluster ? ` on context ${opts.cluster.contextName} (${opts.cluster.server})` : ''),
    `Limits: at most ${limits.maxPods} pods and ${limits.maxNodes} nodes per action; never the last ready replica unless an action sets allowTotalOutage.`,
  ];
  if (!entries.length) lines.push('  (no chaos entries)');
  for (const e of entries) {
    const times = occurrenceTimes(e, opts.endMs, 20);
    const when =
      e.everyMs === null
        ? `at ${formatDuration(e.atMs)}`
        : `at ${formatDuration(e.atMs)}, every ${formatDuration(e.everyMs)}` +
          (e.times !== null ? ` × ${e.times}` : ' until the run ends') +
          (times.length
            ? ` (${times.map(formatDuration).join(', ')}${times.length === 20 ? ', …' : ''})`
            : '');
    const hold = e.holdMs > 0 ? `, hold ${formatDuration(e.holdMs)}` : '';
    const action = createChaosAction(e.action, target, opts.deps);
    lines.push(`  ${e.index + 1}. ${when}${hold}: ${action.name} — ${action.describe()}`);
  }
  lines.push(
    'Every fault is journalled before it is injected and reverted when its hold ends, on abort or on error.',
  );
  return lines.join('\n');
}
