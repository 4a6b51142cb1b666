/**
 * Interrupting a chaos run never leaves a fault behind. Against one local cluster with the Novel
 * Engine stack, the real CLI runs a node drain five times and a zone outage (`stop`) five times,
 * each SIGINTed at a seeded random moment: before the injection, while it is under way, while the
 * fault is in place, around the revert, or anywhere in the run. Each run exits 130 with no node
 * cordoned or carrying the chaos annotation, no zone fault active on the fault admin endpoint,
 * every node Ready again and every journal entry closed. Then a run SIGKILLed mid-drain and one
 * mid-outage leave their fault in place, and `gauntlet recover` undoes it from the journal.
 *
 * Moments are anchored on what the CLI prints (its target, the injection starting, the fault in
 * effect), so a slow start-up on a busy machine shifts them instead of defeating them. A failure
 * replays with the printed seed: GAUNTLET_INTERRUPT_SEED=<seed> npx vitest run test/chaos/interrupt-cli.test.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { V1Node } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kFaultsPath } from '../../infra-fixtures/local-cluster/cluster/index.ts';
import { CHAOS_ANNOTATION, JOURNAL_FILE, readJournal } from '../../chaos/journal.ts';
import { LOCAL_CONTEXT } from '../../chaos/safety.ts';
import { createClusterClient, type ClusterClient } from '../../lib/cluster/client.ts';
import { isPodReady } from '../../lib/cluster/observe/pods.ts';
import { rolloutComplete } from '../../lib/cluster/observe/workloads.ts';
import { descendants, stillSame, type ProcInfo } from '../../lib/local/process-tree.ts';
import type { RunResult } from '../../lib/result/schema.ts';
import { repoRoot } from '../helpers/run-gauntlet.ts';
import { tempDir } from '../local-cluster/api-helpers.ts';
import { adminRequest, conditionStatus } from '../local-cluster/cluster-helpers.ts';
import { startE2eCluster, until, type E2eCluster } from '../local-cluster/e2e-helpers.ts';
import { killAll, seededRandom, startCli, type CliProcess } from './fixtures/cli-process.ts';

type Action = 'node-drain' | 'zone-outage';
type Phase = 'before-inject' | 'injecting' | 'mid-fault' | 'around-revert' | 'anywhere';
interface Anchor {
  readonly what: string;
  readonly pattern: RegExp;
}
interface Moment {
  readonly action: Action;
  readonly phase: Phase;
  readonly anchor: Anchor;
  /** ms after the anchor showed on stderr. */
  readonly delayMs: number;
}

const NS = 'novel-engine';
const SELECTOR = 'app.kubernetes.io/name=novel-engine';
const FIXTURES = path.join(repoRoot, 'test', 'chaos', 'fixtures');
const scenarioFile: Record<Action, string> = {
  'node-drain': path.join(FIXTURES, 'interrupt-node-drain.ts'),
  'zone-outage': path.join(FIXTURES, 'interrupt-zone-outage.ts'),
};

function seedFromEnv(): number {
  const raw = process.env.GAUNTLET_INTERRUPT_SEED;
  if (raw === undefined || raw === '') return Math.floor(Math.random() * 2 ** 31);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`GAUNTLET_INTERRUPT_SEED must be a whole number ≥ 0 (a printed seed), got '${raw}'`);
  return n;
}

const started: Anchor = { what: 'the run named its target', pattern: /^target: deployment /m };
const injectBegan = (a: Action): Anchor => ({
  what: `the ${a} injection began`,
  pattern: new RegExp(`^chaos: chaos\\[0\\]#1 ${a}: inject$`, 'm'),
});
const inEffect: Record<Action, Anchor> = {
  'node-drain': {
    what: 'the node was cordoned and its pods evicted',
    pattern: /^chaos: node-drain \S+: \d+ pod\(s\) evicted/m,
  },
  'zone-outage': { what: 'the zone went down', pattern: /^chaos: zone \S+ down \(stop\)/m },
};

/**
 * Delay windows (ms after the anchor). Both faults start at 2 s on the run's clock and hold 3 s.
 * The drain's hold starts once the evicted pods are gone (their preStop alone sleeps 3 s), so it
 * is reverted at least 6 s after the eviction line; the zone's at least 3 s after "down". The
 * mid-fault windows end a second before those, the before-inject ones a second before 2 s.
 */
