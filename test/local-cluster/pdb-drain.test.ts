/**
 * The real kubectl draining a node whose pods are guarded by a PodDisruptionBudget: kubectl evicts
 * in parallel, gets 429 for the evictions the budget refuses, retries every 5 s, and finishes once
 * the replacements on the other node are Ready.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import {
  startBasicControllers,
  type BasicControllers,
} from '../../infra-fixtures/local-cluster/controllers/basic.ts';
import {
  createEvictionHandler,
  startDisruptionController,
  type DisruptionController,
} from '../../infra-fixtures/local-cluster/controllers/disruption/index.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import { addNode, eventually, kubectlRunner, startFakeKubelet, tempDir } from './api-helpers.ts';

let store: Store;
let api: ApiServer;
let controllers: BasicControllers;
let disruption: DisruptionController;
let kubelet: { stop(): void };
let tmp: Awaited<ReturnType<typeof tempDir>>;
let kubectl: ReturnType<typeof kubectlRunner>;

beforeAll(async () => {
  tmp = await tempDir('lc-drain-');
  store = new Store();
  addNode(store, 'node-1', 'zone-a', 1);
  controllers = startBasicControllers(store);
  kubelet = startFakeKubelet(store);
  disruption = startDisruptionController(store);
  api = await startApiServer({ store, dir: tmp.dir, providers: { eviction: createEvictionHandler(store) } });
  kubectl = kubectlRunner(api.kubeconfigPath, tmp.dir);
});

afterAll(async () => {
  await api?.close();
  await disruption?.stop();
  await controllers?.stop();
  kubelet?.stop();
  await tmp?.cleanup();
});

describe('kubectl drain with a PodDisruptionBudget', () => {
  it('evicts one pod at a time as the budget allows', async () => {
    store.create('deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'app:1' }] },
        },
      },
    });
    const ready = () =>
      store
        .list('pods', { labelSelector: 'app=web' })
        .items.filter(
          (p) =>
            !p.metadata.deletionTimestamp &&
            p.status?.conditions?.some(
              (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
            ),
        );
    await eventually(() => ready().length === 3, 10_000, 'three pods on node-1');
    store.create('poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'default' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
    });
    await eventually(
      () => store.get('poddisruptionbudgets', 'default', 'web').status?.disruptionsAllowed === 1,
      10_000,
      'budget computed',
    );
    addNode(store, 'node-2', 'zone-b', 2);

    const r = await kubectl(['drain', 'node-1', '--timeout=60s'], { timeoutMs: 70_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('node/node-1 drained');
    expect(r.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(ready().map((p) => p.spec.nodeName)).toEqual(['node-2', 'node-2', 'node-2']);
  }, 90_000);
});
