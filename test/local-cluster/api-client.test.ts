/**
 * @kubernetes/client-node 1.4 against the local API server: typed list/patch (JSON patch is its
 * default), watches, informers across ADDED/MODIFIED/DELETED, KubernetesObjectApi discovery and
 * the 410 a stale watch gets.
 */
import {
  AppsV1Api,
  AutoscalingV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  EventsV1Api,
  KubeConfig,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import {
  startBasicControllers,
  type BasicControllers,
} from '../../infra-fixtures/local-cluster/controllers/basic.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import { addNode, eventually, startFakeKubelet, tempDir } from './api-helpers.ts';

let store: Store;
let api: ApiServer;
let controllers: BasicControllers;
let kubelet: { stop(): void };
let tmp: Awaited<ReturnType<typeof tempDir>>;
let kc: KubeConfig;

beforeAll(async () => {
  tmp = await tempDir('lc-client-');
  store = new Store({ historyLimit: 200 });
  addNode(store, 'node-1', 'zone-a', 1);
  addNode(store, 'node-2', 'zone-b', 2);
  controllers = startBasicControllers(store);
  kubelet = startFakeKubelet(store);
  api = await startApiServer({ store, dir: tmp.dir, bookmarkIntervalMs: 200 });
  kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
});

afterAll(async () => {
  await api?.close();
  await controllers?.stop();
  kubelet?.stop();
  await tmp?.cleanup();
});

describe('client-node against the local API server', () => {
  it('uses the gauntlet-local context over TLS and patches with its default JSON patch', async () => {
    expect(kc.getCurrentContext()).toBe('gauntlet-local');
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cfg' }, data: { a: '1' } },
    });
    const patched = await core.patchNamespacedConfigMap({
      name: 'cfg',
      namespace: 'default',
      body: [{ op: 'add', path: '/data/b', value: '2' }],
    });
    expect(patched.data).toEqual({ a: '1', b: '2' });
    const merged = await core.patchNamespacedConfigMap(
      { name: 'cfg', namespace: 'default', body: { data: { a: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.data).toEqual({ b: '2' });
    const nodes = await core.listNode({ fieldSelector: 'spec.unschedulable=false' });
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['node-1', 'node-2']);
  });

  it('informs about pods through a deployment rollout, a pod deletion and its replacement', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const seen: string[] = [];
    const informer = makeInformer<V1Pod>(
      kc,
      '/api/v1/namespaces/default/pods',
      () => core.listNamespacedPod({ namespace: 'default' }),
      'app=inf',
    );
    informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
    informer.on('update', (p) => seen.push(`update ${p.metadata?.name} ${p.status?.phase}`));
    informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
    informer.on('error', () => undefined);
    await informer.start();
    try {
      await apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name: 'inf' },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'inf' } },
            template: {
              metadata: { labels: { app: 'inf' } },
              spec: { containers: [{ name: 'a', image: 'a:1' }] },
            },
          },
        },
      });
      await eventually(
        () => informer.list('default').filter((p) => p.status?.phase === 'Running').length === 2,
        10_000,
        'two running pods in the cache',
      );
      const victim = informer.list('default')[0]!.metadata!.name!;
      await core.deleteNamespacedPod({ name: victim, namespace: 'default' });
      await eventually(() => seen.includes(`delete ${victim}`), 10_000, 'DELETED seen by the informer');
      await eventually(
        () => informer.list('default').filter((p) => p.status?.phase === 'Running').length === 2,
        10_000,
        'replacement in the cache',
      );
      expect(seen.filter((s) => s.startsWith('add'))).toHaveLength(3);
      expect(seen.some((s) => s.startsWith('update') && s.endsWith('Running'))).toBe(true);
      const d = await apps.readNamespacedDeployment({ name: 'inf', namespace: 'default' });
      expect(d.status?.readyReplicas).toBe(2);
    } finally {
      await informer.stop();
    }
  });

  it('streams watch events and reports a too-old resourceVersion as ERROR 410', async () => {
    const watch = new Watch(kc);
    const events: string[] = [];
    const start = store.resourceVersion;
    const ctrl = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: start, allowWatchBookmarks: true },
      (type, obj) =>
        events.push(
          type === 'BOOKMARK' ? `BOOKMARK ${obj.metadata.resourceVersion}` : `${type} ${obj.metadata?.name}`,
        ),
      () => undefined,
    );
    try {
      const core = kc.makeApiClient(CoreV1Api);
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w1' } } });
      await core.deleteNamespacedConfigMap({ name: 'w1', namespace: 'default' });
      await eventually(() => events.includes('DELETED w1'), 5000, 'DELETED w1');
      expect(events.filter((e) => !e.startsWith('BOOKMARK')).slice(0, 2)).toEqual(['ADDED w1', 'DELETED w1']);
      await eventually(() => events.some((e) => /^BOOKMARK \d+$/.test(e)), 5000, 'a bookmark');
    } finally {
      ctrl.abort();
    }
    for (let i = 0; i < 250; i++)
      store.mutate('configmaps', 'default', 'cfg', (c) => void (c.data = { n: String(i) }));
    const errors: Array<{ code?: number; reason?: string }> = [];
    await new Promise<void>((resolve) => {
      void watch.watch(
        '/api/v1/namespaces/default/configmaps',
        { resourceVersion: start },
        (type, obj) => type === 'ERROR' && errors.push(obj),
        () => resolve(),
      );
    });
    expect(errors).toEqual([expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' })]);
  });

  it('serves KubernetesObjectApi reads through per-group-version discovery', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const dep = await objects.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'inf', namespace: 'default' },
    });
    expect(dep.metadata?.name).toBe('inf');
    const hpas = await objects.list('autoscaling/v2', 'HorizontalPodAutoscaler', 'default');
    expect(hpas.items).toEqual([]);
  });

  it('serves autoscaling v1 and v2 views of one HPA, events.k8s.io views of core events, and dry runs', async () => {
    const v1 = kc.makeApiClient(AutoscalingV1Api);
    const v2 = kc.makeApiClient(AutoscalingV2Api);
    await v1.createNamespacedHorizontalPodAutoscaler({
      namespace: 'default',
      body: {
        metadata: { name: 'inf' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'inf' },
          minReplicas: 2,
          maxReplicas: 5,
          targetCPUUtilizationPercentage: 60,
        },
      },
    });
    const asV2 = await v2.readNamespacedHorizontalPodAutoscaler({ name: 'inf', namespace: 'default' });
    expect(asV2.spec?.metrics?.[0]?.resource).toEqual({
      name: 'cpu',
      target: { type: 'Utilization', averageUtilization: 60 },
    });
    await v1.patchNamespacedHorizontalPodAutoscaler(
      { name: 'inf', namespace: 'default', body: { spec: { targetCPUUtilizationPercentage: 70 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(
      (await v2.readNamespacedHorizontalPodAutoscaler({ name: 'inf', namespace: 'default' })).spec
        ?.metrics?.[0]?.resource?.target.averageUtilization,
    ).toBe(70);

    const pod = store.list('pods', { labelSelector: 'app=inf' }).items[0]!;
    const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({
      namespace: 'default',
      fieldSelector: `regarding.name=${pod.metadata.name},reason=Scheduled`,
    });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]!.regarding?.uid).toBe(pod.metadata.uid);
    expect(events.items[0]!.note).toMatch(/^Successfully assigned default\//);

    const core = kc.makeApiClient(CoreV1Api);
    const dry = await core.createNamespacedConfigMap({
      namespace: 'default',
      dryRun: 'All',
      body: { metadata: { name: 'dry' } },
    });
    expect(dry.metadata?.name).toBe('dry');
    expect(store.tryGet('configmaps', 'default', 'dry')).toBeUndefined();
  });
});
