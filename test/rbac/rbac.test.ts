/**
 * The ClusterRole and Role in infra-fixtures/rbac grant exactly what gauntlet's code calls: every
 * Kubernetes API call found in lib/ and chaos/ (generated client methods, watches and raw request
 * paths) needs its verb granted at its scope, and every grant must be used. A new call without its
 * verb, or a verb no call needs any more, fails here with the file and line to look at.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import {
  checkRbac,
  clientNodeEndpoints,
  scanSource,
  scanTree,
  type ApiCall,
  type PolicyRule,
} from './api-calls.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rbacDir = path.join(root, 'infra-fixtures/rbac');

/**
 * Calls on a namespaced path whose namespace is not the target's, so only a ClusterRole reaches
 * them. Each must still match a call, or it is stale.
 */
const CLUSTER_WIDE: ReadonlyArray<{ file: string; method: string; why: string }> = [
  {
    file: 'chaos/eviction.ts',
    method: 'createNamespacedPodEviction',
    why: 'node-drain evicts every pod of the node, in whatever namespace, like kubectl drain',
  },
];

function rules(file: string, kind: string): PolicyRule[] {
  const docs = parseAllDocuments(readFileSync(path.join(rbacDir, file), 'utf8')).map((d) => d.toJS());
  const doc = docs.find((d: { kind?: string }) => d.kind === kind) as { rules?: PolicyRule[] } | undefined;
  if (!doc) throw new Error(`${file} has no ${kind}`);
  return doc.rules ?? [];
}

function codeCalls(): ApiCall[] {
  const { calls, unresolved } = scanTree(root, ['lib', 'chaos']);
  expect(
    unresolved.map(
      (u) => `${u.file}:${u.line} ${u.method}: ${u.why}; add // rbac: <group>/<resource> <verbs>`,
    ),
  ).toEqual([]);
  return calls.map((c) =>
    CLUSTER_WIDE.some((o) => o.file === c.file && o.method === c.method) ? { ...c, scope: 'cluster' } : c,
  );
}

describe('gauntlet RBAC (infra-fixtures/rbac)', () => {
  const clusterRules = rules('clusterrole.yaml', 'ClusterRole');
  const roleRules = rules('role.yaml', 'Role');

  it('grants every verb the code uses, at its scope, and nothing else', () => {
    const report = checkRbac(codeCalls(), clusterRules, roleRules);
    expect(report.missing, 'calls whose verb the role lacks: add it to infra-fixtures/rbac').toEqual([]);
    expect(report.extra, 'grants no call needs: remove them from infra-fixtures/rbac').toEqual([]);
  });

  it('finds the calls it should: typed methods, subresources, watches and custom objects', () => {
    const calls = codeCalls();
    const has = (file: string, resource: string, verb: string) =>
      calls.some((c) => c.file === file && c.resource === resource && c.verb === verb);
    expect(has('chaos/eviction.ts', 'pods/eviction', 'create')).toBe(true);
    expect(has('chaos/node-drain.ts', 'nodes', 'patch')).toBe(true);
    expect(has('chaos/pod-kill.ts', 'pods', 'delete')).toBe(true);
    expect(has('lib/cluster/observer.ts', 'nodes', 'watch')).toBe(true);
    expect(has('lib/cluster/target.ts', 'ingresses', 'list')).toBe(true);
    expect(has('lib/load/k6-operator/pod-log.ts', 'pods/log', 'get')).toBe(true);
    for (const o of CLUSTER_WIDE)
      expect(
        calls.some((c) => c.file === o.file && c.method === o.method),
        `${o.file} ${o.method} (stale)`,
      ).toBe(true);
  });

  it('uses no wildcard and no verb beyond reading, patching, deleting and evicting', () => {
    for (const r of [...clusterRules, ...roleRules]) {
      expect([...(r.apiGroups ?? []), ...(r.resources ?? []), ...(r.verbs ?? [])]).not.toContain('*');
      expect(r.verbs).not.toContain('escalate');
      expect(r.verbs).not.toContain('impersonate');
    }
  });

  it('fails when a new API call is added without its verb', () => {
    const endpoints = clientNodeEndpoints();
    const source = [
      'export async function wipe(client: ClusterClient, ns: string) {',
      '  await client.core.deleteNode({ name: "node-a1" });',
      '  await client.apps',
      '    .createNamespacedDeployment({ namespace: ns, body: {} });',
      '  // client.core.deleteNamespace({ name: ns }) is only a comment',
      '  const w = { path: `/apis/batch/v1/namespaces/${ns}/jobs` };',
      '  await client.custom.listNamespacedCustomObject({ group: "k6.io", version: "v1alpha1", namespace: ns, plural: "testruns" });',
      '  const token = new URL(`/api/v1/namespaces/${ns}/serviceaccounts/gauntlet/token`, client.server);',
      '  return [w, token];',
      '}',
    ].join('\n');
    const { calls, unresolved } = scanSource('lib/new-feature.ts', source, endpoints);
    expect(unresolved).toEqual([]);
    const report = checkRbac([...codeCalls(), ...calls], clusterRules, roleRules);
    expect(report.missing).toEqual([
      '/nodes delete (cluster) at lib/new-feature.ts:2',
      '/serviceaccounts/token create (namespaced) at lib/new-feature.ts:8',
      'apps/deployments create (namespaced) at lib/new-feature.ts:4',
      'batch/jobs list (namespaced) at lib/new-feature.ts:6',
      'batch/jobs watch (namespaced) at lib/new-feature.ts:6',
      'k6.io/testruns list (namespaced) at lib/new-feature.ts:7',
    ]);
  });

  it('asks for a declaration where the resource or verb is only known at run time', () => {
    const undeclared = scanSource('lib/x.ts', 'await client.objects.create(manifest);');
    expect(undeclared.unresolved).toEqual([
      expect.objectContaining({ file: 'lib/x.ts', line: 1, method: 'objects.create' }),
    ]);
    // A raw request to a path several HTTP methods share, or to a custom resource, says what it does.
    const raw = scanSource(
      'lib/x.ts',
      [
        'request(`/api/v1/namespaces/${ns}/pods/${name}`, { method: "DELETE" });',
        "request('/apis/k6.io/v1alpha1/testruns');",
        "throw new Error(\"path must start with '/', e.g. '/api/v1/narratives'\");",
        '// rbac: /pods delete',
        'request(`/api/v1/namespaces/${ns}/pods/${name}`, { method: "DELETE" });',
      ].join('\n'),
    );
    expect(raw.unresolved).toEqual([
      expect.objectContaining({
        line: 1,
        why: expect.stringMatching(/DELETE, GET, PATCH, PUT share this path/),
      }),
      expect.objectContaining({ line: 2, why: expect.stringMatching(/DELETE, GET, POST share this path/) }),
    ]);
    expect(raw.calls).toEqual([
      expect.objectContaining({ line: 5, group: '', resource: 'pods', verb: 'delete', scope: 'namespaced' }),
    ]);
    const declared = scanSource(
      'lib/x.ts',
      '// rbac: apps/deployments create\nawait client.objects.create(manifest);',
    );
    expect(declared.calls).toEqual([
      expect.objectContaining({
        group: 'apps',
        resource: 'deployments',
        verb: 'create',
        scope: 'namespaced',
      }),
    ]);
  });
});
