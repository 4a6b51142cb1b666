/**
 * The cluster observer against the in-process local cluster: initial gauge values, scale up and
 * down, readiness flips, graceful deletion (terminating → endpoint removed → deleted), node
 * cordon and NotReady, Kubernetes Events and evictions, HPA status changes and rollouts, all
 * stamped with the injected run clock; and stop() leaving nothing behind.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterObserver, type ClusterObserver } from '../../lib/cluster/observer.ts';
import type { ClusterEvent, ClusterGaugePoint } from '../../lib/cluster/timeline.ts';
import { rfc3339 } from '../../infra-fixtures/local-cluster/store/store.ts';
import { deployWeb, eventually, startLocalCluster, type LocalCluster } from './harness.ts';
import { waitForReady } from '../../lib/cluster/wait-ready.ts';

const NS = 'obs';
let cluster: LocalCluster;
let observer: ClusterObserver;
let now = 0;
const events: ClusterEvent[] = [];
const gauges: ClusterGaugePoint[] = [];
const errors: unknown[] = [];

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function hpaStatus(current: number, desired: number, cpu: number) {
  return {
    currentReplicas: current,
    desiredReplicas: desired,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cpu } } }],
  };
}

function setHpaStatus(current: number, desired: number, cpu: number): void {
  cluster.store.mutate(
    'horizontalpodautoscalers',
    NS,
    'web',
    (d) => void (d.status = hpaStatus(current, desired, cpu)),
    { subresource: 'status' },
  );
}

function setPodReady(name: string, ready: boolean): void {
  cluster.store.mutate(
    'pods',
    NS,
    name,
    (d) => {
      for (const c of d.status.conditions) {
        if (c.type === 'Ready' || c.type === 'ContainersReady') {
          c.status = ready ? 'True' : 'False';
          c.lastTransitionTime = rfc3339(new Date());
        }
      }
    },
    { subresource: 'status' },
  );
}

async function readyPods(): Promise<V1Pod[]> {
  const list = await cluster.client.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' });
  return list.items
    .filter(
      (p) =>
        !p.metadata?.deletionTimestamp &&
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    )
    .sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
}

const since = (t: number) => events.filter((e) => e.t >= t);
const ofKind = (t: number, kind: string) => since(t).filter((e) => e.kind === kind);
const lastGauge = (name: string, labels?: Record<string, string>) =>
  gauges
    .filter((g) => g.name === name && (!labels || JSON.stringify(g.labels) === JSON.stringify(labels)))
    .at(-1);

async function settle(): Promise<void> {
  await cluster.controllers.idle();
  await waitForReady(cluster.client, { namespace: NS, deployment: 'web' }, 20_000, { pollMs: 50 });
}

beforeAll(async () => {
  cluster = await startLocalCluster();
  await deployWeb(cluster.client, NS, { replicas: 2, ingress: false });
  await cluster.client.autoscaling.createNamespacedHorizontalPodAutoscaler({
    namespace: NS,
    body: {
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
    },
  });
  setHpaStatus(2, 2, 40);
  await settle();
  observer = startClusterObserver(cluster.client, {
    namespace: NS,
    deployment: 'web',
    selector: 'app=web',
    hpa: 'web',
    service: 'web',
    clock: () => now,
    onGauge: (g) => gauges.push(g),
    onEvent: (e) => events.push(e),
    onError: (err) => errors.push(err),
  });
  await observer.ready;
});

afterAll(async () => {
  await observer?.stop();
  await cluster?.close();
});

describe('startClusterObserver', () => {
  it('emits the initial value of every gauge once the lists are done, and no events for the past', () => {
    const initial = (name: string, labels: Record<string, string>) =>
      gauges.find((g) => g.name === name && JSON.stringify(g.labels) === JSON.stringify(labels));
    expect(initial('deployment.desired', { deployment: 'web' })).toEqual({
      t: 0,
      name: 'deployment.desired',
      value: 2,
      labels: { deployment: 'web' },
    });
    for (const name of ['deployment.updated', 'deployment.available', 'deployment.ready']) {
      expect(initial(name, { deployment: 'web' })?.value).toBe(2);
    }
    expect(initial('endpoints.ready', { service: 'web' })?.value).toBe(2);
    expect(initial('hpa.current', { hpa: 'web' })?.value).toBe(2);
    expect(initial('hpa.desired', { hpa: 'web' })?.value).toBe(2);
    expect(initial('hpa.cpu', { hpa: 'web' })?.value).toBe(40);
    expect(initial('nodes.ready', { zone: 'zone-a' })?.value).toBe(2);
    expect(initial('nodes.ready', { zone: 'zone-b' })?.value).toBe(1);
    expect(initial('nodes.ready', { zone: 'zone-c' })?.value).toBe(1);
    const podsReady = ['zone-a', 'zone-b', 'zone-c'].map((zone) => initial('pods.ready', { zone })?.value);
    expect(podsReady.every((v) => typeof v === 'number')).toBe(true);
    expect(podsReady.reduce((a, b) => a! + b!, 0)).toBe(2);
    expect(gauges.every((g) => g.t === 0)).toBe(true);
    expect(events).toEqual([]);
    const snap = observer.snapshot();
    expect(snap.pods).toHaveLength(2);
    expect(snap.nodes.map((n) => n.name).sort()).toEqual(['node-a1', 'node-a2', 'node-b1', 'node-c1']);
    expect(snap.deployment).toMatchObject({ desired: 2, available: 2, rolloutInProgress: false });
    expect(snap.hpa).toMatchObject({ current: 2, desired: 2, cpu: 40 });
    expect(snap.endpoints.filter((e) => e.ready)).toHaveLength(2);
  });

  it('sees a scale up and a scale down in the deployment gauges, pods and endpoints', async () => {
    now = 10;
    await cluster.client.apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: NS, body: { spec: { replicas: 4 } } },
      merge,
    );
    await eventually(
      () => lastGauge('deployment.available', { deployment: 'web' })?.value === 4,
      15_000,
      'available=4',
    );
    // Pods, endpoints and events come over separate watches: wait for each.
    await eventually(
      () =>
        ofKind(10, 'endpoint-added').length === 2 &&
        ofKind(10, 'pod-ready').length === 2 &&
        ofKind(10, 'k8s-event').some((e) => e.detail?.reason === 'ScalingReplicaSet'),
      10_000,
      'two endpoints added, two pods ready, the scaling event',
    );
    expect(gauges.find((g) => g.name === 'deployment.desired' && g.value === 4)?.t).toBe(10);
    expect(ofKind(10, 'pod-created')).toHaveLength(2);
    expect(ofKind(10, 'pod-ready')).toHaveLength(2);
    expect(ofKind(10, 'pod-created')[0]).toMatchObject({
      t: 10,
      object: expect.stringMatching(/^Pod\/obs\/web-/),
    });
    expect(lastGauge('endpoints.ready', { service: 'web' })?.value).toBe(4);
    expect(ofKind(10, 'k8s-event').some((e) => e.detail?.reason === 'ScalingReplicaSet')).toBe(true);
    expect(ofKind(10, 'rollout-start')).toEqual([]);

    await settle();
    now = 20;
    await cluster.client.apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: NS, body: { spec: { replicas: 2 } } },
      merge,
    );
    await eventually(
      () => ofKind(20, 'pod-deleted').length === 2 && ofKind(20, 'endpoint-removed').length === 2,
      15_000,
      'two pods deleted and their endpoints removed',
    );
    await eventually(
      () => lastGauge('deployment.available', { deployment: 'web' })?.value === 2,
      10_000,
      'available=2',
    );
    expect(gauges.filter((g) => g.name === 'deployment.desired' && g.t === 20).map((g) => g.value)).toEqual([
      2,
    ]);
    expect(ofKind(20, 'pod-terminating')).toHaveLength(2);
    const removed = ofKind(20, 'endpoint-removed');
    expect(removed).toHaveLength(2);
    expect(removed[0]).toMatchObject({
      t: 20,
      object: 'Service/obs/web',
      detail: { reason: expect.stringMatching(/terminating|removed/) },
    });
    expect(lastGauge('endpoints.ready', { service: 'web' })?.value).toBe(2);
    const readyByZone = ['zone-a', 'zone-b', 'zone-c'].map(
      (zone) => lastGauge('pods.ready', { zone })?.value ?? 0,
    );
    expect(readyByZone.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('sees a pod go not ready and ready again, with its endpoint', async () => {
    await settle();
    const [pod] = await readyPods();
    const name = pod!.metadata!.name!;
    now = 30;
    setPodReady(name, false);
    await eventually(
      () => ofKind(30, 'endpoint-removed').length === 1 && ofKind(30, 'pod-not-ready').length === 1,
      10_000,
      'pod not ready, endpoint removed',
    );
    expect(ofKind(30, 'pod-not-ready')).toEqual([
      expect.objectContaining({
        t: 30,
        object: `Pod/obs/${name}`,
        detail: expect.objectContaining({ terminating: false }),
      }),
    ]);
    expect(ofKind(30, 'endpoint-removed')[0]?.detail).toMatchObject({ reason: 'not-ready', pod: name });
    expect(lastGauge('endpoints.ready', { service: 'web' })).toMatchObject({ t: 30, value: 1 });
    now = 35;
    setPodReady(name, true);
    await eventually(
      () => ofKind(35, 'endpoint-added').length === 1 && ofKind(35, 'pod-ready').length === 1,
      10_000,
      'pod ready, endpoint back',
    );
    expect(ofKind(35, 'pod-ready').map((e) => e.object)).toEqual([`Pod/obs/${name}`]);
    expect(lastGauge('endpoints.ready', { service: 'web' })).toMatchObject({ t: 35, value: 2 });
  });

  it('sees a graceful deletion: terminating and endpoint removal first, the deletion when it ends', async () => {
    await settle();
    const [pod] = await readyPods();
    const name = pod!.metadata!.name!;
    cluster.kubelet.holdTermination = true;
    try {
      now = 40;
      await cluster.client.core.deleteNamespacedPod({ name, namespace: NS, gracePeriodSeconds: 30 });
      await eventually(
        () => ofKind(40, 'endpoint-removed').length === 1 && ofKind(40, 'pod-terminating').length === 1,
        10_000,
        'pod terminating, endpoint removed',
      );
      expect(ofKind(40, 'pod-terminating')).toEqual([
        expect.objectContaining({
          t: 40,
          object: `Pod/obs/${name}`,
          detail: expect.objectContaining({ gracePeriodSeconds: 30, wasReady: true }),
        }),
      ]);
      expect(ofKind(40, 'endpoint-removed')[0]?.detail).toMatchObject({
        pod: name,
        reason: expect.stringMatching(/terminating|removed/),
      });
      expect(ofKind(40, 'pod-deleted')).toEqual([]);
      now = 45;
      const uid = pod!.metadata!.uid!;
      cluster.store.finalizeDelete('pods', NS, name, uid);
      await eventually(() => ofKind(45, 'pod-deleted').length === 1, 10_000, 'pod deleted');
      expect(ofKind(45, 'pod-deleted')[0]).toMatchObject({
        object: `Pod/obs/${name}`,
        detail: { graceful: true },
      });
    } finally {
      cluster.kubelet.holdTermination = false;
    }
    // The ReplicaSet replaced it as soon as it began terminating.
    expect(ofKind(40, 'pod-created').length).toBeGreaterThanOrEqual(1);
  });

  it('sees a node cordoned, not ready, ready again and uncordoned', async () => {
    await settle();
    now = 50;
    await cluster.client.core.patchNode({ name: 'node-b1', body: { spec: { unschedulable: true } } }, merge);
    await eventually(() => ofKind(50, 'node-cordoned').length === 1, 10_000, 'cordon');
    expect(ofKind(50, 'node-cordoned')[0]).toMatchObject({
      t: 50,
      object: 'Node//node-b1',
      detail: { zone: 'zone-b', taints: ['node.kubernetes.io/unschedulable:NoSchedule'] },
    });
    now = 52;
    cluster.store.mutate(
      'nodes',
      '',
      'node-b1',
      (d) => {
        const ready = d.status.conditions.find((c: { type: string }) => c.type === 'Ready');
        Object.assign(ready, {
          status: 'Unknown',
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
        });
      },
      { subresource: 'status' },
    );
    await eventually(() => ofKind(52, 'node-not-ready').length === 1, 10_000, 'not ready');
    expect(ofKind(52, 'node-not-ready')[0]?.detail).toMatchObject({
      zone: 'zone-b',
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
    });
    expect(lastGauge('nodes.ready', { zone: 'zone-b' })).toEqual({
      t: 52,
      name: 'nodes.ready',
      value: 0,
      labels: { zone: 'zone-b' },
    });
    now = 54;
    cluster.store.mutate(
      'nodes',
      '',
      'node-b1',
      (d) => {
        const ready = d.status.conditions.find((c: { type: string }) => c.type === 'Ready');
        Object.assign(ready, {
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        });
      },
      { subresource: 'status' },
    );
    await cluster.client.core.patchNode({ name: 'node-b1', body: { spec: { unschedulable: null } } }, merge);
    await eventually(() => ofKind(54, 'node-uncordoned').length === 1, 10_000, 'uncordon');
    expect(ofKind(54, 'node-ready').map((e) => e.object)).toEqual(['Node//node-b1']);
    expect(lastGauge('nodes.ready', { zone: 'zone-b' })?.value).toBe(1);
  });

  it('reports every new Kubernetes Event, and each eviction once whatever reports it', async () => {
    await settle();
    const [a, b] = await readyPods();
    now = 60;
    await cluster.client.core.createNamespacedEvent({
      namespace: NS,
      body: {
        metadata: { name: 'evict-a' },
        involvedObject: { kind: 'Pod', namespace: NS, name: a!.metadata!.name!, uid: a!.metadata!.uid! },
        reason: 'Evicted',
        message: 'The node was low on resource: memory.',
        type: 'Warning',
        count: 1,
        source: { component: 'kubelet' },
      },
    });
    await eventually(() => ofKind(60, 'eviction').length === 1, 10_000, 'eviction from the Event');
    expect(ofKind(60, 'k8s-event').find((e) => e.detail?.reason === 'Evicted')).toEqual({
      t: 60,
      kind: 'k8s-event',
      object: `Pod/obs/${a!.metadata!.name}`,
      message: 'Evicted: The node was low on resource: memory.',
      detail: {
        reason: 'Evicted',
        type: 'Warning',
        message: 'The node was low on resource: memory.',
        count: 1,
        source: 'kubelet',
      },
    });
    now = 62;
    // The same pod also gets DisruptionTarget (one eviction), and another pod only that (a second one).
    for (const pod of [a!, b!]) {
      cluster.store.mutate(
        'pods',
        NS,
        pod.metadata!.name!,
        (d) => {
          d.status.conditions.push({
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'EvictionByEvictionAPI',
            message: 'Eviction API: evicting',
            lastTransitionTime: rfc3339(new Date()),
          });
        },
        { subresource: 'status' },
      );
    }
    await eventually(() => ofKind(62, 'eviction').length === 1, 10_000, 'eviction from DisruptionTarget');
    expect(ofKind(62, 'eviction')[0]).toMatchObject({
      object: `Pod/obs/${b!.metadata!.name}`,
      detail: { source: 'DisruptionTarget', reason: 'EvictionByEvictionAPI' },
    });
    // A repeat folded into the Event's count is a new occurrence.
    now = 64;
    await cluster.client.core.patchNamespacedEvent(
      { name: 'evict-a', namespace: NS, body: { count: 2 } },
      merge,
    );
    await eventually(() => ofKind(64, 'k8s-event').length === 1, 10_000, 'repeat');
    expect(ofKind(64, 'k8s-event')[0]?.detail?.count).toBe(2);
    expect(ofKind(60, 'eviction')).toHaveLength(2);
  });

  it('sees HPA status changes as gauges and a rescale event', async () => {
    now = 70;
    setHpaStatus(2, 5, 140);
    await eventually(() => ofKind(70, 'hpa-rescale').length === 1, 10_000, 'rescale');
    expect(ofKind(70, 'hpa-rescale')[0]).toEqual({
      t: 70,
      kind: 'hpa-rescale',
      object: 'HorizontalPodAutoscaler/obs/web',
      message: 'HPA web desired replicas 2 → 5 (cpu 140%)',
      detail: { from: 2, to: 5, current: 2, cpu: 140 },
    });
    expect(lastGauge('hpa.desired', { hpa: 'web' })).toMatchObject({ t: 70, value: 5 });
    expect(lastGauge('hpa.cpu', { hpa: 'web' })).toMatchObject({ t: 70, value: 140 });
    now = 72;
    setHpaStatus(5, 5, 140);
    await eventually(() => lastGauge('hpa.current', { hpa: 'web' })?.value === 5, 10_000, 'current=5');
    expect(ofKind(72, 'hpa-rescale')).toEqual([]);
    // Unchanged values put no new points on the timeline.
    expect(gauges.filter((g) => g.t === 72)).toEqual([
      { t: 72, name: 'hpa.current', value: 5, labels: { hpa: 'web' } },
    ]);
  });

  it('sees a rollout start on a template change and complete when every replica is new and available', async () => {
    await settle();
    now = 80;
    await cluster.client.apps.patchNamespacedDeployment({
      name: 'web',
      namespace: NS,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'web:2' }],
    });
    await eventually(() => ofKind(80, 'rollout-complete').length === 1, 20_000, 'rollout complete');
    const start = ofKind(80, 'rollout-start');
    expect(start).toHaveLength(1);
    expect(start[0]).toMatchObject({ t: 80, object: 'Deployment/obs/web', detail: { fromRevision: '1' } });
    const done = ofKind(80, 'rollout-complete')[0]!;
    expect(events.indexOf(done)).toBeGreaterThan(events.indexOf(start[0]!));
    expect(done.detail).toMatchObject({
      revision: '2',
      durationS: 0,
      replicaSet: expect.stringMatching(/^web-/),
    });
    expect(observer.snapshot().deployment).toMatchObject({ rolloutInProgress: false, revision: '2' });
    expect(errors).toEqual([]);
  });
});
