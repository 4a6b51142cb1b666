/**
 * Where a local cluster lives and how to recognise it: `<dir>/state.json`, written by the cluster
 * process once it serves, and the process itself, checked by its command line so a recycled PID
 * is never signalled.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine, isRunning } from './process-tree.ts';

export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
export const clusterMain = path.join(packageRoot, 'infra-fixtures', 'local-cluster', 'main.ts');

export const kDefaultDir = path.join('.gauntlet', 'local');

export interface LocalState {
  readonly pid: number;
  readonly apiUrl: string;
  readonly ingressUrl: string;
  readonly faultsUrl?: string;
  readonly kubeconfig: string;
  readonly dir: string;
  readonly stack: boolean;
  readonly zones: readonly string[];
  readonly nodes: readonly string[];
  readonly startedAt: string;
}

export function resolveDir(dir: string | undefined, cwd: string = process.cwd()): string {
  return path.resolve(cwd, dir ?? kDefaultDir);
}

export function stateFile(dir: string): string {
  return path.join(dir, 'state.json');
}

export function readState(dir: string): LocalState | undefined {
  const file = stateFile(dir);
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as LocalState;
    return Number.isInteger(s.pid) && s.pid > 0 && typeof s.kubeconfig === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The cluster process started for `dir`: main.ts with `--dir <dir>` in its command line. */
export function isClusterProcess(pid: number, dir: string): boolean {
  if (!isRunning(pid)) return false;
  const argv = commandLine(pid);
  const at = argv.indexOf('--dir');
  return argv.includes(clusterMain) && at >= 0 && path.resolve(argv[at + 1] ?? '') === dir;
}

/** The state of a live cluster in `dir`; a state file left by a dead one is removed. */
export function liveState(dir: string): LocalState | undefined {
  const state = readState(dir);
  if (!state) return undefined;
  if (isClusterProcess(state.pid, dir)) return state;
  rmSync(stateFile(dir), { force: true });
  return undefined;
}
