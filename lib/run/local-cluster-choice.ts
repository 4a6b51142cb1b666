/**
 * Which local cluster a run uses: the one already running (with its monitoring, if any), or one
 * started with the Novel Engine stack for this run alone, with Prometheus and Alertmanager when
 * the run asks for alerts or server-side SLAs and they are installed.
 */
import { localStatus, localUp, monitoringInstalled, type LocalClusterHandle } from '../local/index.ts';
import type { OpenSessionOptions } from './cluster-session.ts';
import { noPrometheusError } from './promql-slas.ts';

export interface LocalChoice {
  readonly kubeconfig: string;
  readonly started?: LocalClusterHandle;
  readonly monitoring?: { readonly prometheusUrl: string; readonly alertmanagerUrl: string };
  /** Why there is no monitoring, for the verdict. */
  readonly noMonitoring: string;
}

/**
 * The running local cluster, or one started for the run (with monitoring when alerts or
 * server-side SLAs are asked for and it can be had).
 */
export async function useLocalCluster(
  opts: OpenSessionOptions,
  wantsAlerts: boolean,
  log: (line: string) => void,
): Promise<LocalChoice> {
  // Only a run judges server-side SLAs (capacity searches on the client-side ones).
  const promqlSlas = opts.needsPrometheus ? opts.scenario.promqlSlas : [];
  const status = await localStatus({ dir: opts.cluster.localDir });
  if (status.running && status.state) {
    log(`local cluster running (pid ${status.state.pid}); using ${status.state.kubeconfig}`);
    const m = status.monitoring;
    return {
      kubeconfig: status.state.kubeconfig,
      ...(m?.running
        ? { monitoring: { prometheusUrl: m.prometheusUrl, alertmanagerUrl: m.alertmanagerUrl } }
        : {}),
      noMonitoring: m
        ? "the local cluster's monitoring has stopped"
        : 'the local cluster runs without monitoring',
    };
  }
  const installed = monitoringInstalled();
  // Before a cluster is started only to be stopped again: server-side SLAs cannot do without.
  if (promqlSlas.length && !opts.cluster.monitoring && !installed)
    throw noPrometheusError(promqlSlas, kNotInstalled);
  const monitoring = (wantsAlerts || promqlSlas.length > 0) && !opts.cluster.monitoring && installed;
  log(
    `starting the local cluster with the Novel Engine stack${monitoring ? ', Prometheus and Alertmanager' : ''} (stopped again after the run)…`,
  );
  const started = await localUp({ dir: opts.cluster.localDir, stack: true, monitoring });
  log(`local cluster up (pid ${started.pid}); kubeconfig ${started.kubeconfig}`);
  const m = started.monitoring;
  return {
    kubeconfig: started.kubeconfig,
    started,
    ...(m ? { monitoring: { prometheusUrl: m.prometheusUrl, alertmanagerUrl: m.alertmanagerUrl } } : {}),
    noMonitoring: kNotInstalled,
  };
}

const kNotInstalled =
  'Prometheus and Alertmanager are not installed (Debian: prometheus, prometheus-alertmanager)';
