/**
 * Prometheus and Alertmanager for one cluster, on loopback ports of their own, with their
 * configuration and data under `dir`. Discovery reads the cluster's http_sd endpoint (bearer
 * token and CA from the kubeconfig when it is https); the rules default to
 * infra-fixtures/prometheus/rules.yaml.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { AlertmanagerClient, PrometheusClient } from './api.ts';
import { kAlertmanagerConfig, kRulesFile, renderPrometheusConfig } from './config.ts';
import { startServer, type ServerProcess } from './process.ts';

export interface MonitoringAuth {
  /** Bearer token sent to discovery and kube-state-metrics. */
  readonly token: string;
  /** PEM of the CA that signed the cluster's serving certificate. */
  readonly caPem: string;
}

export interface MonitoringOptions {
  /** Config, logs and data go here (created if missing). */
  readonly dir: string;
  /** The cluster's discovery base, e.g. `${apiUrl}/local-cluster/v1/sd`. */
  readonly sdBaseUrl: string;
  /** Required when sdBaseUrl is https. */
  readonly auth?: MonitoringAuth;
  /** The ingress proxy's /metrics (ingress-nginx-named series); omitted → not scraped. */
  readonly ingressMetricsUrl?: string;
  /** @default `<sdBaseUrl>/../state-metrics`; null → not scraped. */
  readonly stateMetricsUrl?: string | null;
  /** @default [infra-fixtures/prometheus/rules.yaml] */
  readonly rulesFiles?: readonly string[];
  /** @default 15 */
  readonly scrapeIntervalS?: number;
  /** @default 15 */
  readonly evaluationIntervalS?: number;
  /** How often discovery is re-read, i.e. how late added and removed pods show. @default 5 */
  readonly sdRefreshIntervalS?: number;
  /** Binaries; default the first of Debian's and upstream's names found on PATH. */
  readonly prometheusBinary?: string;
  readonly alertmanagerBinary?: string;
  /** Per server. @default 30000 */
  readonly startTimeoutMs?: number;
}

export interface MonitoringSettings {
  readonly scrapeIntervalS: number;
  readonly evaluationIntervalS: number;
  readonly sdRefreshIntervalS: number;
  readonly rulesFiles: readonly string[];
}

export interface Monitoring {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly prometheus: PrometheusClient;
  readonly alertmanager: AlertmanagerClient;
  readonly settings: MonitoringSettings;
  readonly pids: { readonly prometheus: number; readonly alertmanager: number };
  /** The rendered prometheus.yml. */
  readonly configFile: string;
  /** Stops both servers (SIGTERM, then SIGKILL); safe to call twice. */
  stop(): Promise<void>;
}

/** The token and CA of a kubeconfig's current context (what `gauntlet local up` writes). */
export function authFromKubeconfig(file: string): MonitoringAuth & { server: string } {
  const kc = parse(readFileSync(file, 'utf8')) as {
    'current-context'?: string;
    contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
    clusters?: Array<{ name: string; cluster: { server: string; 'certificate-authority-data'?: string } }>;
    users?: Array<{ name: string; user: { token?: string } }>;
  };
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context']) ?? kc.contexts?.[0];
  const cluster = kc.clusters?.find((c) => c.name === ctx?.context.cluster)?.cluster;
  const token = kc.users?.find((u) => u.name === ctx?.context.user)?.user.token;
  const ca = cluster?.['certificate-authority-data'];
  if (!cluster || !token || !ca) {
    throw new Error(
      `${file}: the current context needs a server, certificate-authority-data and a user token (as gauntlet local up writes)`,
    );
  }
  return { server: cluster.server, token, caPem: Buffer.from(ca, 'base64').toString('utf8') };
}

function onPath(names: readonly string[]): string {
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      const file = path.join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // next
      }
    }
  }
  throw new Error(
    `none of ${names.join(', ')} is on PATH; install Prometheus and Alertmanager (Debian: apt-get install prometheus prometheus-alertmanager)`,
  );
}

