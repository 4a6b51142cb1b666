/**
 * Options of `startLocalCluster` and the cluster clock. Every period defaults to its upstream value
 * and is given in cluster time; `timeScale` maps cluster time onto the wall clock: a period of P ms
 * lasts P × timeScale real ms. At 0.1 the 50 s node grace takes 5 s, the pods' 300 s unreachable
 * toleration 30 s, probe periods and crash back-offs a tenth. The node lifecycle controller, the
 * heartbeats and the HPA read the cluster clock; the store keeps wall-clock timestamps (creation,
 * deletion, events), so AGE columns stay true.
 */
import { kMaxNodesPerZone, kMaxZones } from './topology.ts';

export interface LocalClusterOptions {
  /** Where the kubeconfig goes. @default a new temporary directory, removed by close() */
  readonly dir?: string;
  /** @default 3 (zone-a, zone-b, zone-c) */
  readonly zones?: number;
  /** @default 2 (node-a1, node-a2, …) */
  readonly nodesPerZone?: number;
  /** `topology.kubernetes.io/region` of every node. @default 'local-1' */
  readonly region?: string;
  /** Address block 0–8 for node and pod IPs (address-slot.ts). @default the first free one */
  readonly addressSlot?: number;
  /** API server port on 127.0.0.1. @default 0 (any free port) */
  readonly apiPort?: number;
  /** Ingress port on 127.0.0.1. @default 0 (any free port) */
  readonly ingressPort?: number;
  /** Bearer token. @default random per start */
  readonly token?: string;
  /** runtime.yaml mapping images to local commands. @default infra-fixtures/local-cluster/runtime.yaml */
  readonly runtimeConfigFile?: string;
  /** Real ms per cluster ms. @default 1 */
  readonly timeScale?: number;
  /**
   * The process kubelet's own scale for probe periods, delays and crash back-offs. Separate because
   * real processes start in real time: a 1 s startup-probe period scaled to 10 ms would kill an app
   * that needs a second to boot. @default timeScale
   */
  readonly kubeletTimeScale?: number;
  /** `node-monitor-grace-period`: NotReady/Unknown after this long without a heartbeat. @default 50000 */
  readonly nodeMonitorGracePeriodMs?: number;
  /** `node-monitor-period`. @default 5000 */
  readonly nodeMonitorPeriodMs?: number;
  /** Node Lease `leaseDurationSeconds`. @default 40 */
  readonly leaseDurationSeconds?: number;
  /** Lease renewal (kubelet: a quarter of the lease duration). @default 10000 */
  readonly leaseRenewIntervalMs?: number;
  /** Node status heartbeat (`nodeStatusUpdateFrequency`). @default 10000 */
  readonly nodeStatusUpdateIntervalMs?: number;
  /** Kubelet status manager re-sync of pod statuses. @default 10000 */
  readonly podStatusSyncMs?: number;
  /** `horizontal-pod-autoscaler-sync-period`. @default 15000 */
  readonly hpaSyncPeriodMs?: number;
  /** Delay before endpoint and Ingress changes reach the ingress proxy. @default 1000 */
  readonly ingressPropagationDelayMs?: number;
  /** Ingress proxy-connect-timeout (also how long a partitioned attempt hangs). @default 5000 */
  readonly ingressConnectTimeoutMs?: number;
  /** kubelet CPU sampling interval (metrics-server resolution is 15 s). @default 5000 */
  readonly usageSampleIntervalMs?: number;
  /** Reconcile/bridge errors; default: printed to stderr. */
  readonly onError?: (err: unknown) => void;
  /** Ignored Ingress annotations and the like; default: printed to stderr once each. */
  readonly onWarning?: (text: string) => void;
}

/** Periods in real (wall-clock) ms, ready to hand to timers. */
export interface ResolvedTimings {
  readonly timeScale: number;
  readonly kubeletTimeScale: number;
  readonly nodeMonitorGracePeriodMs: number;
  readonly nodeMonitorPeriodMs: number;
  readonly leaseDurationSeconds: number;
  readonly leaseRenewIntervalMs: number;
  readonly nodeStatusUpdateIntervalMs: number;
  readonly podStatusSyncMs: number;
  readonly hpaSyncPeriodMs: number;
  readonly ingressPropagationDelayMs: number;
  readonly ingressConnectTimeoutMs: number;
  readonly usageSampleIntervalMs: number;
  readonly usageWindowMs: number;
}

export interface ResolvedOptions {
  readonly zones: number;
  readonly nodesPerZone: number;
  readonly region: string;
  readonly apiPort: number;
  readonly ingressPort: number;
  /** Cluster-time durations (upstream units), as given or defaulted. */
  readonly cluster: Omit<ResolvedTimings, 'timeScale' | 'kubeletTimeScale'>;
  /** The same in wall-clock ms. */
  readonly real: ResolvedTimings;
}

