/**
 * Prometheus and Alertmanager beside a running local cluster: one detached process
 * (monitoring-main.ts) runs both, its URLs go into the cluster's state.json, and stopping that
 * process by its verified PID stops both servers. The process also exits by itself once the
 * cluster process is gone, so a cluster stopped any way leaves no Prometheus behind.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { GauntletError } from '../errors.ts';
import { stopClusterProcess } from './down.ts';
import { isRunning } from './process-tree.ts';
import { spawnDetached, tail } from './spawn.ts';
import { monitoringMain, readState, writeState, type LocalMonitoringState } from './state.ts';

export interface LocalMonitoringOptions {
  /** @default 5 */
  readonly scrapeIntervalS?: number;
  /** @default 5 */
  readonly evaluationIntervalS?: number;
  /** How often discovery is re-read. @default 2 */
  readonly sdRefreshIntervalS?: number;
  /** @default infra-fixtures/prometheus/rules.yaml */
  readonly rulesFiles?: readonly string[];
}

export const kMonitoringOutFile = 'monitoring.out';
export const kMonitoringLogFile = 'monitoring.log';

/** Short enough for the rules' `for: 15s` and 1m windows to mean what they say (4+ samples). */
const kDefaults = { scrapeIntervalS: 5, evaluationIntervalS: 5, sdRefreshIntervalS: 2 } as const;

function args(dir: string, o: LocalMonitoringOptions): string[] {
  const out = ['--dir', dir];
  out.push('--scrape-interval', String(o.scrapeIntervalS ?? kDefaults.scrapeIntervalS));
  out.push('--evaluation-interval', String(o.evaluationIntervalS ?? kDefaults.evaluationIntervalS));
  out.push('--sd-refresh', String(o.sdRefreshIntervalS ?? kDefaults.sdRefreshIntervalS));
  for (const f of o.rulesFiles ?? []) out.push('--rules', path.resolve(f));
  return out;
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Whether Prometheus and an Alertmanager (Debian's or upstream's name) are on PATH. */
export function monitoringInstalled(): boolean {
  return onPath('prometheus') && (onPath('prometheus-alertmanager') || onPath('alertmanager'));
}

/**
 * Starts monitoring for the cluster running in `dir` and records it in state.json. Throws a
 * setup error with the log tail when it does not come up (nothing is left running then).
 */
export async function startLocalMonitoring(
  dir: string,
  options: LocalMonitoringOptions = {},
  timeoutMs = 60_000,
): Promise<LocalMonitoringState> {
  const state = readState(dir);
  if (!state) throw new GauntletError('GAUNTLET_SETUP', `monitoring: no local cluster state in ${dir}`);
  const logFile = path.join(dir, kMonitoringLogFile);
  const started = await spawnDetached(
    'monitoring',
    monitoringMain,
    args(dir, options),
    { out: path.join(dir, kMonitoringOutFile), log: logFile },
    timeoutMs,
  );
  const r = started.ready;
  if (!r) {
    if (started.pid > 0 && isRunning(started.pid))
      await stopClusterProcess(started.pid, 5000).catch(() => undefined);
    const logTail = tail(logFile);
    throw new GauntletError(
      'GAUNTLET_SETUP',
      `monitoring for the local cluster in ${dir}: ${started.why ?? 'did not start'}${logTail ? `\n--- ${logFile} (last lines) ---\n${logTail}` : ''}`,
    );
  }
  const monitoring: LocalMonitoringState = {
    pid: started.pid,
    prometheusUrl: String(r.prometheusUrl),
    alertmanagerUrl: String(r.alertmanagerUrl),
    pids: r.pids as LocalMonitoringState['pids'],
    scrapeIntervalS: Number(r.scrapeIntervalS),
    evaluationIntervalS: Number(r.evaluationIntervalS),
    sdRefreshIntervalS: Number(r.sdRefreshIntervalS),
    rulesFiles: r.rulesFiles as string[],
    dir: String(r.dir),
  };
  // The cluster wrote state.json once, when it became ready; nothing else writes it now.
  writeState(dir, { ...(readState(dir) ?? state), monitoring });
  return monitoring;
}
