/**
 * The chaos scheduler: each entry's injections at their offsets on the run's clock, each one
 * inject → hold → revert. Entries run side by side; an entry's own injections never overlap (a
 * late one starts when the previous has been reverted). Revert runs in `finally`: after a failed
 * or aborted inject, on abort of the run (the signal), with a fresh time-bounded signal of its own
 * and a few retries. An injection whose revert still fails stays open in the journal, and the
 * result names it so `gauntlet recover` can finish the job.
 */
import type { ClusterClient } from '../lib/cluster/client.ts';
import { UsageError } from '../lib/errors.ts';
import {
  DEFAULT_CHAOS_LIMITS,
  type ChaosLimits,
  type ResolvedChaosAction,
  type ResolvedChaosEntry,
} from '../lib/scenario/chaos-schema.ts';
import {
  emitEvent,
  targetLabel,
  type ChaosAction,
  type ChaosContext,
  type ChaosEmission,
  type ChaosTarget,
} from './action.ts';
import { createChaosAction } from './create.ts';
import type { ChaosJournal, JournalGuard } from './journal.ts';
import { isAbort, sleep } from './k8s.ts';
import type { ZoneProviderRegistry } from './zone/provider.ts';

export interface ChaosScheduleOptions {
  readonly entries: readonly ResolvedChaosEntry[];
  readonly client: ClusterClient;
  readonly target: ChaosTarget;
  readonly runId: string;
  /** The run's clock, ms since t0. */
  readonly clock: { now(): number };
  readonly journal: ChaosJournal;
  /** Aborting stops new injections and reverts the active ones at once. */
  readonly signal: AbortSignal;
  /** No injection starts at or after this offset (ms); required when an entry repeats without `times`. */
  readonly endMs?: number;
  readonly limits?: ChaosLimits;
  readonly zoneProviders?: ZoneProviderRegistry;
  emit(item: ChaosEmission): void;
  log?(message: string): void;
  /** Bound on one revert attempt; default 120 s. */
  readonly revertTimeoutMs?: number;
  /** Revert attempts before giving up to `gauntlet recover`; default 3. */
  readonly revertAttempts?: number;
  /** For tests: how an action is made from its spec. */
  readonly createAction?: (spec: ResolvedChaosAction, target: ChaosTarget) => ChaosAction;
}

export interface ChaosOccurrence {
  /** Index of the entry in the scenario's `chaos` list. */
  readonly entry: number;
  /** 0-based repetition of the entry. */
  readonly occurrence: number;
  readonly action: string;
  /** Planned and actual start, and end (after revert), ms on the run clock. */
  readonly dueMs: number;
  readonly startMs: number;
  readonly endMs: number;
  /** The action touched the cluster (its journal entry was written). */
  readonly touched: boolean;
  /** inject (and the hold) completed without error or abort. */
  readonly completed: boolean;
  readonly reverted: boolean;
  readonly journalId: string;
  readonly error?: string;
  readonly revertError?: string;
}

export interface ChaosScheduleResult {
  readonly occurrences: readonly ChaosOccurrence[];
  /** Journal ids whose revert failed: `gauntlet recover <journal>` undoes them. */
  readonly leftovers: readonly string[];
  readonly aborted: boolean;
}

/** Planned start offsets (ms) of an entry's injections; open-ended repeats stop before `endMs`. */
export function occurrenceTimes(entry: ResolvedChaosEntry, endMs?: number, max = 10_000): number[] {
  const out: number[] = [];
  const times = entry.times ?? Infinity;
  for (let k = 0; k < times && out.length < max; k++) {
    const due = entry.atMs + k * (entry.everyMs ?? 0);
    if (endMs !== undefined && due >= endMs) break;
    if (entry.times === null && endMs === undefined) break;
    out.push(due);
  }
  return out;
}

