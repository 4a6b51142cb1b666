/**
 * Custom resources through @kubernetes/client-node 1.4: the definition created with
 * ApiextensionsV1Api, discovery documents, CustomObjectsApi CRUD with label selectors, the status
 * subresource, a watch that sees every change and ends when the definition is deleted, and a
 * cluster-scoped definition.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadYaml,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import { eventually, tempDir } from './api-helpers.ts';

// loadYaml gives client-node's model (`default` → `_default`, …), which it serializes back exactly.
const crd = loadYaml<V1CustomResourceDefinition>(
  readFileSync(path.join(import.meta.dirname, '../../infra-fixtures/k6-operator/crd-testrun.yaml'), 'utf8'),
);
const group = 'k6.io';
const version = 'v1alpha1';
const plural = 'testruns';
type Named = { metadata: { name: string; namespace?: string } };
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let store: Store;
let api: ApiServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let kc: KubeConfig;
let custom: CustomObjectsApi;
let ext: ApiextensionsV1Api;

beforeAll(async () => {
  tmp = await tempDir('lc-crd-client-');
  store = new Store();
  api = await startApiServer({ store, dir: tmp.dir });
  kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  custom = kc.makeApiClient(CustomObjectsApi);
  ext = kc.makeApiClient(ApiextensionsV1Api);
});

afterAll(async () => {
  await api?.close();
  await tmp?.cleanup();
});

/** A raw GET with the kubeconfig's TLS and token, for the discovery documents. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- discovery documents, read loosely
async function getJson(p: string): Promise<{ status: number; body: any }> {
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    https
      .get(new URL(p, api.url), opts, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

const testRun = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'k6.io/v1alpha1',
  kind: 'TestRun',
  metadata: { name, labels },
  spec: { parallelism: 2, script: { configMap: { name: `${name}-script`, file: 'test.js' } } },
});

describe('client-node and custom resources', () => {
  it('registers the definition and serves it in discovery', async () => {
    const created = await ext.createCustomResourceDefinition({ body: crd });
    expect(created.status?.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['NamesAccepted', 'True'],
      ['Established', 'True'],
    ]);
    expect(created.status?.storedVersions).toEqual(['v1alpha1']);
    const groups = await getJson('/apis');
    expect(groups.body.groups).toContainEqual({
      name: 'k6.io',
      versions: [{ groupVersion: 'k6.io/v1alpha1', version: 'v1alpha1' }],
      preferredVersion: { groupVersion: 'k6.io/v1alpha1', version: 'v1alpha1' },
    });
    const gv = await getJson('/apis/k6.io/v1alpha1');
    expect(gv.body.resources).toEqual([
      expect.objectContaining({
        name: 'testruns',
        singularName: 'testrun',
        namespaced: true,
        kind: 'TestRun',
      }),
      expect.objectContaining({
        name: 'testruns/status',
        kind: 'TestRun',
        verbs: ['get', 'patch', 'update'],
      }),
    ]);
    expect((await getJson('/apis/k6.io')).body.preferredVersion.version).toBe('v1alpha1');
  });

  it('creates, lists by label, replaces, patches status and deletes TestRuns', async () => {
    await custom.createNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: 'default',
      body: testRun('a', { team: 'shop' }),
    });
    await custom.createNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: 'default',
      body: testRun('b', { team: 'search' }),
    });
    const listed = await custom.listNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: 'default',
      labelSelector: 'team=shop',
    });
    expect(listed.kind).toBe('TestRunList');
    expect(listed.items.map((o: Named) => o.metadata.name)).toEqual(['a']);

    const a = await custom.getNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: 'default',
      name: 'a',
    });
    expect(a.spec.paused).toBe('true');
    const replaced = await custom.replaceNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: 'default',
      name: 'a',
      body: { ...a, spec: { ...a.spec, parallelism: 3 }, status: { stage: 'finished' } },
    });
    // The main resource ignores status when status is a subresource.
    expect(replaced.spec.parallelism).toBe(3);
    expect(replaced.status).toBeUndefined();
    expect(replaced.metadata.generation).toBe(2);

    const patched = await custom.patchNamespacedCustomObjectStatus(
      {
        group,
        version,
        plural,
        namespace: 'default',
        name: 'a',
        body: { status: { stage: 'started' }, spec: { parallelism: 9 } },
      },
      merge,
    );
    expect(patched.status).toEqual({ stage: 'started' });
    expect(patched.spec.parallelism).toBe(3);
    const status = await custom.getNamespacedCustomObjectStatus({
      group,
      version,
      plural,
      namespace: 'default',
      name: 'a',
    });
    expect(status.status.stage).toBe('started');

    const deleted = await custom.deleteNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: 'default',
      name: 'b',
    });
    expect(deleted.metadata.name).toBe('b');
    await expect(
      custom.getNamespacedCustomObject({ group, version, plural, namespace: 'default', name: 'b' }),
    ).rejects.toMatchObject({ code: 404 });
    const all = await custom.listClusterCustomObject({ group, version, plural });
    expect(all.items.map((o: Named) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['default/a']);
  });

  it('watches changes by label and ends the watch when the definition is deleted', async () => {
    const seen: string[] = [];
    let ended = false;
    const w = new Watch(kc);
    const ctl = await w.watch(
      `/apis/${group}/${version}/namespaces/default/${plural}`,
      { labelSelector: 'team=shop' },
      (type, obj) => seen.push(`${type} ${obj.metadata.name} ${obj.status?.stage ?? '-'}`),
      () => void (ended = true),
    );
    try {
      await eventually(() => seen.length === 1, 5000, 'initial ADDED');
      await custom.createNamespacedCustomObject({
        group,
        version,
        plural,
        namespace: 'default',
        body: testRun('c', { team: 'shop' }),
      });
      await custom.createNamespacedCustomObject({
        group,
        version,
        plural,
        namespace: 'default',
        body: testRun('d', { team: 'other' }),
      });
      await custom.patchNamespacedCustomObjectStatus(
        { group, version, plural, namespace: 'default', name: 'c', body: { status: { stage: 'created' } } },
        merge,
      );
      await eventually(() => seen.length === 3, 5000, 'ADDED and MODIFIED of c');
      await ext.deleteCustomResourceDefinition({ name: 'testruns.k6.io' });
      await eventually(() => ended, 5000, 'the watch to end');
      expect(seen).toEqual([
        'ADDED a started',
        'ADDED c -',
        'MODIFIED c created',
        'DELETED a started',
        'DELETED c created',
      ]);
      expect(store.tryGet('customresourcedefinitions', '', 'testruns.k6.io')).toBeUndefined();
      await expect(custom.listClusterCustomObject({ group, version, plural })).rejects.toMatchObject({
        code: 404,
      });
      expect((await getJson('/apis')).body.groups.map((g: { name: string }) => g.name)).not.toContain(
        'k6.io',
      );
    } finally {
      ctl.abort();
    }
  });

  it('serves a cluster-scoped definition through the cluster-scoped calls', async () => {
    await ext.createCustomResourceDefinition({
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'gates.example.com' },
        spec: {
          group: 'example.com',
          names: { kind: 'Gate', plural: 'gates' },
          scope: 'Cluster',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: { spec: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
                },
              },
            },
          ],
        },
      },
    });
    const body = {
      apiVersion: 'example.com/v1',
      kind: 'Gate',
      metadata: { name: 'g1' },
      spec: { open: true },
    };
    await custom.createClusterCustomObject({ group: 'example.com', version: 'v1', plural: 'gates', body });
    const got = await custom.getClusterCustomObject({
      group: 'example.com',
      version: 'v1',
      plural: 'gates',
      name: 'g1',
    });
    expect(got.spec).toEqual({ open: true });
    expect(got.metadata.namespace).toBeUndefined();
    // No status subresource declared: status is an ordinary field.
    const withStatus = await custom.patchClusterCustomObject(
      { group: 'example.com', version: 'v1', plural: 'gates', name: 'g1', body: { status: { ok: 1 } } },
      merge,
    );
    expect(withStatus.status).toBeUndefined(); // pruned: the schema has no status field
    await expect(
      custom.getClusterCustomObjectStatus({
        group: 'example.com',
        version: 'v1',
        plural: 'gates',
        name: 'g1',
      }),
    ).rejects.toMatchObject({ code: 404 });
  });
});
