/**
 * `gauntlet local up | status | down`: the embedded local cluster in the background, with a
 * kubeconfig any Kubernetes tool (and gauntlet's --kubeconfig) can use, and with `--monitoring`
 * Prometheus and Alertmanager watching it on loopback.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import {
  localDown,
  localStatus,
  localUp,
  type LocalMonitoringOptions,
  type LocalStatus,
} from '../local/index.ts';
import { parseDuration } from '../scenario/duration.ts';
import * as flag from './flags.ts';

interface DirFlags {
  dir?: string;
}

interface UpFlags extends DirFlags {
  stack?: boolean;
  zones?: number;
  nodesPerZone?: number;
  timeout?: string;
  monitoring?: boolean;
  scrapeInterval?: string;
  rules?: string[];
}

function monitoringOptions(opts: UpFlags): { monitoring?: LocalMonitoringOptions } {
  if (!opts.monitoring) {
    const stray =
      opts.scrapeInterval !== undefined ? '--scrape-interval' : opts.rules ? '--rules' : undefined;
    if (stray) throw new UsageError(`${stray} configures Prometheus: add --monitoring`);
    return {};
  }
  for (const f of opts.rules ?? []) {
    if (!existsSync(f)) throw new UsageError(`--rules: ${f} does not exist; give a Prometheus rules file`);
  }
  const intervalS =
    opts.scrapeInterval !== undefined ? parseDuration(opts.scrapeInterval)! / 1000 : undefined;
  return {
    monitoring: {
      ...(intervalS !== undefined ? { scrapeIntervalS: intervalS, evaluationIntervalS: intervalS } : {}),
      ...(opts.rules ? { rulesFiles: opts.rules } : {}),
    },
  };
}

function intInRange(name: string, min: number, max: number, example: string) {
  const base = flag.positiveInt(name, example);
  return (value: string): number => {
    const n = base(value);
    if (n < min || n > max)
      throw new UsageError(`${name}: '${value}' must be from ${min} to ${max}; use e.g. ${name} ${example}`);
    return n;
  };
}

const out = (line = ''): boolean => process.stdout.write(`${line}\n`);

function printStatus(s: LocalStatus): void {
  if (!s.running || !s.state) {
    out(`no local cluster running in ${s.dir}`);
    return;
  }
  const st = s.state;
  out(`local cluster running in ${s.dir} (pid ${st.pid}, since ${st.startedAt})`);
  out(`  kubeconfig: ${st.kubeconfig}`);
  out(`  api:        ${st.apiUrl}`);
  out(`  ingress:    ${st.ingressUrl}${st.stack ? ' (Novel Engine stack deployed)' : ''}`);
  const m = s.monitoring;
  if (m?.running) {
    out(
      `  prometheus:   ${m.prometheusUrl} (scrape ${m.scrapeIntervalS} s, evaluation ${m.evaluationIntervalS} s)`,
    );
    out(`  alertmanager: ${m.alertmanagerUrl}`);
  } else if (m) {
    out(`  monitoring: stopped (start it again with gauntlet local up --monitoring)`);
  }
  if (s.error) {
    out(`  the API did not answer: ${s.error}`);
    return;
  }
  for (const z of s.zones ?? []) out(`  ${z.zone}: ${z.ready}/${z.nodes} nodes Ready`);
  const p = s.pods!;
  out(`  pods: ${p.total} (${p.running} running, ${p.ready} ready)`);
  for (const f of s.faults ?? [])
    out(`  fault ${f.id}: ${f.mode} on ${f.zone ?? f.node} since ${f.startedAt}`);
}

export function addLocalCommand(program: Command, setExit: (code: number) => void): void {
  const local = program
    .command('local')
    .description('run the embedded local cluster (Kubernetes API over local processes) in the background');

  local
    .command('up')
    .description('start the local cluster in the background and print its kubeconfig path')
    .option('--stack', 'also deploy the Novel Engine stack and wait until it answers through the ingress')
    .option('--dir <dir>', 'cluster directory (kubeconfig, state, logs)', '.gauntlet/local')
    .option('--zones <n>', 'number of zones (zone-a, zone-b, …)', intInRange('--zones', 1, 26, '3'))
    .option('--nodes-per-zone <n>', 'worker nodes per zone', intInRange('--nodes-per-zone', 1, 50, '2'))
    .option(
      '--timeout <d>',
      "how long to wait until it is ready, e.g. '90s' (default 60s, 3m with --stack)",
      flag.duration('--timeout'),
    )
    .option(
      '--monitoring',
      'also run Prometheus and Alertmanager on loopback (Debian: apt-get install prometheus prometheus-alertmanager)',
    )
    .option(
      '--scrape-interval <d>',
      "with --monitoring: scrape and rule evaluation interval, e.g. '1s' (default 5s)",
      flag.duration('--scrape-interval'),
    )
    .option(
      '--rules <file>',
      'with --monitoring: Prometheus rules file instead of infra-fixtures/prometheus/rules.yaml (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addHelpText(
      'after',
      `
Examples:
  gauntlet local up                 # 3 zones × 2 nodes; kubeconfig in .gauntlet/local/kubeconfig
  gauntlet local up --stack         # plus the Novel Engine stack behind the ingress
  gauntlet local up --stack --monitoring   # plus Prometheus and Alertmanager (alert-detection, server-side SLAs)
  gauntlet local up --monitoring    # on a running cluster: add Prometheus and Alertmanager to it
  export KUBECONFIG=$PWD/.gauntlet/local/kubeconfig && kubectl get nodes -L topology.kubernetes.io/zone`,
    )
    .action(async (opts: UpFlags) => {
      const monitoring = monitoringOptions(opts);
      const started = await localUp({
        dir: opts.dir,
        stack: opts.stack === true,
        ...monitoring,
        ...(opts.zones !== undefined ? { zones: opts.zones } : {}),
        ...(opts.nodesPerZone !== undefined ? { nodesPerZone: opts.nodesPerZone } : {}),
        ...(opts.timeout !== undefined ? { timeoutMs: parseDuration(opts.timeout)! } : {}),
      });
      out(
        started.alreadyRunning
          ? `local cluster already running (pid ${started.pid}) in ${started.dir}; monitoring started for it`
          : `local cluster up (pid ${started.pid}) in ${started.dir}`,
      );
      out(`kubeconfig: ${started.kubeconfig}`);
      if (started.ingressUrl) out(`ingress: ${started.ingressUrl}`);
      if (started.monitoring) {
        out(`prometheus: ${started.monitoring.prometheusUrl}`);
        out(`alertmanager: ${started.monitoring.alertmanagerUrl}`);
      }
      out(`export KUBECONFIG=${started.kubeconfig}`);
      setExit(0);
    });

  local
    .command('status')
    .description(
      'show whether the local cluster runs: nodes Ready per zone, pods, faults, URLs (exit 1 when not running)',
    )
    .option('--dir <dir>', 'cluster directory', '.gauntlet/local')
    .option('--json', 'print the status as JSON')
    .action(async (opts: DirFlags & { json?: boolean }) => {
      const s = await localStatus({ dir: opts.dir });
      if (opts.json) out(JSON.stringify(s, null, 2));
      else printStatus(s);
      setExit(s.running ? 0 : 1);
    });

  local
    .command('down')
    .description('stop the local cluster, its monitoring and every process they started')
    .option('--dir <dir>', 'cluster directory', '.gauntlet/local')
    .action(async (opts: DirFlags) => {
      const r = await localDown({ dir: opts.dir });
      if (r.monitoring)
        out(`monitoring stopped (pid ${r.monitoring.pid}${r.monitoring.forced ? ', after SIGKILL' : ''})`);
      if (!r.stopped) out(`no local cluster running in ${r.dir}`);
      else out(`local cluster stopped (pid ${r.pid}${r.forced ? ', after SIGKILL' : ''})`);
      setExit(0);
    });
}
