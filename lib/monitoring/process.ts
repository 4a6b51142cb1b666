/**
 * One server binary (prometheus, prometheus-alertmanager) run as a child process on a loopback
 * port: spawned with its output in a log file, waited for on its readiness URL, stopped by PID
 * (SIGTERM, then SIGKILL after a grace period). Nothing here touches a process it did not start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ServerProcess {
  readonly pid: number;
  readonly url: string;
  readonly logFile: string;
  /** Resolves once the process has exited (immediately if it already has). */
  stop(graceMs?: number): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1 (the binary is told to bind it next). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  const done = exited(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    child.kill('SIGKILL');
    await done;
  }
}

export interface StartOptions {
  readonly name: string;
  readonly binary: string;
  /** Arguments given the chosen port (for --web.listen-address). */
  readonly args: (port: number) => string[];
  readonly logFile: string;
  /** Path answering 200 once the server is ready, e.g. /-/ready. */
  readonly readyPath: string;
  readonly timeoutMs: number;
}

/**
 * Starts the binary and waits for its ready path. A bind race on the chosen port (another
 * process took it between the probe and the bind) is retried on a new port, twice.
 */
export async function startServer(o: StartOptions): Promise<ServerProcess> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const log = openSync(o.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(o.binary, o.args(port), { stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    let spawnError: Error | undefined;
    child.once('error', (err) => (spawnError = err));
    const stop = (graceMs = 5000): Promise<void> => stopChild(child, graceMs);
    const deadline = Date.now() + o.timeoutMs;
    while (Date.now() < deadline) {
      if (spawnError) {
        throw new Error(
          `${o.name}: could not run ${o.binary} (${spawnError.message}); install it (Debian: apt-get install prometheus prometheus-alertmanager)`,
        );
      }
      if (child.exitCode !== null || child.signalCode !== null) break;
      try {
        const res = await fetch(`${url}${o.readyPath}`, { signal: AbortSignal.timeout(1000) });
        await res.body?.cancel();
        if (res.ok && child.pid !== undefined) return { pid: child.pid, url, logFile: o.logFile, stop };
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await stop(2000);
    const tail = logTail(o.logFile);
    lastError = new Error(
      `${o.name} on port ${port}: ${child.exitCode !== null || child.signalCode !== null ? `exited (code ${child.exitCode ?? child.signalCode})` : `not ready within ${o.timeoutMs} ms`}${tail ? `\n--- ${o.logFile} (last lines) ---\n${tail}` : ''}`,
    );
    if (!/address already in use/i.test(tail)) break;
  }
  throw lastError ?? new Error(`${o.name}: could not start`);
}
