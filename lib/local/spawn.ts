/**
 * A background program of the local setup (the cluster, its monitoring) started detached, with
 * stdout and stderr in files rather than pipes so it outlives the command that started it without
 * writing into a closed pipe, and waited for until it prints a JSON `ready` (or `failed`) line.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { isRunning, waitFor } from './process-tree.ts';
import { packageRoot } from './state.ts';

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function readyLine(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (msg.event === 'ready' || msg.event === 'failed') return msg;
    } catch {
      // A line still being written; read again on the next poll.
    }
  }
  return undefined;
}

export interface Detached {
  readonly pid: number;
  /** The ready line, or undefined with `why` saying what went wrong instead. */
  readonly ready?: Record<string, unknown>;
  readonly why?: string;
}

/**
 * Runs `node --import tsx <script> ...args` detached and waits up to `timeoutMs` for its ready
 * line; `name` goes into the explanation when none comes ("the cluster process exited …").
 */
export async function spawnDetached(
  name: string,
  script: string,
  args: readonly string[],
  files: { readonly out: string; readonly log: string },
  timeoutMs: number,
): Promise<Detached> {
  const out = openSync(files.out, 'w');
  const log = openSync(files.log, 'w');
  let child;
  try {
    // cwd = the package root, where `--import tsx` resolves, whatever the user's cwd is.
    child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: packageRoot,
      detached: true,
      stdio: ['ignore', out, log],
      env: process.env,
    });
  } finally {
    closeSync(out);
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) return { pid: -1, why: `could not start ${script}` };
  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = sig ? `signal ${sig}` : `exit code ${code}`));
  child.unref();
  let msg: Record<string, unknown> | undefined;
  await waitFor(
    () => (msg = readyLine(files.out)) !== undefined || exited !== undefined || !isRunning(pid),
    timeoutMs,
  );
  if (msg?.event === 'ready') return { pid, ready: msg };
  const why =
    msg?.event === 'failed'
      ? `start failed: ${String(msg.message)}`
      : exited !== undefined || !isRunning(pid)
        ? `the ${name} process exited (${exited ?? 'gone'}) before it was ready`
        : `no ready line within ${timeoutMs} ms`;
  return { pid, why };
}
