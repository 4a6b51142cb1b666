/**
 * Child processes for benchmarks: start one, read its CPU time from /proc, and always clean up.
 * Every child started here is killed by PID on exit, including on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const children = new Set<ChildProcess>();
const killAll = () => {
  for (const c of children) if (c.exitCode === null && c.pid !== undefined) c.kill('SIGTERM');
};
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

const kTick = 100; // USER_HZ on Linux: /proc reports CPU time in 1/100 s

/** User + system CPU seconds of a live process (all its threads), or null once it has exited. */
export function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / kTick;
  } catch {
    return null;
  }
}

/** Resident set size of this process, MB. */
export function rssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

export interface Target {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Start bench/support/target-server.ts in its own process. */
export async function startTarget(args: string[] = []): Promise<Target> {
  const script = fileURLToPath(new URL('./target-server.ts', import.meta.url));
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`target server exited early (code ${code})`)));
  });
  const { port } = JSON.parse(line) as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface ChildRun {
  readonly stdout: string;
  readonly code: number | null;
  /** CPU seconds between the first and last /proc sample of the measured window. */
  readonly cpuSeconds: number;
  /** Length of the measured window, s. */
  readonly windowS: number;
}

/**
 * Run a command to completion, sampling its CPU every 100 ms. The window starts `skipS` after
 * launch (so process start-up and module loading are not billed to the requests) and ends at the
 * last sample before exit.
 */
export async function runMeasured(cmd: string, args: string[], skipS: number): Promise<ChildRun> {
  const child = track(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', () => undefined);
  const t0 = performance.now();
  let first: { t: number; cpu: number } | null = null;
  let last: { t: number; cpu: number } | null = null;
  const timer = setInterval(() => {
    const cpu = procCpuSeconds(child.pid!);
    if (cpu === null) return;
    const t = performance.now();
    if (first === null && t - t0 >= skipS * 1000) first = { t, cpu };
    else if (first !== null) last = { t, cpu };
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(timer);
  const f = first as { t: number; cpu: number } | null;
  const l = last as { t: number; cpu: number } | null;
  if (!f || !l) return { stdout, code, cpuSeconds: Number.NaN, windowS: 0 };
  return { stdout, code, cpuSeconds: l.cpu - f.cpu, windowS: (l.t - f.t) / 1000 };
}

export interface ArrivalStats {
  readonly requests: number;
  readonly slots: number;
  /** Busiest 10 ms slot over the mean slot: ~1 for evenly paced arrivals, large for bursts. */
  readonly peakToMean: number | null;
}

/** Read and reset the target's arrival statistics. */
export async function arrivalStats(target: Target): Promise<ArrivalStats> {
  const res = await fetch(`${target.url}/__stats`);
  return (await res.json()) as ArrivalStats;
}
