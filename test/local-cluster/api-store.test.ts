import { describe, expect, it } from 'vitest';
import { ApiError } from '../../infra-fixtures/local-cluster/store/errors.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { KubeObject, WatchEvent } from '../../infra-fixtures/local-cluster/store/types.ts';

function pod(name: string, labels: Record<string, string> = {}, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
    ...extra,
  };
}

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('store: objects and metadata', () => {
  it('creates with server-set metadata, pod defaults and a Pending status', () => {
    const s = new Store();
    const p = s.create('pods', pod('a', { app: 'web' }, { status: { phase: 'Running' } }));
    expect(p.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(p.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(p.spec.tolerations).toEqual([
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ]);
    expect(p.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(Object.isFrozen(p.metadata)).toBe(true);
    expect(errorOf(() => s.create('pods', pod('a'))).code).toBe(409);
    expect(errorOf(() => s.create('pods', pod('Bad_Name'))).code).toBe(422);
    expect(
      errorOf(() => s.create('pods', { ...pod('x'), metadata: { name: 'x', namespace: 'nope' } })).reason,
    ).toBe('NotFound');
  });

  it('bumps generation only on spec changes and refuses stale resourceVersions', () => {
    const s = new Store();
    const d = s.create('deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'a', image: 'a:1' }] },
        },
      },
    });
    expect(d.metadata.generation).toBe(1);
    expect(d.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
    const labelled = s.patch('deployments', 'default', 'web', 'merge', { metadata: { labels: { x: 'y' } } });
    expect(labelled.metadata.generation).toBe(1);
    const scaled = s.patch('deployments', 'default', 'web', 'merge', { spec: { replicas: 3 } });
    expect(scaled.metadata.generation).toBe(2);
    const status = s.mutate(
      'deployments',
      'default',
      'web',
      (dr) => void (dr.status = { observedGeneration: 2 }),
      { subresource: 'status' },
    );
    expect(status.metadata.generation).toBe(2);
    expect(errorOf(() => s.update('deployments', { ...structuredClone(d) })).reason).toBe('Conflict');
    const same = s.update('deployments', structuredClone(status));
    expect(same.metadata.resourceVersion).toBe(status.metadata.resourceVersion);
  });

  it('filters with label and field selectors and rejects unsupported fields', () => {
    const s = new Store();
    s.create('pods', pod('a', { app: 'web', tier: 'fe' }));
    s.create('pods', pod('b', { app: 'web' }));
    s.create('pods', pod('c', { app: 'db' }));
    s.mutate('pods', 'default', 'b', (p) => void (p.spec.nodeName = 'n1'));
    const names = (sel: Parameters<Store['list']>[1]) =>
      s.list('pods', sel).items.map((p) => p.metadata.name);
    expect(names({ labelSelector: 'app=web' })).toEqual(['a', 'b']);
    expect(names({ labelSelector: 'app in (web,db),!tier' })).toEqual(['b', 'c']);
    expect(
      names({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] } }),
    ).toEqual(['c']);
    expect(names({ fieldSelector: 'spec.nodeName=n1' })).toEqual(['b']);
    expect(names({ fieldSelector: 'spec.nodeName=,status.phase!=Running' })).toEqual(['a', 'c']);
    expect(errorOf(() => s.list('pods', { fieldSelector: 'spec.bogus=1' })).message).toBe(
      'field label not supported: spec.bogus',
    );
    expect(errorOf(() => s.list('pods', { labelSelector: 'a in (b' })).code).toBe(400);
    const page = s.list('pods', { limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(s.list('pods', { limit: 2, continue: page.continue! }).items.map((p) => p.metadata.name)).toEqual([
      'c',
    ]);
  });
});

describe('store: watch', () => {
  it('replays from a resourceVersion, turns selector transitions into ADDED/DELETED, and expires old RVs', () => {
    const s = new Store({ historyLimit: 100 });
    const rv0 = s.resourceVersion;
    s.create('pods', pod('a', { app: 'web' }));
    const seen: string[] = [];
    const w = s.watch('pods', { resourceVersion: rv0, labelSelector: 'app=web' }, (e: WatchEvent) =>
      seen.push(`${e.type} ${e.object.metadata.name}`),
    );
    s.patch('pods', 'default', 'a', 'merge', { metadata: { labels: { app: 'other' } } });
    s.patch('pods', 'default', 'a', 'merge', { metadata: { labels: { app: 'web' } } });
    s.delete('pods', 'default', 'a');
    w.stop();
    s.create('pods', pod('z', { app: 'web' }));
    expect(seen).toEqual(['ADDED a', 'DELETED a', 'ADDED a', 'DELETED a']);
    for (let i = 0; i < 150; i++)
      s.create('configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `c${i}`, namespace: 'default' },
      });
    expect(errorOf(() => s.watch('pods', { resourceVersion: rv0 }, () => {})).code).toBe(410);
  });

  it('delivers nested writes after the current event, in resourceVersion order', () => {
    const s = new Store();
    const order: string[] = [];
    s.watch('pods', {}, (e) => {
      order.push(`${e.type}:${e.object.metadata.name}:${e.object.metadata.resourceVersion}`);
      if (e.type === 'ADDED' && e.object.metadata.name === 'a') s.create('pods', pod('b'));
    });
    s.watch('pods', {}, (e) => order.push(`second:${e.object.metadata.name}`));
    s.create('pods', pod('a'));
    expect(order.map((o) => o.split(':').slice(0, 2).join(':'))).toEqual([
      'ADDED:a',
      'second:a',
      'ADDED:b',
      'second:b',
    ]);
  });
});