export class LocalClusterOptionsError extends Error {
  readonly code = 'LOCAL_CLUSTER_OPTIONS_INVALID';
  constructor(message: string) {
    super(`startLocalCluster: ${message}`);
    this.name = 'LocalClusterOptionsError';
  }
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new LocalClusterOptionsError(
      `options.${name} must be a whole number from ${min} to ${max}, got ${String(value)}`,
    );
  return value;
}

function positive(name: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= min)
    throw new LocalClusterOptionsError(`options.${name} must be a number above ${min}, got ${String(value)}`);
  return value;
}

export function resolveOptions(o: LocalClusterOptions): ResolvedOptions {
  const timeScale = positive('timeScale', o.timeScale, 1);
  const region = o.region ?? 'local-1';
  if (typeof region !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(region))
    throw new LocalClusterOptionsError(
      `options.region must be a label value such as local-1, got ${String(region)}`,
    );
  const leaseDurationSeconds = integer('leaseDurationSeconds', o.leaseDurationSeconds, 40, 1, 3600);
  const cluster = {
    nodeMonitorGracePeriodMs: positive('nodeMonitorGracePeriodMs', o.nodeMonitorGracePeriodMs, 50_000),
    nodeMonitorPeriodMs: positive('nodeMonitorPeriodMs', o.nodeMonitorPeriodMs, 5_000),
    leaseDurationSeconds,
    leaseRenewIntervalMs: positive(
      'leaseRenewIntervalMs',
      o.leaseRenewIntervalMs,
      (leaseDurationSeconds * 1000) / 4,
    ),
    nodeStatusUpdateIntervalMs: positive('nodeStatusUpdateIntervalMs', o.nodeStatusUpdateIntervalMs, 10_000),
    podStatusSyncMs: positive('podStatusSyncMs', o.podStatusSyncMs, 10_000),
    hpaSyncPeriodMs: positive('hpaSyncPeriodMs', o.hpaSyncPeriodMs, 15_000),
    ingressPropagationDelayMs: (() => {
      const v = o.ingressPropagationDelayMs;
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0))
        throw new LocalClusterOptionsError(
          `options.ingressPropagationDelayMs must be a number ≥ 0, got ${String(v)}`,
        );
      return v ?? 1_000;
    })(),
    ingressConnectTimeoutMs: positive('ingressConnectTimeoutMs', o.ingressConnectTimeoutMs, 5_000),
    usageSampleIntervalMs: positive('usageSampleIntervalMs', o.usageSampleIntervalMs, 5_000),
    usageWindowMs: 15_000,
  };
  const scaled = (ms: number, floor: number) => Math.max(floor, ms * timeScale);
  return {
    zones: integer('zones', o.zones, 3, 1, kMaxZones),
    nodesPerZone: integer('nodesPerZone', o.nodesPerZone, 2, 1, kMaxNodesPerZone),
    region,
    apiPort: integer('apiPort', o.apiPort, 0, 0, 65535),
    ingressPort: integer('ingressPort', o.ingressPort, 0, 0, 65535),
    cluster,
    real: {
      timeScale,
      kubeletTimeScale: positive('kubeletTimeScale', o.kubeletTimeScale, timeScale),
      nodeMonitorGracePeriodMs: scaled(cluster.nodeMonitorGracePeriodMs, 1),
      nodeMonitorPeriodMs: scaled(cluster.nodeMonitorPeriodMs, 10),
      leaseDurationSeconds,
      leaseRenewIntervalMs: scaled(cluster.leaseRenewIntervalMs, 10),
      nodeStatusUpdateIntervalMs: scaled(cluster.nodeStatusUpdateIntervalMs, 10),
      podStatusSyncMs: scaled(cluster.podStatusSyncMs, 50),
      hpaSyncPeriodMs: scaled(cluster.hpaSyncPeriodMs, 10),
      ingressPropagationDelayMs: cluster.ingressPropagationDelayMs * timeScale,
      // Below ~100 ms an upstream connect on a busy machine could fail as if partitioned.
      ingressConnectTimeoutMs: scaled(cluster.ingressConnectTimeoutMs, 100),
      // /proc CPU samples need a few scheduler ticks between them to mean anything.
      usageSampleIntervalMs: scaled(cluster.usageSampleIntervalMs, 250),
      usageWindowMs: scaled(cluster.usageWindowMs, 1000),
    },
  };
}

/** The cluster clock: starts at the wall clock and runs 1/timeScale times as fast. */
export function clusterClock(timeScale: number): () => Date {
  if (timeScale === 1) return () => new Date();
  const start = Date.now();
  return () => new Date(start + (Date.now() - start) / timeScale);
}
