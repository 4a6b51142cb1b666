/**
 * Target discovery and readiness against the in-process local API server: the happy path (Ingress
 * address with its published port, HPA, selector lookup, LoadBalancer Service, URL override) and
 * each error a user can meet, which must name the target field and the fix.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterClient } from '../../lib/cluster/client.ts';
import { resolveKubernetesTarget, type KubernetesTargetSpec } from '../../lib/cluster/target.ts';
import { waitForReady, type ReadyProgress } from '../../lib/cluster/wait-ready.ts';
import { GauntletError } from '../../lib/errors.ts';
import {
  deployWeb,
  publishIngressAddress,
  startLocalCluster,
  webDeployment,
  type LocalCluster,
} from './harness.ts';

let cluster: LocalCluster;

beforeAll(async () => {
  cluster = await startLocalCluster();
  const { client, store } = cluster;
  await deployWeb(client, 'shop', { replicas: 2 });
  publishIngressAddress(store, 'shop', 'web', '127.0.0.1', 18080);
  await client.autoscaling.createNamespacedHorizontalPodAutoscaler({
    namespace: 'shop',
    body: {
      metadata: { name: 'web-hpa' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 6,
      },
    },
  });
  await deployWeb(client, 'pending', { replicas: 1 });
  await deployWeb(client, 'noingress', { replicas: 1, ingress: false });
  await deployWeb(client, 'lb', { replicas: 1, ingress: false });
  await client.core.patchNamespacedService({
    name: 'web',
    namespace: 'lb',
    body: [{ op: 'add', path: '/spec/type', value: 'LoadBalancer' }],
  });
  store.mutate(
    'services',
    'lb',
    'web',
    (d) => void (d.status = { loadBalancer: { ingress: [{ ip: '127.0.0.9' }] } }),
    { subresource: 'status' },
  );
  await deployWeb(client, 'hosted', { replicas: 1 });
  await client.networking.patchNamespacedIngress({
    name: 'web',
    namespace: 'hosted',
    body: [
      { op: 'add', path: '/spec/rules/0/host', value: 'shop.example' },
      { op: 'add', path: '/spec/tls', value: [{ hosts: ['shop.example'], secretName: 'shop-tls' }] },
    ],
  });
  publishIngressAddress(store, 'hosted', 'web', '127.0.0.1', 18443);
  await client.core.createNamespace({ body: { metadata: { name: 'multi' } } });
  for (const app of ['a', 'b']) {
    await client.apps.createNamespacedDeployment({
      namespace: 'multi',
      body: webDeployment(app, 1, { app, tier: 'front' }),
    });
  }
});

afterAll(async () => {
  await cluster?.close();
});

async function failure(spec: KubernetesTargetSpec): Promise<GauntletError> {
  const err = await resolveKubernetesTarget(cluster.client, spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GauntletError);
  return err as GauntletError;
}

describe('resolveKubernetesTarget', () => {
  it('finds the deployment, its service, the ingress URL with the published port, and the HPA', async () => {
    const target = await resolveKubernetesTarget(cluster.client, { namespace: 'shop', deployment: 'web' });
    expect(target).toEqual({
      namespace: 'shop',
      deployment: 'web',
      selector: 'app=web',
      podLabels: { app: 'web' },
      service: 'web',
      ingress: 'web',
      hpa: 'web-hpa',
      url: 'http://127.0.0.1:18080',
      urlSource: 'ingress',
    });
  });

  it('finds the deployment by a selector of its pods', async () => {
    const target = await resolveKubernetesTarget(cluster.client, {
      namespace: 'shop',
      selector: 'app in (web)',
    });
    expect(target.deployment).toBe('web');
    expect(target.selector).toBe('app=web');
  });

  it('uses https for an Ingress with TLS and reports the host its rule routes on', async () => {
    const target = await resolveKubernetesTarget(cluster.client, { namespace: 'hosted', deployment: 'web' });
    expect(target).toMatchObject({
      url: 'https://127.0.0.1:18443',
      hostHeader: 'shop.example',
      ingress: 'web',
    });
  });

  it('reads a LoadBalancer Service address when no Ingress routes to the Service', async () => {
    const target = await resolveKubernetesTarget(cluster.client, { namespace: 'lb', deployment: 'web' });
    expect(target.url).toBe('http://127.0.0.9');
    expect(target.urlSource).toBe('service');
    expect(target.ingress).toBeUndefined();
  });

  it('uses an explicit URL instead of an address', async () => {
    const target = await resolveKubernetesTarget(cluster.client, {
      namespace: 'noingress',
      deployment: 'web',
      url: 'http://127.0.0.1:9999/',
    });
    expect(target).toMatchObject({ url: 'http://127.0.0.1:9999', urlSource: 'spec', service: 'web' });
  });

  it('rejects a missing namespace, listing the ones that exist', async () => {
    const err = await failure({ namespace: 'nope', deployment: 'web' });
    expect(err.code).toBe('GAUNTLET_SETUP');
    expect(err.message).toMatch(/^target\.namespace: namespace "nope" not found in context "gauntlet-local"/);
    expect(err.message).toContain('shop');
  });

  it('rejects input that is not a target before asking the server', async () => {
    expect((await failure({ namespace: 'Bad_NS', deployment: 'web' })).message).toMatch(
      /^target\.namespace: "Bad_NS"/,
    );
    const neither = await failure({ namespace: 'shop' });
    expect(neither.code).toBe('GAUNTLET_USAGE');
    expect(neither.message).toContain('target.deployment');
    expect((await failure({ namespace: 'shop', selector: 'app==' + '=x' })).message).toMatch(
      /^target\.selector: /,
    );
    expect((await failure({ namespace: 'shop', deployment: 'web', url: 'ftp://x' })).message).toMatch(
      /^target\.url/,
    );
  });

  it('rejects a missing deployment, listing the ones in the namespace', async () => {
    const err = await failure({ namespace: 'shop', deployment: 'api' });
    expect(err.message).toBe(
      'target.deployment: no deployment "api" in namespace "shop"; set it to one of: web',
    );
  });

  it('rejects a selector that matches no deployment, or several', async () => {
    expect((await failure({ namespace: 'shop', selector: 'app=api' })).message).toMatch(
      /^target\.selector: no deployment in namespace "shop" has pods labelled "app=api"/,
    );
    expect((await failure({ namespace: 'multi', selector: 'tier=front' })).message).toBe(
      'target.selector: "tier=front" matches the pods of 2 deployments; set target.deployment to one of: a, b',
    );
    expect((await failure({ namespace: 'shop', deployment: 'web', selector: 'app=api' })).message).toMatch(
      /^target\.selector: "app=api" does not match the pods of deployment "web"/,
    );
  });

  it('rejects a named service or ingress that is missing or does not belong to the deployment', async () => {
    expect((await failure({ namespace: 'shop', deployment: 'web', service: 'api' })).message).toMatch(
      /^target\.service: no service "api" in namespace "shop"; set it to one of: web/,
    );
    expect((await failure({ namespace: 'multi', deployment: 'a', service: 'x' })).message).toMatch(
      /^target\.service/,
    );
    expect((await failure({ namespace: 'shop', deployment: 'web', ingress: 'api' })).message).toMatch(
      /^target\.ingress: no ingress "api"/,
    );
  });

  it('says when there is no Service at all', async () => {
    const err = await failure({ namespace: 'multi', deployment: 'a' });
    expect(err.message).toMatch(
      /^target\.service: no Service in namespace "multi" selects the pods of deployment "a"/,
    );
    expect(err.message).toContain('set target.url');
  });

  it('says when the Ingress has no address yet', async () => {
    const err = await failure({ namespace: 'pending', deployment: 'web' });
    expect(err.code).toBe('GAUNTLET_TARGET_UNREACHABLE');
    expect(err.message).toMatch(
      /^target\.ingress: ingress "web" has no address yet \(status\.loadBalancer\.ingress is empty\)/,
    );
    expect(err.message).toContain('class "nginx"');
  });

  it('says that a ClusterIP Service without an Ingress has no reachable address', async () => {
    const err = await failure({ namespace: 'noingress', deployment: 'web' });
    expect(err.code).toBe('GAUNTLET_TARGET_UNREACHABLE');
    expect(err.message).toContain(
      'service "web" is type ClusterIP and no Ingress in namespace "noingress" routes to it',
    );
  });

  it('says when the API server cannot be reached', async () => {
    const dead = `${cluster.api.kubeconfigPath}.dead`;
    await copyFile(cluster.api.kubeconfigPath, dead);
    const text = await readFile(dead, 'utf8');
    await writeFile(dead, text.replace(/server: .*/, 'server: https://127.0.0.1:1'));
    const client = createClusterClient({ kubeconfig: dead });
    const err = await resolveKubernetesTarget(client, { namespace: 'shop', deployment: 'web' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GauntletError);
    expect((err as GauntletError).code).toBe('GAUNTLET_TARGET_UNREACHABLE');
    expect((err as GauntletError).message).toMatch(
      /cannot reach the API server of context "gauntlet-local" \(https:\/\/127\.0\.0\.1:1\)/,
    );
  });
});

