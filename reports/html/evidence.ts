/**
 * Failed requests and what caused them, for the zero-downtime evidence table. A zero-downtime
 * verdict carries them in its evidence (lib/assert/zero-downtime.ts): a tally by cause, and either
 * each failed request with its cause or, when there were many, each failed second. A run without
 * such a verdict still has its failure sample, shown without causes. Evidence is open JSON, so
 * every field is read defensively: anything unexpected is left out, never thrown on.
 */
import type { RunResult } from '../../lib/result/schema.ts';

/** The event a cause names, to link it to the events table. */
export interface CauseEvent {
  readonly kind: string;
  readonly object?: string;
  readonly t: number;
}

interface Attributed {
  /** The cause in words; undefined when no attribution was attempted. */
  readonly cause?: string;
  /** false when attribution found no cluster change to blame. */
  readonly explained?: boolean;
  readonly causeEvent?: CauseEvent;
}

export interface AttributedFailure extends Attributed {
  readonly t: number | null;
  readonly kind: string;
  readonly status?: number;
  readonly request?: string;
  readonly target?: string;
  readonly latencyMs?: number;
}

export interface FailedSecond extends Attributed {
  readonly second: number;
  readonly failed: number;
  readonly errors: Readonly<Record<string, number>>;
}

export interface CauseTally extends Attributed {
  readonly failures: number;
  /** "12 ms" or "3–40 ms": from the cause to the failures. */
  readonly gap?: string;
}

export interface FailureEvidence {
  /** The verdict the causes come from, or null for the bare failure sample. */
  readonly verdict: string | null;
  readonly pass: boolean | null;
  readonly byCause: readonly CauseTally[];
  /** Failures no cluster change explains. */
  readonly unattributed: number;
  readonly failures: readonly AttributedFailure[];
  readonly seconds: readonly FailedSecond[];
  /** Failed requests (or seconds, for `seconds`) not listed. */
  readonly notListed: number;
  readonly moreSeconds: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const numOf = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const secs = (t: number): string => `${Number(t.toFixed(3))}s`;

/**
 * A cause as it may be written: a sentence, `{ kind, object, t, message, gapMs }`, or null when
 * attribution found nothing (`unexplained` then says where it looked).
 */
function readCause(raw: unknown, unexplained: string | undefined): Attributed {
  if (raw === null && unexplained !== undefined) return { cause: unexplained, explained: false };
  if (typeof raw === 'string') return { cause: raw };
  if (!isObj(raw)) return {};
  const kind = str(raw['kind']) ?? str(raw['reason']);
  const object = str(raw['object']);
  const t = numOf(raw['t']);
  const message = str(raw['message']) ?? str(raw['description']);
  const gapMs = numOf(raw['gapMs']);
  let text = [kind, object].filter(Boolean).join(' ');
  if (t !== undefined) text += `${text ? ' ' : ''}at ${secs(t)}`;
  if (message) text += text ? ` (${message})` : message;
  if (gapMs !== undefined) text += `; failed ${Number(gapMs.toFixed(1))} ms later`;
  const explained = typeof raw['explained'] === 'boolean' ? raw['explained'] : undefined;
  return {
    ...(text ? { cause: text } : {}),
    ...(explained !== undefined ? { explained } : {}),
    ...(kind && t !== undefined ? { causeEvent: { kind, t, ...(object ? { object } : {}) } } : {}),
  };
}

function readFailure(raw: unknown, unexplained?: string): AttributedFailure | undefined {
  if (!isObj(raw)) return undefined;
  // null is an answer (attributed to nothing), so only a missing field falls through.
  const cause = readCause('cause' in raw ? raw['cause'] : raw['attributedTo'], unexplained);
  const status = numOf(raw['status']);
  const request = str(raw['request']);
  const target = str(raw['target']);
  const latencyMs = numOf(raw['latencyMs']);
  return {
    t: numOf(raw['t']) ?? null,
    kind: str(raw['kind']) ?? 'unknown',
    ...(status !== undefined ? { status } : {}),
    ...(request ? { request } : {}),
    ...(target ? { target } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...cause,
  };
}

function readSecond(raw: unknown, unexplained: string): FailedSecond | undefined {
  if (!isObj(raw)) return undefined;
  const second = numOf(raw['second']);
  const failed = numOf(raw['failed']);
  if (second === undefined || failed === undefined) return undefined;
  const errors: Record<string, number> = {};
  if (isObj(raw['errors'])) {
    for (const [k, v] of Object.entries(raw['errors'])) if (typeof v === 'number') errors[k] = v;
  }
  return { second, failed, errors, ...readCause(raw['cause'], unexplained) };
}

function readTally(raw: unknown): CauseTally | undefined {
  if (!isObj(raw)) return undefined;
  const failures = numOf(raw['failures']);
  if (failures === undefined) return undefined;
  const lo = numOf(raw['minGapMs']);
  const hi = numOf(raw['maxGapMs']);
  const gap = lo === undefined || hi === undefined ? undefined : lo === hi ? `${lo} ms` : `${lo}–${hi} ms`;
  return { failures, ...(gap ? { gap } : {}), ...readCause(raw, undefined) };
}

const list = <T>(v: unknown, read: (x: unknown) => T | undefined): T[] =>
  Array.isArray(v) ? v.map(read).filter((x): x is T => x !== undefined) : [];

function fromVerdict(name: string, pass: boolean, ev: Obj): FailureEvidence {
  const lookbackMs = numOf(ev['lookbackMs']);
  const unexplained = `no cluster change in flight${lookbackMs !== undefined ? ` or in the ${Number((lookbackMs / 1000).toFixed(3))} s before` : ''}`;
  const failures = list(ev['failures'], (x) => readFailure(x, unexplained));
  const seconds = list(ev['seconds'], (x) => readSecond(x, unexplained));
  const failed = numOf(ev['failed']);
  const listed = failures.length > 0 ? failures.length : seconds.reduce((a, s) => a + s.failed, 0);
  return {
    verdict: name,
    pass,
    byCause: list(ev['byCause'], readTally),
    unattributed: numOf(ev['unattributed']) ?? 0,
    failures,
    seconds,
    notListed: failed !== undefined ? Math.max(0, failed - listed) : 0,
    moreSeconds: numOf(ev['moreSeconds']) ?? 0,
  };
}

/** Every verdict with attributed failures, or else the run's failure sample; empty when neither. */
export function failureEvidence(result: RunResult): FailureEvidence[] {
  const fromVerdicts: FailureEvidence[] = [];
  for (const v of result.verdicts) {
    const ev = v.evidence;
    if (!isObj(ev) || !(Array.isArray(ev['failures']) || Array.isArray(ev['seconds']))) continue;
    fromVerdicts.push(fromVerdict(v.name, v.pass, ev));
  }
  if (fromVerdicts.length > 0) return fromVerdicts;
  const sample = result.failures ?? [];
  if (sample.length === 0) return [];
  return [
    {
      verdict: null,
      pass: null,
      byCause: [],
      unattributed: 0,
      failures: list(sample, (f) => readFailure(f)),
      seconds: [],
      notListed: Math.max(0, result.load.requests.failed - sample.length),
      moreSeconds: 0,
    },
  ];
}
