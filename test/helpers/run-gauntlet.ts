/**
 * Black-box helper: spawns the real CLI (bin/gauntlet.js) and returns its exit code, output and,
 * when one was written, the parsed result.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../../lib/result/schema.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repoRoot, 'bin', 'gauntlet.js');

export interface GauntletRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outDir: string;
  result: RunResult | undefined;
}

export interface RunGauntletOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Called with the child once it has started (e.g. to send SIGINT). */
  onSpawn?: (child: ChildProcess) => void;
  /** Pass --out automatically (default true for run/start). */
  autoOut?: boolean;
}

export function tempDir(prefix = 'gauntlet-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function runGauntlet(args: string[], opts: RunGauntletOptions = {}): Promise<GauntletRun> {
  const outDir = join(tempDir(), 'out');
  const wantsOut =
    (opts.autoOut ?? true) && (args[0] === 'run' || args[0] === 'start') && !args.includes('--out');
  const fullArgs = wantsOut ? [...args, '--out', outDir] : args;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...fullArgs], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `gauntlet ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, opts.timeoutMs ?? 60_000);
    opts.onSpawn?.(child);
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => {
      clearTimeout(timer);
      const file = join(outDir, 'result.json');
      const result = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunResult) : undefined;
      resolve({ exitCode, signal, stdout, stderr, outDir, result });
    });
  });
}
