/**
 * Where a local cluster lives and how to recognise it: `<dir>/state.json`, written by the cluster
 * process once it serves (and extended with `monitoring` by `localUp --monitoring`), and the
 * processes themselves, checked by their command lines so a recycled PID is never signalled.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine, isRunning } from './process-tree.ts';

export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
export const clusterMain = path.join(packageRoot, 'infra-fixtures', 'local-cluster', 'main.ts');

export const monitoringMain = path.join(packageRoot, 'lib', 'local', 'monitoring-main.ts');

export const kDefaultDir = path.join('.gauntlet', 'local');

/** Prometheus and Alertmanager watching the cluster (lib/local/monitoring.ts). */
export interface LocalMonitoringState {
  /** The process that runs both (monitoring-main.ts); stopping it stops them. */
  readonly pid: number;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly pids: { readonly prometheus: number; readonly alertmanager: number };
  readonly scrapeIntervalS: number;
  readonly evaluationIntervalS: number;
  readonly sdRefreshIntervalS: number;
  readonly rulesFiles: readonly string[];
  /** Config, data and logs of both. */
  readonly dir: string;
}

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
  /** Prometheus http_sd base, kube-state-metrics series and the ingress's own metrics. */
  readonly sdUrl?: string;
  readonly stateMetricsUrl?: string;
  readonly ingressMetricsUrl?: string;
  readonly monitoring?: LocalMonitoringState;
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

/** The monitoring process started for `dir`: monitoring-main.ts with `--dir <dir>` in its command line. */
export function isMonitoringProcess(pid: number, dir: string): boolean {
  if (!isRunning(pid)) return false;
  const argv = commandLine(pid);
  const at = argv.indexOf('--dir');
  return argv.includes(monitoringMain) && at >= 0 && path.resolve(argv[at + 1] ?? '') === dir;
}

/** Replaces state.json atomically (a reader never sees half a file). */
export function writeState(dir: string, state: LocalState): void {
  const file = stateFile(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