export async function runChaosSchedule(opts: ChaosScheduleOptions): Promise<ChaosScheduleResult> {
  const open = opts.entries.find((e) => e.times === null);
  if (open && opts.endMs === undefined)
    throw new UsageError(
      `chaos[${open.index}]: repeats every ${open.everyMs} ms without 'times'; the scheduler needs the run's end to bound it`,
    );
  const occurrences: ChaosOccurrence[] = [];
  await Promise.all(
    opts.entries.map(async (entry) => {
      for (const [k, due] of occurrenceTimes(entry, opts.endMs).entries()) {
        try {
          await sleep(due - opts.clock.now(), opts.signal);
        } catch {
          return;
        }
        occurrences.push(await runOccurrence(opts, entry, k, due));
      }
    }),
  );
  occurrences.sort((a, b) => a.startMs - b.startMs);
  return {
    occurrences,
    leftovers: occurrences.filter((o) => o.touched && !o.reverted).map((o) => o.journalId),
    aborted: opts.signal.aborted,
  };
}

async function runOccurrence(
  opts: ChaosScheduleOptions,
  entry: ResolvedChaosEntry,
  k: number,
  dueMs: number,
): Promise<ChaosOccurrence> {
  const { client, target } = opts;
  const log = opts.log ?? (() => undefined);
  const action = (
    opts.createAction ?? ((s, t) => createChaosAction(s, t, { zoneProviders: opts.zoneProviders }))
  )(entry.action, target);
  const guard = opts.journal.guard(
    { runId: opts.runId, action: action.name, server: client.server, context: client.contextName, target },
    () => Math.round(opts.clock.now()) / 1000,
  );
  const ctx: ChaosContext = {
    client,
    target,
    runId: opts.runId,
    clock: opts.clock,
    signal: opts.signal,
    limits: opts.limits ?? DEFAULT_CHAOS_LIMITS,
    log,
    emit: (item) => opts.emit(item),
    checkpoint: () => guard.checkpoint(client, action.journalEntry()),
  };
  const label = `chaos[${entry.index}]#${k + 1} ${action.name}`;
  const startMs = opts.clock.now();
  let completed = false;
  let error: string | undefined;
  try {
    log(`${label}: inject`);
    await action.inject(ctx);
    if (entry.holdMs > 0) await sleep(entry.holdMs, opts.signal);
    completed = true;
  } catch (err) {
    error = isAbort(err) ? 'aborted' : err instanceof Error ? err.message : String(err);
    if (!isAbort(err)) log(`${label}: ${error}`);
  }
  const revert = await revertWithRetries(opts, action, ctx, guard, label);
  const endMs = opts.clock.now();
  if (guard.written) {
    opts.emit({
      type: 'span',
      span: {
        kind: 'chaos',
        name: action.name,
        start: Math.round(startMs) / 1000,
        end: Math.round(endMs) / 1000,
        detail: {
          ...(action.journalEntry().detail ?? {}),
          action: action.name,
          target: targetLabel(target),
          mode: action.mode,
          entry: entry.index,
          occurrence: k,
          journalId: guard.header.id,
          ...(error ? { error } : {}),
        },
      },
    });
  } else if (error && error !== 'aborted') {
    emitEvent(ctx, 'chaos-refused', targetLabel(target), `${action.name}: ${error}`);
  }
  return {
    entry: entry.index,
    occurrence: k,
    action: action.name,
    dueMs,
    startMs,
    endMs,
    touched: guard.written,
    completed,
    reverted: revert.ok,
    journalId: guard.header.id,
    ...(error ? { error } : {}),
    ...(revert.error ? { revertError: revert.error } : {}),
  };
}

async function revertWithRetries(
  opts: ChaosScheduleOptions,
  action: ChaosAction,
  ctx: ChaosContext,
  guard: JournalGuard,
  label: string,
): Promise<{ ok: boolean; error?: string }> {
  if (!guard.written) return { ok: true };
  const attempts = opts.revertAttempts ?? 3;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // The run's signal may be what ended the fault; the revert gets its own bounded one.
    const signal = AbortSignal.timeout(opts.revertTimeoutMs ?? 120_000);
    try {
      await action.revert({ ...ctx, signal });
      await guard.reverted(opts.client);
      return { ok: true };
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
      ctx.log(`${label}: revert attempt ${attempt} failed: ${last}`);
      if (attempt < attempts) await sleep(500 * attempt);
    }
  }
  ctx.log(`${label}: could not revert; run \`gauntlet recover\` with this run's chaos journal`);
  return { ok: false, error: last };
}
