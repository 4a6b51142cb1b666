/**
 * Discovery target groups against the labels upstream Kubernetes discovery builds
 * (prometheus/discovery/kubernetes), and the http_sd handler on a plain node:http server.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  endpointSliceTargetGroups,
  endpointsTargetGroups,
  handleServiceDiscovery,
  nodeTargetGroups,
  podTargetGroups,
  sanitizeLabelName,
  toHttpSd,
} from '../../infra-fixtures/local-cluster/sd/index.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { KubeObject } from '../../infra-fixtures/local-cluster/store/types.ts';

const node: KubeObject = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'node-a1',
    labels: { 'topology.kubernetes.io/zone': 'zone-a', 'kubernetes.io/hostname': 'node-a1' },
    annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
  },
  status: {
    addresses: [
      { type: 'Hostname', address: 'node-a1' },
      { type: 'InternalIP', address: '127.0.1.1' },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
  },
};

function pod(
  name: string,
  ip: string | undefined,
  ready: boolean,
  extra: Partial<KubeObject['spec']> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      labels: { 'app.kubernetes.io/name': 'web', 'pod-template-hash': 'abc' },
      annotations: { 'prometheus.io/scrape': 'true' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs', controller: true },
      ],
    },
    spec: {
      nodeName: 'node-a1',
      containers: [
        {
          name: 'api',
          image: 'web:1',
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'admin', containerPort: 9090, protocol: 'TCP' },
          ],
        },
        { name: 'sidecar', image: 'side:1' },
      ],
      initContainers: [{ name: 'init', image: 'init:1', ports: [{ containerPort: 7000 }] }],
      ...extra,
    },
    status: {
      phase: 'Running',
      ...(ip ? { podIP: ip } : {}),
      hostIP: '127.0.1.1',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'api', containerID: `proc://${name}` }],
    },
  };
}

const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop', labels: { team: 'a' }, annotations: { note: 'x' } },
  spec: {
    selector: { 'app.kubernetes.io/name': 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http' }],
  },
};

describe('pod role', () => {
  it('gives one target per declared container port (init containers too) and a bare-IP target for a container without ports', () => {
    const [g] = podTargetGroups({ pods: [pod('web-1', '127.1.1.5', true), pod('web-2', undefined, false)] });
    expect(g?.source).toBe('pod/shop/web-1');
    expect(g?.labels).toEqual({
      __meta_kubernetes_namespace: 'shop',
      __meta_kubernetes_pod_name: 'web-1',
      __meta_kubernetes_pod_ip: '127.1.1.5',
      __meta_kubernetes_pod_ready: 'true',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_node_name: 'node-a1',
      __meta_kubernetes_pod_host_ip: '127.0.1.1',
      __meta_kubernetes_pod_uid: 'uid-web-1',
      __meta_kubernetes_pod_controller_kind: 'ReplicaSet',
      __meta_kubernetes_pod_controller_name: 'web-abc',
      __meta_kubernetes_pod_label_app_kubernetes_io_name: 'web',
      __meta_kubernetes_pod_labelpresent_app_kubernetes_io_name: 'true',
      __meta_kubernetes_pod_label_pod_template_hash: 'abc',
      __meta_kubernetes_pod_labelpresent_pod_template_hash: 'true',
      __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true',
      __meta_kubernetes_pod_annotationpresent_prometheus_io_scrape: 'true',
    });
    expect(g?.targets.map((t) => t.__address__)).toEqual([
      '127.1.1.5:8080',
      '127.1.1.5:9090',
      '127.1.1.5',
      '127.1.1.5:7000',
    ]);
    expect(g?.targets[0]).toEqual({
      __address__: '127.1.1.5:8080',
      __meta_kubernetes_pod_container_name: 'api',
      __meta_kubernetes_pod_container_id: 'proc://web-1',
      __meta_kubernetes_pod_container_image: 'web:1',
      __meta_kubernetes_pod_container_init: 'false',
      __meta_kubernetes_pod_container_port_name: 'http',
      __meta_kubernetes_pod_container_port_number: '8080',
      __meta_kubernetes_pod_container_port_protocol: 'TCP',
    });
    expect(g?.targets[2]).not.toHaveProperty('__meta_kubernetes_pod_container_port_number');
    expect(g?.targets[3]).toMatchObject({
      __meta_kubernetes_pod_container_init: 'true',
      __meta_kubernetes_pod_container_id: '',
    });
  });

  it('leaves out a pod without an IP and a ready state of unknown without a Ready condition', () => {
    const p = pod('web-3', '127.1.1.7', true);
    p.status.conditions = [];
    const groups = podTargetGroups({ pods: [pod('web-2', undefined, false), p] });
    expect(groups.map((g) => g.source)).toEqual(['pod/shop/web-3']);
    expect(groups[0]?.labels.__meta_kubernetes_pod_ready).toBe('unknown');
  });

  it('attaches node name and labels (not annotations) with attach_metadata node', () => {
    const [g] = podTargetGroups(
      { pods: [pod('web-1', '127.1.1.5', true)], nodes: [node] },
      { attachNodeMetadata: true },
    );
    expect(g?.labels).toMatchObject({
      __meta_kubernetes_node_name: 'node-a1',
      __meta_kubernetes_node_label_topology_kubernetes_io_zone: 'zone-a',
      __meta_kubernetes_node_labelpresent_topology_kubernetes_io_zone: 'true',
    });
    expect(Object.keys(g?.labels ?? {}).some((k) => k.startsWith('__meta_kubernetes_node_annotation'))).toBe(
      false,
    );
  });
});

describe('endpoints role', () => {
  const endpoints: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'shop', labels: { team: 'a' } },
    subsets: [
      {
        addresses: [
          {
            ip: '127.1.1.5',
            nodeName: 'node-a1',
            targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
          },
        ],
        notReadyAddresses: [
          {
            ip: '127.1.1.6',
            nodeName: 'node-a1',
            targetRef: { kind: 'Pod', name: 'web-2', namespace: 'shop' },
          },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ],
  };

  it('marks addresses and notReadyAddresses, attaches service and pod labels, and adds the uncovered container ports', () => {
    const [g] = endpointsTargetGroups({
      endpoints: [endpoints],
      services: [service],
      pods: [pod('web-1', '127.1.1.5', true), pod('web-2', '127.1.1.6', false)],
    });
    expect(g?.labels).toEqual({
      __meta_kubernetes_namespace: 'shop',
      __meta_kubernetes_endpoints_name: 'web',
      __meta_kubernetes_endpoints_label_team: 'a',
      __meta_kubernetes_endpoints_labelpresent_team: 'true',
      __meta_kubernetes_service_name: 'web',
      __meta_kubernetes_service_label_team: 'a',
      __meta_kubernetes_service_labelpresent_team: 'true',
      __meta_kubernetes_service_annotation_note: 'x',
      __meta_kubernetes_service_annotationpresent_note: 'true',
    });
    const byAddr = new Map(g?.targets.map((t) => [t.__address__, t]));
    expect(byAddr.get('127.1.1.5:8080')).toMatchObject({
      __meta_kubernetes_endpoint_ready: 'true',
      __meta_kubernetes_endpoint_port_name: 'http',
      __meta_kubernetes_endpoint_port_protocol: 'TCP',
      __meta_kubernetes_endpoint_node_name: 'node-a1',
      __meta_kubernetes_endpoint_address_target_kind: 'Pod',
      __meta_kubernetes_endpoint_address_target_name: 'web-1',
      __meta_kubernetes_pod_name: 'web-1',
      __meta_kubernetes_pod_container_name: 'api',
      __meta_kubernetes_pod_container_port_name: 'http',
    });
    expect(byAddr.get('127.1.1.6:8080')).toMatchObject({
      __meta_kubernetes_endpoint_ready: 'false',
      __meta_kubernetes_pod_ready: 'false',
    });
    // The admin port is no Service port: a pod-only target without endpoint labels.
    const admin = byAddr.get('127.1.1.5:9090');
    expect(admin).toMatchObject({
      __meta_kubernetes_pod_container_port_name: 'admin',
      __meta_kubernetes_pod_name: 'web-1',
    });
    expect(admin).not.toHaveProperty('__meta_kubernetes_endpoint_ready');
    expect([...byAddr.keys()].sort()).toEqual([
      '127.1.1.5:8080',
      '127.1.1.5:9090',
      '127.1.1.6:8080',
      '127.1.1.6:9090',
    ]);
  });
});

describe('endpointslice role', () => {
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-x7k2p', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['127.1.1.5'],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: 'node-a1',
        zone: 'zone-a',
        targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
      },
      { addresses: ['127.9.9.9'], conditions: { ready: false } },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' }],
  };

  it('gives the slice, condition, topology and pod labels per endpoint and port', () => {
    const [g] = endpointSliceTargetGroups(
      {
        endpointSlices: [slice],
        services: [service],
        pods: [pod('web-1', '127.1.1.5', true)],
        nodes: [node],
      },
      { attachNodeMetadata: true },
    );
    expect(g?.labels).toMatchObject({
      __meta_kubernetes_namespace: 'shop',
      __meta_kubernetes_endpointslice_name: 'web-x7k2p',
      __meta_kubernetes_endpointslice_address_type: 'IPv4',
      __meta_kubernetes_endpointslice_label_kubernetes_io_service_name: 'web',
      __meta_kubernetes_endpointslice_labelpresent_kubernetes_io_service_name: 'true',
      __meta_kubernetes_service_name: 'web',
    });
    const [first, second, uncovered] = g?.targets ?? [];
    expect(first).toMatchObject({
      __address__: '127.1.1.5:8080',
      __meta_kubernetes_endpointslice_port: '8080',
      __meta_kubernetes_endpointslice_port_name: 'http',
      __meta_kubernetes_endpointslice_port_protocol: 'TCP',
      __meta_kubernetes_endpointslice_port_app_protocol: 'http',
      __meta_kubernetes_endpointslice_endpoint_conditions_ready: 'true',
      __meta_kubernetes_endpointslice_endpoint_conditions_serving: 'true',
      __meta_kubernetes_endpointslice_endpoint_conditions_terminating: 'false',
      __meta_kubernetes_endpointslice_endpoint_node_name: 'node-a1',
      __meta_kubernetes_endpointslice_endpoint_zone: 'zone-a',
      __meta_kubernetes_endpointslice_address_target_kind: 'Pod',
      __meta_kubernetes_endpointslice_address_target_name: 'web-1',
      __meta_kubernetes_node_label_topology_kubernetes_io_zone: 'zone-a',
      __meta_kubernetes_pod_container_port_number: '8080',
    });
    // Conditions not set are not labels; an address with no target is still a target.
    expect(second).toEqual({
      __address__: '127.9.9.9:8080',
      __meta_kubernetes_endpointslice_port: '8080',
      __meta_kubernetes_endpointslice_port_name: 'http',
      __meta_kubernetes_endpointslice_port_protocol: 'TCP',
      __meta_kubernetes_endpointslice_port_app_protocol: 'http',
      __meta_kubernetes_endpointslice_endpoint_conditions_ready: 'false',
    });
    expect(uncovered?.__address__).toBe('127.1.1.5:9090');
  });
});

describe('node role', () => {
  it('targets the first address by InternalIP, ExternalIP, LegacyHostIP, Hostname at the kubelet port, instance = node name', () => {
    expect(nodeTargetGroups({ nodes: [node] })).toEqual([
      {
        source: 'node/node-a1',
        labels: {
          __meta_kubernetes_node_name: 'node-a1',
          __meta_kubernetes_node_label_topology_kubernetes_io_zone: 'zone-a',
          __meta_kubernetes_node_labelpresent_topology_kubernetes_io_zone: 'true',
          __meta_kubernetes_node_label_kubernetes_io_hostname: 'node-a1',
          __meta_kubernetes_node_labelpresent_kubernetes_io_hostname: 'true',
          __meta_kubernetes_node_annotation_node_alpha_kubernetes_io_ttl: '0',
          __meta_kubernetes_node_annotationpresent_node_alpha_kubernetes_io_ttl: 'true',
        },
        targets: [
          {
            __address__: '127.0.1.1:10250',
            instance: 'node-a1',
            __meta_kubernetes_node_address_Hostname: 'node-a1',
            __meta_kubernetes_node_address_InternalIP: '127.0.1.1',
          },
        ],
      },
    ]);
  });
});

describe('http_sd wire format', () => {
  it('sanitizes label names as strutil.SanitizeLabelName does', () => {
    expect(sanitizeLabelName('app.kubernetes.io/name')).toBe('app_kubernetes_io_name');
    expect(sanitizeLabelName('a-b c')).toBe('a_b_c');
  });

  it('turns each target into an entry of its own with group labels under its own', () => {
    expect(
      toHttpSd([
        {
          source: 's',
          labels: { a: '1', b: 'group' },
          targets: [{ __address__: 'h:1', b: 'own' }, { __address__: 'h:2' }],
        },
      ]),
    ).toEqual([
      { targets: ['h:1'], labels: { a: '1', b: 'own' } },
      { targets: ['h:2'], labels: { a: '1', b: 'group' } },
    ]);
  });
});

describe('handleServiceDiscovery', () => {
  let server: Server;
  let base: string;
  const store = new Store();

  beforeAll(async () => {
    for (const ns of ['shop', 'other'])
      store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (const [ns, name] of [
      ['shop', 'web-1'],
      ['other', 'web-9'],
    ] as const) {
      store.create('pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns, labels: { app: name } },
        spec: { containers: [{ name: 'api', image: 'web:1', ports: [{ containerPort: 8080 }] }] },
      });
      store.mutate(
        'pods',
        ns,
        name,
        (d) => void (d.status = { ...d.status, podIP: ns === 'shop' ? '127.1.1.5' : '127.1.1.9' }),
        {
          subresource: 'status',
        },
      );
    }
    server = createServer((req, res) => void handleServiceDiscovery(store, req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/local-cluster/v1/sd`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('serves JSON target groups, filtered by namespace and label selector', async () => {
    const all = await fetch(`${base}/pod`);
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toBe('application/json');
    expect(((await all.json()) as unknown[]).length).toBe(2);
    const shop = (await (await fetch(`${base}/pod?namespace=shop`)).json()) as Array<{ targets: string[] }>;
    expect(shop.map((g) => g.targets[0])).toEqual(['127.1.1.5:8080']);
    const both = (await (
      await fetch(`${base}/pod?namespace=shop,other&labelSelector=app%3Dweb-9`)
    ).json()) as unknown[];
    expect(both.length).toBe(1);
  });

  it('answers a Status naming the problem for an unknown role, parameter or method', async () => {
    const role = await fetch(`${base}/service`);
    expect(role.status).toBe(400);
    expect(((await role.json()) as { message: string }).message).toMatch(
      /unknown discovery role.*\{pod\|endpoints\|endpointslice\|node\}/,
    );
    const param = await fetch(`${base}/pod?namespaces=shop`);
    expect(((await param.json()) as { message: string }).message).toMatch(
      /unknown query parameter "namespaces": use namespace/,
    );
    expect((await fetch(`${base}/pod?attach_metadata=service`)).status).toBe(400);
    expect((await fetch(`${base}/pod`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/pod?fieldSelector=spec.bogus%3D1`)).status).toBe(400);
  });
});