describe('waitForReady', () => {
  it('resolves once every replica is updated and available, reporting progress', async () => {
    await deployWeb(cluster.client, 'fresh', { replicas: 3, ingress: false });
    const seen: ReadyProgress[] = [];
    const done = await waitForReady(cluster.client, { namespace: 'fresh', deployment: 'web' }, 20_000, {
      pollMs: 50,
      onProgress: (p) => seen.push(p),
    });
    expect(done).toMatchObject({ desired: 3, updated: 3, available: 3, ready: 3, replicas: 3 });
    expect(seen.at(-1)?.message).toBe('3/3 available, 3/3 updated');
    // Only changes are reported.
    expect(new Set(seen.map((p) => p.message)).size).toBe(seen.length);
  });

  it('times out naming what the pods are stuck on', async () => {
    cluster.kubelet.autoReady = false;
    try {
      await deployWeb(cluster.client, 'stuck', { replicas: 1, ingress: false });
      const started = Date.now();
      const err = await waitForReady(
        cluster.client,
        { namespace: 'stuck', deployment: 'web', selector: 'app=web' },
        1500,
        { pollMs: 100 },
      ).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(err).toBeInstanceOf(GauntletError);
      expect((err as Error).message).toMatch(
        /^deployment stuck\/web not available after 2 s \(0\/1 available, 1\/1 updated\); pods: web-\S+ Pending/,
      );
    } finally {
      cluster.kubelet.autoReady = true;
    }
  });

  it('says when the deployment does not exist', async () => {
    const err = await waitForReady(cluster.client, { namespace: 'shop', deployment: 'gone' }, 5000).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GauntletError);
    expect((err as Error).message).toMatch(/^target\.deployment: no deployment "gone" in namespace "shop"/);
  });

  it('refuses a deployment scaled to zero', async () => {
    await cluster.client.core.createNamespace({ body: { metadata: { name: 'zero' } } });
    await cluster.client.apps.createNamespacedDeployment({
      namespace: 'zero',
      body: webDeployment('web', 0, { app: 'web' }),
    });
    const err = await waitForReady(cluster.client, { namespace: 'zero', deployment: 'web' }, 5000).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/is scaled to 0 replicas; scale it up/);
  });
});
