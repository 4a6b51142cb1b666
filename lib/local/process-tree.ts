/**
 * Just enough of /proc (Linux) to stop the local cluster without orphans: a process's parent,
 * group, state and start time, its command line, and every descendant. The cluster runs each pod
 * as its own process group, so killing the cluster's group alone would leave the pods behind.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** R, S, D, Z, T, … */
  readonly state: string;
  /** Clock ticks since boot; with the pid it names one process, whatever reuses the pid later. */
  readonly startTime: string;
}

export function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), startTime: f[19]! };
  } catch {
    return undefined;
  }
}

/** Running or sleeping, not gone and not a zombie (a zombie holds no port and runs no code). */
export function isRunning(pid: number): boolean {
  const info = procInfo(pid);
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}

/** The same process as when `info` was taken (not a later one that reuses the pid). */
export function stillSame(info: ProcInfo): boolean {
  const now = procInfo(info.pid);
  return now !== undefined && now.startTime === info.startTime && now.state !== 'Z' && now.state !== 'X';
}

export function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function allProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = procInfo(Number(entry));
    if (info) out.push(info);
  }
  return out;
}

/** Every live descendant of `pid` (children, grandchildren, …). */
export function descendants(pid: number): ProcInfo[] {
  const all = allProcesses();
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out: ProcInfo[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      if (child.state === 'Z') continue;
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Members of process group `pgid` still running. */
export function groupMembers(pgid: number): ProcInfo[] {
  return allProcesses().filter((p) => p.pgid === pgid && p.state !== 'Z' && p.state !== 'X');
}

export function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** Polls (every 50 ms) until `done()` or the deadline; true when done. */
export async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
