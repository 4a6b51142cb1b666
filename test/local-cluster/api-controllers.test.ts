import { afterEach, describe, expect, it } from 'vitest';
import {
  startBasicControllers,
  type BasicControllers,
} from '../../infra-fixtures/local-cluster/controllers/basic.ts';
import { startGarbageCollector } from '../../infra-fixtures/local-cluster/controllers/gc.ts';
import { place } from '../../infra-fixtures/local-cluster/controllers/scheduler/scheduler.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { KubeObject, StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { addNode, eventually, startFakeKubelet } from './api-helpers.ts';

function deployment(name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image: 'app:1', ports: [{ name: 'http', containerPort: 8080 }] }],
        },
      },
      ...extra,
    },
  };
}

let running: Array<{ stop(): unknown }> = [];
afterEach(async () => {
  for (const r of running.reverse()) await r.stop();
  running = [];
});

function cluster(
  nodes = 3,
  kubelet: Parameters<typeof startFakeKubelet>[1] = {},
): { store: Store; controllers: BasicControllers } {
  const store = new Store();
  for (let i = 1; i <= nodes; i++) addNode(store, `node-${i}`, `zone-${String.fromCharCode(96 + i)}`, i);
  const controllers = startBasicControllers(store);
  running.push(controllers, startFakeKubelet(store, kubelet));
  return { store, controllers };
}

const rsOf = (store: Store, app: string) =>
  store
    .list('replicasets', { labelSelector: `app=${app}` })
    .items.sort(
      (a, b) =>
        Number(a.metadata.annotations?.['deployment.kubernetes.io/revision']) -
        Number(b.metadata.annotations?.['deployment.kubernetes.io/revision']),
    );
const available = (store: Store, name: string) => {
  const d = store.get('deployments', 'default', name);
  return (
    d.status?.observedGeneration === d.metadata.generation &&
    d.status?.availableReplicas === d.spec.replicas &&
    d.status?.updatedReplicas === d.spec.replicas &&
    d.status?.replicas === d.spec.replicas
  );
};

