/**
 * PodDisruptionBudget arithmetic against upstream semantics: int-or-percent scaling (rounded up),
 * expected pods from the owning controllers' scale, healthy pods, the disruptedPods bookkeeping
 * with its 2-minute expiry, and the DisruptionAllowed condition.
 */
import { describe, expect, it } from 'vitest';
import {
  buildDisruptedPodMap,
  conditionsAreUpToDate,
  countHealthyPods,
  disruptionsAllowed,
  expectedPodCount,
  kDeletionTimeoutMs,
  scaledValue,
  updateDisruptionAllowedCondition,
  type ControllerScaleFinder,
} from '../../infra-fixtures/local-cluster/controllers/disruption/budget.ts';
import { controllerScaleFinder } from '../../infra-fixtures/local-cluster/controllers/disruption/controller.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { KubeObject, StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

const NOW = Date.parse('2030-01-01T12:00:00Z');
const iso = (agoMs: number) => new Date(NOW - agoMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(name: string, o: { owner?: string; ready?: boolean; deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      ...(o.owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: o.owner,
                uid: `uid-${o.owner}`,
                controller: true,
              },
            ],
          }
        : {}),
      ...(o.deleting ? { deletionTimestamp: iso(1000) } : {}),
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

const pdb = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'b', namespace: 'default', generation: 1 },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  status,
});

const scales: Record<string, number> = { 'rs-a': 3, 'rs-b': 2 };
const finder: ControllerScaleFinder = (ref) =>
  scales[ref.name] === undefined ? undefined : { uid: ref.uid, scale: scales[ref.name]! };

describe('scaledValue (intstr.GetScaledValueFromIntOrPercent)', () => {
  it('passes ints through and scales percentages, rounding up when asked', () => {
    expect(scaledValue(2, 10, true)).toBe(2);
    expect(scaledValue('50%', 3, true)).toBe(2);
    expect(scaledValue('34%', 3, true)).toBe(2);
    expect(scaledValue('34%', 3, false)).toBe(1);
    expect(scaledValue('0%', 3, true)).toBe(0);
  });

  it('rejects strings that are not percentages with upstream messages', () => {
    expect(() => scaledValue('3', 3, true)).toThrow(
      'invalid value for IntOrString: invalid type: string is not a percentage',
    );
    expect(() => scaledValue('x%', 3, true)).toThrow(
      'invalid value for IntOrString: invalid value "x%": strconv.Atoi: parsing "x": invalid syntax',
    );
    expect(() => scaledValue(undefined, 3, true)).toThrow('nil value for IntOrString');
  });
});

describe('expectedPodCount', () => {
  const three = [pod('a', { owner: 'rs-a' }), pod('b', { owner: 'rs-a' }), pod('c', { owner: 'rs-a' })];

  it('integer minAvailable counts the selected pods, without looking up controllers', () => {
    expect(expectedPodCount(pdb({ minAvailable: 2 }), [...three, pod('lonely')], () => undefined)).toEqual({
      expectedCount: 4,
      desiredHealthy: 2,
      unmanagedPods: [],
    });
  });

  it('percentage minAvailable and maxUnavailable scale from the controllers, each counted once', () => {
    expect(expectedPodCount(pdb({ minAvailable: '50%' }), three, finder)).toMatchObject({
      expectedCount: 3,
      desiredHealthy: 2,
    });
    expect(expectedPodCount(pdb({ maxUnavailable: 1 }), three, finder)).toMatchObject({ desiredHealthy: 2 });
    expect(expectedPodCount(pdb({ maxUnavailable: '34%' }), three, finder)).toMatchObject({
      desiredHealthy: 1,
    });
    expect(expectedPodCount(pdb({ maxUnavailable: 7 }), three, finder)).toMatchObject({ desiredHealthy: 0 });
    const mixed = [...three, pod('d', { owner: 'rs-b' })];
    expect(expectedPodCount(pdb({ maxUnavailable: '100%' }), mixed, finder)).toMatchObject({
      expectedCount: 5,
      desiredHealthy: 0,
    });
  });

  it('reports unmanaged pods and fails for pods whose controller is gone', () => {
    expect(expectedPodCount(pdb({ maxUnavailable: 1 }), [...three, pod('x')], finder)).toEqual({
      expectedCount: 3,
      desiredHealthy: 2,
      unmanagedPods: ['x'],
    });
    expect(() =>
      expectedPodCount(pdb({ maxUnavailable: 1 }), [pod('z', { owner: 'rs-gone' })], finder),
    ).toThrow('found no controllers for pod "z"');
  });

  it('without minAvailable or maxUnavailable nothing is expected', () => {
    expect(expectedPodCount(pdb({}), three, finder)).toEqual({
      expectedCount: 0,
      desiredHealthy: 0,
      unmanagedPods: [],
    });
  });
});

