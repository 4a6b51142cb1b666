/**
 * Faults always come back: the journal line is on disk before the first change to the cluster,
 * and `recoverFromJournal` undoes what a killed run left (a cordon, a broken template) while
 * leaving alone objects someone changed since, and entries recorded for another cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NodeDrain } from '../../chaos/node-drain.ts';
import { BadRollout } from '../../chaos/bad-rollout.ts';
import { ChaosJournal, CHAOS_ANNOTATION, readJournal } from '../../chaos/journal.ts';
import { findChaosMarks, recoverFromJournal } from '../../chaos/recover.ts';
import { runChaosSchedule } from '../../chaos/schedule.ts';
import { parseChaosSchedule } from '../../chaos/parse.ts';
import type { ChaosTarget } from '../../chaos/action.ts';
import {
  DEFAULT_BAD_IMAGE,
  DEFAULT_BAD_READINESS_PATH,
  type ResolvedNodeDrain,
} from '../../lib/scenario/chaos-schema.ts';
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

const drain = (node: string): ResolvedNodeDrain => ({
  kind: 'node-drain',
  node: { by: 'name', name: node },
  evictionRetry: { attempts: 5, backoffMs: 20, maxBackoffMs: 40 },
  evictionTimeoutMs: 10_000,
  allowTotalOutage: false,
});
const node = (name: string) => c.store.get('nodes', undefined, name);

beforeAll(async () => {
  c = await startTestCluster('chaos-journal-');
  target = await createDeployment(c, 'api', 4);
  await waitFor(() => readyPods(c.store, 'app=api').length === 4, 'four ready pods');
});
afterAll(async () => c?.close());

describe('the chaos journal', () => {
  it('is on disk before the node is annotated, and the annotation is there before the cordon', async () => {
    const file = path.join(c.dir, 'order.jsonl');
    const seen: string[] = [];
    const w = c.store.watch('nodes', {}, (e) => {
      if (e.type !== 'MODIFIED' || e.object.metadata.name !== 'node-a2') return;
      const annotated = e.object.metadata.annotations?.[CHAOS_ANNOTATION] === 'order/node-drain';
      let journal = '';
      try {
        journal = readFileSync(file, 'utf8');
      } catch {
        // not written yet
      }
      const journalled = journal.includes('"type":"inject"') && journal.includes('"node":"node-a2"');
      if (annotated && !seen.some((s) => s.startsWith('annotated')))
        seen.push(`annotated (journalled: ${journalled})`);
      if (e.object.spec.unschedulable && !seen.some((s) => s.startsWith('cordoned')))
        seen.push(`cordoned (annotated: ${annotated})`);
    });
    try {
      const result = await runChaosSchedule({
        entries: parseChaosSchedule([
          { at: 0, action: { kind: 'node-drain', node: 'node-a2', evictionRetry: { backoff: '20ms' } } },
        ]),
        client: c.client,
        target,
        runId: 'order',
        clock: { now: () => 0 },
        journal: await ChaosJournal.open(file),
        signal: new AbortController().signal,
        emit: () => undefined,
      });
      expect(result.occurrences[0]).toMatchObject({ completed: true, reverted: true });
    } finally {
      w.stop();
    }
    expect(seen.slice(0, 2)).toEqual(['annotated (journalled: true)', 'cordoned (annotated: true)']);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['inject', 'update', 'reverted']);
    expect(lines[0]).toMatchObject({
      v: 1,
      id: 'order/1',
      action: 'node-drain',
      mark: 'order/node-drain',
      server: c.client.server,
      context: 'gauntlet-local',
      target,
      objects: [{ kind: 'Node', name: 'node-a2', mark: true }],
      undo: [{ kind: 'uncordon', node: 'node-a2' }],
    });
    await waitFor(() => readyPods(c.store, 'app=api').length === 4, 'replacements');
  });

  it('ignores a torn last line of a killed run, and reports damage elsewhere', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = path.join(c.dir, 'torn.jsonl');
    const line = JSON.stringify({
      v: 1,
      type: 'inject',
      id: 'r/1',
      runId: 'r',
      action: 'node-drain',
      mark: 'r/node-drain',
      server: 's',
      context: 'c',
      target,
      objects: [],
      undo: [],
      at: 'x',
      t: 1,
    });
    await writeFile(file, `${line}\n{"v":1,"type":"rev`);
    expect((await readJournal(file)).map((r) => [r.id, r.reverted])).toEqual([['r/1', false]]);
    await writeFile(file, `{"v":1,"type":"rev\n${line}\n`);
    await expect(readJournal(file)).rejects.toThrow(/torn\.jsonl:1: not a JSON line; the journal is damaged/);
  });
});

describe('recoverFromJournal', () => {
  it('uncordons the node a killed drain left cordoned, removes the mark, and closes the entry', async () => {
    const file = path.join(c.dir, 'killed-drain.jsonl');
    const action = new NodeDrain(drain('node-b1'), target);
    const { ctx } = await directContext(c, target, action, file, { runId: 'killed' });
    await action.inject(ctx);
    // Killed here: no revert.
    expect(node('node-b1').spec.unschedulable).toBe(true);
    expect(await findChaosMarks(c.client)).toEqual([
      { kind: 'Node', name: 'node-b1', mark: 'killed/node-drain' },
    ]);

    const report = await recoverFromJournal(c.client, file);
    expect(report.entries).toEqual([
      { id: 'killed/1', action: 'node-drain', status: 'recovered', notes: ['node/node-b1 uncordoned'] },
    ]);
    expect(node('node-b1').spec.unschedulable ?? false).toBe(false);
    expect(node('node-b1').metadata.annotations?.[CHAOS_ANNOTATION]).toBeUndefined();
    expect(await findChaosMarks(c.client)).toEqual([]);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({
      type: 'reverted',
      id: 'killed/1',
      by: 'recover',
      note: 'node/node-b1 uncordoned',
    });
    expect((await recoverFromJournal(c.client, file)).entries).toEqual([]);
    await waitFor(() => readyPods(c.store, 'app=api').length === 4, 'replacements');
  });

  it('leaves a node alone when someone else marked it since', async () => {
    const file = path.join(c.dir, 'changed.jsonl');
    const action = new NodeDrain(drain('node-b2'), target);
    const { ctx } = await directContext(c, target, action, file, { runId: 'older' });
    await action.inject(ctx);
    await c.client.core.patchNode({
      name: 'node-b2',
      body: [
        {
          op: 'replace',
          path: `/metadata/annotations/${CHAOS_ANNOTATION.replace('/', '~1')}`,
          value: 'newer/node-drain',
        },
      ],
    });
    const report = await recoverFromJournal(c.client, file);
    expect(report.entries[0]).toMatchObject({
      status: 'recovered',
      notes: ['node/node-b2 left alone: annotated by newer/node-drain since'],
    });
    expect(node('node-b2').spec.unschedulable).toBe(true);
    expect(node('node-b2').metadata.annotations?.[CHAOS_ANNOTATION]).toBe('newer/node-drain');
    await c.client.core.patchNode({
      name: 'node-b2',
      body: [
        { op: 'remove', path: '/spec/unschedulable' },
        { op: 'remove', path: `/metadata/annotations/${CHAOS_ANNOTATION.replace('/', '~1')}` },
      ],
    });
    await waitFor(() => readyPods(c.store, 'app=api').length === 4, 'replacements');
  });

  it('restores the template of a bad rollout whose run died mid-way', async () => {
    const t = await createDeployment(c, 'shop', 2);
    await waitFor(() => readyPods(c.store, 'app=shop').length === 2, 'two ready pods');
    const original = JSON.parse(JSON.stringify(c.store.get('deployments', 'default', 'shop').spec.template));
    const file = path.join(c.dir, 'killed-bad.jsonl');
    const action = new BadRollout(
      {
        kind: 'bad-rollout',
        fault: 'unpullable-image',
        container: null,
        image: DEFAULT_BAD_IMAGE,
        readinessPath: DEFAULT_BAD_READINESS_PATH,
        progressDeadlineSeconds: 30,
        rollback: false,
        timeoutMs: 60_000,
        allowTotalOutage: false,
      },
      t,
    );
    const abort = new AbortController();
    const { ctx, rec } = await directContext(c, t, action, file, { runId: 'dead', signal: abort.signal });
    const pending = action.inject(ctx);
    await waitFor(() => rec.events().length > 0, 'the bad template rolled out');
    abort.abort();
    await expect(pending).rejects.toThrow();
    // Killed here: no revert.
    const broken = c.store.get('deployments', 'default', 'shop');
    expect(broken.spec.template.spec.containers[0].image).toBe(DEFAULT_BAD_IMAGE);
    expect(broken.spec.progressDeadlineSeconds).toBe(30);

    const report = await recoverFromJournal(c.client, file);
    expect(report.entries).toEqual([
      expect.objectContaining({
        status: 'recovered',
        notes: ['deployment/default/shop: original template restored'],
      }),
    ]);
    const restored = c.store.get('deployments', 'default', 'shop');
    expect(restored.spec.template).toEqual(original);
    expect(restored.spec.progressDeadlineSeconds).toBe(600);
    expect(restored.metadata.annotations?.[CHAOS_ANNOTATION]).toBeUndefined();
    await waitFor(() => {
      const d = c.store.get('deployments', 'default', 'shop');
      return d.status.updatedReplicas === 2 && d.status.availableReplicas === 2 && d.status.replicas === 2;
    }, 'a healthy rollout after recovery');
  });

  it('skips entries recorded for another API server, naming it', async () => {
    const file = path.join(c.dir, 'elsewhere.jsonl');
    const journal = await ChaosJournal.open(file);
    const guard = journal.guard(
      { runId: 'far', action: 'node-drain', server: 'https://10.0.0.1:6443', context: 'prod', target },
      () => null,
    );
    await guard.checkpoint(c.client, {
      action: 'node-drain',
      objects: [],
      undo: [{ kind: 'uncordon', node: 'node-c1' }],
    });
    const report = await recoverFromJournal(c.client, file);
    expect(report.entries).toEqual([
      {
        id: 'far/1',
        action: 'node-drain',
        status: 'skipped',
        notes: ['recorded for https://10.0.0.1:6443 (context prod); connect to that cluster to recover it'],
      },
    ]);
    expect((await readJournal(file))[0]?.reverted).toBe(false);
  });
});
