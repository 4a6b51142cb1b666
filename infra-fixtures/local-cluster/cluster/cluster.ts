/**
 * Assembles the local cluster: store, nodes with their heartbeats and process kubelets, the
 * controllers, the API server (with Prometheus discovery, kube-state-metrics series and the fault
 * admin endpoint) and the ingress proxy, wired by the bridges in this folder. API: see ./index.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApiServer, type ApiServer } from '../api/server.ts';
import { startBasicControllers } from '../controllers/basic.ts';
import { createEvictionHandler, startDisruptionController } from '../controllers/disruption/index.ts';
import { startHpaController } from '../controllers/hpa/index.ts';
import { startNodeLifecycleController } from '../controllers/node-lifecycle/index.ts';
import { startIngress } from '../ingress/proxy.ts';
import type { IngressProxy } from '../ingress/proxy.ts';
import { createKubelet, type ProcessKubelet } from '../kubelet/kubelet.ts';
import { startNodeHeartbeat, type NodeHeartbeat } from '../nodes/heartbeat.ts';
import { nodeObject } from '../nodes/node-object.ts';
import { loadRuntimeConfig } from '../runtime.ts';
import { serviceDiscoveryRoute } from '../sd/index.ts';
import { stateMetricsRoute } from '../state-metrics/index.ts';
import { Store } from '../store/store.ts';
import { faultAdminRoute, kFaultsPath } from './fault-admin.ts';
import { createFaultManager, type Fault, type FaultRequest } from './faults.ts';
import { startIngressBridge } from './ingress-bridge.ts';
import { clusterClock, resolveOptions, type LocalClusterOptions, type ResolvedOptions } from './options.ts';
import { startPodBridge, type PodBridge } from './pod-bridge.ts';
import { envSourceResolver, logProvider, podCpu, usageProvider } from './providers.ts';
import { deployStack, kStackOverlay, waitForStack } from './stack.ts';
import { acquireAddressSlot } from './address-slot.ts';
import { buildTopology, type NodeSpec } from './topology.ts';

export interface LocalCluster {
  /** https://127.0.0.1:<port> */
  readonly apiUrl: string;
  readonly token: string;
  readonly caPem: string;
  /** `<dir>/kubeconfig`, mode 0600, context `gauntlet-local`. */
  readonly kubeconfigPath: string;
  /** http://127.0.0.1:<port>, also published in every served Ingress's status. */
  readonly ingressUrl: string;
  /** The ingress proxy's /metrics and /healthz. */
  readonly ingressAdminUrl: string;
  /** `${apiUrl}/local-cluster/v1/faults` (bearer token as for the API). */
  readonly faultsUrl: string;
  readonly dir: string;
  readonly nodes: readonly NodeSpec[];
  readonly store: Store;
  readonly options: ResolvedOptions;
  /** The cluster clock the node lifecycle, heartbeats and HPA run on (see options.ts). */
  readonly now: () => Date;
  kubelet(node: string): ProcessKubelet;
  fault(request: FaultRequest): Promise<Fault>;
  recover(id: string): Promise<Fault>;
  faults(): Fault[];
  /** Applies a kustomize dir (default the Novel Engine local overlay), waits until it serves. */
  deployStack(options?: { overlay?: string; timeoutMs?: number }): Promise<void>;
  /** Stops every pod process, the servers and the controllers; removes a temporary dir. */
  close(): Promise<void>;
}

function defaultOnError(err: unknown): void {
  console.error('local-cluster:', err instanceof Error ? err.message : err);
}

