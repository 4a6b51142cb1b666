/**
 * The local cluster as a process:
 *
 *   node --import tsx infra-fixtures/local-cluster/main.ts --dir D [--zones N] [--nodes-per-zone N] [--stack]
 *        [--api-port P] [--ingress-port P] [--time-scale F]
 *
 * Writes D/kubeconfig (0600, context gauntlet-local) and D/state.json (pid, apiUrl, ingressUrl,
 * kubeconfig, startedAt, the Prometheus endpoints sdUrl, stateMetricsUrl and ingressMetricsUrl,
 * …), then prints one JSON line `{"event":"ready",…}` on stdout; with
 * `--stack` only once the Novel Engine stack answers through the ingress. SIGTERM or SIGINT stops
 * every pod process and the servers, removes state.json and exits 0; a failed start prints
 * `{"event":"failed","message":…}` and exits 1. Bad flags exit 2 naming the flag.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCluster, type LocalCluster } from './cluster/index.ts';
import { kSdPrefix } from './sd/index.ts';
import { kStateMetricsPath } from './state-metrics/index.ts';

export const kStateFile = 'state.json';

interface Args {
  dir: string;
  zones?: number;
  nodesPerZone?: number;
  apiPort?: number;
  ingressPort?: number;
  timeScale?: number;
  stack: boolean;
}

class UsageError extends Error {}

function numberFlag(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${flag}: '${text}' is not a ${integer ? 'whole number' : 'number'} ≥ 0`);
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
        zones: { type: 'string' },
        'nodes-per-zone': { type: 'string' },
        'api-port': { type: 'string' },
        'ingress-port': { type: 'string' },
        'time-scale': { type: 'string' },
        stack: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    dir: path.resolve(values.dir ?? path.join('.gauntlet', 'local')),
    zones: numberFlag('zones', values.zones, true),
    nodesPerZone: numberFlag('nodes-per-zone', values['nodes-per-zone'], true),
    apiPort: numberFlag('api-port', values['api-port'], true),
    ingressPort: numberFlag('ingress-port', values['ingress-port'], true),
    timeScale: numberFlag('time-scale', values['time-scale'], false),
    stack: values.stack === true,
  };
}

async function writeState(file: string, state: Record<string, unknown>): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

function say(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function run(args: Args): Promise<void> {
  const stateFile = path.join(args.dir, kStateFile);
  const running: { cluster?: LocalCluster } = {};
  let stopping = false;
  const stop = async (reason: string, code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`local-cluster: ${reason}; stopping\n`);
    // A stuck shutdown must not leave the process (and its pods) behind: exit handlers kill the groups.
    setTimeout(() => process.exit(code || 1), 20_000).unref();
    try {
      await running.cluster?.close();
    } finally {
      await rm(stateFile, { force: true });
      process.exit(code);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('uncaughtException', (err) => {
    process.stderr.write(`local-cluster: ${err.stack ?? err.message}\n`);
    void stop('uncaught exception', 1);
  });

  const cluster = await startLocalCluster({
    dir: args.dir,
    zones: args.zones,
    nodesPerZone: args.nodesPerZone,
    apiPort: args.apiPort,
    ingressPort: args.ingressPort,
    timeScale: args.timeScale,
  });
  running.cluster = cluster;
  if (stopping) return;
  if (args.stack) {
    try {
      await cluster.deployStack();
    } catch (err) {
      await cluster.close().catch(() => undefined);
      throw err;
    }
  }
  const state = {
    pid: process.pid,
    apiUrl: cluster.apiUrl,
    ingressUrl: cluster.ingressUrl,
    faultsUrl: cluster.faultsUrl,
    // What Prometheus reads (behind the API's token and CA, except the ingress's own /metrics).
    sdUrl: `${cluster.apiUrl}${kSdPrefix.replace(/\/$/, '')}`,
    stateMetricsUrl: `${cluster.apiUrl}${kStateMetricsPath}`,
    ingressMetricsUrl: `${cluster.ingressAdminUrl}/metrics`,
    kubeconfig: cluster.kubeconfigPath,
    dir: cluster.dir,
    stack: args.stack,
    zones: [...new Set(cluster.nodes.map((n) => n.zone))],
    nodes: cluster.nodes.map((n) => n.name),
    startedAt: new Date().toISOString(),
  };
  await writeState(stateFile, state);
  say({ event: 'ready', ...state, stateFile });
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`local-cluster: ${(err as Error).message}\n`);
    process.exit(2);
  }
  try {
    await run(args);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `local-cluster: start failed: ${err instanceof Error ? (err.stack ?? message) : message}\n`,
    );
    say({ event: 'failed', message });
    process.exit(1);
  }
}

await main();
