/**
 * The HPA controller against a real Store with synthetic usage: scaling a Deployment through the
 * basic controllers, max replicas, behavior rate limits, scale-down stabilization, status
 * (currentMetrics, conditions) and the events kubectl describe shows, plus the failure paths.
 * The controller clock runs 10 minutes ahead of the pods' start times, so no pod is still in its
 * cpu initialization period unless a test says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startBasicControllers } from '../../infra-fixtures/local-cluster/controllers/basic.ts';
import {
  startHpaController,
  type HpaController,
  type HpaControllerOptions,
} from '../../infra-fixtures/local-cluster/controllers/hpa/index.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { KubeObject, StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { addNode, eventually, markPodReady, startFakeKubelet } from './api-helpers.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

let running: Array<{ stop(): unknown }> = [];
afterEach(async () => {
  for (const r of running.reverse()) await r.stop();
  running = [];
});

const tick = () => new Promise((r) => setImmediate(r));

function deployment(
  name: string,
  replicas: number,
  requests: Record<string, string> = { cpu: '200m' },
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'app:1', resources: { requests } }] },
      },
    },
  };
}

function hpaObject(name: string, target: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        },
      ],
      ...spec,
    },
  };
}

interface Harness {
  store: Store;
  hpa: HpaController;
  clock: { now: number };
  /** millicores per pod; undefined = no sample */
  usage: {
    cpu: (pod: StoredObject) => number | undefined;
    memory?: (pod: StoredObject) => number | undefined;
  };
  advance(seconds: number): void;
}

function harness(options: Partial<HpaControllerOptions> = {}, store = new Store()): Harness {
  const clock = { now: Date.now() + 600_000 };
  const usage: Harness['usage'] = { cpu: () => undefined };
  const hpa = startHpaController(store, {
    podUsage: (pod) => {
      const cpu = usage.cpu(pod);
      if (cpu === undefined) return undefined;
      return { cpuMillicores: cpu, memoryBytes: usage.memory?.(pod), timestamp: clock.now };
    },
    syncPeriodMs: 3_600_000,
    now: () => clock.now,
    onError: (e) => {
      throw e;
    },
    ...options,
  });
  running.push(hpa);
  return { store, hpa, clock, usage, advance: (s) => (clock.now += s * 1000) };
}

/** A cluster with the basic controllers and a stand-in kubelet that makes bound pods Ready. */
function clusterStore(): Store {
  const store = new Store();
  for (let i = 1; i <= 3; i++) addNode(store, `node-${i}`, `zone-${i}`, i);
  const controllers = startBasicControllers(store);
  running.push(controllers, startFakeKubelet(store));
  return store;
}