function defaultOnWarning(text: string): void {
  console.error(`local-cluster: warning: ${text}`);
}

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const resolved = resolveOptions(options);
  const { real, cluster } = resolved;
  const onError = options.onError ?? defaultOnError;
  const runtime = loadRuntimeConfig(options.runtimeConfigFile);
  // Teardown steps, pushed as each part starts: a failed start unwinds what is up, in reverse.
  const teardown: Array<() => Promise<void> | void> = [];
  const unwind = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const step of teardown.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw new AggregateError(errors, 'local-cluster: shutdown failed');
  };

  try {
    let dir = options.dir;
    if (dir === undefined) {
      const tmp = await mkdtemp(path.join(tmpdir(), 'local-cluster-'));
      teardown.push(() => rm(tmp, { recursive: true, force: true }));
      dir = tmp;
    }
    dir = path.resolve(dir);
    const now = clusterClock(real.timeScale);
    const store = new Store({ onWatchHandlerError: onError });
    const slot = acquireAddressSlot(options.addressSlot);
    teardown.push(async () => slot.release());
    const nodes = buildTopology({ ...resolved, slot: slot.slot });
    for (const n of nodes) store.create('nodes', nodeObject(n));

    const ingress: IngressProxy = await startIngress({
      port: resolved.ingressPort,
      adminPort: 0,
      propagationDelayMs: real.ingressPropagationDelayMs,
      connectTimeoutMs: real.ingressConnectTimeoutMs,
    });
    teardown.push(() => ingress.close());

    const kubelets = new Map<string, ProcessKubelet>();
    const heartbeats = new Map<string, NodeHeartbeat>();
    // The kubelets' callbacks reach the bridge, which needs the kubelets: it is filled in below.
    const wired: { bridge?: PodBridge } = {};
    const envSource = envSourceResolver(store);
    for (const n of nodes) {
      kubelets.set(
        n.name,
        createKubelet({
          node: { name: n.name, address: n.address, podCIDR: n.podCIDR },
          runtime,
          timeScale: real.kubeletTimeScale,
          usage: { intervalMs: real.usageSampleIntervalMs, windowMs: real.usageWindowMs },
          envSource,
          onPodStatus: (key, status) => wired.bridge?.onPodStatus(n.name)(key, status),
          onEvent: (key, event) => wired.bridge?.onEvent(n.name)(key, event),
          onHeartbeatsChange: (running) => {
            const hb = heartbeats.get(n.name);
            if (!running) return hb?.pause();
            hb?.resume();
            wired.bridge?.syncNode(n.name);
          },
        }),
      );
    }
    teardown.push(() => Promise.all([...kubelets.values()].map((k) => k.close())).then(() => undefined));
    for (const n of nodes) {
      heartbeats.set(
        n.name,
        startNodeHeartbeat(store, n.name, {
          leaseDurationSeconds: cluster.leaseDurationSeconds,
          renewIntervalMs: real.leaseRenewIntervalMs,
          statusUpdateIntervalMs: real.nodeStatusUpdateIntervalMs,
          now,
          onError,
        }),
      );
    }
    teardown.push(() => heartbeats.forEach((h) => h.stop()));
    const bridge = startPodBridge(store, kubelets, { statusSyncMs: real.podStatusSyncMs, onError });
    wired.bridge = bridge;
    teardown.push(() => bridge.stop());

    const basic = startBasicControllers(store, { onError });
    teardown.push(() => basic.stop());
    const lifecycle = startNodeLifecycleController(store, {
      monitorPeriodMs: real.nodeMonitorPeriodMs,
      gracePeriodMs: cluster.nodeMonitorGracePeriodMs,
      now,
      onError,
    });
    teardown.push(() => lifecycle.stop());
    const hpa = startHpaController(store, {
      podUsage: (pod) => podCpu(kubelets, pod),
      syncPeriodMs: real.hpaSyncPeriodMs,
      now: () => now().getTime(),
      onError,
    });
    teardown.push(() => hpa.stop());
    const disruption = startDisruptionController(store, { onError });
    teardown.push(() => disruption.stop());

    const faults = createFaultManager({ nodes, kubelets, ingress });
    const api: ApiServer = await startApiServer({
      store,
      dir,
      port: resolved.apiPort,
      ...(options.token !== undefined ? { token: options.token } : {}),
      providers: {
        logs: logProvider(kubelets),
        usage: usageProvider(kubelets, real.usageWindowMs),
        eviction: createEvictionHandler(store),
      },
      // Discovery and kube-state-metrics first: the fault admin prefix would claim their paths.
      extraRoutes: [serviceDiscoveryRoute(store), stateMetricsRoute(store), faultAdminRoute(faults, nodes)],
    });
    teardown.push(() => api.close());

    const ingressPort = Number(new URL(ingress.url).port);
    const ingressBridge = startIngressBridge(store, ingress, {
      address: { ip: '127.0.0.1', port: ingressPort },
      onWarning: options.onWarning ?? defaultOnWarning,
      onError,
    });
    teardown.push(() => ingressBridge.stop());

    let closing: Promise<void> | undefined;
    return {
      apiUrl: api.url,
      token: api.token,
      caPem: api.caPem,
      kubeconfigPath: api.kubeconfigPath,
      ingressUrl: ingress.url,
      ingressAdminUrl: ingress.adminUrl,
      faultsUrl: `${api.url}${kFaultsPath}`,
      dir,
      nodes,
      store,
      options: resolved,
      now,
      kubelet(name) {
        const k = kubelets.get(name);
        if (!k) throw new Error(`no node ${name}; nodes: ${nodes.map((n) => n.name).join(', ')}`);
        return k;
      },
      fault: (request) => faults.inject(request),
      recover: (id) => faults.recover(id),
      faults: () => faults.list(),
      async deployStack(opts = {}) {
        const manifests = await deployStack(store, opts.overlay ?? kStackOverlay);
        const routed = manifests.some((m) => m.kind === 'Ingress');
        await waitForStack(store, manifests, {
          ...(routed ? { probeUrl: `${ingress.url}/readyz` } : {}),
          timeoutMs: opts.timeoutMs ?? 120_000,
        });
      },
      close() {
        closing ??= unwind();
        return closing;
      },
    };
  } catch (err) {
    await unwind().catch(() => undefined);
    throw err;
  }
}
