/**
 * CustomResourceDefinitions through the real kubectl (1.32): a definition applied from a file is
 * served at once (discovery, `kubectl get <plural>` with its printer columns, apply, patch of the
 * status subresource, label selectors, validation errors), and deleting it takes its objects.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import { kubectlRunner, tempDir } from './api-helpers.ts';

const kCrdFile = path.join(import.meta.dirname, '../../infra-fixtures/k6-operator/crd-testrun.yaml');

const testRun = (name: string, parallelism: number, labels = 'app: shop') => `
apiVersion: k6.io/v1alpha1
kind: TestRun
metadata:
  name: ${name}
  labels: {${labels}}
spec:
  parallelism: ${parallelism}
  script:
    configMap: {name: ${name}-script, file: test.js}
`;

/** Cluster scoped, two versions (v1 stored), no printer columns: NAME and AGE. */
const widgetCrd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, shortNames: [wd]}
  scope: Cluster
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1}
`;

let store: Store;
let api: ApiServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let kubectl: ReturnType<typeof kubectlRunner>;

beforeAll(async () => {
  tmp = await tempDir('lc-crd-kubectl-');
  store = new Store();
  api = await startApiServer({ store, dir: tmp.dir });
  kubectl = kubectlRunner(api.kubeconfigPath, tmp.dir);
});

afterAll(async () => {
  await api?.close();
  await tmp?.cleanup();
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const columns = (line: string) => line.trim().split(/\s{2,}/);

describe('kubectl and custom resources', () => {
  it('applies the TestRun definition, which becomes Established and discoverable', async () => {
    expect(await ok(['apply', '-f', kCrdFile])).toBe(
      'customresourcedefinition.apiextensions.k8s.io/testruns.k6.io created\n',
    );
    expect(
      await ok(['wait', '--for=condition=established', 'crd/testruns.k6.io', '--timeout=10s']),
    ).toContain('condition met');
    const crds = (await ok(['get', 'crd'])).trim().split('\n');
    expect(columns(crds[0]!)).toEqual(['NAME', 'CREATED AT']);
    expect(crds[1]).toMatch(/^testruns\.k6\.io\s+\d{4}-\d\d-\d\dT/);
    const resources = await ok(['api-resources', '--api-group=k6.io']);
    expect(resources).toMatch(/testruns\s+k6\.io\/v1alpha1\s+true\s+TestRun/);
    // Before any object exists the resource answers with an empty list, not an error.
    const none = await kubectl(['get', 'testruns']);
    expect(none).toMatchObject({ code: 0, stderr: 'No resources found in default namespace.\n' });
  });

  it('creates objects, prints their columns, selects by label and patches status', async () => {
    expect(await ok(['apply', '-f', '-'], testRun('checkout', 2))).toBe('testrun.k6.io/checkout created\n');
    expect(await ok(['apply', '-f', '-'], testRun('search', 1, 'app: search'))).toBe(
      'testrun.k6.io/search created\n',
    );
    const table = (await ok(['get', 'testruns'])).trim().split('\n');
    expect(columns(table[0]!)).toEqual(['NAME', 'STAGE', 'AGE', 'TESTRUNID']);
    expect(columns(table[1]!)).toEqual(['checkout', '<none>', expect.stringMatching(/^\d+s$/), '<none>']);
    expect(table).toHaveLength(3);

    expect(
      await ok([
        'patch',
        'testrun',
        'checkout',
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"stage":"started"}}',
      ]),
    ).toBe('testrun.k6.io/checkout patched\n');
    expect(await ok(['get', 'testrun', 'checkout', '--no-headers'])).toMatch(
      /^checkout\s+started\s+\d+s\s+<none>\n$/,
    );
    // The main resource ignores status; the status subresource ignores the rest.
    expect(await ok(['get', 'testruns', '-l', 'app=search', '-o', 'name'])).toBe('testrun.k6.io/search\n');
    const obj = JSON.parse(await ok(['get', 'testrun', 'checkout', '-o', 'json']));
    expect(obj.spec).toEqual({
      parallelism: 2,
      paused: 'true',
      quiet: 'true',
      script: { configMap: { name: 'checkout-script', file: 'test.js' } },
    });
    expect(obj.metadata.generation).toBe(1);
  });

  it('re-applies a changed object (JSON merge patch) and reports it unchanged after', async () => {
    expect(await ok(['apply', '-f', '-'], testRun('checkout', 4))).toBe(
      'testrun.k6.io/checkout configured\n',
    );
    expect(await ok(['apply', '-f', '-'], testRun('checkout', 4))).toBe('testrun.k6.io/checkout unchanged\n');
    const stored = store.get('testruns.k6.io', 'default', 'checkout');
    expect(stored.spec.parallelism).toBe(4);
    expect(stored.metadata.generation).toBe(2);
    expect(stored.status).toEqual({ stage: 'started' });
  });

  it('refuses objects that break the schema with the fields named', async () => {
    const bad = await kubectl(['apply', '-f', '-'], {
      input: testRun('broken', 1).replace('parallelism: 1', 'parallelism: many\n  cleanup: pre'),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('The TestRun "broken" is invalid');
    expect(bad.stderr).toContain(
      'spec.parallelism: Invalid value: "string": spec.parallelism in body must be of type integer',
    );
    expect(bad.stderr).toContain('spec.cleanup: Unsupported value: "pre": supported values: "post"');
  });

  it('serves a cluster-scoped definition at every served version, by short name', async () => {
    expect(await ok(['apply', '-f', '-'], widgetCrd)).toBe(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n',
    );
    const w =
      'apiVersion: example.com/v1beta1\nkind: Widget\nmetadata: {name: gear}\nspec: {size: 3, colour: red}\n';
    expect(await ok(['apply', '-f', '-'], w)).toBe('widget.example.com/gear created\n');
    const table = (await ok(['get', 'wd'])).trim().split('\n');
    expect(columns(table[0]!)).toEqual(['NAME', 'AGE']);
    expect(table[1]).toMatch(/^gear\s+\d+s$/);
    // Stored at v1 with v1's schema: unknown fields are pruned; each version reads its apiVersion.
    expect(store.get('widgets.example.com', '', 'gear')).toMatchObject({
      apiVersion: 'example.com/v1',
      spec: { size: 3 },
    });
    expect(
      JSON.parse(await ok(['get', 'widgets.v1beta1.example.com', 'gear', '-o', 'json'])).apiVersion,
    ).toBe('example.com/v1beta1');
    expect(JSON.parse(await ok(['get', 'widgets.v1.example.com', 'gear', '-o', 'json'])).spec).toEqual({
      size: 3,
    });
  });

  it('deleting a definition deletes its objects and stops serving it', async () => {
    expect(await ok(['delete', 'crd', 'testruns.k6.io'])).toBe(
      'customresourcedefinition.apiextensions.k8s.io "testruns.k6.io" deleted\n',
    );
    expect(store.tryGet('customresourcedefinitions', '', 'testruns.k6.io')).toBeUndefined();
    expect(store.registry.has('testruns.k6.io')).toBe(false);
    const gone = await kubectl(['get', 'testruns']);
    expect(gone.code).not.toBe(0);
    // kubectl still knows the resource from its discovery cache; the server no longer serves it.
    expect(gone.stderr).toContain('the server could not find the requested resource');
    // Re-created, it starts empty.
    await ok(['apply', '-f', kCrdFile]);
    expect((await kubectl(['get', 'testruns'])).stderr).toBe('No resources found in default namespace.\n');
    expect(await ok(['get', 'wd', '-o', 'name'])).toBe('widget.example.com/gear\n');
  });
});