/** A Deployment with hand-made Ready pods and no controllers: the pod set stays fixed. */
function staticDeployment(store: Store, name: string, pods: number, requests?: Record<string, string>): void {
  const d = store.create('deployments', deployment(name, pods, requests));
  for (let i = 0; i < pods; i++) {
    const p = store.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-${i}`, namespace: 'default', labels: { app: name } },
      spec: structuredClone(d.spec.template.spec),
    });
    markPodReady(store, p);
  }
}

const readyPods = (store: Store, app: string) =>
  store
    .list('pods', { labelSelector: `app=${app}` })
    .items.filter(
      (p) =>
        !p.metadata.deletionTimestamp &&
        p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'),
    );

const replicas = (store: Store, name: string) => store.get('deployments', 'default', name).spec.replicas;
const hpaStatus = (store: Store, name: string) =>
  store.get('horizontalpodautoscalers', 'default', name).status;
const cond = (store: Store, name: string, type: string) =>
  hpaStatus(store, name).conditions?.find((c: any) => c.type === type);
/** Events of one HPA in write order (names only order them to the millisecond). */
const events = (store: Store, name: string): Array<Record<string, string>> =>
  store
    .list('events')
    .items.filter(
      (e: any) => e.involvedObject.kind === 'HorizontalPodAutoscaler' && e.involvedObject.name === name,
    )
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e: any) => ({ type: e.type, reason: e.reason, message: e.message, component: e.source.component }));

async function waitReady(store: Store, app: string, n: number): Promise<void> {
  await eventually(
    () =>
      readyPods(store, app).length === n &&
      store.list('pods', { labelSelector: `app=${app}` }).items.length === n,
    10_000,
    `${n} ready ${app} pods`,
  );
}

describe('HPA controller: scaling a Deployment', () => {
  it('scales up on high CPU at most max(2×, 4) per sync without behavior, then stops at maxReplicas', async () => {
    const store = clusterStore();
    store.create('deployments', deployment('web', 2));
    await waitReady(store, 'web', 2);
    const h = harness({}, store);
    h.usage.cpu = () => 400; // 200 % of a 200m request
    store.create('horizontalpodautoscalers', hpaObject('web', 'web', { maxReplicas: 6 }));
    await tick();

    expect(replicas(store, 'web')).toBe(4);
    const st = hpaStatus(store, 'web');
    expect(st).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 4,
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 200, averageValue: '400m' } },
        },
      ],
    });
    expect(st.lastScaleTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(cond(store, 'web', 'AbleToScale')).toMatchObject({
      status: 'True',
      reason: 'SucceededRescale',
      message: 'the HPA controller was able to update the target scale to 4',
    });
    expect(cond(store, 'web', 'ScalingActive')).toMatchObject({
      status: 'True',
      reason: 'ValidMetricFound',
      message:
        'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
    });
    expect(cond(store, 'web', 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
    expect(events(store, 'web')).toEqual([
      {
        type: 'Normal',
        reason: 'SuccessfulRescale',
        message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
        component: 'horizontal-pod-autoscaler',
      },
    ]);

    await waitReady(store, 'web', 4);
    h.advance(15);
    await h.hpa.syncOnce();
    expect(replicas(store, 'web')).toBe(6);
    expect(cond(store, 'web', 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    });

    await waitReady(store, 'web', 6);
    h.advance(15);
    await h.hpa.syncOnce();
    expect(replicas(store, 'web')).toBe(6);
    expect(hpaStatus(store, 'web')).toMatchObject({ currentReplicas: 6, desiredReplicas: 6 });
    expect(cond(store, 'web', 'AbleToScale')).toMatchObject({ reason: 'ReadyForNewScale' });
    expect(events(store, 'web').map((e) => e.message)).toEqual([
      'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      'New size: 6; reason: cpu resource utilization (percentage of request) above target',
    ]);
  });

  it('applies behavior scale-up policies per period', async () => {
    const store = clusterStore();
    store.create('deployments', deployment('api', 1));
    await waitReady(store, 'api', 1);
    const h = harness({}, store);
    h.usage.cpu = () => 1000;
    store.create(
      'horizontalpodautoscalers',
      hpaObject('api', 'api', {
        behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
      }),
    );
    await tick();
    expect(replicas(store, 'api')).toBe(2);
    await waitReady(store, 'api', 2);

    h.advance(30);
    await h.hpa.syncOnce();
    expect(replicas(store, 'api')).toBe(2);
    expect(cond(store, 'api', 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    });

    h.advance(31);
    await h.hpa.syncOnce();
    expect(replicas(store, 'api')).toBe(3);
    expect(events(store, 'api').map((e) => e.message)).toEqual([
      'New size: 2; reason: cpu resource utilization (percentage of request) above target',
      'New size: 3; reason: cpu resource utilization (percentage of request) above target',
    ]);
  });

  it('holds a scale-down for the 5-minute stabilization window', async () => {
    const store = new Store();
    const h = harness({}, store);
    staticDeployment(store, 'web', 4);
    h.usage.cpu = () => 100; // exactly the 50 % target
    store.create('horizontalpodautoscalers', hpaObject('web', 'web'));
    await tick();
    expect(replicas(store, 'web')).toBe(4);
    expect(cond(store, 'web', 'AbleToScale')).toMatchObject({ reason: 'ReadyForNewScale' });
    expect(cond(store, 'web', 'ScalingLimited')).toMatchObject({
      status: 'False',
      reason: 'DesiredWithinRange',
    });

    h.usage.cpu = () => 20; // 10 % → 1 replica wanted
    h.advance(15);
    await h.hpa.syncOnce();
    expect(replicas(store, 'web')).toBe(4);
    expect(cond(store, 'web', 'AbleToScale')).toMatchObject({
      status: 'True',
      reason: 'ScaleDownStabilized',
      message:
        'recent recommendations were higher than current one, applying the highest recent recommendation',
    });
    expect(hpaStatus(store, 'web')).toMatchObject({ currentReplicas: 4, desiredReplicas: 4 });

    h.advance(200);
    await h.hpa.syncOnce();
    expect(replicas(store, 'web')).toBe(4);
    h.advance(100); // 315 s after the last 4-replica recommendation
    await h.hpa.syncOnce();
    expect(replicas(store, 'web')).toBe(1);
    expect(events(store, 'web').at(-1)).toMatchObject({
      reason: 'SuccessfulRescale',
      message: 'New size: 1; reason: All metrics below target',
    });
  });

  it('scales on an AverageValue target and a memory utilization target', async () => {
    const store = new Store();
    const h = harness({}, store);
    staticDeployment(store, 'web', 2, { cpu: '200m', memory: '100Mi' });
    h.usage.cpu = () => 300;
    h.usage.memory = () => 50 * 1024 * 1024;
    store.create(
      'horizontalpodautoscalers',
      hpaObject('web', 'web', {
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '100m' } },
          },
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
      }),
    );
    await tick();
    expect(replicas(store, 'web')).toBe(4); // wants 6, legacy step limit max(2×2, 4)
    expect(hpaStatus(store, 'web').currentMetrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '300m' } } },
      {
        type: 'Resource',
        resource: { name: 'memory', current: { averageUtilization: 50, averageValue: '52428800' } },
      },
    ]);
    expect(events(store, 'web')[0]?.message).toBe('New size: 4; reason: cpu resource above target');
  });

  it('reconciles on create, then every sync period, and stops', async () => {
    const store = new Store();
    const h = harness({ syncPeriodMs: 50 }, store);
    staticDeployment(store, 'web', 2);
    h.usage.cpu = () => 100;
    store.create('horizontalpodautoscalers', hpaObject('web', 'web', { minReplicas: 2 }));
    await eventually(() => hpaStatus(store, 'web').conditions?.length === 3, 5_000, 'first reconcile');
    expect(replicas(store, 'web')).toBe(2);
    h.usage.cpu = () => 300;
    await eventually(() => replicas(store, 'web') === 4, 5_000, 'periodic scale-up');
    await h.hpa.stop();
    const rv = store.resourceVersion;
    h.usage.cpu = () => 1000;
    await new Promise((r) => setTimeout(r, 200));
    expect(store.resourceVersion).toBe(rv);
  });
});

describe('HPA controller: failures and limits', () => {
  it('reports missing metrics as FailedGetResourceMetric and leaves the target alone', async () => {
    const store = new Store();
    harness({}, store);
    staticDeployment(store, 'web', 2);
    store.create('horizontalpodautoscalers', hpaObject('web', 'web'));
    await tick();
    const inner =
      'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API';
    const seen = events(store, 'web').map(({ type, reason, message }) => ({ type, reason, message }));
    expect(seen.sort((a, b) => a.reason!.localeCompare(b.reason!))).toEqual([
      {
        type: 'Warning',
        reason: 'FailedComputeMetricsReplicas',
        message: `invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${inner}`,
      },
      { type: 'Warning', reason: 'FailedGetResourceMetric', message: inner },
    ]);
    expect(cond(store, 'web', 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message: `the HPA was unable to compute the replica count: ${inner}`,
    });
    expect(cond(store, 'web', 'AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededGetScale' });
    expect(hpaStatus(store, 'web')).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 0,
      currentMetrics: [{ type: '' }],
    });
    expect(replicas(store, 'web')).toBe(2);
  });

  it('needs cpu requests on every container', async () => {
    const store = new Store();
    const h = harness({}, store);
    staticDeployment(store, 'web', 1, { memory: '64Mi' });
    h.usage.cpu = () => 100;
    store.create('horizontalpodautoscalers', hpaObject('web', 'web'));
    await tick();
    expect(cond(store, 'web', 'ScalingActive')?.message).toBe(
      'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container app of Pod web-0',
    );
  });

  it('reports an unknown or missing scale target as FailedGetScale', async () => {
    const store = new Store();
    harness({}, store);
    store.create('horizontalpodautoscalers', hpaObject('gone', 'nope'));
    const foo = hpaObject('foo', 'x');
    foo.spec.scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Foo', name: 'x' };
    store.create('horizontalpodautoscalers', foo);
    await tick();
    expect(events(store, 'gone')).toEqual([
      {
        type: 'Warning',
        reason: 'FailedGetScale',
        message: 'deployments.apps "nope" not found',
        component: 'horizontal-pod-autoscaler',
      },
    ]);
    expect(cond(store, 'gone', 'AbleToScale')).toMatchObject({
      status: 'False',
      reason: 'FailedGetScale',
      message: `the HPA controller was unable to get the target's current scale: deployments.apps "nope" not found`,
    });
    expect(cond(store, 'foo', 'AbleToScale')?.message).toBe(
      `the HPA controller was unable to get the target's current scale: no matches for kind "Foo" in group "apps"`,
    );
  });

  it('enforces minReplicas and maxReplicas before looking at metrics, and is disabled at zero', async () => {
    const store = new Store();
    const h = harness({}, store);
    staticDeployment(store, 'low', 1);
    staticDeployment(store, 'high', 3);
    staticDeployment(store, 'off', 0);
    store.create('horizontalpodautoscalers', hpaObject('low', 'low', { minReplicas: 2 }));
    store.create('horizontalpodautoscalers', hpaObject('high', 'high', { maxReplicas: 2 }));
    store.create('horizontalpodautoscalers', hpaObject('off', 'off'));
    await tick();
    expect(replicas(store, 'low')).toBe(2);
    expect(events(store, 'low')[0]?.message).toBe(
      'New size: 2; reason: Current number of replicas below Spec.MinReplicas',
    );
    expect(replicas(store, 'high')).toBe(2);
    expect(events(store, 'high')[0]?.message).toBe(
      'New size: 2; reason: Current number of replicas above Spec.MaxReplicas',
    );
    expect(cond(store, 'off', 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'ScalingDisabled',
      message: 'scaling is disabled since the replica count of the target is zero',
    });
    expect(replicas(store, 'off')).toBe(0);
    expect(h.clock.now).toBeGreaterThan(0);
  });

  it('refuses two HPAs over the same pods', async () => {
    const store = new Store();
    const h = harness({}, store);
    staticDeployment(store, 'web', 2);
    h.usage.cpu = () => 1000;
    store.create('horizontalpodautoscalers', hpaObject('a', 'web'));
    store.create('horizontalpodautoscalers', hpaObject('b', 'web'));
    await tick();
    const msg = 'pods by selector app=web are controlled by multiple HPAs: [default/a default/b]';
    expect(cond(store, 'b', 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'AmbiguousSelector',
      message: msg,
    });
    expect(
      events(store, 'b')
        .map((e) => e.reason)
        .sort(),
    ).toEqual(['AmbiguousSelector', 'FailedComputeMetricsReplicas']);
    expect(replicas(store, 'web')).toBe(2);
  });

  it('validates its options with a message naming the field', () => {
    const store = new Store();
    expect(() => startHpaController(store, {} as HpaControllerOptions)).toThrow(
      /options\.podUsage must be a function/,
    );
    expect(() => startHpaController(store, { podUsage: () => undefined, tolerance: -1 })).toThrow(
      /options\.tolerance must be a finite number >= 0/,
    );
  });
});
