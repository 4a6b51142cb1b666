/**
 * A small stand-in for the assembled local cluster, enough for Prometheus to discover and scrape:
 * a real store with the basic controllers (EndpointSlices from a Service), the real API server with
 * the discovery and kube-state-metrics routes mounted as the cluster will mount them, "pods" that
 * are plain HTTP /metrics servers on their pod IPs, and an ingress-like metrics server whose error
 * share the test sets.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApiServer, type ApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import {
  startBasicControllers,
  type BasicControllers,
} from '../../infra-fixtures/local-cluster/controllers/basic.ts';
import { nodeObject } from '../../infra-fixtures/local-cluster/nodes/node-object.ts';
import { serviceDiscoveryRoute } from '../../infra-fixtures/local-cluster/sd/index.ts';
import { stateMetricsRoute } from '../../infra-fixtures/local-cluster/state-metrics/index.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';

export const kNs = 'novel-engine';
const kApp = { 'app.kubernetes.io/name': 'novel-engine' };

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as { port: number }).port;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

interface FakePod {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  readonly server: Server;
  closed: boolean;
}

export interface FakeCluster {
  readonly store: Store;
  readonly api: ApiServer;
  readonly ingressMetricsUrl: string;
  readonly pods: ReadonlyMap<string, FakePod>;
  addPod(name: string, ip: string): Promise<FakePod>;
  /** Deletes the pod object (and finalizes it, as the kubelet would) and stops its server. */
  removePod(name: string): Promise<void>;
  /** The pod's process dies; its object stays (no kubelet notices). */
  killPodServer(name: string): Promise<void>;
  setNodeReady(name: string, ready: boolean): void;
  /** Share of ingress requests answered 503 from now on (0..1). */
  setIngressErrorShare(share: number): void;
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeCluster(): Promise<FakeCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fake-cluster-'));
  const store = new Store();
  store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: kNs } });
  store.create(
    'nodes',
    nodeObject({ name: 'node-a1', address: '127.0.1.1', zone: 'zone-a', region: 'local-1' }),
  );
  store.create(
    'nodes',
    nodeObject({ name: 'node-b1', address: '127.0.2.1', zone: 'zone-b', region: 'local-1' }),
  );
  store.create('services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'novel-engine', namespace: kNs, labels: kApp },
    spec: { selector: kApp, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  });
  const controllers: BasicControllers = startBasicControllers(store, { onError: (e) => console.error(e) });
  const api = await startApiServer({
    store,
    dir,
    // The order the cluster assembly must use: these routes before the fault admin route.
    extraRoutes: [serviceDiscoveryRoute(store), stateMetricsRoute(store)],
  });

  // Counters grow at 100 requests/s; the error share applies from when it was set.
  const t0 = Date.now();
  let ok = 0;
  let errs = 0;
  let share = 0;
  let last = t0;
  const ingress = createServer((req, res) => {
    const now = Date.now();
    const n = ((now - last) / 1000) * 100;
    errs += n * share;
    ok += n * (1 - share);
    last = now;
    const l = `namespace="${kNs}",ingress="novel-engine",service="novel-engine",method="GET"`;
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(
      [
        '# TYPE nginx_ingress_controller_requests counter',
        `nginx_ingress_controller_requests{${l},status="200"} ${Math.floor(ok)}`,
        `nginx_ingress_controller_requests{${l},status="503"} ${Math.floor(errs)}`,
        '',
      ].join('\n'),
    );
  });
  const ingressPort = await listen(ingress, '127.0.0.1');

  const pods = new Map<string, FakePod>();
  const cluster: FakeCluster = {
    store,
    api,
    ingressMetricsUrl: `http://127.0.0.1:${ingressPort}/metrics`,
    pods,
    async addPod(name, ip) {
      const started = Date.now();
      const server = createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end(
          `# TYPE novel_engine_http_requests_total counter\nnovel_engine_http_requests_total{method="GET",route="/healthz",status="200"} ${Math.floor((Date.now() - started) / 100)}\n`,
        );
      });
      const port = await listen(server, ip);
      store.create('pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: kNs, labels: kApp, annotations: { 'prometheus.io/scrape': 'true' } },
        spec: {
          nodeName: ip.startsWith('127.2.') ? 'node-b1' : 'node-a1',
          containers: [
            {
              name: 'api',
              image: 'novel-engine:1.0.0',
              ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
            },
          ],
        },
      });
      store.mutate(
        'pods',
        kNs,
        name,
        (d) => {
          d.status = {
            ...d.status,
            phase: 'Running',
            podIP: ip,
            podIPs: [{ ip }],
            hostIP: ip.startsWith('127.2.') ? '127.0.2.1' : '127.0.1.1',
            conditions: [{ type: 'Ready', status: 'True' }],
            containerStatuses: [
              {
                name: 'api',
                ready: true,
                restartCount: 0,
                image: 'novel-engine:1.0.0',
                imageID: '',
                containerID: `proc://${name}`,
                started: true,
                state: { running: { startedAt: new Date().toISOString() } },
                lastState: {},
              },
            ],
          };
        },
        { subresource: 'status' },
      );
      const pod: FakePod = { name, ip, port, server, closed: false };
      pods.set(name, pod);
      await controllers.idle();
      return pod;
    },
    async removePod(name) {
      store.delete('pods', kNs, name, { gracePeriodSeconds: 0 });
      if (store.tryGet('pods', kNs, name)) store.finalizeDelete('pods', kNs, name);
      await cluster.killPodServer(name);
      pods.delete(name);
      await controllers.idle();
    },
    async killPodServer(name) {
      const p = pods.get(name);
      if (!p || p.closed) return;
      p.closed = true;
      await close(p.server);
    },
    setNodeReady(name, ready) {
      store.mutate(
        'nodes',
        '',
        name,
        (d) => {
          for (const c of d.status.conditions) if (c.type === 'Ready') c.status = ready ? 'True' : 'Unknown';
        },
        { subresource: 'status' },
      );
    },
    setIngressErrorShare(s) {
      share = s;
    },
    settle: () => controllers.idle(),
    async close() {
      await controllers.stop();
      await Promise.all([...pods.keys()].map((n) => cluster.killPodServer(n)));
      await close(ingress);
      await api.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
