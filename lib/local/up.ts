/**
 * `localUp`: starts the local cluster (infra-fixtures/local-cluster/main.ts) as a detached
 * background process and waits for its ready line. Its stdout and stderr go to files in the
 * cluster dir, not pipes, so it outlives the command that started it without writing into a
 * closed pipe: `<dir>/local-cluster.out` (the JSON ready line) and `<dir>/local-cluster.log`.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { GauntletError } from '../errors.ts';
import { localDown, stopClusterProcess } from './down.ts';
import { isRunning, waitFor } from './process-tree.ts';
import { clusterMain, liveState, packageRoot, resolveDir, stateFile } from './state.ts';

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
}

export interface LocalClusterHandle {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly apiUrl: string;
  /** Set with `stack`; the ingress URL the stack's Ingress publishes. */
  readonly ingressUrl?: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export const kOutFile = 'local-cluster.out';
export const kLogFile = 'local-cluster.log';

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function readyLine(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (msg.event === 'ready' || msg.event === 'failed') return msg;
    } catch {
      // A line still being written; read again on the next poll.
    }
  }
  return undefined;
}

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

export async function localUp(options: LocalUpOptions = {}): Promise<LocalClusterHandle> {
  const dir = resolveDir(options.dir, options.cwd);
  const running = liveState(dir);
  if (running) {
    throw new GauntletError(
      'GAUNTLET_SETUP',
      `a local cluster is already running in ${dir} (pid ${running.pid}); stop it with gauntlet local down${options.dir ? ` --dir ${options.dir}` : ''}`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const outFile = path.join(dir, kOutFile);
  const logFile = path.join(dir, kLogFile);
  const out = openSync(outFile, 'w');
  const log = openSync(logFile, 'w');
  let child;
  try {
    // cwd = the package root, where `--import tsx` resolves, whatever the user's cwd is.
    child = spawn(process.execPath, ['--import', 'tsx', clusterMain, '--dir', dir, ...flags(options)], {
      cwd: packageRoot,
      detached: true,
      stdio: ['ignore', out, log],
      env: process.env,
    });
  } finally {
    closeSync(out);
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) throw new GauntletError('GAUNTLET_SETUP', `could not start ${clusterMain}`);
  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = sig ? `signal ${sig}` : `exit code ${code}`));
  child.unref();

  const timeoutMs = options.timeoutMs ?? (options.stack ? 180_000 : 60_000);
  let msg: Record<string, unknown> | undefined;
  await waitFor(
    () => (msg = readyLine(outFile)) !== undefined || exited !== undefined || !isRunning(pid),
    timeoutMs,
  );
  if (msg?.event !== 'ready') {
    const why =
      msg?.event === 'failed'
        ? `start failed: ${String(msg.message)}`
        : exited !== undefined || !isRunning(pid)
          ? `the cluster process exited (${exited ?? 'gone'}) before it was ready`
          : `no ready line within ${timeoutMs} ms`;
    // Whatever got started goes again; the dir keeps the log for a look.
    if (isRunning(pid)) await stopClusterProcess(pid, 5000).catch(() => undefined);
    rmSync(stateFile(dir), { force: true });
    const stderrTail = tail(logFile);
    throw new GauntletError(
      'GAUNTLET_SETUP',
      `local cluster in ${dir}: ${why}${stderrTail ? `\n--- ${logFile} (last lines) ---\n${stderrTail}` : ''}`,
    );
  }
  return {
    dir,
    pid,
    kubeconfig: String(msg.kubeconfig),
    apiUrl: String(msg.apiUrl),
    ...(options.stack ? { ingressUrl: String(msg.ingressUrl) } : {}),
    stop: async () => {
      await localDown({ dir });
    },
  };
}
