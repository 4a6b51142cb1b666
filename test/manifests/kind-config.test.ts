/**
 * The kind cluster config (infra-fixtures/kind/cluster.yaml) has the shape the zone-outage
 * provider and the stack expect: one control plane in no zone (a zone outage never takes the API
 * server or the ingress), six workers two per zone, and the script that brings it up refers to
 * files that exist.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kindDir = path.join(root, 'infra-fixtures/kind');

interface KindNode {
  role: string;
  labels?: Record<string, string>;
  extraPortMappings?: Array<{ containerPort: number; hostPort: number; listenAddress?: string }>;
}

describe('infra-fixtures/kind', () => {
  const config = parse(readFileSync(path.join(kindDir, 'cluster.yaml'), 'utf8')) as {
    kind: string;
    apiVersion: string;
    name: string;
    nodes: KindNode[];
  };

  it('is a kind v1alpha4 cluster named gauntlet', () => {
    expect(config).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', name: 'gauntlet' });
  });

  it('has one control plane outside every zone, running the ingress on loopback', () => {
    const planes = config.nodes.filter((n) => n.role === 'control-plane');
    expect(planes).toHaveLength(1);
    expect(planes[0]!.labels?.['topology.kubernetes.io/zone']).toBeUndefined();
    expect(planes[0]!.labels?.['ingress-ready']).toBe('true');
    expect(planes[0]!.extraPortMappings?.map((p) => `${p.listenAddress}:${p.hostPort}`)).toEqual([
      '127.0.0.1:80',
      '127.0.0.1:443',
    ]);
  });

  it('has six workers, two in each of zone-a, zone-b and zone-c', () => {
    const workers = config.nodes.filter((n) => n.role === 'worker');
    expect(workers).toHaveLength(6);
    const zones = workers.map((w) => w.labels?.['topology.kubernetes.io/zone']);
    expect(zones.sort()).toEqual(['zone-a', 'zone-a', 'zone-b', 'zone-b', 'zone-c', 'zone-c']);
  });

  it('brings up the stack from files that exist', () => {
    const script = readFileSync(path.join(kindDir, 'up.sh'), 'utf8');
    for (const [, p] of script.matchAll(/"\$root\/([\w./-]+)"/g))
      expect(existsSync(path.join(root, p!)), p).toBe(true);
    expect(script).toContain('kind load docker-image');
    expect(script).toContain('infra-fixtures/k8s/overlays/kind');
  });
});
