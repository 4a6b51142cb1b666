/**
 * Watches the target's pods, Deployment and ReplicaSets, HPA, the cluster's nodes, the Service's
 * EndpointSlices and the namespace's Events, and puts what changes on the run's timeline
 * (timeline.ts): step gauges after the initial lists, and events as they are observed, stamped
 * with the run clock.
 *
 *   const obs = startClusterObserver(client, { ...target, clock, onGauge, onEvent, onError });
 *   await obs.ready;          // every initial list done; initial gauge values emitted
 *   obs.snapshot();           // current view (pods per node/zone, nodes, endpoints, …)
 *   await obs.stop();         // every watch ended, no timer left
 */
import type {
  CoreV1Event,
  KubernetesObject,
  V1Deployment,
  V1EndpointSlice,
  V1Node,
  V1Pod,
  V1ReplicaSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { ClusterClient } from './client.ts';
import { EvictionLog, type TrackerContext } from './observe/context.ts';
import { EndpointTracker, type EndpointState } from './observe/endpoints.ts';
import { HpaTracker, type HpaState } from './observe/hpa.ts';
import { K8sEventTracker } from './observe/k8s-events.ts';
import { NodeTracker, type NodeState } from './observe/nodes.ts';
import { PodTracker, type PodState } from './observe/pods.ts';
import { DeploymentTracker, type DeploymentState, type ReplicaSetState } from './observe/workloads.ts';
import { Reflector, type ReflectorChange, type ReflectorSpec, type WatchLike } from './reflector.ts';
import {
  GaugeBook,
  type ClusterEvent,
  type ClusterGaugePoint,
  type GaugeName,
  type GaugeSample,
} from './timeline.ts';

export interface ClusterObserverOptions {
  readonly namespace: string;
  readonly deployment: string;
  /** Label selector string of the target's pods (resolveKubernetesTarget gives it). */
  readonly selector: string;
  readonly hpa?: string;
  readonly service?: string;
  /** Seconds since the run start. */
  readonly clock: () => number;
  onGauge(point: ClusterGaugePoint): void;
  onEvent(event: ClusterEvent): void;
  /** Watch and list failures after start (they are retried); never fatal. */
  onError(err: unknown): void;
  /** Back-off of restarted watches; default 250 ms doubling to 10 s. */
  readonly backoff?: { initialMs?: number; maxMs?: number };
  /** Server-side watch lifetime; default random 300–600 s. */
  readonly watchTimeoutSeconds?: number;
  /** How long transient failures of the initial lists are retried before `ready` rejects; default 30 s. */
  readonly initialListTimeoutMs?: number;
  /** Replaces client.watch (tests). */
  readonly watch?: WatchLike;
}

export interface ClusterSnapshot {
  t: number;
  pods: Array<PodState & { zone: string }>;
  nodes: NodeState[];
  deployment: DeploymentState | undefined;
  replicaSets: ReplicaSetState[];
  hpa: HpaState | undefined;
  endpoints: EndpointState[];
  gauges: GaugeSample[];
}

export interface ClusterObserver {
  /** Resolves when every initial list is done and the initial gauge values were emitted. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
  snapshot(): ClusterSnapshot;
}

const kAllGauges: readonly GaugeName[] = [
  'deployment.desired',
  'deployment.updated',
  'deployment.available',
  'deployment.ready',
  'hpa.current',
  'hpa.desired',
  'hpa.cpu',
  'endpoints.ready',
  'nodes.ready',
  'pods.ready',
];

export function startClusterObserver(
  client: ClusterClient,
  options: ClusterObserverOptions,
): ClusterObserver {
  validate(options);
  const { namespace: ns, deployment, selector } = options;
  let stopped = false;
  let synced = false;
  const ctx: TrackerContext = {
    now: options.clock,
    emit: (event) => {
      if (!stopped) options.onEvent(event);
    },
  };
  const gauges = new GaugeBook(
    (p) => {
      if (!stopped) options.onGauge(p);
    },
    new Set<GaugeName>(['hpa.cpu']),
  );
  const evictions = new EvictionLog(ctx);
  const nodes = new NodeTracker(ctx);
  const pods = new PodTracker(ctx, ns, (n) => nodes.zoneOf(n), evictions);
  const workloads = new DeploymentTracker(ctx, ns, deployment);
  const hpa = options.hpa ? new HpaTracker(ctx, ns, options.hpa) : undefined;
  const endpoints = options.service ? new EndpointTracker(ctx, ns, options.service) : undefined;
  const k8sEvents = new K8sEventTracker(ctx, ns, evictions);

  const recompute = () => {
    if (!synced || stopped) return;
    const samples = [
      ...workloads.gauges(),
      ...(hpa?.gauges() ?? []),
      ...(endpoints?.gauges() ?? []),
      ...nodes.gauges(),
      ...pods.gauges(nodes.zones()),
    ];
    gauges.update(options.clock(), kAllGauges, samples);
  };

  const watch = options.watch ?? client.watch;
  const reflectors: Array<Reflector<KubernetesObject>> = [];
  const add = <T extends KubernetesObject>(
    spec: ReflectorSpec<T>,
    apply: (c: ReflectorChange<T>) => void,
  ) => {
    const r = new Reflector<T>(spec, {
      watch,
      onChange: (change) => {
        if (stopped) return;
        apply(change);
        if (!change.initial) recompute();
      },
      onError: (err) => {
        if (!stopped) options.onError(err);
      },
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
      ...(options.initialListTimeoutMs ? { initialListTimeoutMs: options.initialListTimeoutMs } : {}),
    });
    reflectors.push(r as unknown as Reflector<KubernetesObject>);
  };

  const byName = `metadata.name=`;
  add<V1Node>(
    { resource: 'nodes', path: '/api/v1/nodes', modelType: 'V1Node', list: () => client.core.listNode() },
    (c) => nodes.apply(c),
  );
  add<V1Pod>(
    {
      resource: `pods (${selector})`,
      path: `/api/v1/namespaces/${ns}/pods`,
      modelType: 'V1Pod',
      labelSelector: selector,
      list: () => client.core.listNamespacedPod({ namespace: ns, labelSelector: selector }),
    },
    (c) => pods.apply(c),
  );
  add<V1Deployment>(
    {
      resource: `deployment ${deployment}`,
      path: `/apis/apps/v1/namespaces/${ns}/deployments`,
      modelType: 'V1Deployment',
      fieldSelector: byName + deployment,
      list: () => client.apps.listNamespacedDeployment({ namespace: ns, fieldSelector: byName + deployment }),
    },
    (c) => workloads.apply(c),
  );
  add<V1ReplicaSet>(
    {
      resource: `replicasets (${selector})`,
      path: `/apis/apps/v1/namespaces/${ns}/replicasets`,
      modelType: 'V1ReplicaSet',
      labelSelector: selector,
      list: () => client.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: selector }),
    },
    (c) => workloads.applyReplicaSet(c),
  );
  if (hpa && options.hpa) {
    const name = options.hpa;
    add<V2HorizontalPodAutoscaler>(
      {
        resource: `horizontalpodautoscaler ${name}`,
        path: `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
        modelType: 'V2HorizontalPodAutoscaler',
        fieldSelector: byName + name,
        list: () =>
          client.autoscaling.listNamespacedHorizontalPodAutoscaler({
            namespace: ns,
            fieldSelector: byName + name,
          }),
      },
      (c) => hpa.apply(c),
    );
  }
  if (endpoints && options.service) {
    const sliceSelector = `kubernetes.io/service-name=${options.service}`;
    add<V1EndpointSlice>(
      {
        resource: `endpointslices of service ${options.service}`,
        path: `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
        modelType: 'V1EndpointSlice',
        labelSelector: sliceSelector,
        list: () =>
          client.discovery.listNamespacedEndpointSlice({ namespace: ns, labelSelector: sliceSelector }),
      },
      (c) => endpoints.apply(c),
    );
  }
  add<CoreV1Event>(
    {
      resource: `events in ${ns}`,
      path: `/api/v1/namespaces/${ns}/events`,
      modelType: 'CoreV1Event',
      list: () => client.core.listNamespacedEvent({ namespace: ns }),
    },
    (c) => k8sEvents.apply(c),
  );

  const stop = async () => {
    stopped = true;
    await Promise.all(reflectors.map((r) => r.stop()));
  };

  const ready = Promise.all(reflectors.map((r) => r.start())).then(
    () => {
      synced = true;
      recompute();
    },
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
  // The caller may only stop() without awaiting ready; its failure must not go unhandled.
  ready.catch(() => undefined);

  return {
    ready,
    stop,
    snapshot: () => ({
      t: options.clock(),
      pods: pods.list(),
      nodes: nodes.list(),
      deployment: workloads.state(),
      replicaSets: workloads.replicaSetStates(),
      hpa: hpa?.state(),
      endpoints: endpoints?.list() ?? [],
      gauges: gauges.values(),
    }),
  };
}

function validate(options: ClusterObserverOptions): void {
  const missing = (['namespace', 'deployment', 'selector'] as const).filter(
    (k) => typeof options[k] !== 'string' || options[k].length === 0,
  );
  if (missing.length > 0) {
    throw new Error(
      `startClusterObserver: ${missing.join(', ')} must be non-empty; pass the result of resolveKubernetesTarget`,
    );
  }
  if (typeof options.clock !== 'function') {
    throw new Error('startClusterObserver: clock must be a function returning seconds since the run start');
  }
}
