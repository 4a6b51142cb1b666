import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { kubeletConditions, nodeObject } from '../../infra-fixtures/local-cluster/nodes/index.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';

const at = new Date('2025-03-01T10:00:00.000Z');

describe('nodeObject', () => {
  it('builds a registered node with the kubelet labels, addresses, resources and conditions', () => {
    const node = nodeObject({
      name: 'node-a1',
      address: '127.0.1.1',
      zone: 'zone-a',
      region: 'local',
      memory: '8Gi',
      ephemeralStorage: '100Gi',
      now: at,
    });
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    expect(node.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': 'node-a1',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': arch,
      'topology.kubernetes.io/zone': 'zone-a',
      'topology.kubernetes.io/region': 'local',
      'node.kubernetes.io/instance-type': 'local',
    });
    expect(node.spec).toEqual({ podCIDR: '127.1.1.0/24', podCIDRs: ['127.1.1.0/24'] });
    expect(node.status.addresses).toEqual([
      { type: 'InternalIP', address: '127.0.1.1' },
      { type: 'Hostname', address: 'node-a1' },
    ]);
    const cores = String(os.availableParallelism());
    expect(node.status.capacity).toMatchObject({
      cpu: cores,
      memory: '8Gi',
      pods: '110',
      'ephemeral-storage': '100Gi',
    });
    // Kubelet hard-eviction defaults come off allocatable: memory.available<100Mi, nodefs.available<10%.
    expect(node.status.allocatable).toMatchObject({
      cpu: cores,
      memory: `${8 * 1024 * 1024 - 100 * 1024}Ki`,
      pods: '110',
      'ephemeral-storage': String(Math.floor(100 * 2 ** 30 * 0.9)),
    });
    expect(
      node.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`),
    ).toEqual(['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    const ready = node.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    expect(ready).toEqual({
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
      lastHeartbeatTime: '2025-03-01T10:00:00Z',
      lastTransitionTime: '2025-03-01T10:00:00Z',
    });
    expect(node.status.nodeInfo).toMatchObject({
      kubeletVersion: 'v1.32.0',
      containerRuntimeVersion: 'local-process://1',
      operatingSystem: 'linux',
      architecture: arch,
      kernelVersion: os.release(),
    });
    expect(node.status.nodeInfo.osImage).toBeTruthy();
    expect(node.status.nodeInfo.machineID).toMatch(/^[0-9a-f]{32}$/);
  });

  it('defaults cpu and memory to this machine and leaves out the topology labels when not given', () => {
    const node = nodeObject({
      name: 'node-b1',
      address: '127.0.2.1',
      cpu: 2,
      maxPods: 30,
      kubeletVersion: 'v1.31.4',
    });
    expect(node.status.capacity.cpu).toBe('2');
    expect(node.status.capacity.memory).toBe(`${Math.floor(os.totalmem() / 1024)}Ki`);
    expect(node.status.capacity.pods).toBe('30');
    expect(node.status.nodeInfo.kubeletVersion).toBe('v1.31.4');
    expect(node.metadata.labels).not.toHaveProperty('topology.kubernetes.io/zone');
    expect(node.metadata.labels).not.toHaveProperty('topology.kubernetes.io/region');
  });

  it('is accepted by the store with its status, as a registering kubelet creates it', () => {
    const store = new Store();
    const saved = store.create(
      'nodes',
      nodeObject({ name: 'node-a1', address: '127.0.1.1', zone: 'zone-a', region: 'r' }),
    );
    expect(saved.status.conditions).toHaveLength(4);
    expect(store.list('nodes', { labelSelector: 'topology.kubernetes.io/zone=zone-a' }).items).toHaveLength(
      1,
    );
  });

  it('rejects bad input with a message naming the field', () => {
    expect(() => nodeObject({ name: 'Node_A', address: '127.0.1.1' })).toThrow(/name "Node_A" must be/);
    expect(() => nodeObject({ name: 'a', address: 'localhost' })).toThrow(
      /address "localhost" must be an IPv4/,
    );
    expect(() => nodeObject({ name: 'a', address: '127.0.1.1', memory: '8 GB' })).toThrow(/memory "8 GB"/);
    expect(() => nodeObject({ name: 'a', address: '127.0.1.1', maxPods: 0 })).toThrow(/maxPods/);
    expect(() => nodeObject({ name: 'a', address: '127.0.1.1', zone: 'zone a' })).toThrow(/zone "zone a"/);
    // No pod CIDR can be derived from a non-loopback address unless one is given.
    expect(() => nodeObject({ name: 'a', address: '10.0.0.1' })).toThrow(/podCIDR/);
    expect(nodeObject({ name: 'a', address: '10.0.0.1', podCIDR: '10.244.0.0/24' }).spec.podCIDR).toBe(
      '10.244.0.0/24',
    );
  });
});

describe('kubeletConditions', () => {
  it('moves every heartbeat but keeps the transition time unless the status changes', () => {
    const first = kubeletConditions(at);
    const later = new Date(at.getTime() + 10_000);
    const second = kubeletConditions(later, first);
    expect(second.every((c) => c.lastHeartbeatTime === '2025-03-01T10:00:10Z')).toBe(true);
    expect(second.every((c) => c.lastTransitionTime === '2025-03-01T10:00:00Z')).toBe(true);
    const unknown = second.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown' as const } : c));
    const network = {
      type: 'NetworkUnavailable',
      status: 'False' as const,
      reason: 'RouteCreated',
      message: 'routes exist',
      lastHeartbeatTime: 'x',
      lastTransitionTime: 'x',
    };
    const third = kubeletConditions(new Date(at.getTime() + 20_000), [network, ...unknown]);
    expect(third[0]).toEqual(network);
    const ready = third.find((c) => c.type === 'Ready')!;
    expect(ready.status).toBe('True');
    expect(ready.lastTransitionTime).toBe('2025-03-01T10:00:20Z');
  });
});
