/**
 * `localUp`: starts the local cluster (infra-fixtures/local-cluster/main.ts) as a detached
 * background process and waits for its ready line. Its stdout and stderr go to files in the
 * cluster dir, not pipes, so it outlives the command that started it without writing into a
 * closed pipe: `<dir>/local-cluster.out` (the JSON ready line) and `<dir>/local-cluster.log`.
 * With `monitoring`, Prometheus and Alertmanager follow (./monitoring.ts); if they cannot start,
 * the cluster is stopped again and the error says why. With `monitoring` on a cluster already
 * running without it, only they are started (and recorded in its state.json, so `local status`
 * shows them and `local down` stops them).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { GauntletError } from '../errors.ts';
import { localDown, stopClusterProcess, stopLocalMonitoring } from './down.ts';
import { startLocalMonitoring, type LocalMonitoringOptions } from './monitoring.ts';
import { isRunning } from './process-tree.ts';
import { spawnDetached, tail } from './spawn.ts';
import {
  clusterMain,
  isMonitoringProcess,
  liveState,
  readState,
  resolveDir,
  stateFile,
  writeState,
  type LocalMonitoringState,
  type LocalState,
} from './state.ts';

export interface LocalUpOptions {
  /** Cluster dir (kubeconfig, state.json, logs). @default .gauntlet/local under `cwd` */
  readonly dir?: string;
  readonly cwd?: string;
  /** Deploy the Novel Engine stack and wait until it answers through the ingress. */
  readonly stack?: boolean;
  readonly zones?: number;
  readonly nodesPerZone?: number;
  readonly apiPort?: number;
  readonly ingressPort?: number;
  /** Real ms per cluster ms for node lifecycle, heartbeats, HPA and kubelet timings. */
  readonly timeScale?: number;
  /** How long to wait for the ready line. @default 60 s, 180 s with stack */
  readonly timeoutMs?: number;
  /** Also run Prometheus and Alertmanager on loopback for the cluster (needs both installed). */
  readonly monitoring?: boolean | LocalMonitoringOptions;
}

export interface LocalClusterHandle {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly apiUrl: string;
  /** Set with `stack`; the ingress URL the stack's Ingress publishes. */
  readonly ingressUrl?: string;
  readonly pid: number;
  /** Set with `monitoring`. */
  readonly monitoring?: LocalMonitoringState;
  /**
   * The cluster was already running and only its monitoring was started now; stop() then stops
   * that monitoring and leaves the cluster.
   */
  readonly alreadyRunning?: boolean;
  stop(): Promise<void>;
}

export const kOutFile = 'local-cluster.out';
export const kLogFile = 'local-cluster.log';

function flags(o: LocalUpOptions): string[] {
  const out: string[] = [];
  const add = (flag: string, v: number | undefined) => v !== undefined && out.push(flag, String(v));
  add('--zones', o.zones);
  add('--nodes-per-zone', o.nodesPerZone);
  add('--api-port', o.apiPort);
  add('--ingress-port', o.ingressPort);
  add('--time-scale', o.timeScale);
  if (o.stack) out.push('--stack');
  return out;
}

/**
 * `local up --monitoring` on a cluster that runs without it starts Prometheus and Alertmanager
 * for it; anything else asked of a running cluster is refused, naming what to do instead.
 */
async function addMonitoring(dir: string, state: LocalState, o: LocalUpOptions): Promise<LocalClusterHandle> {
  const flag = o.dir ? ` --dir ${o.dir}` : '';
  const restart = `stop it with gauntlet local down${flag} first`;
  const refuse = (why: string): never => {
    throw new GauntletError(
      'GAUNTLET_SETUP',
      `a local cluster is already running in ${dir} (pid ${state.pid}); ${why}`,
    );
  };
  if (!o.monitoring) refuse(restart);
  if (o.stack && !state.stack) refuse(`it runs without the stack; to deploy it, ${restart}`);
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const shape = [
    o.zones !== undefined && o.zones !== state.zones.length ? count(state.zones.length, 'zone') : '',
    o.nodesPerZone !== undefined && o.nodesPerZone * state.zones.length !== state.nodes.length
      ? count(state.nodes.length, 'node')
      : '',
  ].filter(Boolean);
  if (shape.length) refuse(`it has ${shape.join(' and ')}; for another shape, ${restart}`);
  if (state.monitoring && isMonitoringProcess(state.monitoring.pid, dir))
    refuse(
      `its Prometheus (${state.monitoring.prometheusUrl}) and Alertmanager (${state.monitoring.alertmanagerUrl}) run already`,
    );
  const monitoring = await startLocalMonitoring(
    dir,
    o.monitoring === true ? {} : (o.monitoring as LocalMonitoringOptions),
  );
  return {
    dir,
    pid: state.pid,
    kubeconfig: state.kubeconfig,
    apiUrl: state.apiUrl,
    ...(state.stack ? { ingressUrl: state.ingressUrl } : {}),
    monitoring,
    alreadyRunning: true,
    stop: async () => {
      await stopLocalMonitoring(dir, monitoring);
      const now = readState(dir);
      if (now?.monitoring?.pid === monitoring.pid) {
        const { monitoring: _gone, ...rest } = now;
        writeState(dir, rest);
      }
    },
  };
}

export async function localUp(options: LocalUpOptions = {}): Promise<LocalClusterHandle> {
  const dir = resolveDir(options.dir, options.cwd);
  const running = liveState(dir);
  if (running) return addMonitoring(dir, running, options);
  mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, kLogFile);
  const timeoutMs = options.timeoutMs ?? (options.stack ? 180_000 : 60_000);
  const started = await spawnDetached(
    'cluster',
    clusterMain,
    ['--dir', dir, ...flags(options)],
    { out: path.join(dir, kOutFile), log: logFile },
    timeoutMs,
  );
  const pid = started.pid;
  const msg = started.ready;
  if (!msg) {
    // Whatever got started goes again; the dir keeps the log for a look.
    if (pid > 0 && isRunning(pid)) await stopClusterProcess(pid, 5000).catch(() => undefined);
    rmSync(stateFile(dir), { force: true });
    const stderrTail = tail(logFile);
    throw new GauntletError(
      'GAUNTLET_SETUP',
      `local cluster in ${dir}: ${started.why ?? 'did not start'}${stderrTail ? `\n--- ${logFile} (last lines) ---\n${stderrTail}` : ''}`,
    );
  }
  let monitoring: LocalMonitoringState | undefined;
  if (options.monitoring) {
    try {
      monitoring = await startLocalMonitoring(dir, options.monitoring === true ? {} : options.monitoring);
    } catch (err) {
      await localDown({ dir }).catch(() => undefined);
      throw err;
    }
  }
  return {
    dir,
    pid,
    kubeconfig: String(msg.kubeconfig),
    apiUrl: String(msg.apiUrl),
    ...(options.stack ? { ingressUrl: String(msg.ingressUrl) } : {}),
    ...(monitoring ? { monitoring } : {}),
    stop: async () => {
      await localDown({ dir });
    },
  };
}