describe('deployment and replicaset controllers', () => {
  it('rolls out, restarts into a new revision, and undoes back to the old ReplicaSet', async () => {
    const { store } = cluster();
    store.create('deployments', deployment('web', 3));
    await eventually(() => available(store, 'web'), 10_000, 'first rollout');
    const [first] = rsOf(store, 'web');
    expect(first!.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(first!.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(store.list('pods', { labelSelector: 'app=web' }).items.every((p) => p.spec.nodeName)).toBe(true);
    const progressing = store
      .get('deployments', 'default', 'web')
      .status.conditions.find((c: { type: string }) => c.type === 'Progressing');
    expect(progressing.reason).toBe('NewReplicaSetAvailable');

    // maxSurge 25% of 3 rounds up to 1, maxUnavailable rounds down to 0: never more than 4 pods, never fewer than 3 ready.
    let maxPods = 0;
    let minReady = Infinity;
    const w = store.watch('pods', { resourceVersion: store.resourceVersion }, () => {
      const active = store
        .list('pods', { labelSelector: 'app=web' })
        .items.filter((p) => !p.metadata.deletionTimestamp);
      maxPods = Math.max(maxPods, active.length);
      minReady = Math.min(
        minReady,
        active.filter((p) =>
          p.status.conditions?.some(
            (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
          ),
        ).length,
      );
    });
    store.patch('deployments', 'default', 'web', 'strategic', {
      spec: {
        template: {
          metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } },
        },
      },
    });
    await eventually(
      () => available(store, 'web') && rsOf(store, 'web').length === 2,
      10_000,
      'restart rollout',
    );
    w.stop();
    expect(maxPods).toBe(4);
    expect(minReady).toBe(3);
    const [old, next] = rsOf(store, 'web');
    expect(old!.spec.replicas).toBe(0);
    expect(next!.spec.replicas).toBe(3);
    expect(
      store.get('deployments', 'default', 'web').metadata.annotations?.['deployment.kubernetes.io/revision'],
    ).toBe('2');
    const scaling = store
      .list('events', { fieldSelector: 'reason=ScalingReplicaSet' })
      .items.map((e) => e.message);
    expect(scaling).toContain(`Scaled down replica set ${old!.metadata.name} to 0 from 1`);

    // What `kubectl rollout undo` does: copy the old template back (without pod-template-hash).
    const template = structuredClone(old!.spec.template);
    delete template.metadata.labels['pod-template-hash'];
    store.patch('deployments', 'default', 'web', 'json', [
      { op: 'replace', path: '/spec/template', value: template },
    ]);
    await eventually(
      () => available(store, 'web') && rsOf(store, 'web').at(-1)!.metadata.uid === old!.metadata.uid,
      10_000,
      'undo',
    );
    expect(rsOf(store, 'web').at(-1)!.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(
      rsOf(store, 'web').at(-1)!.metadata.annotations?.['deployment.kubernetes.io/revision-history'],
    ).toBe('1');
  });

  it('replaces a deleted pod at once and Recreate waits for old pods to go', async () => {
    const { store } = cluster();
    store.create('deployments', deployment('db', 2, { strategy: { type: 'Recreate' } }));
    await eventually(() => available(store, 'db'), 10_000, 'db rollout');
    const victim = store.list('pods', { labelSelector: 'app=db' }).items[0]!;
    store.delete('pods', 'default', victim.metadata.name);
    await eventually(
      () =>
        store
          .list('pods', { labelSelector: 'app=db' })
          .items.filter((p) => p.metadata.uid !== victim.metadata.uid).length === 2,
      10_000,
      'replacement',
    );
    store.patch('deployments', 'default', 'db', 'merge', {
      spec: { template: { spec: { containers: [{ name: 'app', image: 'app:2' }] } } },
    });
    await eventually(() => available(store, 'db') && rsOf(store, 'db').length === 2, 10_000, 'recreate');
    const images = store
      .list('pods', { labelSelector: 'app=db' })
      .items.map((p) => p.spec.containers[0].image);
    expect(images).toEqual(['app:2', 'app:2']);
  });
});

describe('deployment timing', () => {
  it('counts pods available only after minReadySeconds and flags a stalled rollout after its deadline', async () => {
    let ready = true;
    const { store } = cluster(2, { autoReady: () => ready });
    store.create('deployments', deployment('slow', 2, { minReadySeconds: 2 }));
    await eventually(
      () =>
        store.list('pods', { labelSelector: 'app=slow' }).items.filter((p) => p.status.phase === 'Running')
          .length === 2,
      5000,
      'slow pods ready',
    );
    // Ready times are kept at whole seconds, so at least one full second of minReadySeconds remains here.
    expect(store.get('deployments', 'default', 'slow').status.availableReplicas ?? 0).toBe(0);
    await eventually(() => available(store, 'slow'), 6000, 'slow available after minReadySeconds');

    ready = false;
    store.create('deployments', deployment('stuck', 1, { progressDeadlineSeconds: 1 }));
    const cond = await eventually(
      () =>
        store
          .get('deployments', 'default', 'stuck')
          .status?.conditions?.find(
            (c: { type: string; reason: string }) =>
              c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
          ),
      8000,
      'ProgressDeadlineExceeded',
    );
    expect(cond).toMatchObject({
      status: 'False',
      message: expect.stringMatching(/^ReplicaSet "stuck-\S+" has timed out progressing\.$/),
    });
  });
});

describe('scheduler', () => {
  it('honours cordon, node selectors, resources and spread, and explains failures', async () => {
    const { store, controllers } = cluster(3);
    store.patch('nodes', '', 'node-1', 'strategic', { spec: { unschedulable: true } });
    store.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pinned', namespace: 'default' },
      spec: {
        nodeSelector: { 'topology.kubernetes.io/zone': 'zone-a' },
        containers: [{ name: 'a', image: 'a' }],
      },
    });
    store.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'huge', namespace: 'default' },
      spec: { containers: [{ name: 'a', image: 'a', resources: { requests: { cpu: '64' } } }] },
    });
    await controllers.idle();
    const pinned = await eventually(
      () =>
        store
          .get('pods', 'default', 'pinned')
          .status.conditions?.find((c: { type: string }) => c.type === 'PodScheduled'),
      5000,
      'pinned condition',
    );
    expect(pinned).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(pinned.message).toMatch(
      /^0\/3 nodes are available: 1 node\(s\) were unschedulable, 2 node\(s\) didn't match Pod's node affinity\/selector\. preemption:/,
    );
    const huge = store.list('events', { fieldSelector: 'involvedObject.name=huge,reason=FailedScheduling' })
      .items[0]!;
    expect(huge.message).toContain('2 Insufficient cpu');
    expect(huge.involvedObject).toMatchObject({
      kind: 'Pod',
      uid: store.get('pods', 'default', 'huge').metadata.uid,
    });
    store.patch('nodes', '', 'node-1', 'strategic', { spec: { unschedulable: null } });
    await eventually(
      () => store.get('pods', 'default', 'pinned').spec.nodeName === 'node-1',
      5000,
      'pinned bound after uncordon',
    );
    const scheduled = store.list('events', { fieldSelector: 'involvedObject.name=pinned,reason=Scheduled' })
      .items[0]!;
    expect(scheduled.message).toBe('Successfully assigned default/pinned to node-1');
  });

  it('keeps pods Pending when a tainted zone still counts for DoNotSchedule spread', () => {
    const store = new Store();
    const nodes: StoredObject[] = [];
    for (let i = 1; i <= 3; i++) nodes.push(addNode(store, `n${i}`, `zone-${i}`, i));
    store.patch('nodes', '', 'n1', 'strategic', {
      spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] },
    });
    const mk = (name: string, node?: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app: 's' } },
      spec: {
        ...(node ? { nodeName: node } : {}),
        containers: [{ name: 'a', image: 'a' }],
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: { app: 's' } },
          },
        ],
      },
    });
    store.create('pods', mk('p2', 'n2'));
    store.create('pods', mk('p3', 'n3'));
    const view = { nodes: store.list('nodes').items, podsOn: new Map(), placed: store.list('pods').items };
    for (const p of view.placed)
      view.podsOn.set(p.spec.nodeName, [...(view.podsOn.get(p.spec.nodeName) ?? []), p]);
    const result = place(store.create('pods', mk('new')), view);
    expect(result.node).toBeUndefined();
    expect(result.message).toContain(
      "1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) didn't match pod topology spread constraints",
    );
  });
});

