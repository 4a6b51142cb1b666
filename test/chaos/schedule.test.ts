/**
 * The scheduler on the run's clock: offsets, intervals and holds; open-ended repeats bounded by
 * the run's end; revert after errors, after refusals nothing to revert; failed reverts left for
 * `gauntlet recover`; and abort reverting an active node-drain at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { runChaosSchedule, occurrenceTimes } from '../../chaos/schedule.ts';
import { parseChaosSchedule } from '../../chaos/parse.ts';
import { ChaosJournal, CHAOS_ANNOTATION, readJournal } from '../../chaos/journal.ts';
import type { ChaosAction, ChaosContext, ChaosTarget, JournalEntry } from '../../chaos/action.ts';
import type { ClusterClient } from '../../lib/cluster/client.ts';
import { ChaosRefusedError } from '../../chaos/targets.ts';
import { tempDir } from '../local-cluster/api-helpers.ts';
import {
  createDeployment,
  readyPods,
  recorder,
  startTestCluster,
  waitFor,
  type TestCluster,
} from './cluster.ts';

const target: ChaosTarget = { namespace: 'default', deployment: 'x', selector: 'app=x' };
// The fake actions touch nothing in a cluster; the scheduler only reads these two fields.
const stubClient = { server: 'https://127.0.0.1:1', contextName: 'gauntlet-local' } as ClusterClient;

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('chaos-sched-');
});
afterAll(async () => tmp?.cleanup());

type Behaviour = { failInject?: Error; failRevert?: number; refuse?: boolean };

/** Records inject/revert times on the run clock; touches nothing. */
function fakeActions(clock: { now(): number }, behaviour: Behaviour = {}) {
  const log: Array<{ inject: number; revert?: number; aborted?: boolean }> = [];
  let revertFailures = behaviour.failRevert ?? 0;
  const make = (): ChaosAction => {
    const rec: { inject: number; revert?: number; aborted?: boolean } = { inject: -1 };
    return {
      name: 'fake',
      mode: 'test',
      describe: () => 'nothing',
      journalEntry: (): JournalEntry => ({ action: 'fake', objects: [], undo: [] }),
      async inject(ctx: ChaosContext) {
        if (behaviour.refuse) throw new ChaosRefusedError('fake: refused before touching anything');
        rec.inject = clock.now();
        log.push(rec);
        await ctx.checkpoint();
        ctx.signal.addEventListener('abort', () => (rec.aborted = true));
        if (behaviour.failInject) throw behaviour.failInject;
      },
      async revert() {
        if (revertFailures > 0) {
          revertFailures -= 1;
          throw new Error('revert broke');
        }
        rec.revert = clock.now();
      },
    };
  };
  return { log, make };
}

function runClock() {
  const t0 = performance.now();
  return { now: () => performance.now() - t0 };
}

