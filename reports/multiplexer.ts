/**
 * Fans every reporter call out to many reporters. A reporter that throws (or rejects) is recorded
 * and the others carry on: a broken summary must never cost the run or the other reports.
 */
import type { RunResult } from '../lib/result/schema.ts';
import type { ProgressSnapshot, ReportContext, Reporter, RunInfo } from './reporter.ts';

export type ReporterHook = 'onBegin' | 'onProgress' | 'onEnd' | 'printsToStdio';

export interface ReporterError {
  /** The failing reporter's name. */
  readonly reporter: string;
  readonly hook: ReporterHook;
  readonly error: Error;
}

export interface MultiplexerOptions {
  /** Told about each reporter error as it happens (e.g. to print a warning). */
  readonly onError?: (entry: ReporterError) => void;
}

export interface Multiplexer extends Reporter {
  onBegin(info: RunInfo): Promise<void>;
  onProgress(snapshot: ProgressSnapshot): void;
  /** Ends file-writing reporters first, then stdio ones (given the paths); returns every path written. */
  onEnd(result: RunResult, ctx: ReportContext): Promise<string[]>;
  printsToStdio(): boolean;
  /** Every error caught so far, in order. */
  errors(): readonly ReporterError[];
}

export function createMultiplexer(
  reporters: readonly Reporter[],
  options: MultiplexerOptions = {},
): Multiplexer {
  const caught: ReporterError[] = [];

  const record = (reporter: Reporter, hook: ReporterHook, e: unknown): void => {
    const entry = { reporter: reporter.name, hook, error: toError(e) };
    caught.push(entry);
    try {
      options.onError?.(entry);
    } catch {
      // The error is already recorded; a failing listener must not undo the isolation.
    }
  };

  /** Runs one hook; sync throws and async rejections end up in the same place. */
  const guard = async <T>(
    reporter: Reporter,
    hook: ReporterHook,
    call: () => T | Promise<T>,
  ): Promise<T | undefined> => {
    try {
      return await call();
    } catch (e) {
      record(reporter, hook, e);
      return undefined;
    }
  };

  const printsToStdio = (r: Reporter): boolean => {
    try {
      return r.printsToStdio?.() === true;
    } catch (e) {
      record(r, 'printsToStdio', e);
      return false;
    }
  };

  return {
    name: 'multiplexer',

    async onBegin(info) {
      for (const r of reporters) if (r.onBegin) await guard(r, 'onBegin', () => r.onBegin?.(info));
    },

    onProgress(snapshot) {
      for (const r of reporters) {
        if (!r.onProgress) continue;
        try {
          // Typed as void, but a reporter may still hand back a promise; catch its rejection too.
          const out: unknown = r.onProgress(snapshot);
          if (isThenable(out)) out.then(undefined, (e: unknown) => record(r, 'onProgress', e));
        } catch (e) {
          record(r, 'onProgress', e);
        }
      }
    },

    async onEnd(result, ctx) {
      const stdio = reporters.filter(printsToStdio);
      const writers = reporters.filter((r) => !stdio.includes(r));
      const written: string[] = [];
      for (const r of writers) written.push(...paths(await guard(r, 'onEnd', () => r.onEnd?.(result, ctx))));
      const fileOnly = [...written];
      for (const r of stdio) {
        written.push(
          ...paths(await guard(r, 'onEnd', () => r.onEnd?.(result, { ...ctx, writtenFiles: fileOnly }))),
        );
      }
      return written;
    },

    printsToStdio: () => reporters.some(printsToStdio),
    errors: () => [...caught],
  };
}

function paths(out: unknown): string[] {
  return Array.isArray(out) ? out.filter((p): p is string => typeof p === 'string') : [];
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

function toError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new Error(typeof e === 'string' ? e : `non-Error thrown: ${safeString(e)}`);
}

function safeString(e: unknown): string {
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}
