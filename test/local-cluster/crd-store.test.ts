/**
 * Custom resources in the store, without HTTP: definition validation, schema pruning and
 * defaulting, version views, printer columns, owner-reference GC in both directions, namespace
 * deletion, and a definition's deletion held by an object's finalizer.
 */
import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../infra-fixtures/local-cluster/store/crds.ts';
import { ApiError } from '../../infra-fixtures/local-cluster/store/errors.ts';
import {
  customResourceColumns,
  parseJsonPath,
} from '../../infra-fixtures/local-cluster/store/printers/crd.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { KubeObject } from '../../infra-fixtures/local-cluster/store/types.ts';

function definition(overrides: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'jobs.batch.example.com' },
    spec: {
      group: 'batch.example.com',
      names: { kind: 'Job', plural: 'jobs' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            { name: 'First', type: 'string', jsonPath: ".spec.items[0]['name']", priority: 1 },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['size'],
                  properties: {
                    size: { type: 'integer', minimum: 1 },
                    mode: { type: 'string', default: 'fast', enum: ['fast', 'slow'] },
                    note: { type: 'string', nullable: true },
                    tag: { type: 'string' },
                    items: {
                      type: 'array',
                      items: { type: 'object', properties: { name: { type: 'string' } } },
                    },
                    extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                    port: { 'x-kubernetes-int-or-string': true },
                  },
                },
                status: { type: 'object', properties: { phase: { type: 'string' } } },
              },
            },
          },
        },
        { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      ],
    },
    ...overrides,
  };
}

const job = (name: string, spec: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'batch.example.com/v1',
  kind: 'Job',
  metadata: { name, namespace: 'default' },
  spec,
  ...extra,
});

function causesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return (e.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('custom resource definitions in the store', () => {
  it('refuses definitions upstream refuses, naming the field', () => {
    const store = new Store();
    const bad = definition();
    bad.metadata.name = 'jobs.other.com';
    expect(causesOf(() => store.create('customresourcedefinitions', bad))).toEqual([
      'metadata.name: Invalid value: "jobs.other.com": must be spec.names.plural+"."+spec.group',
    ]);
    const twoStorage = definition();
    twoStorage.spec.versions[1].storage = true;
    expect(causesOf(() => store.create('customresourcedefinitions', twoStorage))).toEqual([
      'spec.versions: Invalid value: must have exactly one version marked as storage version, found 2',
    ]);
    const builtin = definition({ metadata: { name: 'jobs.apps' } });
    builtin.spec.group = 'apps';
    expect(causesOf(() => store.create('customresourcedefinitions', builtin))[0]).toMatch(
      /^spec.group: Invalid value: "apps"/,
    );
    const noSchema = definition();
    delete noSchema.spec.versions[1].schema;
    expect(causesOf(() => store.create('customresourcedefinitions', noSchema))).toEqual([
      'spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required',
    ]);
    const crd = store.create('customresourcedefinitions', definition());
    expect(crd.spec.names).toMatchObject({ singular: 'job', listKind: 'JobList' });
    const scoped = structuredClone(crd);
    scoped.spec.scope = 'Cluster';
    expect(causesOf(() => store.update('customresourcedefinitions', scoped))).toEqual([
      'spec.scope: Invalid value: field is immutable',
    ]);
  });

  it('prunes, defaults and validates objects against the storage schema', () => {
    const store = new Store();
    store.create('customresourcedefinitions', definition());
    const created = store.create(
      'jobs.batch.example.com',
      job(
        'a',
        { size: 2, note: null, tag: null, unknown: 1, extra: { any: { thing: 1 } }, port: 'http' },
        { status: { phase: 'x' } },
      ),
    );
    expect(created.spec).toEqual({
      size: 2,
      note: null,
      mode: 'fast',
      extra: { any: { thing: 1 } },
      port: 'http',
    });
    expect(created.status).toBeUndefined();
    expect(
      causesOf(() => store.create('jobs.batch.example.com', job('b', { size: 0, mode: 'odd', port: 1.5 }))),
    ).toEqual([
      'spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1',
      'spec.mode: Unsupported value: "odd": supported values: "fast", "slow"',
      'spec.port: Invalid value: "number": spec.port in body must be of type integer or string: "number"',
    ]);
    expect(causesOf(() => store.create('jobs.batch.example.com', job('c', {})))).toEqual([
      'spec.size: Required value',
    ]);
  });

  it('serves every served version as a view of the one stored object, preferred version first', () => {
    const store = new Store();
    store.create('customresourcedefinitions', definition());
    expect(store.registry.groupVersions().find((g) => g.group === 'batch.example.com')?.versions).toEqual([
      'v1',
      'v1beta1',
    ]);
    store.create('jobs.batch.example.com', {
      ...job('a', { size: 1 }),
      apiVersion: 'batch.example.com/v1beta1',
    });
    expect(store.get('jobs.batch.example.com', 'default', 'a').apiVersion).toBe('batch.example.com/v1');
    const beta = store.registry.find('batch.example.com', 'v1beta1', 'jobs')!;
    expect(beta.view!.fromStorage(store.get('jobs.batch.example.com', 'default', 'a')).apiVersion).toBe(
      'batch.example.com/v1beta1',
    );
    expect(['v1alpha1', 'v2', 'v1beta1', 'foo', 'v1', 'v1beta2', 'v10'].sort(compareVersions)).toEqual([
      'v10',
      'v2',
      'v1',
      'v1beta2',
      'v1beta1',
      'v1alpha1',
      'foo',
    ]);
  });

  it('prints NAME plus the printer columns, or NAME and AGE without any', () => {
    expect(parseJsonPath(".spec.items[0]['name']")).toEqual(['spec', 'items', 0, 'name']);
    expect(parseJsonPath('{.status.stage}')).toEqual(['status', 'stage']);
    expect(parseJsonPath('spec')).toBeUndefined();
    const cols = customResourceColumns(definition().spec.versions[0].additionalPrinterColumns);
    const obj = job('a', { size: 3, items: [{ name: 'x' }] });
    expect(cols.map((c) => [c.name, c.priority, c.cell(obj, 0)])).toEqual([
      ['Name', undefined, 'a'],
      ['Size', 0, 3],
      ['First', 1, 'x'],
    ]);
    expect(cols[2]!.cell(job('b', { size: 1 }), 0)).toBe('<none>');
    expect(customResourceColumns(undefined).map((c) => c.name)).toEqual(['Name', 'Age']);
  });

  it('garbage-collects across built-in and custom kinds, and empties deleted namespaces', () => {
    const store = new Store();
    store.create('customresourcedefinitions', definition());
    const owner = store.create('jobs.batch.example.com', job('owner', { size: 1 }));
    const ref = { apiVersion: 'batch.example.com/v1', kind: 'Job', name: 'owner', uid: owner.metadata.uid };
    store.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'script', namespace: 'default', ownerReferences: [ref] },
    });
    store.delete('jobs.batch.example.com', 'default', 'owner');
    expect(store.tryGet('configmaps', 'default', 'script')).toBeUndefined();

    store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'load' } });
    store.create('jobs.batch.example.com', {
      ...job('x', { size: 1 }),
      metadata: { name: 'x', namespace: 'load' },
    });
    store.delete('namespaces', '', 'load');
    expect(store.tryGet('namespaces', '', 'load')).toBeUndefined();
    expect(store.list('jobs.batch.example.com').items).toEqual([]);
  });

  it('keeps a deleted definition Terminating until an object with a finalizer is released', () => {
    const store = new Store();
    store.create('customresourcedefinitions', definition());
    store.create('jobs.batch.example.com', job('plain', { size: 1 }));
    store.create('jobs.batch.example.com', {
      ...job('held', { size: 1 }),
      metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/hold'] },
    });
    const events: string[] = [];
    store.watch('jobs.batch.example.com', {}, (e) => events.push(`${e.type} ${e.object.metadata.name}`));
    const { removed, object } = store.delete('customresourcedefinitions', '', 'jobs.batch.example.com');
    expect(removed).toBe(false);
    expect(object.metadata.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    expect(object.status.conditions.at(-1)).toMatchObject({ type: 'Terminating', status: 'True' });
    expect(store.tryGet('jobs.batch.example.com', 'default', 'plain')).toBeUndefined();
    expect(store.get('jobs.batch.example.com', 'default', 'held').metadata.deletionTimestamp).toBeDefined();
    expect(() => store.create('jobs.batch.example.com', job('late', { size: 1 }))).toThrow(
      'create not allowed while custom resource definition is terminating',
    );
    store.mutate('jobs.batch.example.com', 'default', 'held', (d) => void (d.metadata.finalizers = []));
    expect(store.tryGet('customresourcedefinitions', '', 'jobs.batch.example.com')).toBeUndefined();
    expect(store.registry.has('jobs.batch.example.com')).toBe(false);
    expect(store.registry.find('batch.example.com', 'v1', 'jobs')).toBeUndefined();
    // Marked for deletion, finalizer released, removed.
    expect(events).toEqual([
      'ADDED held',
      'ADDED plain',
      'DELETED plain',
      'MODIFIED held',
      'MODIFIED held',
      'DELETED held',
    ]);
    expect(() => store.list('jobs.batch.example.com')).toThrow(
      'the server could not find the requested resource',
    );
  });
});
