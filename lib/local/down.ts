/**
 * `localDown`: stops the local cluster of a dir and everything it started, its monitoring
 * (Prometheus and Alertmanager) first. SIGTERM to the recorded PID (after checking it is our
 * cluster process) lets it stop its pods and servers; after the
 * timeout its process group and every process descended from it get SIGKILL. The pods are process
 * groups of their own, so they are found through the process tree, snapshotted before the first
 * signal: once the cluster is gone they would be orphans nobody can trace back.
 */
import { rmSync } from 'node:fs';
import { GauntletError } from '../errors.ts';
import { descendants, isRunning, signal, stillSame, waitFor, type ProcInfo } from './process-tree.ts';
import {
  isClusterProcess,
  isMonitoringProcess,
  readState,
  resolveDir,
  stateFile,
  type LocalMonitoringState,
} from './state.ts';

export interface LocalDownOptions {
  readonly dir?: string;
  readonly cwd?: string;
  /** Grace before SIGKILL. @default 20 s (the cluster gives pods no grace on shutdown) */
  readonly timeoutMs?: number;
}

export interface LocalDownResult {
  /** False when no cluster was running in the dir. */
  readonly stopped: boolean;
  readonly dir: string;
  readonly pid?: number;
  /** True when SIGKILL was needed. */
  readonly forced?: boolean;
  /** Set when monitoring was recorded for the cluster and still ran. */
  readonly monitoring?: { readonly pid: number; readonly forced: boolean };
}

function killTree(pid: number, known: readonly ProcInfo[]): void {
  signal(-pid, 'SIGKILL');
  signal(pid, 'SIGKILL');
  for (const p of [...known, ...descendants(pid)]) {
    if (!stillSame(p)) continue;
    signal(-p.pgid, 'SIGKILL');
    signal(p.pid, 'SIGKILL');
  }
}

/** Stops cluster process `pid` and its descendants; resolves once every one of them is gone. */
export async function stopClusterProcess(pid: number, timeoutMs: number): Promise<{ forced: boolean }> {
  const tree = descendants(pid);
  signal(pid, 'SIGTERM');
  let forced = false;
  if (!(await waitFor(() => !isRunning(pid), timeoutMs))) {
    forced = true;
    killTree(pid, tree);
    await waitFor(() => !isRunning(pid), 5000);
  }
  // A clean exit kills the pods first; anything of the snapshot still here is an orphan.
  const left = () => tree.filter(stillSame);
  if (left().length && !(await waitFor(() => left().length === 0, 2000))) {
    forced = true;
    for (const p of left()) {
      signal(-p.pgid, 'SIGKILL');
      signal(p.pid, 'SIGKILL');
    }
    await waitFor(() => left().length === 0, 5000);
  }
  const stuck = [pid, ...left().map((p) => p.pid)].filter(isRunning);
  if (stuck.length)
    throw new GauntletError(
      'GAUNTLET_SETUP',
      `local cluster: processes ${stuck.join(', ')} survived SIGKILL`,
    );
  return { forced };
}

/** Stops the monitoring process recorded for `dir` (and with it both servers); false when it was not running. */
export async function stopLocalMonitoring(
  dir: string,
  monitoring: LocalMonitoringState,
  timeoutMs = 15_000,
): Promise<{ stopped: boolean; forced: boolean }> {
  if (!isMonitoringProcess(monitoring.pid, dir)) return { stopped: false, forced: false };
  const { forced } = await stopClusterProcess(monitoring.pid, timeoutMs);
  return { stopped: true, forced };
}

export async function localDown(options: LocalDownOptions = {}): Promise<LocalDownResult> {
  const dir = resolveDir(options.dir, options.cwd);
  const state = readState(dir);
  if (!state) return { stopped: false, dir };
  // Before the cluster, so Prometheus does not spend its last seconds failing to scrape it; and
  // whether or not the cluster still runs.
  const mon = state.monitoring ? await stopLocalMonitoring(dir, state.monitoring) : undefined;
  const monitoring = mon?.stopped ? { monitoring: { pid: state.monitoring!.pid, forced: mon.forced } } : {};
  if (!isClusterProcess(state.pid, dir)) {
    // Dead, or the PID now belongs to another program: never signal it.
    rmSync(stateFile(dir), { force: true });
    return { stopped: false, dir, pid: state.pid, ...monitoring };
  }
  const { forced } = await stopClusterProcess(state.pid, options.timeoutMs ?? 20_000);
  rmSync(stateFile(dir), { force: true });
  return { stopped: true, dir, pid: state.pid, forced, ...monitoring };
}
