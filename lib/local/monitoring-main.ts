/**
 * Prometheus and Alertmanager for the local cluster of a dir, as one background process:
 *
 *   node --import tsx lib/local/monitoring-main.ts --dir D [--scrape-interval S] [--evaluation-interval S]
 *        [--sd-refresh S] [--rules FILE]...
 *
 * Reads the running cluster's D/state.json (discovery, kube-state-metrics and ingress metrics URLs,
 * the kubeconfig for the token and CA), starts both servers on loopback with their files under
 * D/monitoring, and prints one JSON line `{"event":"ready", prometheusUrl, alertmanagerUrl, …}`.
 * SIGTERM or SIGINT stops both and exits 0; so does the cluster process going away, so a cluster
 * stopped any other way leaves no Prometheus behind. A failed start prints
 * `{"event":"failed","message":…}` and exits 1; bad flags exit 2 naming the flag.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { authFromKubeconfig, startMonitoring, type Monitoring } from '../monitoring/index.ts';
import { isRunning } from './process-tree.ts';
import { readState } from './state.ts';

interface Args {
  readonly dir: string;
  readonly scrapeIntervalS?: number;
  readonly evaluationIntervalS?: number;
  readonly sdRefreshIntervalS?: number;
  readonly rulesFiles?: string[];
}

class UsageError extends Error {}

function seconds(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${flag}: '${text}' is not a number of seconds > 0`);
  return n;
}

function parse(argv: string[]): Args {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        dir: { type: 'string' },
        'scrape-interval': { type: 'string' },
        'evaluation-interval': { type: 'string' },
        'sd-refresh': { type: 'string' },
        rules: { type: 'string', multiple: true },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!values.dir) throw new UsageError('--dir is required: the local cluster directory');
  const scrapeIntervalS = seconds('scrape-interval', values['scrape-interval']);
  const evaluationIntervalS = seconds('evaluation-interval', values['evaluation-interval']);
  const sdRefreshIntervalS = seconds('sd-refresh', values['sd-refresh']);
  return {
    dir: path.resolve(values.dir),
    ...(scrapeIntervalS !== undefined ? { scrapeIntervalS } : {}),
    ...(evaluationIntervalS !== undefined ? { evaluationIntervalS } : {}),
    ...(sdRefreshIntervalS !== undefined ? { sdRefreshIntervalS } : {}),
    ...(values.rules?.length ? { rulesFiles: values.rules.map((f) => path.resolve(f)) } : {}),
  };
}

function say(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function run(args: Args): Promise<void> {
  const cluster = readState(args.dir);
  if (!cluster || !isRunning(cluster.pid))
    throw new Error(`no local cluster running in ${args.dir}; start it with gauntlet local up`);
  if (!cluster.sdUrl || !cluster.stateMetricsUrl)
    throw new Error(
      `the cluster in ${args.dir} does not publish discovery URLs in state.json; restart it with gauntlet local down && gauntlet local up`,
    );
  const running: { m?: Monitoring } = {};
  let stopping = false;
  const stop = async (reason: string, code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`monitoring: ${reason}; stopping\n`);
    setTimeout(() => process.exit(code || 1), 15_000).unref();
    try {
      await running.m?.stop();
    } finally {
      process.exit(code);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));

  const auth = authFromKubeconfig(cluster.kubeconfig);
  const m = await startMonitoring({
    dir: path.join(args.dir, 'monitoring'),
    sdBaseUrl: cluster.sdUrl,
    stateMetricsUrl: cluster.stateMetricsUrl,
    ...(cluster.ingressMetricsUrl ? { ingressMetricsUrl: cluster.ingressMetricsUrl } : {}),
    auth: { token: auth.token, caPem: auth.caPem },
    ...(args.rulesFiles ? { rulesFiles: args.rulesFiles } : {}),
    ...(args.scrapeIntervalS !== undefined ? { scrapeIntervalS: args.scrapeIntervalS } : {}),
    ...(args.evaluationIntervalS !== undefined ? { evaluationIntervalS: args.evaluationIntervalS } : {}),
    ...(args.sdRefreshIntervalS !== undefined ? { sdRefreshIntervalS: args.sdRefreshIntervalS } : {}),
  });
  running.m = m;
  if (stopping) return;
  // Nothing to watch once the cluster is gone, whoever stopped it.
  setInterval(() => {
    if (!isRunning(cluster.pid)) void stop(`the cluster process ${cluster.pid} is gone`, 0);
  }, 1000);
  say({
    event: 'ready',
    pid: process.pid,
    prometheusUrl: m.prometheusUrl,
    alertmanagerUrl: m.alertmanagerUrl,
    pids: m.pids,
    ...m.settings,
    dir: path.join(args.dir, 'monitoring'),
  });
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`monitoring: ${(err as Error).message}\n`);
    process.exit(2);
  }
  try {
    await run(args);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `monitoring: start failed: ${err instanceof Error ? (err.stack ?? message) : message}\n`,
    );
    say({ event: 'failed', message });
    process.exit(1);
  }
}

await main();
