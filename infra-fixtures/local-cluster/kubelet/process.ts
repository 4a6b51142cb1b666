/**
 * One container instance as an OS process group: spawned detached so it leads its own group, and
 * signalled as a group, so a shell wrapper's children die with it as they would with a container's
 * PID namespace. The leader's exit kills what is left of the group, again like a container.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';

export interface ExitInfo {
  /** Exit code; 128+n when a signal ended the process, as container runtimes report it. */
  readonly exitCode: number;
  /** The signal number that ended the process, if one did. */
  readonly signal?: number;
  readonly error?: string;
}

export interface GroupProcess {
  readonly pid: number;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Resolves when the leader has exited and the rest of the group was killed; `error` = spawn failed. */
  readonly exited: Promise<ExitInfo>;
  /** Sends a signal to the whole group; false when the group is already gone. */
  signal(name: NodeJS.Signals): boolean;
  /** True while any member of the group exists. */
  alive(): boolean;
}

/**
 * Groups still running, killed synchronously if this process exits first: detached children
 * would otherwise outlive a crashed test run or a killed cluster.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function track(pid: number): void {
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const group of liveGroups) signalGroup(group, 'SIGKILL');
    });
  }
}

export function signalGroup(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, name);
    return true;
  } catch {
    return false;
  }
}

export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True while a member of the group is still running. Killed orphans linger as zombies until
 * PID 1 reaps them, which some init processes do only every second or so; a zombie holds no port
 * and runs no code, so it counts as gone.
 */
function groupRunning(pid: number): boolean {
  if (!groupAlive(pid)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pid && fields[0] !== 'Z') return true;
    } catch {
      // exited between readdir and read
    }
  }
  return false;
}

/** Waits (bounded) until no member of the group is left running, after the leader has exited. */
export async function waitGroupGone(pid: number, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

export interface SpawnOptions {
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
}

export function spawnGroup(options: SpawnOptions): GroupProcess {
  const [file, ...args] = options.argv;
  if (!file) throw new Error('spawnGroup: empty argv');
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) track(child.pid);
  const closed = new Promise((r) => child.once('close', r));
  const exited = new Promise<ExitInfo>((resolve) => {
    // A failed spawn (no such file) emits 'error' and never 'exit'.
    child.once('error', (e) => {
      if (child.pid === undefined) resolve({ exitCode: 128, error: e.message });
    });
    child.once('exit', (code, signal) => {
      const pid = child.pid as number;
      signalGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
      const signalNo = signal ? constants.signals[signal] : undefined;
      const exitCode = code ?? 128 + (signalNo ?? 0);
      // The last log lines may still sit in the pipes: wait for them, bounded, in case an escaped
      // grandchild holds the pipe open.
      const drained = Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
      void Promise.all([waitGroupGone(pid), drained]).then(() =>
        resolve(signalNo === undefined ? { exitCode } : { exitCode, signal: signalNo }),
      );
    });
  });
  return {
    pid: child.pid ?? -1,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    signal: (name) => (child.pid === undefined ? false : signalGroup(child.pid, name)),
    alive: () => child.pid !== undefined && groupAlive(child.pid),
  };
}
