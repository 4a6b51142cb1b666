/**
 * The disruption controller and the eviction handler on a real Store with the basic controllers
 * and a stand-in kubelet: budgets that allow one eviction and refuse the next with 429 until the
 * replacement is Ready, percentages scaled from the Deployment, status and conditions, the
 * unready/pending/terminating/multiple-budget cases, and the Status an HTTP client receives.
 */
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { EvictionHandler } from '../../infra-fixtures/local-cluster/api/context.ts';
import { startApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import { startBasicControllers } from '../../infra-fixtures/local-cluster/controllers/basic.ts';
import {
  createEvictionHandler,
  startDisruptionController,
  type DisruptionController,
} from '../../infra-fixtures/local-cluster/controllers/disruption/index.ts';
import { ApiError } from '../../infra-fixtures/local-cluster/store/errors.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { KubeObject, StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { addNode, eventually, markPodReady, startFakeKubelet, tempDir } from './api-helpers.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

let running: Array<{ stop(): unknown }> = [];
afterEach(async () => {
  for (const r of running.reverse()) await r.stop();
  running = [];
});

function deployment(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'app:1' }] },
      },
    },
  };
}

function budget(name: string, app: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'default' },
    spec: { selector: { matchLabels: { app } }, ...spec },
  };
}

interface Cluster {
  store: Store;
  disruption: DisruptionController;
  evict: EvictionHandler;
  kubelet: { ready: boolean; holdTermination: boolean };
}

function cluster(): Cluster {
  const store = new Store();
  for (let i = 1; i <= 3; i++) addNode(store, `node-${i}`, `zone-${i}`, i);
  const kubelet = { ready: true, holdTermination: false };
  const controllers = startBasicControllers(store);
  const disruption = startDisruptionController(store, {
    onError: (e) => {
      throw e;
    },
  });
  running.push(
    controllers,
    startFakeKubelet(store, {
      autoReady: () => kubelet.ready,
      holdTermination: () => kubelet.holdTermination,
    }),
    disruption,
  );
  return { store, disruption, evict: createEvictionHandler(store), kubelet };
}

const livePods = (store: Store, app: string) =>
  store.list('pods', { labelSelector: `app=${app}` }).items.filter((p) => !p.metadata.deletionTimestamp);
const isReady = (p: StoredObject) =>
  p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
const pdbStatus = (store: Store, name: string) => store.get('poddisruptionbudgets', 'default', name).status;

async function rollOut(c: Cluster, app: string, replicas: number): Promise<StoredObject[]> {
  c.store.create('deployments', deployment(app, replicas));
  return eventually(
    () => {
      const pods = livePods(c.store, app);
      return pods.length === replicas && pods.every(isReady) ? pods : undefined;
    },
    10_000,
    `${replicas} ready ${app} pods`,
  );
}

/** Runs an eviction like the API server does: the pod as stored, options from the Eviction body. */
function evict(c: Cluster, pod: StoredObject, deleteOptions: Record<string, unknown> = {}, dryRun = false) {
  const current = c.store.get('pods', 'default', pod.metadata.name);
  return c.evict({
    store: c.store,
    pod: current,
    eviction: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.metadata.name } },
    deleteOptions,
    dryRun,
  });
}

