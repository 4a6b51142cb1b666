/**
 * What the end-to-end suites print when a wait times out or a check fails on the assembled
 * cluster: the stack's pods and the nodes with their conditions, the Deployment and HPA status,
 * rescale and Unhealthy events, a timeline of node readiness and ready endpoints, this process's
 * event-loop delay and the machine's load (most failures on a shared 2-core box are starvation),
 * and the ingress's upstream attempts per pod and outcome.
 */
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LocalCluster } from '../../infra-fixtures/local-cluster/cluster/index.ts';
import type { StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { eventually } from './api-helpers.ts';
import { conditionStatus } from './cluster-helpers.ts';

const ns = 'novel-engine';
const appSelector = 'app.kubernetes.io/name=novel-engine';

/** Node Ready transitions and ready-endpoint changes per cluster, with their times. */
const timelines = new WeakMap<LocalCluster, string[]>();
/** This process's event-loop delay: the cluster's timers (heartbeats, monitor, probes) run on it. */
const lag = monitorEventLoopDelay({ resolution: 20 });

/** Starts the timeline of node readiness and ready endpoints that clusterState prints. */
export function recordDiagnostics(cluster: LocalCluster): { stop(): void } {
  const log: string[] = [];
  timelines.set(cluster, log);
  const stamp = (text: string) => log.push(`${new Date().toISOString()} ${text}`);
  const last = new Map<string, string | undefined>();
  const nodes = cluster.store.watch('nodes', {}, (e) => {
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
    const node = e.object as StoredObject;
    const ready = conditionStatus(node, 'Ready');
    if (last.get(node.metadata.name) === ready) return;
    last.set(node.metadata.name, ready);
    stamp(`${node.metadata.name} Ready=${ready}`);
  });
  let lastSlice = '';
  const slices = cluster.store.watch('endpointslices', { namespace: ns }, (e) => {
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED' && e.type !== 'DELETED') return;
    const slice = e.object as StoredObject;
    const endpoints = (slice.endpoints ?? []) as Array<{
      conditions?: { ready?: boolean };
      targetRef?: { name: string };
    }>;
    const ready = endpoints
      .filter((x) => x.conditions?.ready !== false)
      .map((x) => x.targetRef?.name.slice(-5))
      .join(',');
    const text = `slice ${e.type} ${slice.metadata.name} ready=[${ready}]`;
    if (text === lastSlice) return;
    lastSlice = text;
    stamp(text);
  });
  lag.enable();
  return {
    stop() {
      nodes.stop();
      slices.stop();
      lag.disable();
    },
  };
}

function podsOf(cluster: LocalCluster): StoredObject[] {
  return cluster.store.list('pods', { namespace: ns, labelSelector: appSelector }).items;
}

/** Pods and nodes in one line each, for the message of a wait that timed out. */
export function clusterState(cluster: LocalCluster): string {
  const pods = podsOf(cluster).map(
    (p) =>
      `${p.metadata.name} ${p.spec?.nodeName ?? '-'} ${p.status?.phase} ready=${conditionStatus(p, 'Ready')}` +
      `${p.metadata.deletionTimestamp ? ' terminating' : ''} ${JSON.stringify(
        (p.status?.conditions ?? []).filter((c: { status: string }) => c.status !== 'True'),
      )}`,
  );
  const nodes = cluster.store
    .list('nodes')
    .items.map(
      (n) =>
        `${n.metadata.name} ready=${conditionStatus(n, 'Ready')} unschedulable=${Boolean(n.spec?.unschedulable)} ` +
        `taints=${(n.spec?.taints ?? []).map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`).join(',')}`,
    );
  const d = cluster.store.tryGet('deployments', ns, 'novel-engine');
  const hpa = cluster.store.tryGet('horizontalpodautoscalers', ns, 'novel-engine');
  const rescales = cluster.store
    .list('events', { namespace: ns, fieldSelector: 'reason=SuccessfulRescale' })
    .items.map((e) => `event ${e.reason}: ${e.message}`);
  const unhealthy = cluster.store
    .list('events', { namespace: ns, fieldSelector: 'reason=Unhealthy' })
    .items.map(
      (e) =>
        `event Unhealthy x${e.count} ${e.lastTimestamp} ${(e.involvedObject as { name?: string }).name}: ${e.message}`,
    );
  return [
    ...pods,
    ...nodes,
    `deployment spec.replicas=${d?.spec?.replicas} status=${JSON.stringify(d?.status ?? {})}`,
    `hpa status=${JSON.stringify(hpa?.status ?? null)}`,
    ...rescales,
    ...unhealthy,
    ...(timelines.get(cluster) ?? []),
    `event-loop delay max ${(lag.max / 1e6).toFixed(0)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms; ` +
      `load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${availableParallelism()} cores`,
  ].join('\n');
}

/** `eventually`, with the cluster's state in the error when it times out. */
export async function until<T>(
  cluster: LocalCluster,
  check: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<NonNullable<T>> {
  try {
    return await eventually(check, timeoutMs, what);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${clusterState(cluster)}`);
  }
}

/** The ingress's upstream attempts per pod and outcome, for the message of a failed check. */
export async function attemptOutcomes(cluster: LocalCluster): Promise<string> {
  const text = await (await fetch(`${cluster.ingressAdminUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('ingress_upstream_attempts_total{'))
    .map((l) => l.replace(/namespace="[^"]*",service="[^"]*",upstream="[^"]*",/, ''))
    .join('\n');
}
