/**
 * Lifecycle logging as one JSON object per line on stdout, so supervisors (and the harness that
 * reads the `listening` line for the port) can parse it. There is no per-request log: at load
 * rates it would cost more than the requests themselves.
 */
import type { LogLevel } from './config.ts';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export function createLogger(level: LogLevel, write: (line: string) => void = writeStdout): Logger {
  const emit = (lvl: 'info' | 'error', msg: string, fields?: LogFields): void => {
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`);
  };
  if (level === 'silent') return { info: () => {}, error: () => {} };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

function writeStdout(line: string): void {
  process.stdout.write(line);
}