function failure(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

async function settled(c: Cluster, check: () => boolean, what: string): Promise<void> {
  await eventually(
    async () => {
      await c.disruption.idle();
      return check();
    },
    10_000,
    what,
  );
}

describe('disruption controller status', () => {
  it('tracks minAvailable with observedGeneration and the DisruptionAllowed condition', async () => {
    const c = cluster();
    await rollOut(c, 'web', 3);
    c.store.create('poddisruptionbudgets', budget('web', 'web', { minAvailable: 2 }));
    await settled(c, () => pdbStatus(c.store, 'web').observedGeneration === 1, 'first status');
    const status = pdbStatus(c.store, 'web');
    expect(status).toMatchObject({
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      disruptionsAllowed: 1,
      observedGeneration: 1,
    });
    expect(status.disruptedPods).toBeUndefined();
    expect(status.conditions).toEqual([
      {
        type: 'DisruptionAllowed',
        status: 'True',
        reason: 'SufficientPods',
        message: '',
        observedGeneration: 1,
        lastTransitionTime: expect.stringMatching(/Z$/),
      },
    ]);

    c.store.mutate('poddisruptionbudgets', 'default', 'web', (d) => {
      d.spec.minAvailable = 3;
    });
    await settled(c, () => pdbStatus(c.store, 'web').observedGeneration === 2, 'new generation');
    expect(pdbStatus(c.store, 'web')).toMatchObject({ desiredHealthy: 3, disruptionsAllowed: 0 });
    expect(pdbStatus(c.store, 'web').conditions[0]).toMatchObject({
      status: 'False',
      reason: 'InsufficientPods',
      observedGeneration: 2,
    });
  });

  it('scales percentages from the Deployment and follows its scale', async () => {
    const c = cluster();
    await rollOut(c, 'web', 3);
    c.store.create('poddisruptionbudgets', budget('max', 'web', { maxUnavailable: '34%' }));
    c.store.create('poddisruptionbudgets', budget('min', 'web', { minAvailable: '50%' }));
    await settled(
      c,
      () =>
        pdbStatus(c.store, 'min').observedGeneration === 1 &&
        pdbStatus(c.store, 'max').observedGeneration === 1,
      'status',
    );
    expect(pdbStatus(c.store, 'max')).toMatchObject({
      expectedPods: 3,
      desiredHealthy: 1,
      disruptionsAllowed: 2,
    });
    expect(pdbStatus(c.store, 'min')).toMatchObject({
      expectedPods: 3,
      desiredHealthy: 2,
      disruptionsAllowed: 1,
    });

    c.kubelet.ready = false;
    c.store.mutate('deployments', 'default', 'web', (d) => {
      d.spec.replicas = 5;
    });
    // The scale counts before the new pods are Ready: 50 % of 5 rounds up to 3 of 3 healthy.
    await settled(c, () => pdbStatus(c.store, 'min').expectedPods === 5, 'expected 5');
    expect(pdbStatus(c.store, 'min')).toMatchObject({
      desiredHealthy: 3,
      currentHealthy: 3,
      disruptionsAllowed: 0,
    });
    expect(pdbStatus(c.store, 'max')).toMatchObject({ desiredHealthy: 3, disruptionsAllowed: 0 });
  });

  it('fails safe on a budget it cannot compute', async () => {
    const c = cluster();
    await rollOut(c, 'web', 2);
    c.store.create('poddisruptionbudgets', budget('bad', 'web', { maxUnavailable: 'one' }));
    await settled(c, () => pdbStatus(c.store, 'bad').conditions?.length === 1, 'condition');
    expect(pdbStatus(c.store, 'bad')).toMatchObject({
      disruptionsAllowed: 0,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: 'False',
          reason: 'SyncFailed',
          message: 'invalid value for IntOrString: invalid type: string is not a percentage',
        },
      ],
    });
    const events = c.store.list('events').items.filter((e: any) => e.involvedObject.name === 'bad');
    expect(events.map((e: any) => [e.reason, e.message, e.source.component])).toContainEqual([
      'CalculateExpectedPodCountFailed',
      'Failed to calculate the number of expected pods: invalid value for IntOrString: invalid type: string is not a percentage',
      'controllermanager',
    ]);
  });

  it('counts unmanaged pods for an integer minAvailable and warns about them for percentages', async () => {
    const c = cluster();
    for (const name of ['a', 'b']) {
      const p = c.store.create('pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', labels: { app: 'bare' } },
        spec: { containers: [{ name: 'app', image: 'app:1' }] },
      });
      markPodReady(c.store, p);
    }
    c.store.create('poddisruptionbudgets', budget('int', 'bare', { minAvailable: 1 }));
    c.store.create('poddisruptionbudgets', budget('pct', 'bare', { minAvailable: '50%' }));
    await settled(
      c,
      () =>
        pdbStatus(c.store, 'int').observedGeneration === 1 &&
        pdbStatus(c.store, 'pct').observedGeneration === 1,
      'status',
    );
    expect(pdbStatus(c.store, 'int')).toMatchObject({
      expectedPods: 2,
      currentHealthy: 2,
      disruptionsAllowed: 1,
    });
    expect(pdbStatus(c.store, 'pct')).toMatchObject({ expectedPods: 0, disruptionsAllowed: 0 });
    const reasons = c.store
      .list('events')
      .items.filter((e: any) => e.involvedObject.name === 'pct')
      .map((e) => e.reason);
    expect(reasons).toContain('UnmanagedPods');
  });
});

