import type { Span } from '../result/schema.ts';
import type { PhaseScope, ResolvedWindow } from '../scenario/resolved.ts';

export interface SecondsWindow {
  readonly start: number;
  readonly end: number;
}

/** Spans that are faults (chaos actions); other span kinds (setup, load) do not define phases. */
export function faultSpans(spans: readonly Span[]): Span[] {
  return spans.filter((s) => s.kind === 'chaos');
}

/**
 * The window of a phase, from the chaos spans: `baseline` is before the first fault, `during-fault`
 * from the first fault's start to the last fault's end, `recovery` after that. Returns null when the
 * phase does not exist in this run (e.g. no fault was injected).
 */
export function phaseWindow(
  scope: PhaseScope,
  spans: readonly Span[],
  durationS: number,
): SecondsWindow | null {
  const faults = faultSpans(spans);
  if (scope === 'run') return { start: 0, end: durationS };
  if (!faults.length) return scope === 'baseline' ? { start: 0, end: durationS } : null;
  const first = Math.min(...faults.map((f) => f.start));
  const last = Math.max(...faults.map((f) => f.end ?? durationS));
  const w =
    scope === 'baseline'
      ? { start: 0, end: first }
      : scope === 'during-fault'
        ? { start: first, end: last }
        : { start: last, end: durationS };
  return w.end > w.start ? w : null;
}

/** Whole seconds covered by a window: [floor(start), ceil(end)), clipped to the run. */
export function toSeconds(w: SecondsWindow, durationS: number): SecondsWindow {
  // durationS runs a few ms past the last scheduled second while in-flight requests finish; that
  // tail is not a second of load of its own.
  const lastS = Math.max(1, Math.ceil(durationS - 0.05));
  const start = Math.max(0, Math.floor(w.start));
  const end = Math.min(lastS, Math.ceil(w.end - 0.05 > start ? w.end - 0.05 : w.end));
  return { start, end: Math.max(start, end) };
}

/** A phase narrowed by a scenario window (seconds from run start; `endS: null` = the phase's end). */
export function narrowWindow(phase: SecondsWindow, window: ResolvedWindow | null): SecondsWindow {
  if (!window) return phase;
  return {
    start: Math.max(phase.start, window.startS),
    end: Math.min(phase.end, window.endS ?? phase.end),
  };
}

/** ' [during-fault]', ' [10–20 s]': what verdict names add for a scope and a window. */
export function scopeSuffix(scope: PhaseScope, window: ResolvedWindow | null): string {
  const parts: string[] = [];
  if (scope !== 'run') parts.push(scope);
  if (window) parts.push(`${window.startS}–${window.endS === null ? 'end' : `${window.endS} s`}`);
  return parts.map((p) => ` [${p}]`).join('');
}
