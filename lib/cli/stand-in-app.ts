/**
 * Starts the stand-in Novel Engine app (infra-fixtures/app) as a child process on loopback with
 * an ephemeral port, for `gauntlet start` until the local cluster serves it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GauntletError } from '../errors.ts';

const launcher = fileURLToPath(new URL('../../infra-fixtures/app/start.js', import.meta.url));

export interface StandInApp {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startStandInApp(
  env: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<StandInApp> {
  const child = spawn(process.execPath, [launcher], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no 'listening' line within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { msg?: string; port?: number };
        if (msg.msg === 'listening' && typeof msg.port === 'number') {
          clearTimeout(timer);
          resolve(msg.port);
        }
      } catch {
        // Not a JSON log line; ignore.
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code}: ${stderr.trim()}`));
    });
  }).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw new GauntletError(
      'GAUNTLET_SETUP',
      `stand-in app failed to start: ${e instanceof Error ? e.message : String(e)}`,
    );
  });
  child.stdout?.resume();
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