function positive(v: number | undefined, fallback: number, field: string): number {
  const n = v ?? fallback;
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`startMonitoring: ${field} must be a positive number of seconds, got ${v}`);
  return n;
}

export async function startMonitoring(options: MonitoringOptions): Promise<Monitoring> {
  const dir = path.resolve(options.dir);
  const settings: MonitoringSettings = {
    scrapeIntervalS: positive(options.scrapeIntervalS, 15, 'scrapeIntervalS'),
    evaluationIntervalS: positive(options.evaluationIntervalS, 15, 'evaluationIntervalS'),
    sdRefreshIntervalS: positive(options.sdRefreshIntervalS, 5, 'sdRefreshIntervalS'),
    rulesFiles: (options.rulesFiles ?? [kRulesFile]).map((f) => path.resolve(f)),
  };
  for (const f of settings.rulesFiles) {
    if (!existsSync(f)) throw new Error(`startMonitoring: rules file ${f} does not exist`);
  }
  if (options.sdBaseUrl.startsWith('https:') && !options.auth)
    throw new Error('startMonitoring: an https sdBaseUrl needs auth {token, caPem} (see authFromKubeconfig)');
  const stateMetricsUrl =
    options.stateMetricsUrl === null
      ? undefined
      : (options.stateMetricsUrl ??
        new URL('state-metrics', `${options.sdBaseUrl.replace(/\/+$/, '')}/../`).href);
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  mkdirSync(path.join(dir, 'prometheus-data'), { recursive: true });
  mkdirSync(path.join(dir, 'alertmanager-data'), { recursive: true });

  let tokenFile: string | undefined;
  let caFile: string | undefined;
  if (options.auth) {
    tokenFile = path.join(dir, 'sd-token');
    caFile = path.join(dir, 'sd-ca.pem');
    writeFileSync(tokenFile, options.auth.token, { mode: 0o600 });
    writeFileSync(caFile, options.auth.caPem, { mode: 0o600 });
  }

  const started: ServerProcess[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  };
  try {
    const amConfig = path.join(dir, 'alertmanager.yml');
    writeFileSync(amConfig, readFileSync(kAlertmanagerConfig, 'utf8'));
    const am = await startServer({
      name: 'alertmanager',
      binary: options.alertmanagerBinary ?? onPath(['prometheus-alertmanager', 'alertmanager']),
      args: (port) => [
        `--config.file=${amConfig}`,
        `--storage.path=${path.join(dir, 'alertmanager-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // No gossip: a single instance, and nothing listens beyond loopback.
        '--cluster.listen-address=',
      ],
      logFile: path.join(dir, 'alertmanager.log'),
      readyPath: '/-/ready',
      timeoutMs,
    });
    started.push(am);

    const configFile = path.join(dir, 'prometheus.yml');
    writeFileSync(
      configFile,
      renderPrometheusConfig({
        sdBaseUrl: options.sdBaseUrl,
        ...(stateMetricsUrl ? { stateMetricsUrl } : {}),
        ...(options.ingressMetricsUrl ? { ingressMetricsUrl: options.ingressMetricsUrl } : {}),
        alertmanagerAddress: new URL(am.url).host,
        ...(tokenFile && caFile ? { tokenFile, caFile } : {}),
        rulesFiles: settings.rulesFiles,
        scrapeIntervalS: settings.scrapeIntervalS,
        evaluationIntervalS: settings.evaluationIntervalS,
        sdRefreshIntervalS: settings.sdRefreshIntervalS,
      }),
    );
    const prom = await startServer({
      name: 'prometheus',
      binary: options.prometheusBinary ?? onPath(['prometheus']),
      args: (port) => [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      logFile: path.join(dir, 'prometheus.log'),
      readyPath: '/-/ready',
      timeoutMs,
    });
    started.push(prom);

    let stopping: Promise<void> | undefined;
    return {
      prometheusUrl: prom.url,
      alertmanagerUrl: am.url,
      prometheus: new PrometheusClient(prom.url),
      alertmanager: new AlertmanagerClient(am.url),
      settings,
      pids: { prometheus: prom.pid, alertmanager: am.pid },
      configFile,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}