describe('healthy pods and disruptedPods', () => {
  it('counts Ready, non-terminating pods not recently approved for eviction', () => {
    const list = [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true }), pod('d'), pod('e')];
    expect(countHealthyPods(list, {}, NOW)).toBe(3);
    expect(countHealthyPods(list, { d: iso(60_000) }, NOW)).toBe(2);
    // An entry older than the deletion timeout no longer hides the pod.
    expect(countHealthyPods(list, { d: iso(kDeletionTimeoutMs + 1000) }, NOW)).toBe(3);
  });

  it('keeps fresh entries of live pods, expires stale ones and says when to look again', () => {
    const budget = pdb(
      { minAvailable: 1 },
      {
        disruptedPods: {
          a: iso(30_000),
          b: iso(90_000),
          c: iso(10_000),
          gone: iso(5_000),
          old: iso(200_000),
        },
      },
    );
    const list = [pod('a'), pod('b'), pod('c', { deleting: true }), pod('old')];
    expect(buildDisruptedPodMap(budget, list, NOW)).toEqual({
      disruptedPods: { a: iso(30_000), b: iso(90_000) },
      recheckAt: NOW - 90_000 + kDeletionTimeoutMs,
      notDeleted: ['old'],
    });
    expect(buildDisruptedPodMap(pdb({}), list, NOW)).toEqual({ disruptedPods: {}, notDeleted: [] });
  });

  it('never allows negative disruptions, nor any while no pods are expected', () => {
    expect(disruptionsAllowed(3, 2, 3)).toBe(1);
    expect(disruptionsAllowed(1, 2, 3)).toBe(0);
    expect(disruptionsAllowed(3, 0, 0)).toBe(0);
  });
});

describe('DisruptionAllowed condition', () => {
  it('follows disruptionsAllowed and moves lastTransitionTime only on a status change', () => {
    const status: Record<string, any> = { disruptionsAllowed: 1, observedGeneration: 1 };
    updateDisruptionAllowedCondition(status, NOW);
    expect(status.conditions).toEqual([
      {
        type: 'DisruptionAllowed',
        status: 'True',
        reason: 'SufficientPods',
        message: '',
        observedGeneration: 1,
        lastTransitionTime: iso(0),
      },
    ]);
    status.observedGeneration = 2;
    updateDisruptionAllowedCondition(status, NOW + 5000);
    expect(status.conditions[0]).toMatchObject({ observedGeneration: 2, lastTransitionTime: iso(0) });
    status.disruptionsAllowed = 0;
    updateDisruptionAllowedCondition(status, NOW + 10_000);
    expect(status.conditions[0]).toMatchObject({
      status: 'False',
      reason: 'InsufficientPods',
      lastTransitionTime: iso(-10_000),
    });
  });

  it('is up to date only for the current generation and a matching reason', () => {
    const status: Record<string, any> = { disruptionsAllowed: 0, observedGeneration: 1 };
    updateDisruptionAllowedCondition(status, NOW);
    expect(conditionsAreUpToDate(pdb({}, status))).toBe(true);
    expect(conditionsAreUpToDate(pdb({}, { ...status, disruptionsAllowed: 1 }))).toBe(false);
    expect(conditionsAreUpToDate(pdb({}, { ...status, observedGeneration: 0 }))).toBe(false);
    expect(conditionsAreUpToDate(pdb({}, {}))).toBe(false);
  });
});

describe('controllerScaleFinder (upstream finder chain)', () => {
  const store = new Store();
  const d = store.create('deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 5,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'a' }] } },
    },
  });
  const rs = (name: string, replicas: number, owner?: StoredObject) =>
    store.create('replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: 'default',
        ...(owner
          ? {
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: owner.kind,
                  name: owner.metadata.name,
                  uid: owner.metadata.uid,
                  controller: true,
                },
              ],
            }
          : {}),
      },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'a', image: 'a' }] } },
      },
    });
  const owned = rs('web-1', 2, d);
  const bare = rs('bare', 3);
  const orphaned = rs('orphaned', 4, { ...d, metadata: { ...d.metadata, name: 'gone', uid: 'nope' } });
  const ref = (o: StoredObject) => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    uid: o.metadata.uid,
    controller: true,
  });
  const find = controllerScaleFinder(store);

  it('resolves a ReplicaSet to its Deployment, or to itself when it has none', () => {
    expect(find(ref(owned), 'default')).toEqual({ uid: d.metadata.uid, scale: 5 });
    expect(find(ref(bare), 'default')).toEqual({ uid: bare.metadata.uid, scale: 3 });
    // The Deployment is gone: the scale subresource of the ReplicaSet still answers.
    expect(find(ref(orphaned), 'default')).toEqual({ uid: orphaned.metadata.uid, scale: 4 });
  });

  it('finds nothing for a stale uid and fails for kinds without a scale subresource', () => {
    expect(find({ ...ref(bare), uid: 'other' }, 'default')).toBeUndefined();
    const ds = store.create('daemonsets', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: { containers: [{ name: 'a', image: 'a' }] },
        },
      },
    });
    expect(() => find(ref(ds), 'default')).toThrow(
      'daemonsets.apps does not implement the scale subresource',
    );
    expect(() =>
      find({ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'u' }, 'default'),
    ).toThrow('no matches for kind "Widget" in version "example.com/v1"');
  });
});
