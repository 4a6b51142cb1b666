/**
 * The embedded local cluster from gauntlet's side: start it in the background, ask how it is, stop
 * it with everything it started. The cluster itself (infra-fixtures/local-cluster) is a separate
 * program, started by path, never imported: it is the thing under test.
 *
 *   const c = await localUp({ stack: true });   // → { kubeconfig, apiUrl, ingressUrl, pid, dir, stop() }
 *   await localUp({ stack: true, monitoring: true }); // + Prometheus and Alertmanager: c.monitoring
 *   await localUp({ monitoring: true });          // on a running cluster: adds them (alreadyRunning: true)
 *   await localStatus();                          // → { running, state, zones, nodes, pods, faults, monitoring }
 *   await localDown();                            // SIGTERM, verify, SIGKILL after a timeout; no orphans
 *
 * Default dir: `.gauntlet/local` under the cwd (kubeconfig, state.json, local-cluster.log; with
 * monitoring also monitoring.log and monitoring/ holding Prometheus' and Alertmanager's files).
 */
export {
  localDown,
  stopClusterProcess,
  stopLocalMonitoring,
  type LocalDownOptions,
  type LocalDownResult,
} from './down.ts';
export { monitoringInstalled, startLocalMonitoring, type LocalMonitoringOptions } from './monitoring.ts';
export { localStatus, type FaultSummary, type LocalStatus, type ZoneStatus } from './status.ts';
export {
  isMonitoringProcess,
  kDefaultDir,
  readState,
  resolveDir,
  type LocalMonitoringState,
  type LocalState,
} from './state.ts';
export { kLogFile, kOutFile, localUp, type LocalClusterHandle, type LocalUpOptions } from './up.ts';