describe('eviction with a PodDisruptionBudget', () => {
  it('allows one eviction, refuses the next with 429 until the replacement is Ready', async () => {
    const c = cluster();
    const [first, second] = await rollOut(c, 'web', 3);
    c.store.create('poddisruptionbudgets', budget('web-pdb', 'web', { minAvailable: 2 }));
    await settled(c, () => pdbStatus(c.store, 'web-pdb').disruptionsAllowed === 1, 'one disruption allowed');

    c.kubelet.ready = false;
    c.kubelet.holdTermination = true;
    await evict(c, first!);
    const evicted = c.store.get('pods', 'default', first!.metadata.name);
    expect(evicted.metadata.deletionTimestamp).toBeTruthy();
    expect(evicted.status.conditions.find((x: any) => x.type === 'DisruptionTarget')).toMatchObject({
      status: 'True',
      reason: 'EvictionByEvictionAPI',
      message: 'Eviction API: evicting',
    });
    const after = pdbStatus(c.store, 'web-pdb');
    expect(after.disruptionsAllowed).toBe(0);
    expect(Object.keys(after.disruptedPods)).toEqual([first!.metadata.name]);
    expect(after.conditions[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' });

    c.kubelet.holdTermination = false;
    c.store.finalizeDelete('pods', 'default', first!.metadata.name);
    await settled(
      c,
      () => livePods(c.store, 'web').length === 3 && pdbStatus(c.store, 'web-pdb').currentHealthy === 2,
      'replacement created, not ready',
    );
    expect(pdbStatus(c.store, 'web-pdb').disruptedPods).toBeUndefined();

    const refused = failure(() => evict(c, second!));
    expect(refused.code).toBe(429);
    expect(refused.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      reason: 'TooManyRequests',
      details: {
        causes: [
          {
            reason: 'DisruptionBudget',
            message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently',
          },
        ],
      },
      code: 429,
    });
    expect(c.store.get('pods', 'default', second!.metadata.name).metadata.deletionTimestamp).toBeUndefined();

    const replacement = livePods(c.store, 'web').find((p) => !isReady(p))!;
    markPodReady(c.store, replacement);
    await settled(c, () => pdbStatus(c.store, 'web-pdb').disruptionsAllowed === 1, 'replacement ready');
    await evict(c, second!);
    await eventually(
      () => !c.store.tryGet('pods', 'default', second!.metadata.name),
      5_000,
      'second pod gone',
    );
  });

  it('spends percentages of the Deployment scale', async () => {
    const c = cluster();
    const pods = await rollOut(c, 'web', 4);
    c.store.create('poddisruptionbudgets', budget('web', 'web', { maxUnavailable: '50%' }));
    await settled(c, () => pdbStatus(c.store, 'web').disruptionsAllowed === 2, 'two allowed');
    c.kubelet.ready = false;
    const rv = c.store.get('poddisruptionbudgets', 'default', 'web').metadata.resourceVersion;
    await evict(c, pods[0]!, {}, true);
    expect(c.store.get('pods', 'default', pods[0]!.metadata.name).metadata.deletionTimestamp).toBeUndefined();
    expect(c.store.get('poddisruptionbudgets', 'default', 'web').metadata.resourceVersion).toBe(rv);
    await evict(c, pods[0]!);
    await evict(c, pods[1]!);
    expect(failure(() => evict(c, pods[2]!)).code).toBe(429);
  });

  it('deletes unready pods without spending the budget while it is met', async () => {
    const c = cluster();
    const pods = await rollOut(c, 'web', 4);
    c.store.create('poddisruptionbudgets', budget('web', 'web', { minAvailable: 3 }));
    await settled(c, () => pdbStatus(c.store, 'web').disruptionsAllowed === 1, 'one allowed');
    c.kubelet.ready = false;
    const sick = c.store.mutate(
      'pods',
      'default',
      pods[0]!.metadata.name,
      (d) => {
        d.status.conditions.find((x: any) => x.type === 'Ready').status = 'False';
      },
      { subresource: 'status' },
    );
    await settled(c, () => pdbStatus(c.store, 'web').currentHealthy === 3, 'one unready');
    expect(pdbStatus(c.store, 'web').disruptionsAllowed).toBe(0);
    await evict(c, sick);
    expect(pdbStatus(c.store, 'web').disruptedPods).toBeUndefined();
    // With the budget not met, an unready pod is refused like any other.
    await settled(
      c,
      () => livePods(c.store, 'web').length === 4 && pdbStatus(c.store, 'web').currentHealthy === 3,
      'replacement pending',
    );
    c.store.mutate(
      'pods',
      'default',
      pods[1]!.metadata.name,
      (d) => {
        d.status.conditions.find((x: any) => x.type === 'Ready').status = 'False';
      },
      { subresource: 'status' },
    );
    await settled(c, () => pdbStatus(c.store, 'web').currentHealthy === 2, 'two unready');
    expect(failure(() => evict(c, pods[1]!)).code).toBe(429);
    // AlwaysAllow lets unready pods go regardless.
    c.store.mutate('poddisruptionbudgets', 'default', 'web', (d) => {
      d.spec.unhealthyPodEvictionPolicy = 'AlwaysAllow';
    });
    await settled(c, () => pdbStatus(c.store, 'web').observedGeneration === 2, 'policy seen');
    await evict(c, pods[1]!);
  });

  it('ignores budgets for pending and terminating pods, honours dry runs, and refuses two budgets', async () => {
    const c = cluster();
    const pods = await rollOut(c, 'web', 2);
    c.store.create('poddisruptionbudgets', budget('all', 'web', { minAvailable: 2 }));
    await settled(c, () => pdbStatus(c.store, 'all').observedGeneration === 1, 'status');
    expect(pdbStatus(c.store, 'all').disruptionsAllowed).toBe(0);

    expect(failure(() => evict(c, pods[0]!, { dryRun: ['All'] })).code).toBe(429);

    c.kubelet.ready = false;
    c.kubelet.holdTermination = true;
    c.store.delete('pods', 'default', pods[0]!.metadata.name);
    await evict(c, pods[0]!); // already terminating: fine
    const pending = await eventually(
      () => livePods(c.store, 'web').find((p) => !isReady(p)),
      5_000,
      'replacement',
    );
    await evict(c, pending, {}, true);
    expect(c.store.tryGet('pods', 'default', pending.metadata.name)).toBeTruthy();
    await evict(c, pending);
    expect(c.store.get('pods', 'default', pending.metadata.name).metadata.deletionTimestamp).toBeTruthy();
    expect(pdbStatus(c.store, 'all').disruptedPods).toBeUndefined();

    c.store.create('poddisruptionbudgets', budget('second', 'web', { maxUnavailable: 1 }));
    const err = failure(() => evict(c, pods[1]!));
    expect(err.code).toBe(500);
    expect(err.message).toBe(
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  });

  it('answers 429 "still being processed" for a budget the controller has not seen', () => {
    const store = new Store();
    const p = store.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default', labels: { app: 'x' } },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
    });
    markPodReady(store, p);
    store.create('poddisruptionbudgets', budget('fresh', 'x', { minAvailable: 0 }));
    const handler = createEvictionHandler(store);
    const err = failure(() =>
      handler({
        store,
        pod: store.get('pods', 'default', 'p'),
        eviction: {} as never,
        deleteOptions: {},
        dryRun: false,
      }),
    );
    expect(err.toStatus()).toMatchObject({
      code: 429,
      reason: 'TooManyRequests',
      details: {
        retryAfterSeconds: 10,
        causes: [
          {
            reason: 'DisruptionBudget',
            message: 'The disruption budget fresh is still being processed by the server.',
          },
        ],
      },
    });
  });

  it('sends the 429 Status over HTTP through the API server', async () => {
    const c = cluster();
    const pods = await rollOut(c, 'web', 2);
    c.store.create('poddisruptionbudgets', budget('web', 'web', { minAvailable: 2 }));
    await settled(c, () => pdbStatus(c.store, 'web').observedGeneration === 1, 'status');
    const tmp = await tempDir('lc-pdb-');
    const api = await startApiServer({ store: c.store, dir: tmp.dir, providers: { eviction: c.evict } });
    const agent = new Agent({ connect: { ca: api.caPem } });
    try {
      const name = pods[0]!.metadata.name;
      const res = await request(`${api.url}/api/v1/namespaces/default/pods/${name}/eviction`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace: 'default' },
        }),
        dispatcher: agent,
      });
      expect(res.statusCode).toBe(429);
      expect(await res.body.json()).toMatchObject({
        kind: 'Status',
        reason: 'TooManyRequests',
        details: {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: 'The disruption budget web needs 2 healthy pods and has 2 currently',
            },
          ],
        },
      });
    } finally {
      await api.close();
      await agent.destroy();
      await tmp.cleanup();
    }
  });
});
