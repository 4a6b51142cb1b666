/**
 * pod-kill against the in-process API server: count and percent pick that many live pods, graceful
 * deletes keep the grace period (the pod is Terminating first), forced ones remove it at once, and
 * the blast-radius rules refuse before anything is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { PodKill, killCount } from '../../chaos/pod-kill.ts';
import { ChaosRefusedError } from '../../chaos/targets.ts';
import { readJournal } from '../../chaos/journal.ts';
import type { ResolvedPodKill } from '../../lib/scenario/chaos-schema.ts';
import type { ChaosTarget } from '../../chaos/action.ts';
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

const spec = (over: Partial<ResolvedPodKill>): ResolvedPodKill => ({
  kind: 'pod-kill',
  selector: null,
  amount: { count: 1 },
  mode: 'graceful',
  gracePeriodSeconds: null,
  allowTotalOutage: false,
  ...over,
});

/** Deletion grace seen per pod name: a number for graceful deletes, 'removed' for immediate removal. */
function watchDeletions() {
  const seen = new Map<string, number | 'removed'>();
  const w = c.store.watch('pods', {}, (e) => {
    if (e.type === 'BOOKMARK') return;
    const name = e.object.metadata.name ?? '';
    if (e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp && !seen.has(name))
      seen.set(name, e.object.metadata.deletionGracePeriodSeconds ?? -1);
    if (e.type === 'DELETED' && !seen.has(name)) seen.set(name, 'removed');
  });
  return { seen, stop: () => w.stop() };
}

beforeAll(async () => {
  c = await startTestCluster('chaos-podkill-');
  target = await createDeployment(c, 'web', 4);
  await waitFor(() => readyPods(c.store, 'app=web').length === 4, 'four ready pods');
});
afterAll(async () => c?.close());

describe('pod-kill', () => {
  it('turns a count or percent into a number of pods', () => {
    expect(killCount({ count: 2 }, 4)).toBe(2);
    expect(killCount({ count: 9 }, 4)).toBe(4);
    expect(killCount({ percent: 50 }, 4)).toBe(2);
    expect(killCount({ percent: 30 }, 4)).toBe(2);
    expect(killCount({ percent: 1 }, 4)).toBe(1);
    expect(killCount({ percent: 100 }, 3)).toBe(3);
  });

  it('kills a count of pods gracefully, records them, and the ReplicaSet replaces them', async () => {
    const before = readyPods(c.store, 'app=web').map((p) => p.metadata.name);
    const watch = watchDeletions();
    const action = new PodKill(spec({ amount: { count: 2 } }), target);
    const file = path.join(c.dir, 'count.jsonl');
    const { ctx, rec } = await directContext(c, target, action, file);
    try {
      await action.inject(ctx);
    } finally {
      watch.stop();
    }
    const victims = (action.journalEntry().detail?.pods as Array<{ name: string; result: string }>).map(
      (p) => p.name,
    );
    expect(victims).toHaveLength(2);
    for (const v of victims) {
      expect(before).toContain(v);
      // Graceful: Terminating with the pod's default 30 s grace period before removal.
      expect(watch.seen.get(v)).toBe(30);
    }
    expect(rec.events().filter((e) => e.message.startsWith('deleted (pod-kill, graceful)'))).toHaveLength(2);
    await waitFor(() => {
      const now = readyPods(c.store, 'app=web').map((p) => p.metadata.name);
      return now.length === 4 && victims.every((v) => !now.includes(v));
    }, 'replacements ready');
    const [entry] = await readJournal(file);
    expect(entry?.objects.map((o) => o.name).sort()).toEqual([...victims].sort());
  });

  it('kills a percentage of the pods, forced (grace period 0, removed at once)', async () => {
    const watch = watchDeletions();
    const action = new PodKill(spec({ amount: { percent: 50 }, mode: 'forced' }), target);
    const { ctx } = await directContext(c, target, action, path.join(c.dir, 'forced.jsonl'));
    try {
      await action.inject(ctx);
    } finally {
      watch.stop();
    }
    const victims = (action.journalEntry().detail?.pods as Array<{ name: string }>).map((p) => p.name);
    expect(victims).toHaveLength(2);
    for (const v of victims) expect(watch.seen.get(v)).toBe('removed');
    await waitFor(() => readyPods(c.store, 'app=web').length === 4, 'four ready pods again');
  });

  it('refuses to kill the last ready replicas unless allowTotalOutage, and respects maxPods', async () => {
    const before = readyPods(c.store, 'app=web')
      .map((p) => p.metadata.name)
      .sort();
    const all = new PodKill(spec({ amount: { percent: 100 } }), target);
    const { ctx } = await directContext(c, target, all, path.join(c.dir, 'refused.jsonl'));
    await expect(all.inject(ctx)).rejects.toThrow(ChaosRefusedError);
    await expect(all.inject(ctx)).rejects.toThrow(
      /would take all 4 ready replica\(s\) of default\/web down; set allowTotalOutage/,
    );
    const capped = new PodKill(spec({ amount: { count: 3 } }), target);
    const limited = await directContext(c, target, capped, path.join(c.dir, 'capped.jsonl'), {
      limits: { maxPods: 2, maxNodes: 3 },
    });
    await expect(capped.inject(limited.ctx)).rejects.toThrow(
      /would delete 3 pods, more than chaosLimits.maxPods \(2\)/,
    );
    // Nothing was touched and nothing was journalled.
    expect(
      readyPods(c.store, 'app=web')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(before);
    expect(limited.guard.written).toBe(false);

    const total = new PodKill(
      spec({ amount: { percent: 100 }, mode: 'forced', allowTotalOutage: true }),
      target,
    );
    const allowed = await directContext(c, target, total, path.join(c.dir, 'total.jsonl'));
    await total.inject(allowed.ctx);
    expect(total.journalEntry().objects).toHaveLength(4);
    await waitFor(() => readyPods(c.store, 'app=web').length === 4, 'recovered from a total outage');
  });
});
