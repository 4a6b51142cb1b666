/**
 * The k6 child process: spawned with piped output (its stderr is the JSON log the outcome is read
 * from; stdout carries the text summary, kept only for error messages), stopped the way a user
 * stops k6 — SIGINT, after which k6 flushes its outputs and writes its summary — and killed only
 * if it is still there `graceMs` later.
 */
import { spawn } from 'node:child_process';
import type { K6Exit } from './exit.ts';

/** Output kept per stream: the end of it is what explains a failure. */
const kKeepChars = 64 * 1024;

export interface K6ProcessExit extends K6Exit {
  /** Set when the process could not be started at all (e.g. not executable). */
  readonly spawnError?: Error;
}

export interface K6Process {
  readonly pid: number | undefined;
  readonly exited: Promise<K6ProcessExit>;
  /** True once `stop()` was called. */
  readonly stoppedByUs: boolean;
  /** SIGINT now, SIGKILL after the grace period; calling it again does nothing more. */
  stop(): void;
  stderr(): string;
  stdout(): string;
}

export interface StartOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly graceMs: number;
}

export function startK6(binary: string, args: readonly string[], o: StartOptions): K6Process {
  const child = spawn(binary, [...args], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr.setEncoding('utf8');
  child.stdout.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err = (err + d).slice(-kKeepChars)));
  child.stdout.on('data', (d: string) => (out = (out + d).slice(-kKeepChars)));
  let killTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  let gone = false;
  const exited = new Promise<K6ProcessExit>((resolve) => {
    child.once('error', (e) => {
      // 'error' without 'exit' means it never started; after a start 'exit' follows and wins.
      if (child.pid === undefined) {
        gone = true;
        resolve({ code: null, signal: null, spawnError: e });
      }
    });
    // 'close' (not 'exit'): every byte of stdout/stderr has been read by then.
    child.once('close', (code, signal) => {
      gone = true;
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid,
    exited,
    get stoppedByUs() {
      return stopped;
    },
    stop() {
      if (stopped || gone) return;
      stopped = true;
      child.kill('SIGINT');
      killTimer = setTimeout(() => {
        if (!gone) child.kill('SIGKILL');
      }, o.graceMs);
    },
    stderr: () => err,
    stdout: () => out,
  };
}