const windows: Record<Action, Record<Phase, { anchor: Anchor; from: number; to: number }>> = {
  'node-drain': {
    'before-inject': { anchor: started, from: 0, to: 1000 },
    injecting: { anchor: injectBegan('node-drain'), from: 0, to: 2000 },
    'mid-fault': { anchor: inEffect['node-drain'], from: 300, to: 5000 },
    'around-revert': { anchor: inEffect['node-drain'], from: 6000, to: 10_000 },
    anywhere: { anchor: started, from: 0, to: 13_000 },
  },
  'zone-outage': {
    'before-inject': { anchor: started, from: 0, to: 1000 },
    injecting: { anchor: injectBegan('zone-outage'), from: 0, to: 150 },
    'mid-fault': { anchor: inEffect['zone-outage'], from: 0, to: 2000 },
    'around-revert': { anchor: inEffect['zone-outage'], from: 2500, to: 4500 },
    anywhere: { anchor: started, from: 0, to: 8000 },
  },
};

const seed = seedFromEnv();
const random = seededRandom(seed);
const between = (from: number, to: number) => from + Math.floor(random() * (to - from + 1));
const phases: readonly Phase[] = ['before-inject', 'injecting', 'mid-fault', 'around-revert', 'anywhere'];
const moments: Moment[] = phases.flatMap((phase) =>
  (['node-drain', 'zone-outage'] as const).map((action) => {
    const w = windows[action][phase];
    return { action, phase, anchor: w.anchor, delayMs: between(w.from, w.to) };
  }),
);
const killDelayMs: Record<Action, number> = {
  'node-drain': between(0, 2000),
  'zone-outage': between(0, 1000),
};
console.log(
  [
    `interrupt-cli seed ${seed} (replay: GAUNTLET_INTERRUPT_SEED=${seed})`,
    ...moments.map(
      (m, i) => `  run ${i + 1}: ${m.action} SIGINT ${m.delayMs} ms after ${m.anchor.what} (${m.phase})`,
    ),
    ...(['node-drain', 'zone-outage'] as const).map(
      (a) => `  kill: ${a} SIGKILL ${killDelayMs[a]} ms after ${inEffect[a].what}`,
    ),
  ].join('\n'),
);

/** Each journal entry's inject and close times, from the raw lines. */
function journalTimes(file: string): Map<string, { injectedAt: number; revertedAt?: number; by?: string }> {
  const out = new Map<string, { injectedAt: number; revertedAt?: number; by?: string }>();
  if (!existsSync(file)) return out;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    if (!raw.trim()) continue;
    const line = JSON.parse(raw) as { type: string; id: string; at: string; by?: string };
    if (line.type === 'inject') out.set(line.id, { injectedAt: Date.parse(line.at) });
    const e = out.get(line.id);
    if (line.type === 'reverted' && e) Object.assign(e, { revertedAt: Date.parse(line.at), by: line.by });
  }
  return out;
}

const nodeName = (n: V1Node) => n.metadata?.name ?? '?';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

