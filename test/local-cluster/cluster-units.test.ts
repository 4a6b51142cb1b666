/**
 * The cluster assembly's pure parts: the stack rendering (checked against the real
 * `kubectl kustomize`), topology naming and addressing, and option validation.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  buildTopology,
  KustomizeError,
  kStackOverlay,
  renderKustomization,
  resolveOptions,
} from '../../infra-fixtures/local-cluster/cluster/index.ts';
import { defaultPodCIDR } from '../../infra-fixtures/local-cluster/kubelet/index.ts';

const run = promisify(execFile);

async function kubectlKustomize(dir: string): Promise<unknown[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('kubectl', ['kustomize', dir], { env: { ...process.env, HOME: tmpdir() } }));
  } catch (err) {
    throw new Error(`kubectl kustomize failed (is kubectl 1.32 on PATH?): ${(err as Error).message}`);
  }
  return parseAllDocuments(stdout).map((d) => d.toJS());
}

describe('stack rendering', () => {
  it('renders infra-fixtures/k8s/overlays/local exactly as kubectl kustomize does', async () => {
    const ours = renderKustomization(kStackOverlay);
    const theirs = await kubectlKustomize(kStackOverlay);
    expect(ours.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(
      theirs.map(
        (m) => `${(m as { kind: string }).kind}/${(m as { metadata: { name: string } }).metadata.name}`,
      ),
    );
    expect(ours).toEqual(theirs);
  });

  it('matches kubectl kustomize for namespace renames, cluster-scoped kinds and includeTemplates', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kustomize-'));
    writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      'namespace: shop\nlabels:\n  - pairs: {team: web}\n    includeTemplates: true\nresources: [all.yaml]\n',
    );
    writeFileSync(
      path.join(dir, 'all.yaml'),
      [
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec:\n  template:\n    metadata: {labels: {app: b}}\n    spec: {containers: []}',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: z}\ndata: {k: v}',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}',
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: old}',
      ].join('\n---\n'),
    );
    expect(renderKustomization(dir)).toEqual(await kubectlKustomize(dir));
  });

  it('refuses kustomization fields it cannot render, naming the field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kustomize-'));
    writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: []\nimages: [{name: x, newTag: "2"}]\n');
    expect(() => renderKustomization(dir)).toThrow(KustomizeError);
    expect(() => renderKustomization(dir)).toThrow(/field images is not supported/);
  });
});

describe('topology', () => {
  it('names 3 zones × 2 nodes and gives each node its own loopback address and pod CIDR', () => {
    const nodes = buildTopology({ zones: 3, nodesPerZone: 2, region: 'local-1' });
    expect(nodes.map((n) => `${n.name} ${n.zone} ${n.address} ${n.podCIDR}`)).toEqual([
      'node-a1 zone-a 127.0.1.1 127.1.1.0/24',
      'node-a2 zone-a 127.0.1.2 127.1.2.0/24',
      'node-b1 zone-b 127.0.2.1 127.2.1.0/24',
      'node-b2 zone-b 127.0.2.2 127.2.2.0/24',
      'node-c1 zone-c 127.0.3.1 127.3.1.0/24',
      'node-c2 zone-c 127.0.3.2 127.3.2.0/24',
    ]);
    // The kubelet derives the same range from the address, so pods are 127.<zone>.<n>.x either way.
    for (const n of nodes) expect(defaultPodCIDR(n.address)).toBe(n.podCIDR);
  });
});

describe('options', () => {
  it('defaults every period to its upstream value and scales them onto the wall clock', () => {
    const d = resolveOptions({});
    expect(d.cluster).toMatchObject({
      nodeMonitorGracePeriodMs: 50_000,
      nodeMonitorPeriodMs: 5_000,
      leaseDurationSeconds: 40,
      leaseRenewIntervalMs: 10_000,
      nodeStatusUpdateIntervalMs: 10_000,
      hpaSyncPeriodMs: 15_000,
      ingressPropagationDelayMs: 1_000,
    });
    expect(d.real.nodeMonitorGracePeriodMs).toBe(50_000);
    const fast = resolveOptions({ timeScale: 0.1, nodeMonitorGracePeriodMs: 20_000 });
    expect(fast.real.nodeMonitorGracePeriodMs).toBe(2_000);
    expect(fast.real.hpaSyncPeriodMs).toBe(1_500);
    expect(fast.real.kubeletTimeScale).toBe(0.1);
    expect(resolveOptions({ timeScale: 0.1, kubeletTimeScale: 1 }).real.kubeletTimeScale).toBe(1);
  });

  it.each([
    [{ zones: 0 }, /options\.zones must be a whole number from 1 to 26, got 0/],
    [{ nodesPerZone: 2.5 }, /options\.nodesPerZone must be a whole number/],
    [{ timeScale: -1 }, /options\.timeScale must be a number above 0/],
    [{ nodeMonitorGracePeriodMs: Number.NaN }, /options\.nodeMonitorGracePeriodMs/],
    [{ region: 'Local 1' }, /options\.region must be a label value/],
  ])('rejects %j naming the option', (input, message) => {
    expect(() => resolveOptions(input)).toThrow(message);
  });
});
