/**
 * An in-process local cluster for the lib/cluster suites: store, API server (TLS, kubeconfig),
 * the basic controllers and a stand-in kubelet whose readiness and termination the test steers.
 * Nodes: node-a1, node-a2 in zone-a; node-b1 in zone-b; node-c1 in zone-c.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import {
  startBasicControllers,
  type BasicControllers,
} from '../../infra-fixtures/local-cluster/controllers/basic.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import { createClusterClient, type ClusterClient } from '../../lib/cluster/client.ts';
import { addNode, startFakeKubelet, tempDir } from '../local-cluster/api-helpers.ts';

export { eventually } from '../local-cluster/api-helpers.ts';

export interface LocalCluster {
  store: Store;
  api: ApiServer;
  client: ClusterClient;
  controllers: BasicControllers;
  /** Steer the stand-in kubelet: hold new pods Pending, or keep terminating pods around. */
  kubelet: { autoReady: boolean; holdTermination: boolean };
  close(): Promise<void>;
}

export async function startLocalCluster(
  options: { watchTimeoutMs?: () => number; historyLimit?: number } = {},
): Promise<LocalCluster> {
  const tmp = await tempDir('gauntlet-cluster-');
  const store = new Store({ historyLimit: options.historyLimit ?? 2000 });
  addNode(store, 'node-a1', 'zone-a', 1);
  addNode(store, 'node-a2', 'zone-a', 2);
  addNode(store, 'node-b1', 'zone-b', 3);
  addNode(store, 'node-c1', 'zone-c', 4);
  const controllers = startBasicControllers(store);
  const steer = { autoReady: true, holdTermination: false };
  const kubelet = startFakeKubelet(store, {
    autoReady: () => steer.autoReady,
    holdTermination: () => steer.holdTermination,
  });
  const api = await startApiServer({
    store,
    dir: tmp.dir,
    bookmarkIntervalMs: 500,
    ...(options.watchTimeoutMs ? { watchTimeoutMs: options.watchTimeoutMs } : {}),
  });
  const client = createClusterClient({ kubeconfig: api.kubeconfigPath });
  return {
    store,
    api,
    client,
    controllers,
    kubelet: steer,
    async close() {
      await api.close();
      await controllers.stop();
      kubelet.stop();
      await tmp.cleanup();
    },
  };
}

export function webDeployment(name: string, replicas: number, labels: Record<string, string>): V1Deployment {
  return {
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'app', image: 'web:1', ports: [{ name: 'http', containerPort: 8080 }] }],
        },
      },
    },
  };
}

/** Namespace + Deployment + Service (+ Ingress) through the API, as kubectl apply would. */
export async function deployWeb(
  client: ClusterClient,
  ns: string,
  options: { replicas?: number; ingress?: boolean; name?: string } = {},
): Promise<void> {
  const name = options.name ?? 'web';
  const labels = { app: name };
  await client.core.createNamespace({ body: { metadata: { name: ns } } }).catch((err: { code?: number }) => {
    if (err.code !== 409) throw err;
  });
  await client.apps.createNamespacedDeployment({
    namespace: ns,
    body: webDeployment(name, options.replicas ?? 2, labels),
  });
  await client.core.createNamespacedService({
    namespace: ns,
    body: {
      metadata: { name },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
  });
  if (options.ingress ?? true) {
    await client.networking.createNamespacedIngress({
      namespace: ns,
      body: {
        metadata: { name },
        spec: {
          ingressClassName: 'nginx',
          rules: [
            {
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: { service: { name, port: { name: 'http' } } } },
                ],
              },
            },
          ],
        },
      },
    });
  }
}

/** What the local cluster's ingress bridge writes once it serves an Ingress. */
export function publishIngressAddress(
  store: Store,
  ns: string,
  name: string,
  ip: string,
  port: number,
): void {
  store.mutate(
    'ingresses',
    ns,
    name,
    (d) => {
      d.status = { loadBalancer: { ingress: [{ ip, ports: [{ port, protocol: 'TCP' }] }] } };
    },
    { subresource: 'status' },
  );
}
