/**
 * `abortOnFail` for server-side SLAs: while the load runs, an instant query of each such SLA
 * every few seconds; once its condition has been broken at every poll for `abortWindow`, the run
 * is aborted the way a client-side abortOnFail aborts it (the runner's onAbort).
 *
 * "Broken" means some series the expression returns is on the wrong side of the limit. A poll
 * that fails, returns no series, or falls outside the SLA's scope ends the streak: the run is
 * only aborted on evidence, never for lack of it.
 *
 *   const watch = startPromqlAbortWatch({ prometheus, slas, now: clock.now, inScope, onAbort });
 *   …load…
 *   await watch.stop();
 */
import { compare, fmt } from '../assert/compare.ts';
import type { PrometheusClient, Sample } from '../monitoring/api.ts';
import type { Span } from '../result/schema.ts';
import type { PhaseScope, ResolvedPromqlSla } from '../scenario/resolved.ts';

export type InstantQuery = Pick<PrometheusClient, 'query'>;

/** Faults so far and how many the schedule plans, for telling the phase while the run goes on. */
export interface ChaosProgress {
  readonly spans: readonly Span[];
  readonly planned: number;
}

/**
 * Whether run time `tS` is inside `scope` as far as can be told while the run goes on: baseline
 * until the first fault starts, during-fault from then until every planned fault has ended,
 * recovery after that (the same phases lib/assert/phases.ts reads from the finished run).
 */
export function inLiveScope(scope: PhaseScope, tS: number, chaos: ChaosProgress): boolean {
  if (scope === 'run') return true;
  const faults = chaos.spans.filter((s) => s.kind === 'chaos' && s.start <= tS);
  if (scope === 'baseline') return faults.length === 0;
  if (faults.length === 0) return false;
  const allOver = faults.length >= chaos.planned && faults.every((f) => f.end !== null && f.end <= tS);
  return scope === 'recovery' ? allOver : !allOver;
}

interface Streak {
  /** Run time (s) of the first poll of an unbroken run of broken polls. */
  since: number | null;
}

/** The worst series of a poll: the one furthest on the wrong side of the limit. */
function worstBroken(sla: ResolvedPromqlSla, samples: readonly Sample[]): Sample | null {
  const broken = samples.filter((s) => Number.isFinite(s.value) && !compare(s.value, sla.op, sla.value));
  if (!broken.length) return null;
  const higherIsWorse = sla.op === '<' || sla.op === '<=';
  return broken.reduce((w, s) => ((higherIsWorse ? s.value > w.value : s.value < w.value) ? s : w));
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `{${parts.join(', ')}} ` : '';
}

/**
 * The streak logic, without timers: feed it each poll's outcome at run time `tS`; it answers the
 * abort reason once the SLA has been broken for its abortWindow, else null.
 */
export class PromqlAbortTracker {
  private readonly streaks = new Map<string, Streak>();
  private errors = 0;
  private lastError: string | undefined;

  constructor(slas: readonly ResolvedPromqlSla[]) {
    for (const s of slas) this.streaks.set(s.id, { since: null });
  }

  /** `result` is the poll's samples, an Error when it failed, or 'out-of-scope'. */
  observe(
    sla: ResolvedPromqlSla,
    tS: number,
    result: readonly Sample[] | Error | 'out-of-scope',
  ): string | null {
    const streak = this.streaks.get(sla.id) ?? { since: null };
    this.streaks.set(sla.id, streak);
    if (result instanceof Error) {
      this.errors++;
      this.lastError = result.message;
    }
    const worst = Array.isArray(result) ? worstBroken(sla, result) : null;
    if (!worst) {
      streak.since = null;
      return null;
    }
    streak.since ??= tS;
    if (tS - streak.since < sla.abortWindowS) return null;
    const unit = sla.unit ? ` ${sla.unit}` : '';
    return (
      `abortOnFail: server-side ${sla.id} broken over ${fmt(streak.since, 1)}–${fmt(tS, 1)} s ` +
      `(${labelText(worst.labels)}observed ${fmt(worst.value, 4)}${unit}, limit ${sla.op} ${fmt(sla.value, 4)}${unit})`
    );
  }

  /** Polls that failed, and the last failure, for the log. */
  pollErrors(): { count: number; last?: string } {
    return { count: this.errors, ...(this.lastError !== undefined ? { last: this.lastError } : {}) };
  }
}

export interface PromqlAbortWatchOptions {
  readonly prometheus: InstantQuery;
  /** Only the abortOnFail ones are watched. */
  readonly slas: readonly ResolvedPromqlSla[];
  /** The run clock, ms since t0. */
  readonly now: () => number;
  /** Whether run time tS lies in a scope; default: only `run` does. */
  readonly inScope?: (scope: PhaseScope, tS: number) => boolean;
  /** Called once, with the reason. */
  readonly onAbort: (reason: string) => void;
  /** Between polls; default a third of the shortest abortWindow, within 0.5–2 s. */
  readonly intervalMs?: number;
}

export interface PromqlAbortWatch {
  readonly tracker: PromqlAbortTracker;
  /** Ends polling; resolves once a poll under way has finished. Idempotent. */
  stop(): Promise<void>;
}

export function startPromqlAbortWatch(opts: PromqlAbortWatchOptions): PromqlAbortWatch {
  const slas = opts.slas.filter((s) => s.abortOnFail);
  const tracker = new PromqlAbortTracker(slas);
  const shortestMs = Math.min(...slas.map((s) => s.abortWindowS * 1000));
  const intervalMs = opts.intervalMs ?? Math.min(2000, Math.max(500, shortestMs / 3));
  const inScope = opts.inScope ?? ((scope: PhaseScope) => scope === 'run');
  const state = { stopped: slas.length === 0, fired: false };
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const pollOnce = async (): Promise<void> => {
    await Promise.all(
      slas.map(async (sla) => {
        const tS = opts.now() / 1000;
        let result: readonly Sample[] | Error | 'out-of-scope';
        if (!inScope(sla.scope, tS)) result = 'out-of-scope';
        else {
          try {
            result = await opts.prometheus.query(sla.expr);
          } catch (err) {
            result = err instanceof Error ? err : new Error(String(err));
          }
        }
        const reason = tracker.observe(sla, tS, result);
        if (reason && !state.fired && !state.stopped) {
          state.fired = true;
          opts.onAbort(reason);
        }
      }),
    );
  };

  const loop = (async () => {
    while (!state.stopped && !state.fired) {
      await pollOnce();
      if (state.stopped || state.fired) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, intervalMs);
      });
    }
  })();

  return {
    tracker,
    async stop() {
      state.stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
