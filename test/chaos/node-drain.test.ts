/**
 * node-drain against the in-process API server: picks the node hosting most target pods, cordons
 * and annotates it, evicts its pods except DaemonSet pods through the Eviction API, retries the
 * 429s an eviction provider answers with bounded back-off (attempts reported), and uncordons on
 * revert only a node it cordoned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { NodeDrain } from '../../chaos/node-drain.ts';
import { CHAOS_ANNOTATION, readJournal } from '../../chaos/journal.ts';
import type { ChaosTarget } from '../../chaos/action.ts';
import type { ResolvedNodeDrain } from '../../lib/scenario/chaos-schema.ts';
import { errors } from '../../infra-fixtures/local-cluster/store/errors.ts';
import { deleteOnEviction } from '../../infra-fixtures/local-cluster/api/handlers/pods.ts';
import {
  createDeployment,
  directContext,
  readyPods,
  startTestCluster,
  waitFor,
  type TestCluster,
} from './cluster.ts';

let c: TestCluster;
let target: ChaosTarget;

const spec = (over: Partial<ResolvedNodeDrain> = {}): ResolvedNodeDrain => ({
  kind: 'node-drain',
  node: { by: 'most-target-pods' },
  evictionRetry: { attempts: 10, backoffMs: 50, maxBackoffMs: 200 },
  evictionTimeoutMs: 10_000,
  allowTotalOutage: false,
  ...over,
});

beforeAll(async () => {
  c = await startTestCluster('chaos-drain-');
  target = await createDeployment(c, 'api', 5);
  await waitFor(() => readyPods(c.store, 'app=api').length === 5, 'five ready pods');
});
afterAll(async () => c?.close());

function nodeOf(name: string) {
  return c.store.get('nodes', undefined, name);
}

describe('node-drain', () => {
  it('cordons the busiest node, evicts its pods (not DaemonSet pods), retries 429s, and uncordons on revert', async () => {
    const counts = new Map<string, number>();
    for (const p of readyPods(c.store, 'app=api'))
      counts.set(p.spec.nodeName, (counts.get(p.spec.nodeName) ?? 0) + 1);
    const busiest = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    const onNode = readyPods(c.store, 'app=api')
      .filter((p) => p.spec.nodeName === busiest)
      .map((p) => p.metadata.name);

    // A DaemonSet pod on that node must stay.
    const ds = await c.client.apps.createNamespacedDaemonSet({
      namespace: 'default',
      body: {
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { containers: [{ name: 'a', image: 'busybox:1' }] },
          },
        },
      },
    });
    await c.client.core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: {
          name: 'agent-x',
          labels: { app: 'agent' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'DaemonSet',
              name: 'agent',
              uid: ds.metadata!.uid!,
              controller: true,
            },
          ],
        },
        spec: { nodeName: busiest, containers: [{ name: 'a', image: 'busybox:1' }] },
      },
    });

    // The PDB stand-in: the first three eviction requests are refused with 429.
    let refusals = 3;
    c.api.providers.eviction = (req) => {
      if (refusals > 0) {
        refusals -= 1;
        throw errors.tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: 'The disruption budget api needs 4 healthy pods and has 4 currently',
            },
          ],
        });
      }
      return deleteOnEviction(req);
    };
    const action = new NodeDrain(spec(), target);
    const file = path.join(c.dir, 'drain.jsonl');
    const { ctx, guard, rec } = await directContext(c, target, action, file);
    try {
      await action.inject(ctx);
      const node = nodeOf(busiest);
      expect(node.spec.unschedulable).toBe(true);
      expect(node.metadata.annotations?.[CHAOS_ANNOTATION]).toBe('run-test/node-drain');
      const left = c.store
        .list('pods', {})
        .items.filter((p) => p.spec.nodeName === busiest)
        .map((p) => p.metadata.name);
      expect(left).toEqual(['agent-x']);
      const evictions = action.journalEntry().detail?.evictions as Array<{
        pod: string;
        attempts: number;
        result: string;
      }>;
      expect(evictions.map((e) => e.pod.replace('default/', '')).sort()).toEqual([...onNode].sort());
      expect(evictions.every((e) => e.result === 'evicted')).toBe(true);
      expect(evictions.reduce((n, e) => n + e.attempts, 0)).toBe(onNode.length + 3);
      expect(rec.events().filter((e) => e.message.startsWith('eviction refused (429)'))).toHaveLength(3);
      // Replacements land elsewhere: the node is cordoned.
      await waitFor(() => readyPods(c.store, 'app=api').length === 5, 'replacements ready');
      expect(readyPods(c.store, 'app=api').some((p) => p.spec.nodeName === busiest)).toBe(false);
    } finally {
      c.api.providers.eviction = undefined;
      await action.revert(ctx);
      await guard.reverted(c.client);
    }
    const node = nodeOf(busiest);
    expect(node.spec.unschedulable ?? false).toBe(false);
    expect(node.metadata.annotations?.[CHAOS_ANNOTATION]).toBeUndefined();
    const [entry] = await readJournal(file);
    expect(entry).toMatchObject({
      action: 'node-drain',
      reverted: true,
      undo: [{ kind: 'uncordon', node: busiest }],
    });
    await c.client.core.deleteNamespacedPod({ name: 'agent-x', namespace: 'default', gracePeriodSeconds: 0 });
  });

  it('gives up after the bounded number of 429s, and revert still uncordons', async () => {
    c.api.providers.eviction = () => {
      throw errors.tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.");
    };
    // A zone that hosts target pods, so there is something to evict.
    const zone = readyPods(c.store, 'app=api')
      .map((p) => nodeOf(p.spec.nodeName).metadata.labels?.['topology.kubernetes.io/zone'])
      .sort()[0]!;
    const action = new NodeDrain(
      spec({ node: { by: 'zone', zone }, evictionRetry: { attempts: 3, backoffMs: 20, maxBackoffMs: 40 } }),
      target,
    );
    const { ctx } = await directContext(c, target, action, path.join(c.dir, 'giveup.jsonl'));
    try {
      await expect(action.inject(ctx)).rejects.toThrow(/still refused after 3 attempts \(429/);
      const drained = action.journalEntry().detail?.node as string;
      expect(nodeOf(drained).metadata.labels?.['topology.kubernetes.io/zone']).toBe(zone);
      expect(nodeOf(drained).spec.unschedulable).toBe(true);
      await action.revert(ctx);
      expect(nodeOf(drained).spec.unschedulable ?? false).toBe(false);
    } finally {
      c.api.providers.eviction = undefined;
    }
  });

  it('leaves a node that was already cordoned cordoned', async () => {
    await c.client.core.patchNode({
      name: 'node-c1',
      body: [{ op: 'add', path: '/spec/unschedulable', value: true }],
    });
    const action = new NodeDrain(spec({ node: { by: 'name', name: 'node-c1' } }), target);
    const { ctx } = await directContext(c, target, action, path.join(c.dir, 'precordoned.jsonl'));
    await action.inject(ctx);
    expect(action.journalEntry().undo).toEqual([]);
    await action.revert(ctx);
    expect(nodeOf('node-c1').spec.unschedulable).toBe(true);
  });
});