describe('scheduler timing', () => {
  it('injects at the offset, again every interval, holds, then reverts', async () => {
    const clock = runClock();
    const fake = fakeActions(clock);
    const rec = recorder();
    const journal = await ChaosJournal.open(path.join(tmp.dir, 'timing.jsonl'));
    const entries = parseChaosSchedule([
      { at: '200ms', every: '600ms', times: 3, duration: '200ms', action: { kind: 'rollout-restart' } },
    ]);
    const result = await runChaosSchedule({
      entries,
      client: stubClient,
      target,
      runId: 'timing',
      clock,
      journal,
      signal: new AbortController().signal,
      emit: rec.emit,
      createAction: fake.make,
    });
    expect(result.occurrences.map((o) => o.dueMs)).toEqual([200, 800, 1400]);
    fake.log.forEach((r, i) => {
      const due = 200 + i * 600;
      // Generous upper margins: the machine is shared and noisy.
      expect(r.inject).toBeGreaterThanOrEqual(due - 1);
      expect(r.inject).toBeLessThan(due + 250);
      expect(r.revert! - r.inject).toBeGreaterThanOrEqual(199);
      expect(r.revert! - r.inject).toBeLessThan(200 + 250);
    });
    const spans = rec.spans();
    expect(spans).toHaveLength(3);
    expect(spans.map((s) => s.detail.occurrence)).toEqual([0, 1, 2]);
    expect(spans[1]).toMatchObject({
      kind: 'chaos',
      name: 'fake',
      detail: { action: 'fake', target: 'default/x', mode: 'test' },
    });
    expect(spans[1]!.start).toBeGreaterThanOrEqual(0.8);
    const records = await readJournal(journal.file);
    expect(records.map((r) => [r.id, r.reverted])).toEqual([
      ['timing/1', true],
      ['timing/2', true],
      ['timing/3', true],
    ]);
    expect(result.leftovers).toEqual([]);
  });

  it('repeats an entry without times until the run ends, and needs the end to do so', async () => {
    const entries = parseChaosSchedule([{ at: 0, every: '250ms', action: { kind: 'rollout-restart' } }]);
    expect(occurrenceTimes(entries[0]!, 1000)).toEqual([0, 250, 500, 750]);
    const clock = runClock();
    const fake = fakeActions(clock);
    const base = {
      entries,
      client: stubClient,
      target,
      runId: 'open',
      clock,
      journal: await ChaosJournal.open(path.join(tmp.dir, 'open.jsonl')),
      signal: new AbortController().signal,
      emit: () => undefined,
      createAction: fake.make,
    };
    await expect(runChaosSchedule(base)).rejects.toThrow(/repeats every 250 ms without 'times'/);
    const result = await runChaosSchedule({ ...base, endMs: 600 });
    expect(result.occurrences.map((o) => o.dueMs)).toEqual([0, 250, 500]);
  });

  it('reverts after a failed inject, records the error, and leaves a failed revert to recover', async () => {
    const clock = runClock();
    const entries = parseChaosSchedule([{ at: 0, duration: '5s', action: { kind: 'rollout-restart' } }]);
    const journal = await ChaosJournal.open(path.join(tmp.dir, 'errors.jsonl'));
    const failing = fakeActions(clock, { failInject: new Error('cluster said no') });
    const rec = recorder();
    const common = {
      entries,
      client: stubClient,
      target,
      clock,
      journal,
      signal: new AbortController().signal,
    };
    const r1 = await runChaosSchedule({ ...common, runId: 'e1', emit: rec.emit, createAction: failing.make });
    expect(r1.occurrences[0]).toMatchObject({
      completed: false,
      reverted: true,
      touched: true,
      error: 'cluster said no',
    });
    expect(failing.log[0]!.revert).toBeDefined();
    // The hold was skipped: the fault was reverted right after the failure.
    expect(r1.occurrences[0]!.endMs - r1.occurrences[0]!.startMs).toBeLessThan(2000);
    expect(rec.spans()[0]!.detail.error).toBe('cluster said no');

    const stuck = fakeActions(clock, { failRevert: 5 });
    const logs: string[] = [];
    const r2 = await runChaosSchedule({
      ...common,
      entries: parseChaosSchedule([{ at: 0, action: { kind: 'rollout-restart' } }]),
      runId: 'e2',
      emit: () => undefined,
      createAction: stuck.make,
      revertAttempts: 2,
      log: (m) => logs.push(m),
    });
    expect(r2.occurrences[0]).toMatchObject({
      completed: true,
      reverted: false,
      revertError: 'revert broke',
    });
    expect(r2.leftovers).toEqual(['e2/2']);
    expect(logs.filter((l) => l.includes('revert attempt'))).toHaveLength(2);
    expect(logs.at(-1)).toMatch(/could not revert; run `gauntlet recover`/);
    const records = await readJournal(journal.file);
    expect(records.find((r) => r.id === 'e2/2')?.reverted).toBe(false);
  });

  it('a refused action touches nothing: no journal entry, no span, a chaos-refused event', async () => {
    const clock = runClock();
    const rec = recorder();
    const journal = await ChaosJournal.open(path.join(tmp.dir, 'refused.jsonl'));
    const result = await runChaosSchedule({
      entries: parseChaosSchedule([{ at: 0, action: { kind: 'rollout-restart' } }]),
      client: stubClient,
      target,
      runId: 'refused',
      clock,
      journal,
      signal: new AbortController().signal,
      emit: rec.emit,
      createAction: fakeActions(clock, { refuse: true }).make,
    });
    expect(result.occurrences[0]).toMatchObject({
      touched: false,
      reverted: true,
      error: 'fake: refused before touching anything',
    });
    expect(rec.spans()).toEqual([]);
    expect(rec.events()).toEqual([
      expect.objectContaining({
        kind: 'chaos-refused',
        object: 'default/x',
        message: 'fake: fake: refused before touching anything',
      }),
    ]);
    await expect(readJournal(journal.file)).rejects.toThrow(/ENOENT/);
  });

  it('abort during the hold reverts at once and skips injections not yet due', async () => {
    const clock = runClock();
    const fake = fakeActions(clock);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const result = await runChaosSchedule({
      entries: parseChaosSchedule([
        { at: 0, duration: '20s', action: { kind: 'rollout-restart' } },
        { at: '10s', action: { kind: 'rollout-restart' } },
      ]),
      client: stubClient,
      target,
      runId: 'abort',
      clock,
      journal: await ChaosJournal.open(path.join(tmp.dir, 'abort.jsonl')),
      signal: abort.signal,
      emit: () => undefined,
      createAction: fake.make,
    });
    expect(result.aborted).toBe(true);
    expect(result.occurrences).toHaveLength(1);
    expect(result.occurrences[0]).toMatchObject({ error: 'aborted', reverted: true, completed: false });
    expect(fake.log[0]!.revert!).toBeGreaterThanOrEqual(290);
    expect(fake.log[0]!.revert!).toBeLessThan(2000);
  });
});