describe('interrupted chaos runs through the CLI', () => {
  let e2e: E2eCluster;
  let client: ClusterClient;
  let work: { dir: string; cleanup(): Promise<void> };

  beforeAll(async () => {
    work = await tempDir('interrupt-cli-');
    e2e = await startE2eCluster('interrupt-cli-cluster-', { zones: 3, nodesPerZone: 2, onWarning: () => {} });
    client = createClusterClient({ kubeconfig: e2e.cluster.kubeconfigPath, context: LOCAL_CONTEXT });
  }, 150_000);

  afterAll(async () => {
    await killAll();
    const alive = (await e2e?.close()) ?? [];
    await work?.cleanup();
    expect(alive, 'pod processes still running after the cluster closed').toEqual([]);
  }, 90_000);

  const runArgs = (action: Action, out: string) => [
    'run',
    scenarioFile[action],
    '--kubeconfig',
    e2e.cluster.kubeconfigPath,
    '--context',
    LOCAL_CONTEXT,
    '--reporter',
    'json',
    '--quiet',
    '--out',
    out,
  ];

  /** Every replica of the stack ready (and none terminating counted), so the next run starts alike. */
  async function stackReady(tag: string): Promise<void> {
    await until(
      e2e.cluster,
      async () => {
        const d = await client.apps.readNamespacedDeployment({ name: 'novel-engine', namespace: NS });
        if (!rolloutComplete(d)) return false;
        const pods = (await client.core.listNamespacedPod({ namespace: NS, labelSelector: SELECTOR })).items;
        const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
        return live.length === d.spec?.replicas && live.every(isPodReady);
      },
      90_000,
      `${tag}: the stack with every replica ready`,
    );
  }

  /** No cordon, no chaos annotation, no zone fault, right away; every node Ready within 30 s. */
  async function expectRestored(tag: string): Promise<void> {
    const nodes = (await client.core.listNode()).items;
    expect(nodes.filter((n) => n.spec?.unschedulable).map(nodeName), `${tag}: cordoned nodes`).toEqual([]);
    const marked = nodes.filter((n) => n.metadata?.annotations?.[CHAOS_ANNOTATION] !== undefined);
    expect(marked.map(nodeName), `${tag}: nodes carrying ${CHAOS_ANNOTATION}`).toEqual([]);
    const faults = await adminRequest(e2e.cluster, 'GET', kFaultsPath);
    expect(faults.status, `${tag}: GET ${kFaultsPath}`).toBe(200);
    expect(faults.body.items, `${tag}: active zone faults`).toEqual([]);
    await until(
      e2e.cluster,
      async () => {
        const items = (await client.core.listNode()).items;
        return items.length > 0 && items.every((n) => conditionStatus(n, 'Ready') === 'True');
      },
      30_000,
      `${tag}: every node Ready again`,
    );
  }

  /** The CLI's own children (the TypeScript loader's helper) must not outlive a SIGKILL. */
  async function expectGone(procs: readonly ProcInfo[], tag: string): Promise<void> {
    await until(
      e2e.cluster,
      () => procs.every((p) => !stillSame(p)),
      15_000,
      `${tag}: the CLI's children gone`,
    );
  }

  for (const [i, m] of moments.entries()) {
    const n = i + 1;
    it(`run ${n}/${moments.length}: ${m.action}, SIGINT ${m.phase}`, async () => {
      const tag = `seed ${seed}, run ${n} (${m.action}, SIGINT ${m.delayMs} ms after ${m.anchor.what})`;
      await stackReady(`before run ${n}`);
      const out = path.join(work.dir, `run-${n}`);
      const t0 = Date.now();
      const cli = startCli(runArgs(m.action, out));
      const anchorAt = await cli.waitFor(m.anchor.pattern, 60_000, m.anchor.what);
      await sleep(anchorAt + m.delayMs - Date.now());
      const sigAt = Date.now();
      cli.child.kill('SIGINT');
      const exit = await cli.exited(60_000);
      const detail = `${tag}\n--- stderr\n${cli.stderr()}`;
      expect({ code: exit.code, signal: exit.signal }, detail).toEqual({ code: 130, signal: null });
      expect(exit.at - sigAt, `${tag}: ms from SIGINT to exit`).toBeLessThan(30_000);
      const result = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as RunResult;
      expect(result.status, detail).toBe('interrupted');

      await expectRestored(tag);
      const file = path.join(out, JOURNAL_FILE);
      const entries = existsSync(file) ? await readJournal(file) : [];
      expect(
        entries.filter((e) => !e.reverted).map((e) => e.id),
        `${tag}: journal entries left open`,
      ).toEqual([]);
      expect(entries.length, `${tag}: journal entries`).toBeLessThanOrEqual(1);
      const times = journalTimes(file);
      const [id, t] = [...times.entries()][0] ?? [];
      if (m.phase === 'before-inject') expect(entries, `${tag}: nothing injected`).toEqual([]);
      if (m.phase === 'injecting' || m.phase === 'mid-fault')
        expect(
          entries.map((e) => e.action),
          `${tag}: the injection was journalled`,
        ).toEqual([m.action]);
      if (m.phase === 'mid-fault') {
        // The fault was in place when the signal went out, and the run (not its hold) reverted it.
        expect(t!.injectedAt, `${tag}: injected before SIGINT`).toBeLessThanOrEqual(sigAt);
        expect(t!.revertedAt, `${tag}: reverted after SIGINT`).toBeGreaterThanOrEqual(sigAt);
      }
      if (t) expect(t.by, `${tag}: ${id} closed by`).toBe('revert');
      const landed = !t
        ? 'before any injection'
        : sigAt < t.injectedAt
          ? `${t.injectedAt - sigAt} ms before the entry was journalled`
          : t.revertedAt !== undefined && sigAt > t.revertedAt
            ? `${sigAt - t.revertedAt} ms after the revert`
            : `mid-fault, ${sigAt - t.injectedAt} ms after injection; reverted ${(t.revertedAt ?? sigAt) - sigAt} ms later`;
      console.log(
        `run ${n} ${m.action}: SIGINT at +${sigAt - t0} ms landed ${landed}; exit 130 after ${exit.at - sigAt} ms`,
      );
    }, 240_000);
  }

  /** Runs `action`, SIGKILLs the CLI while the fault is in place; returns the run directory and journal. */
  async function killMidFault(action: Action, tag: string): Promise<{ out: string; journal: string }> {
    await stackReady(`${tag}: before`);
    const out = path.join(work.dir, `kill-${action}`);
    const cli = startCli(runArgs(action, out));
    const at = await cli.waitFor(inEffect[action].pattern, 60_000, inEffect[action].what);
    await sleep(at + killDelayMs[action] - Date.now());
    const children = descendants(cli.pid);
    cli.child.kill('SIGKILL');
    const exit = await cli.exited(30_000);
    expect(exit.signal, `${tag}\n${cli.stderr()}`).toBe('SIGKILL');
    await expectGone(children, tag);
    return { out, journal: path.join(out, JOURNAL_FILE) };
  }

  function recover(out: string): CliProcess {
    return startCli(['recover', out, '--kubeconfig', e2e.cluster.kubeconfigPath, '--context', LOCAL_CONTEXT]);
  }

  /**
   * `gauntlet recover <dir>` with no cluster flags, as typed after a crash: the cluster comes from
   * the context the journal recorded, looked up in $KUBECONFIG (no local cluster in --local-dir).
   */
  function recoverFromRecordedContext(out: string): CliProcess {
    return startCli(['recover', out, '--local-dir', path.join(out, 'no-local-cluster')], {
      KUBECONFIG: e2e.cluster.kubeconfigPath,
    });
  }

  it('SIGKILL mid-drain leaves the node cordoned; gauntlet recover uncordons it and closes the journal', async () => {
    const tag = `seed ${seed}, node-drain SIGKILL ${killDelayMs['node-drain']} ms after the eviction`;
    const { out, journal } = await killMidFault('node-drain', tag);
    const [entry, ...more] = await readJournal(journal);
    expect(more, tag).toEqual([]);
    expect(entry, tag).toMatchObject({ action: 'node-drain', reverted: false });
    const node = entry!.objects[0]!.name;
    const after = await client.core.readNode({ name: node });
    expect(after.spec?.unschedulable, `${tag}: node ${node} cordoned right after the kill`).toBe(true);
    expect(after.metadata?.annotations?.[CHAOS_ANNOTATION], tag).toBe(entry!.mark);

    const rec = recoverFromRecordedContext(out);
    const done = await rec.exited(60_000);
    expect(done.code, `${tag}\n${rec.stdout()}\n${rec.stderr()}`).toBe(0);
    expect(rec.stderr()).toContain(`recover: using context "${LOCAL_CONTEXT}"`);
    expect(rec.stdout()).toContain(`recovered ${entry!.id} node-drain: node/${node} uncordoned`);
    expect(rec.stdout()).toContain('1 recovered, 0 already reverted by their run');
    expect(rec.stdout()).not.toContain('still marked');
    await expectRestored(tag);
    expect((await readJournal(journal)).map((e) => e.reverted)).toEqual([true]);
    expect(journalTimes(journal).get(entry!.id)?.by).toBe('recover');
  }, 180_000);

  it('SIGKILL mid-outage leaves the zone down; gauntlet recover brings it back and closes the journal', async () => {
    const tag = `seed ${seed}, zone-outage SIGKILL ${killDelayMs['zone-outage']} ms after the zone went down`;
    const { out, journal } = await killMidFault('zone-outage', tag);
    const [entry, ...more] = await readJournal(journal);
    expect(more, tag).toEqual([]);
    expect(entry, tag).toMatchObject({ action: 'zone-outage', reverted: false });
    const zone = String(entry!.detail?.zone);
    const faults = await adminRequest(e2e.cluster, 'GET', kFaultsPath);
    expect(faults.body.items, `${tag}: the zone is down right after the kill`).toMatchObject([
      { zone, mode: 'stop' },
    ]);
    const zoneNodes = entry!.objects.map((o) => o.name);
    expect(zoneNodes.length, tag).toBeGreaterThan(0);
    for (const name of zoneNodes) {
      const n = await client.core.readNode({ name });
      expect(n.metadata?.annotations?.[CHAOS_ANNOTATION], `${tag}: ${name} marked`).toBe(entry!.mark);
    }

    const rec = recover(out);
    const done = await rec.exited(60_000);
    expect(done.code, `${tag}\n${rec.stdout()}\n${rec.stderr()}`).toBe(0);
    expect(rec.stdout()).toContain(
      `recovered ${entry!.id} zone-outage: zone ${zone} recovered (local, stop)`,
    );
    expect(rec.stdout()).toContain('1 recovered, 0 already reverted by their run');
    expect(rec.stdout()).not.toContain('still marked');
    await expectRestored(tag);
    expect((await readJournal(journal)).map((e) => e.reverted)).toEqual([true]);
    expect(journalTimes(journal).get(entry!.id)?.by).toBe('recover');
    await stackReady(`${tag}: after recover`);
  }, 180_000);
});