describe('store: deletion and garbage collection', () => {
  it('deletes bound pods gracefully and removes them on finalizeDelete', () => {
    const s = new Store();
    s.create('pods', pod('a'));
    s.mutate('pods', 'default', 'a', (p) => void (p.spec.nodeName = 'n1'));
    const events: string[] = [];
    s.watch('pods', { resourceVersion: s.resourceVersion }, (e) => events.push(e.type));
    const res = s.delete('pods', 'default', 'a');
    expect(res.removed).toBe(false);
    expect(res.object.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(res.object.metadata.deletionTimestamp).toBeTruthy();
    expect(s.finalizeDelete('pods', 'default', 'a', 'wrong-uid')).toBe(false);
    expect(s.finalizeDelete('pods', 'default', 'a', res.object.metadata.uid)).toBe(true);
    expect(s.tryGet('pods', 'default', 'a')).toBeUndefined();
    expect(events).toEqual(['MODIFIED', 'DELETED']);
    s.create('pods', pod('unbound'));
    expect(s.delete('pods', 'default', 'unbound').removed).toBe(true);
  });

  it('force-deletes a terminating pod with grace 0', () => {
    const s = new Store();
    s.create('pods', pod('a'));
    s.mutate('pods', 'default', 'a', (p) => void (p.spec.nodeName = 'n1'));
    s.delete('pods', 'default', 'a');
    expect(s.delete('pods', 'default', 'a', { gracePeriodSeconds: 0 }).removed).toBe(true);
  });

  it('holds objects with finalizers until the finalizers are removed', () => {
    const s = new Store();
    s.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default', finalizers: ['x/y'] },
    });
    expect(s.delete('configmaps', 'default', 'c').removed).toBe(false);
    s.patch('configmaps', 'default', 'c', 'merge', { metadata: { finalizers: null } });
    expect(s.tryGet('configmaps', 'default', 'c')).toBeUndefined();
  });

  function owned(s: Store) {
    const owner = s.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owner', namespace: 'default' },
    });
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'owner',
      uid: owner.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
    s.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'dep', namespace: 'default', ownerReferences: [ref] },
    });
    return owner;
  }

  it('collects dependents in the background, orphans them, or deletes them first in the foreground', () => {
    const bg = new Store();
    owned(bg);
    bg.delete('configmaps', 'default', 'owner');
    expect(bg.tryGet('configmaps', 'default', 'dep')).toBeUndefined();

    const orphan = new Store();
    owned(orphan);
    orphan.delete('configmaps', 'default', 'owner', { propagationPolicy: 'Orphan' });
    expect(orphan.get('configmaps', 'default', 'dep').metadata.ownerReferences).toBeUndefined();

    const fg = new Store();
    owned(fg);
    const order: string[] = [];
    fg.watch(
      'configmaps',
      { resourceVersion: fg.resourceVersion },
      (e) => e.type === 'DELETED' && order.push(String(e.object.metadata.name)),
    );
    fg.delete('configmaps', 'default', 'owner', { propagationPolicy: 'Foreground' });
    expect(order).toEqual(['dep', 'owner']);
  });

  it('terminates a namespace with its content and protects default', () => {
    const s = new Store();
    s.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tmp' } });
    s.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'tmp' },
    });
    s.create('pods', { ...pod('p'), metadata: { name: 'p', namespace: 'tmp' } });
    s.mutate('pods', 'tmp', 'p', (p) => void (p.spec.nodeName = 'n1'));
    s.delete('namespaces', '', 'tmp');
    expect(s.get('namespaces', '', 'tmp').status.phase).toBe('Terminating');
    expect(
      errorOf(() =>
        s.create('configmaps', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'd', namespace: 'tmp' },
        }),
      ).code,
    ).toBe(403);
    s.finalizeDelete('pods', 'tmp', 'p');
    expect(s.tryGet('namespaces', '', 'tmp')).toBeUndefined();
    expect(errorOf(() => s.delete('namespaces', '', 'default')).code).toBe(403);
  });
});

