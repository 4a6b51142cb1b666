/**
 * The one contract every chaos action keeps. An action is created per injection (it holds what it
 * touched), and the scheduler drives it:
 *
 *   describe()        words for the dry-run plan: what it will touch, read-only
 *   inject(ctx)       resolve targets → ctx.checkpoint() → change the cluster
 *   revert(ctx)       undo; idempotent, and safe after an inject that failed half-way
 *   journalEntry()    what is touched and how to undo it, as it stands now
 *
 * `ctx.checkpoint()` persists `journalEntry()` (a journal line in the run directory and the
 * `gauntlet.dev/chaos` annotation on the touched objects). Actions call it after deciding what
 * they touch and before the first change, and again when the undo information grows (a zone
 * fault's id), so a killed run can always be recovered from the journal.
 */
import type { ChaosLimits, ZoneFaultMode } from '../lib/scenario/chaos-schema.ts';
import type { ClusterClient } from '../lib/cluster/client.ts';

export interface ChaosTarget {
  readonly namespace: string;
  readonly deployment: string;
  /** Label selector of the target's pods, e.g. `app=novel-engine`. */
  readonly selector: string;
}

/** A fault on the run's timeline; start/end in seconds from t0. */
export interface ChaosSpan {
  readonly kind: 'chaos';
  readonly name: string;
  readonly start: number;
  readonly end: number | null;
  readonly detail: {
    readonly action: string;
    readonly target: string;
    readonly mode: string;
    readonly [key: string]: unknown;
  };
}

/** Something an action did, at `t` seconds from t0 (e.g. `node/node-a1` cordoned). */
export interface ChaosEvent {
  readonly t: number;
  readonly kind: string;
  readonly object: string;
  readonly message: string;
  readonly detail?: Record<string, unknown>;
}

export type ChaosEmission =
  | { readonly type: 'span'; readonly span: ChaosSpan }
  | { readonly type: 'event'; readonly event: ChaosEvent };

export interface ChaosContext {
  readonly client: ClusterClient;
  readonly target: ChaosTarget;
  readonly runId: string;
  /** The run's clock (ms since t0); timeline times are `now() / 1000`. */
  readonly clock: { now(): number };
  /** Aborts waits and retries; revert gets a fresh, time-bounded signal. */
  readonly signal: AbortSignal;
  readonly limits: ChaosLimits;
  log(message: string): void;
  emit(item: ChaosEmission): void;
  /** Persist journalEntry() before touching anything; again when the undo information grows. */
  checkpoint(): Promise<void>;
}

export type TouchedKind = 'Node' | 'Deployment' | 'Pod';

export interface TouchedObject {
  readonly kind: TouchedKind;
  readonly name: string;
  readonly namespace?: string;
  /** Carries the `gauntlet.dev/chaos` annotation while the fault is active (not for pods, which die). */
  readonly mark: boolean;
}

/** A zone fault as its provider identifies it; JSON-serialisable so the journal can hold it. */
export interface ZoneFaultHandle {
  readonly provider: string;
  readonly zone: string;
  readonly mode: ZoneFaultMode;
  /** Provider-specific id; absent until the provider accepted the fault. */
  readonly id?: string;
  readonly [key: string]: unknown;
}

/** How to undo one change; the same steps serve revert and `gauntlet recover`. */
export type UndoStep =
  | { readonly kind: 'uncordon'; readonly node: string }
  | {
      readonly kind: 'restore-template';
      readonly namespace: string;
      readonly deployment: string;
      /** The pod template before the action, as read from the API. */
      readonly template: Record<string, unknown>;
      /** progressDeadlineSeconds before the action, when the action changed it. */
      readonly progressDeadlineSeconds?: number | null;
    }
  | { readonly kind: 'zone-recover'; readonly handle: ZoneFaultHandle }
  | { readonly kind: 'delete-object'; readonly object: CreatedObject };

/**
 * An object the run created (the k6-operator engine's TestRun and script ConfigMap), journalled
 * before it exists and created carrying the run's `gauntlet.dev/chaos` annotation.
 */
export interface CreatedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface JournalEntry {
  readonly action: string;
  readonly objects: readonly TouchedObject[];
  readonly undo: readonly UndoStep[];
  /** What happened, for the journal and the plan (victims, eviction attempts, timings). */
  readonly detail?: Record<string, unknown>;
}

export interface ChaosAction {
  /** The action kind, e.g. `node-drain`; also the span name. */
  readonly name: string;
  /** Mode shown on the span (`forced`, `stop`, `unpullable-image`, …). */
  readonly mode: string;
  describe(): string;
  inject(ctx: ChaosContext): Promise<void>;
  revert(ctx: ChaosContext): Promise<void>;
  journalEntry(): JournalEntry;
}

export function targetLabel(t: ChaosTarget): string {
  return `${t.namespace}/${t.deployment}`;
}

export function emitEvent(
  ctx: Pick<ChaosContext, 'clock' | 'emit'>,
  kind: string,
  object: string,
  message: string,
  detail?: Record<string, unknown>,
): void {
  const t = Math.round(ctx.clock.now()) / 1000;
  ctx.emit({ type: 'event', event: { t, kind, object, message, ...(detail ? { detail } : {}) } });
}
