import type { RunResult } from '../lib/result/schema.ts';

export interface RunInfo {
  readonly scenario: string;
  readonly target: string;
  readonly engine: string;
  /** Planned duration, seconds. */
  readonly plannedDurationS: number;
  readonly outDir: string;
}

/** A live snapshot, about once a second while load runs. */
export interface ProgressSnapshot {
  readonly elapsedS: number;
  readonly plannedDurationS: number;
  /** Over the last complete second. */
  readonly intendedRps: number;
  readonly achievedRps: number;
  readonly p95Ms: number | null;
  /** Cumulative. */
  readonly failed: number;
  readonly dropped: number;
  readonly sent: number;
  /** Open chaos spans, by name (chaos issue). */
  readonly activeFaults: readonly string[];
}

export interface ReportContext {
  readonly outDir: string;
  /**
   * Files the other reporters wrote, for a reporter that lists them (the console). The multiplexer
   * ends file-writing reporters first and hands their paths to the ones that print to stdio.
   */
  readonly writtenFiles?: readonly string[];
}

/**
 * One optional-method interface for every reporter. Renderers are pure: `onEnd` turns the result
 * into files (and returns their paths). A multiplexer isolates a failing reporter.
 */
export interface Reporter {
  readonly name: string;
  onBegin?(info: RunInfo): void | Promise<void>;
  onProgress?(snapshot: ProgressSnapshot): void;
  onEnd?(result: RunResult, ctx: ReportContext): string[] | void | Promise<string[] | void>;
  /** True when it writes to stdout (the console reporter). */
  printsToStdio?(): boolean;
}
