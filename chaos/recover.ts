/**
 * `gauntlet recover`: undo what a killed run left behind, from its chaos journal. Every entry
 * without a `reverted` line is undone step by step (uncordon, restore the template, recover the
 * zone, delete what the run created, e.g. the k6-operator engine's TestRun and ConfigMap), acting
 * only where our annotation is still on the object, so changes made since by someone else stay.
 * Entries for another API server are skipped with a message naming it.
 */
import type { ClusterClient } from '../lib/cluster/client.ts';
import { CHAOS_ANNOTATION, clearMark, markRecovered, readJournal, type JournalRecord } from './journal.ts';
import { wrapApiError } from './k8s.ts';
import { applyUndo } from './undo.ts';
import type { ZoneProviderRegistry } from './zone/provider.ts';

export interface RecoverOptions {
  readonly zoneProviders?: ZoneProviderRegistry;
  /** Bound on the whole recovery; default 5 min. */
  readonly timeoutMs?: number;
  log?(message: string): void;
}

export interface RecoveredEntry {
  readonly id: string;
  readonly action: string;
  readonly status: 'recovered' | 'skipped' | 'failed';
  /** What each undo step did, or why the entry was skipped or failed. */
  readonly notes: readonly string[];
}

export interface RecoverReport {
  readonly entries: readonly RecoveredEntry[];
  /** Entries already reverted by their run. */
  readonly alreadyReverted: number;
}

export async function recoverFromJournal(
  client: ClusterClient,
  journalFile: string,
  opts: RecoverOptions = {},
): Promise<RecoverReport> {
  const log = opts.log ?? (() => undefined);
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 300_000);
  const records = await readJournal(journalFile);
  const open = records.filter((r) => !r.reverted);
  const entries: RecoveredEntry[] = [];
  // Newest first: later faults may sit on top of earlier ones (a drain during a bad rollout).
  for (const r of [...open].reverse()) {
    entries.push(await recoverOne(client, journalFile, r, { ...opts, log }, signal));
  }
  return { entries: entries.reverse(), alreadyReverted: records.length - open.length };
}

async function recoverOne(
  client: ClusterClient,
  file: string,
  r: JournalRecord,
  opts: RecoverOptions & { log(message: string): void },
  signal: AbortSignal,
): Promise<RecoveredEntry> {
  const base = { id: r.id, action: r.action };
  if (r.server !== client.server) {
    return {
      ...base,
      status: 'skipped',
      notes: [`recorded for ${r.server} (context ${r.context}); connect to that cluster to recover it`],
    };
  }
  const notes: string[] = [];
  try {
    for (const step of r.undo) {
      const did = await applyUndo(client, step, {
        requireMark: r.mark,
        zoneProviders: opts.zoneProviders,
        signal,
        log: opts.log,
      });
      notes.push(did);
      opts.log(`${r.id} ${r.action}: ${did}`);
    }
    for (const o of r.objects) if (o.mark) await clearMark(client, o, r.mark);
  } catch (err) {
    const e = wrapApiError(`recover ${r.id} ${r.action}`, err);
    return { ...base, status: 'failed', notes: [...notes, e.message] };
  }
  if (!r.undo.length) notes.push('nothing to undo');
  await markRecovered(file, r.id, notes.join('; '));
  return { ...base, status: 'recovered', notes };
}

export interface ChaosMark {
  readonly kind: 'Node' | 'Deployment';
  readonly name: string;
  readonly namespace?: string;
  readonly mark: string;
}

/** Nodes and deployments still carrying a `gauntlet.dev/chaos` annotation (leftovers without a journal). */
export async function findChaosMarks(client: ClusterClient): Promise<ChaosMark[]> {
  try {
    const [nodes, deployments] = await Promise.all([
      client.core.listNode(),
      client.apps.listDeploymentForAllNamespaces(),
    ]);
    const out: ChaosMark[] = [];
    for (const n of nodes.items) {
      const mark = n.metadata?.annotations?.[CHAOS_ANNOTATION];
      if (mark) out.push({ kind: 'Node', name: n.metadata?.name ?? '', mark });
    }
    for (const d of deployments.items) {
      const mark = d.metadata?.annotations?.[CHAOS_ANNOTATION];
      if (mark)
        out.push({
          kind: 'Deployment',
          name: d.metadata?.name ?? '',
          namespace: d.metadata?.namespace,
          mark,
        });
    }
    return out;
  } catch (err) {
    throw wrapApiError('list chaos marks', err);
  }
}