describe('scheduler with a real node-drain', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster('chaos-sched-drain-');
  });
  afterAll(async () => c?.close());

  it('uncordons the drained node when the run is aborted during the hold', async () => {
    const t = await createDeployment(c, 'api', 3);
    await waitFor(() => readyPods(c.store, 'app=api').length === 3, 'three ready pods');
    const clock = runClock();
    const abort = new AbortController();
    const rec = recorder();
    let drained: string | undefined;
    const done = runChaosSchedule({
      entries: parseChaosSchedule([
        { at: '100ms', duration: '60s', action: { kind: 'node-drain', evictionRetry: { backoff: '50ms' } } },
      ]),
      client: c.client,
      target: t,
      runId: 'sigint',
      clock,
      journal: await ChaosJournal.open(path.join(c.dir, 'sigint.jsonl')),
      signal: abort.signal,
      emit: (i) => {
        rec.emit(i);
        if (i.type === 'event' && i.event.message.startsWith('cordoned'))
          drained = i.event.object.replace('node/', '');
      },
    });
    await waitFor(
      () => drained && c.store.get('nodes', undefined, drained).spec.unschedulable === true,
      'a cordoned node',
    );
    await waitFor(() => rec.events().some((e) => e.message.startsWith('evicted')), 'an eviction');
    const abortedAt = clock.now();
    abort.abort();
    const result = await done;
    expect(clock.now() - abortedAt).toBeLessThan(5000);
    expect(result.occurrences[0]).toMatchObject({ action: 'node-drain', error: 'aborted', reverted: true });
    const node = c.store.get('nodes', undefined, drained!);
    expect(node.spec.unschedulable ?? false).toBe(false);
    expect(node.metadata.annotations?.[CHAOS_ANNOTATION]).toBeUndefined();
    expect(rec.spans()).toEqual([
      expect.objectContaining({
        name: 'node-drain',
        detail: expect.objectContaining({ node: drained, error: 'aborted' }),
      }),
    ]);
  });
});