describe('store: patches and strategies', () => {
  it('applies json, merge and strategic patches', () => {
    const s = new Store();
    s.create('pods', pod('a', { app: 'web' }));
    s.patch('pods', 'default', 'a', 'json', [
      { op: 'add', path: '/metadata/annotations', value: { a: '1' } },
    ]);
    expect(s.get('pods', 'default', 'a').metadata.annotations).toEqual({ a: '1' });
    expect(
      errorOf(() => s.patch('pods', 'default', 'a', 'json', [{ op: 'remove', path: '/metadata/nope' }])).code,
    ).toBe(422);
    expect(errorOf(() => s.patch('pods', 'default', 'a', 'json', { op: 'add' })).code).toBe(400);
    s.patch('pods', 'default', 'a', 'strategic', {
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }],
        containers: [{ name: 'app', image: 'app:2' }],
      },
    });
    const p = s.get('pods', 'default', 'a');
    expect(p.spec.containers).toHaveLength(1);
    expect(p.spec.containers[0]).toMatchObject({
      name: 'app',
      image: 'app:2',
      imagePullPolicy: 'IfNotPresent',
    });
    expect(
      errorOf(() => s.patch('pods', 'default', 'a', 'merge', { spec: { hostNetwork: true } })).code,
    ).toBe(422);
  });

  it('keeps the unschedulable taint in step with cordon and allocates service IPs', () => {
    const s = new Store();
    s.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const cordoned = s.patch('nodes', '', 'n1', 'strategic', { spec: { unschedulable: true } });
    expect(cordoned.spec.taints).toMatchObject([
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ]);
    expect(cordoned.status.conditions).toHaveLength(1);
    expect(
      s.patch('nodes', '', 'n1', 'strategic', { spec: { unschedulable: null } }).spec.taints,
    ).toBeUndefined();
    const svc = (name: string) =>
      s.create('services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'default' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
      });
    const a = svc('a');
    const b = svc('b');
    expect(a.spec.clusterIP).not.toBe(b.spec.clusterIP);
    expect(a.spec.ports[0]).toEqual({ port: 80, protocol: 'TCP', targetPort: 80 });
  });
});
