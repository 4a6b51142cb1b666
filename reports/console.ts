/**
 * Live progress in the terminal, then the verdict table. On a TTY one status line is redrawn in
 * place; in CI logs (no TTY) a redraw would leave a mess, so it prints a plain line every few
 * seconds instead.
 */
import { performance } from 'node:perf_hooks';
import { renderConsoleSummary } from './consoleSummary.ts';
import { duration, ms, rps } from './format.ts';
import type { ProgressSnapshot, Reporter } from './reporter.ts';

/** The part of a writable stream the reporter uses (process.stdout fits; tests pass a fake). */
export interface ConsoleStream {
  write(chunk: string): unknown;
  readonly columns?: number;
  readonly isTTY?: boolean;
}

export interface ConsoleReporterOptions {
  /** @default process.stdout */
  readonly stream?: ConsoleStream;
  /** Redraw one line in place. @default stream.isTTY */
  readonly isTTY?: boolean;
  /** ANSI colours in the final table. @default isTTY, unless NO_COLOR is set */
  readonly color?: boolean;
  /** Without a TTY, print a progress line this often (seconds of run time). @default 5 */
  readonly intervalS?: number;
  /** Milliseconds clock for redraw throttling; injectable for tests. @default performance.now */
  readonly now?: () => number;
}

/** At most ~4 redraws a second: more is flicker, not information. */
const MIN_REDRAW_MS = 250;
const CLEAR_LINE = '\r\x1b[2K';

export function consoleReporter(options: ConsoleReporterOptions = {}): Reporter {
  const stream = options.stream ?? process.stdout;
  const isTTY = options.isTTY ?? stream.isTTY === true;
  const color = options.color ?? (isTTY && !process.env.NO_COLOR);
  const intervalS = options.intervalS ?? 5;
  if (!(Number.isFinite(intervalS) && intervalS > 0)) {
    throw new Error(`consoleReporter: intervalS must be a positive number of seconds, got ${intervalS}`);
  }
  const now = options.now ?? (() => performance.now());

  let lineShown = false;
  let lastDrawAt = -Infinity;
  let lastBucket = 0;

  return {
    name: 'console',
    // It is the terminal reporter whatever stream it was handed; the CLI then adds no other.
    printsToStdio: () => true,

    onBegin(info) {
      stream.write(
        `gauntlet: ${info.scenario} → ${info.target} · ${duration(info.plannedDurationS)} planned · ` +
          `engine ${info.engine} · results in ${info.outDir}\n`,
      );
    },

    onProgress(snapshot) {
      if (isTTY) {
        const t = now();
        if (t - lastDrawAt < MIN_REDRAW_MS) return;
        lastDrawAt = t;
        stream.write(CLEAR_LINE + fit(progressLine(snapshot), stream.columns));
        lineShown = true;
        return;
      }
      // Buckets of run time, not wall time: the cadence stays even if snapshots arrive late.
      const bucket = Math.floor(snapshot.elapsedS / intervalS);
      if (bucket <= lastBucket) return;
      lastBucket = bucket;
      stream.write(`${progressLine(snapshot)}\n`);
    },

    onEnd(result, ctx) {
      if (lineShown) stream.write(CLEAR_LINE);
      lineShown = false;
      stream.write(renderConsoleSummary(result, { color }));
      const files = ctx.writtenFiles ?? [];
      if (files.length > 0) stream.write(`\nwritten:\n${files.map((f) => `  ${f}\n`).join('')}`);
    },
  };
}

export function progressLine(s: ProgressSnapshot): string {
  const faults = s.activeFaults.length === 0 ? 'none' : s.activeFaults.join(', ');
  return [
    `${duration(s.elapsedS)}/${duration(s.plannedDurationS)}`,
    `${rps(s.achievedRps)}/${rps(s.intendedRps)} req/s`,
    `p95 ${ms(s.p95Ms)}`,
    `failed ${s.failed}`,
    `dropped ${s.dropped}`,
    `faults: ${faults}`,
  ].join(' · ');
}

/** A line longer than the terminal wraps, and `\r` then redraws only its last row. */
function fit(line: string, columns: number | undefined): string {
  if (!columns || columns < 2 || line.length < columns) return line;
  return `${line.slice(0, columns - 2)}…`;
}
