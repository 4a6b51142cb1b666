/**
 * `localStatus`: is a local cluster running in the dir, and how is it doing — nodes Ready per
 * zone, pods, active faults, the URLs and its monitoring — read through the API like any other
 * cluster.
 */
import { request } from 'node:https';
import { createClusterClient } from '../cluster/client.ts';
import { isMonitoringProcess, liveState, resolveDir, type LocalState } from './state.ts';

export interface ZoneStatus {
  readonly zone: string;
  readonly ready: number;
  readonly nodes: number;
}

export interface FaultSummary {
  readonly id: string;
  readonly mode: string;
  readonly zone?: string;
  readonly node?: string;
  readonly nodes: readonly string[];
  readonly startedAt: string;
}

export interface LocalStatus {
  readonly running: boolean;
  readonly dir: string;
  readonly state?: LocalState;
  readonly nodes?: ReadonlyArray<{ name: string; zone: string; ready: boolean }>;
  readonly zones?: readonly ZoneStatus[];
  readonly pods?: { total: number; running: number; ready: number };
  readonly faults?: readonly FaultSummary[];
  /** Set when the cluster was started with monitoring; `running` says whether it still runs. */
  readonly monitoring?: {
    readonly running: boolean;
    readonly prometheusUrl: string;
    readonly alertmanagerUrl: string;
    readonly scrapeIntervalS: number;
    readonly evaluationIntervalS: number;
  };
  /** Set when the process runs but its API did not answer. */
  readonly error?: string;
}

type Conditioned = { status?: { conditions?: Array<{ type: string; status: string }> } };

const isReady = (o: Conditioned): boolean =>
  (o.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

function fetchFaults(
  state: LocalState,
  caPem: string | undefined,
  token: string | undefined,
): Promise<FaultSummary[]> {
  return new Promise((resolve, reject) => {
    if (!state.faultsUrl) return resolve([]);
    const req = request(
      state.faultsUrl,
      { ca: caPem, headers: { Authorization: `Bearer ${token ?? ''}` }, timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          try {
            if (res.statusCode !== 200) throw new Error(`faults: HTTP ${res.statusCode}`);
            resolve((JSON.parse(body) as { items: FaultSummary[] }).items);
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('faults: no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

export async function localStatus(options: { dir?: string; cwd?: string } = {}): Promise<LocalStatus> {
  const dir = resolveDir(options.dir, options.cwd);
  const state = liveState(dir);
  if (!state) return { running: false, dir };
  const m = state.monitoring;
  const monitoring = m
    ? {
        monitoring: {
          running: isMonitoringProcess(m.pid, dir),
          prometheusUrl: m.prometheusUrl,
          alertmanagerUrl: m.alertmanagerUrl,
          scrapeIntervalS: m.scrapeIntervalS,
          evaluationIntervalS: m.evaluationIntervalS,
        },
      }
    : {};
  try {
    const client = createClusterClient({ kubeconfig: state.kubeconfig });
    const [nodeList, podList] = await Promise.all([
      client.core.listNode(),
      client.core.listPodForAllNamespaces(),
    ]);
    const nodes = nodeList.items.map((n) => ({
      name: n.metadata?.name ?? '',
      zone: n.metadata?.labels?.['topology.kubernetes.io/zone'] ?? '',
      ready: isReady(n as Conditioned),
    }));
    const zones = [...new Set(nodes.map((n) => n.zone))].sort().map((zone) => {
      const inZone = nodes.filter((n) => n.zone === zone);
      return { zone, ready: inZone.filter((n) => n.ready).length, nodes: inZone.length };
    });
    const pods = {
      total: podList.items.length,
      running: podList.items.filter((p) => p.status?.phase === 'Running').length,
      ready: podList.items.filter((p) => isReady(p as Conditioned)).length,
    };
    const cluster = client.kc.getCurrentCluster();
    const ca = cluster?.caData ? Buffer.from(cluster.caData, 'base64').toString('utf8') : undefined;
    const faults = await fetchFaults(state, ca, client.kc.getCurrentUser()?.token);
    return { running: true, dir, state, nodes, zones, pods, faults, ...monitoring };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { running: true, dir, state, ...monitoring, error };
  }
}
