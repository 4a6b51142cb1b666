/**
 * The kube-state-metrics stand-in: series names, labels and value conventions of
 * kube-state-metrics v2, valid exposition text (promtool check metrics), and the route.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatFamilies,
  handleStateMetrics,
  renderStateMetrics,
} from '../../infra-fixtures/local-cluster/state-metrics/index.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { KubeObject } from '../../infra-fixtures/local-cluster/store/types.ts';

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'shop',
    uid: 'u1',
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs', controller: true },
    ],
  },
  spec: { nodeName: 'node-a1', containers: [{ name: 'api' }] },
  status: {
    phase: 'Running',
    podIP: '127.1.1.5',
    hostIP: '127.0.1.1',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [
      {
        name: 'api',
        ready: false,
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { reason: 'Error', exitCode: 1 } },
      },
    ],
  },
};

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', generation: 3 },
  spec: { replicas: 3 },
  status: {
    replicas: 3,
    updatedReplicas: 3,
    readyReplicas: 2,
    availableReplicas: 2,
    observedGeneration: 3,
    conditions: [{ type: 'Available', status: 'False' }],
  },
};

const hpa: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { maxReplicas: 20 },
  status: { currentReplicas: 20, desiredReplicas: 20 },
};

const node: KubeObject = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-a1' },
  spec: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] },
  status: {
    conditions: [{ type: 'Ready', status: 'Unknown' }],
    addresses: [{ type: 'InternalIP', address: '127.0.1.1' }],
    nodeInfo: { kubeletVersion: 'v1.32.0' },
  },
};

function lines(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

function promtoolCheckMetrics(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

describe('renderStateMetrics', () => {
  const text = renderStateMetrics({ pods: [pod], deployments: [deployment], hpas: [hpa], nodes: [node] });

  it('renders the pod container series the crash-loop alert reads', () => {
    expect(lines(text, 'kube_pod_container_status_restarts_total')).toEqual([
      'kube_pod_container_status_restarts_total{namespace="shop",pod="web-1",uid="u1",container="api"} 4',
    ]);
    expect(lines(text, 'kube_pod_container_status_waiting_reason')).toEqual([
      'kube_pod_container_status_waiting_reason{namespace="shop",pod="web-1",uid="u1",container="api",reason="CrashLoopBackOff"} 1',
    ]);
    expect(lines(text, 'kube_pod_container_status_last_terminated_reason')).toEqual([
      'kube_pod_container_status_last_terminated_reason{namespace="shop",pod="web-1",uid="u1",container="api",reason="Error"} 1',
    ]);
    expect(lines(text, 'kube_pod_status_ready')).toEqual([
      'kube_pod_status_ready{namespace="shop",pod="web-1",uid="u1",condition="true"} 0',
      'kube_pod_status_ready{namespace="shop",pod="web-1",uid="u1",condition="false"} 1',
      'kube_pod_status_ready{namespace="shop",pod="web-1",uid="u1",condition="unknown"} 0',
    ]);
    expect(lines(text, 'kube_pod_status_phase').filter((l) => l.endsWith(' 1'))).toEqual([
      'kube_pod_status_phase{namespace="shop",pod="web-1",uid="u1",phase="Running"} 1',
    ]);
    expect(lines(text, 'kube_pod_info')[0]).toContain(
      'created_by_kind="ReplicaSet",created_by_name="web-abc"',
    );
  });

  it('renders deployment, HPA and node series with kube-state-metrics defaults for missing fields', () => {
    expect(lines(text, 'kube_deployment_spec_replicas')).toEqual([
      'kube_deployment_spec_replicas{namespace="shop",deployment="web"} 3',
    ]);
    expect(lines(text, 'kube_deployment_status_replicas_available')).toEqual([
      'kube_deployment_status_replicas_available{namespace="shop",deployment="web"} 2',
    ]);
    // Not in the status: 0, as kube-state-metrics reports it.
    expect(lines(text, 'kube_deployment_status_replicas_unavailable')).toEqual([
      'kube_deployment_status_replicas_unavailable{namespace="shop",deployment="web"} 0',
    ]);
    expect(lines(text, 'kube_horizontalpodautoscaler_spec_min_replicas')).toEqual([
      'kube_horizontalpodautoscaler_spec_min_replicas{namespace="shop",horizontalpodautoscaler="web"} 1',
    ]);
    expect(lines(text, 'kube_horizontalpodautoscaler_status_current_replicas')).toEqual([
      'kube_horizontalpodautoscaler_status_current_replicas{namespace="shop",horizontalpodautoscaler="web"} 20',
    ]);
    expect(lines(text, 'kube_node_status_condition')).toEqual([
      'kube_node_status_condition{node="node-a1",condition="Ready",status="true"} 0',
      'kube_node_status_condition{node="node-a1",condition="Ready",status="false"} 0',
      'kube_node_status_condition{node="node-a1",condition="Ready",status="unknown"} 1',
    ]);
    expect(lines(text, 'kube_node_spec_unschedulable')).toEqual([
      'kube_node_spec_unschedulable{node="node-a1"} 1',
    ]);
    expect(lines(text, 'kube_node_spec_taint')).toEqual([
      'kube_node_spec_taint{node="node-a1",key="node.kubernetes.io/unreachable",value="",effect="NoSchedule"} 1',
    ]);
  });

  it('is valid exposition text for promtool, and escapes label values', async () => {
    expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
    const escaped = formatFamilies([
      { name: 'x', type: 'gauge', help: 'h', samples: [[{ v: 'a"b\\c\nd' }, 1]] },
    ]);
    expect(escaped).toBe('# HELP x h\n# TYPE x gauge\nx{v="a\\"b\\\\c\\nd"} 1\n');
  });
});

describe('handleStateMetrics', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const store = new Store();
    store.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-a1' },
      status: node.status,
    });
    server = createServer((req, res) => void handleStateMetrics(store, req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/local-cluster/v1/state-metrics`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('serves the store as text exposition, GET only', async () => {
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toContain(
      'kube_node_status_condition{node="node-a1",condition="Ready",status="unknown"} 1',
    );
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${url}/x`)).status).toBe(404);
  });
});