/* eslint-disable @typescript-eslint/no-explicit-any -- endpoint shapes are read loosely below */
type Loose = Record<string, any>;
const slices = (store: Store): Loose[] =>
  store.list('endpointslices', { labelSelector: 'kubernetes.io/service-name=web' }).items;
const endpointsOf = (store: Store): Loose => store.get('endpoints', 'default', 'web');

describe('scheduler affinity', () => {
  it('refuses nodes in the zone of a pod matched by required anti-affinity', () => {
    const store = new Store();
    for (let i = 1; i <= 3; i++) addNode(store, `n${i}`, i === 3 ? 'zone-1' : `zone-${i}`, i);
    const mk = (name: string, node?: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app: 'db' } },
      spec: {
        ...(node ? { nodeName: node } : {}),
        containers: [{ name: 'a', image: 'a' }],
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { app: 'db' } } },
            ],
          },
        },
      },
    });
    store.create('pods', mk('db-1', 'n1'));
    const view = {
      nodes: store.list('nodes').items,
      podsOn: new Map([['n1', store.list('pods').items]]),
      placed: store.list('pods').items,
    };
    expect(place(store.create('pods', mk('db-2')), view).node?.metadata.name).toBe('n2');
    view.placed.push(store.create('pods', mk('db-3', 'n2')));
    const none = place(store.create('pods', mk('db-4')), view);
    expect(none.node).toBeUndefined();
    expect(none.message).toContain("3 node(s) didn't match pod anti-affinity rules");
  });
});

describe('endpoints controllers', () => {
  it('lists ready pods, drops terminating ones from Endpoints and flags them in EndpointSlices', async () => {
    let hold = false;
    const { store, controllers } = cluster(2, { holdTermination: () => hold });
    store.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    store.create(
      'deployments',
      deployment('web', 2, {
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 30,
            containers: [{ name: 'app', image: 'app:1', ports: [{ name: 'http', containerPort: 8080 }] }],
          },
        },
      }),
    );
    await eventually(() => available(store, 'web'), 10_000, 'web available');
    await controllers.idle();
    const ep = await eventually(
      () => (endpointsOf(store).subsets?.[0]?.addresses?.length === 2 ? endpointsOf(store) : undefined),
      5000,
      'endpoints',
    );
    expect(ep.subsets[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const slice = slices(store)[0]!;
    expect(slice.endpoints).toHaveLength(2);
    expect(slice.endpoints[0].zone).toMatch(/^zone-/);
    expect(slice.metadata.ownerReferences?.[0]?.kind).toBe('Service');

    hold = true;
    const victim = ep.subsets[0].addresses[0].targetRef.name;
    store.delete('pods', 'default', victim);
    await eventually(
      () => {
        return slices(store)[0]!.endpoints.some(
          (e: Loose) => e.targetRef.name === victim && e.conditions.terminating,
        );
      },
      5000,
      'terminating endpoint',
    );
    expect(slices(store)[0]!.endpoints.find((e: Loose) => e.targetRef.name === victim).conditions).toEqual({
      ready: false,
      serving: true,
      terminating: true,
    });
    expect(endpointsOf(store).subsets[0].addresses.map((a: Loose) => a.targetRef.name)).not.toContain(victim);
  });
});

describe('garbage collector sweep', () => {
  it('removes dependents of vanished owners, pods of deleted nodes and expired events', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = new Store({ now: () => new Date(now) });
    addNode(store, 'n1', 'zone-a', 1);
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'gone', uid: 'no-such-uid', controller: true };
    store.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'orphan', namespace: 'default', ownerReferences: [ref] },
    });
    store.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ghost', namespace: 'default' },
      spec: { nodeName: 'n9', containers: [{ name: 'a', image: 'a' }] },
    });
    store.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kept', namespace: 'default' },
      spec: { nodeName: 'n1', containers: [{ name: 'a', image: 'a' }] },
    });
    store.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'old', namespace: 'default' },
      involvedObject: {},
      lastTimestamp: '2026-01-01T00:00:00Z',
    });
    now += 2 * 3600_000;
    const gc = startGarbageCollector(store, { intervalMs: 3600_000 });
    try {
      expect(gc.sweep()).toBe(3);
    } finally {
      gc.stop();
    }
    expect(store.list('configmaps').items).toEqual([]);
    expect(store.list('pods').items.map((p) => p.metadata.name)).toEqual(['kept']);
    expect(store.list('events').items).toEqual([]);
  });
});
