/**
 * Every kustomization in the repository builds with `kubectl kustomize`, every object it prints
 * validates against the Kubernetes schemas (strictly: unknown fields are errors), and the built
 * stack passes the production-readiness policies. The deliberately broken overlays, and the EKS
 * overlay for FIS pod actions, must fail exactly the policy they break: that a policy catches its
 * one break is what proves the policy works.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kustomizations, kustomize } from './kustomize.ts';
import { checkPolicies, type PolicyId } from './policy.ts';
import { objectLabel, schemaProblems, type KubeObject } from './schema.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'infra-fixtures');

/** The policies each build breaks; every other build must break none. */
const EXPECTED_BREAKS: Readonly<Record<string, readonly PolicyId[]>> = {
  'infra-fixtures/k8s/overlays/broken/hpa-cannot-scale': ['hpa-headroom'],
  'infra-fixtures/k8s/overlays/broken/no-graceful-shutdown': ['graceful-shutdown'],
  'infra-fixtures/k8s/overlays/broken/no-pdb': ['pdb'],
  'infra-fixtures/k8s/overlays/broken/no-readiness-probe': ['probes'],
  'infra-fixtures/k8s/overlays/broken/one-zone': ['zone-spread'],
  'infra-fixtures/aws/fis-pod-actions': ['read-only-root-fs'],
};

/** Every kustomization under infra-fixtures: a new overlay is validated without being listed. */
const builds = kustomizations(fixtures).map((d) => path.join('infra-fixtures', d));

describe('the manifests', () => {
  it('include base, local, kind, eks, FIS pod actions and RBAC, and an expectation for every broken overlay', () => {
    for (const d of ['k8s/base', 'k8s/overlays/local', 'k8s/overlays/kind', 'k8s/overlays/eks'])
      expect(builds).toContain(`infra-fixtures/${d}`);
    for (const d of ['aws/fis-pod-actions', 'rbac']) expect(builds).toContain(`infra-fixtures/${d}`);
    const broken = builds.filter((b) => b.includes('/overlays/broken/'));
    expect(
      broken.filter((b) => !EXPECTED_BREAKS[b]),
      'a broken overlay must say which policy it breaks (EXPECTED_BREAKS)',
    ).toEqual([]);
  });

  describe.each(builds)('%s', (dir) => {
    let objects: KubeObject[] = [];
    it('builds with kubectl kustomize', async () => {
      objects = await kustomize(path.join(root, dir));
      expect(objects.length).toBeGreaterThan(0);
    });

    it('validates against the Kubernetes schemas', async () => {
      const problems: string[] = [];
      for (const o of objects)
        for (const p of await schemaProblems(o)) problems.push(`${objectLabel(o)}: ${p}`);
      expect(problems).toEqual([]);
    });

    it(`passes the policies${EXPECTED_BREAKS[dir] ? `, except ${EXPECTED_BREAKS[dir]!.join(', ')}` : ''}`, () => {
      // A stack build without its workload would pass every policy by having nothing to check.
      if (dir.startsWith('infra-fixtures/k8s/')) expect(objects.map((o) => o.kind)).toContain('Deployment');
      const broken = [...new Set(checkPolicies(objects).map((v) => v.policy))].sort();
      expect(broken, JSON.stringify(checkPolicies(objects), null, 1)).toEqual(
        [...(EXPECTED_BREAKS[dir] ?? [])].sort(),
      );
    });
  });
});

describe('the schema check', () => {
  const deployment = (): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x:1' }] } },
    },
  });

  it('accepts a minimal valid object', async () => {
    expect(await schemaProblems(deployment())).toEqual([]);
  });

  it('rejects a misplaced field, a wrong type, a missing required field and an unknown kind', async () => {
    const d = deployment() as { spec: { replicas?: unknown; template: { spec: { containers: object[] } } } };
    d.spec.replicas = 'three';
    d.spec.template.spec.containers[0] = {
      name: 'x',
      image: 'x:1',
      readinessprobe: { httpGet: { port: 80 } },
    };
    const problems = await schemaProblems(d as KubeObject);
    expect(problems).toContain('Deployment/spec/replicas must be integer');
    expect(problems).toContain(
      'Deployment.spec.template.spec.containers[0].readinessprobe: unknown field (not in V1Container)',
    );
    const noSelector = deployment() as { spec: { selector?: unknown } };
    delete noSelector.spec.selector;
    expect(await schemaProblems(noSelector as KubeObject)).toContain(
      'Deployment/spec must have required property selector',
    );
    expect(
      await schemaProblems({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } }),
    ).toEqual(['apps/v1 has no kind Deploymnet']);
  });
});
