import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { createEngine } from '../load/index.ts';
import { loadScenarioFile } from '../scenario/load-file.ts';
import { resolveScenario } from '../scenario/resolve.ts';
import { LOCAL_STACK_TARGET, openClusterSession, type RunSession } from '../run/cluster-session.ts';
import { runScenario } from '../run/runner.ts';
import type { ResolvedScenario } from '../scenario/resolved.ts';
import { builtinReporterNames, createReporters } from '../../reports/registry.ts';
import { addTargetFlags } from './cluster-flags.ts';
import * as flag from './flags.ts';
import { defaultOutDir } from './out-dir.ts';
import { type QuickFlags, quickScenario } from './quick.ts';
import { interruptSignal } from './signals.ts';

export interface RunFlags extends QuickFlags {
  target?: string;
  kubeconfig?: string;
  context?: string;
  allowContext?: string[];
  localDir?: string;
  prometheus?: string;
  alertmanager?: string;
  out?: string;
  scale?: number;
  engine: string;
  parallelism?: number;
  reporter?: string[];
  quiet?: boolean;
}

export function addRunCommand(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('run')
    .description('run a scenario file, or a quick load test from flags, and write reports')
    .argument('[scenario]', 'scenario file (.ts), e.g. scenarios/smoke.ts')
    .option('--url <url>', 'target URL (quick run), or override the scenario target', flag.url('--url'));
  addTargetFlags(cmd)
    .option(
      '--prometheus <url>',
      "Prometheus watching the target, for alert-detection and server-side (promql) SLAs (with --alertmanager; default the local cluster's)",
      flag.url('--prometheus'),
    )
    .option(
      '--alertmanager <url>',
      'Alertmanager that Prometheus sends alerts to (with --prometheus)',
      flag.url('--alertmanager'),
    )
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option(
      '--allow-context <name>',
      'context faults may be injected into (repeatable; the local cluster is always allowed)',
      flag.list,
    )
    .option(
      '--rate <n>',
      'quick run: arrival rate, requests per second (open model)',
      flag.positiveNumber('--rate', '100'),
    )
    .option(
      '--connections <n>',
      'quick run: closed model with N connections instead of a rate',
      flag.positiveInt('--connections', '50'),
    )
    .option('--duration <d>', "quick run: how long, e.g. '30s' or '2m'", flag.duration('--duration'))
    .option('--method <m>', 'quick run: HTTP method', 'GET')
    .option('-H, --header <h>', "quick run: request header 'Name: value' (repeatable)", flag.header)
    .option('--body <text>', 'quick run: request body')
    .option('--sla <sla>', "quick run: SLA like 'p95<100ms', 'errors<0.1%' (repeatable)", flag.sla)
    .option(
      '--max-in-flight <n>',
      'cap on requests in flight; beyond it requests are dropped',
      flag.positiveInt('--max-in-flight', '500'),
    )
    .option('--timeout <d>', "request timeout, e.g. '5s'", flag.duration('--timeout'))
    .option(
      '--scale <f>',
      'multiply every duration of the scenario (quick CI runs)',
      flag.positiveNumber('--scale', '0.1'),
    )
    .option(
      '--engine <name>',
      'load engine: native, k6 (needs k6 on PATH), autocannon (closed model) or k6-operator (k6 runner pods in the target cluster)',
      'native',
    )
    .option(
      '--parallelism <n>',
      'k6-operator: number of k6 runner pods sharing the load (default 1)',
      flag.positiveInt('--parallelism', '4'),
    )
    .option('--out <dir>', 'report directory (default gauntlet-results/<scenario>-<time>/)')
    .option(
      '--reporter <names>',
      `reporters, comma-separated (${builtinReporterNames.join(', ')})`,
      flag.list,
    )
    .option(
      '-q, --quiet',
      'no live progress or final table: one PASS/FAIL line naming the report directory (every report file is still written)',
    )
    .addHelpText(
      'after',
      `
Examples:
  gauntlet run scenarios/smoke.ts --url http://127.0.0.1:8080
  gauntlet run --url http://127.0.0.1:8080/healthz --rate 1000 --duration 20s --sla 'p95<100ms' --sla 'errors<0.1%'
  gauntlet run scenarios/nightly.ts --scale 0.1 --out results/
  gauntlet run scenarios/pod-kill.ts --target local
  gauntlet run scenarios/nightly.ts --kubeconfig ~/.kube/config --engine k6-operator --parallelism 4
  gauntlet run scenarios/zone-outage.ts --kubeconfig ~/.kube/config --context kind-gauntlet --allow-context kind-gauntlet

Exit codes: 0 every verdict passed · 1 a verdict failed (or the run was invalid) · 2 usage or setup error · 130 interrupted`,
    )
    .action(async (file: string | undefined, opts: RunFlags) => {
      setExit(await runCommand(file, opts));
    });
}

export async function runCommand(file: string | undefined, opts: RunFlags): Promise<number> {
  const monitoring = monitoringFlags(opts);
  let scenario: ResolvedScenario;
  if (file) {
    scenario = await loadScenarioFile(file, { scale: opts.scale ?? 1 });
  } else {
    if (!opts.url && opts.target && opts.target !== 'local') opts = { ...opts, url: opts.target };
    scenario = resolveScenario(quickScenario(opts), { scale: opts.scale ?? 1, source: 'command line' });
  }
  const override = opts.url ?? (opts.target !== 'local' ? opts.target : undefined);
  if (file && override) scenario = resolveOverride(scenario, override);
  if (opts.target === 'local' && scenario.target.kind === 'url') {
    scenario = { ...scenario, target: LOCAL_STACK_TARGET };
  }
  const engine = createEngine(opts.engine, {
    ...(opts.parallelism !== undefined ? { parallelism: opts.parallelism } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  // --quiet is about the terminal: it drops the live console, never a report file.
  const names =
    opts.reporter ??
    (opts.quiet ? builtinReporterNames.filter((n) => n !== 'console') : [...builtinReporterNames]);
  const reporters = createReporters(names);
  const outDir = opts.out ?? defaultOutDir(scenario.name);
  const interrupt = interruptSignal(
    () => process.stderr.write('\ninterrupted: stopping load, writing reports (Ctrl-C again to quit now)\n'),
    scenario.chaos.length
      ? `a fault this run injected may still be in place: run \`gauntlet recover ${outDir}\` (add the run's --kubeconfig/--context)`
      : undefined,
  );
  const cluster = {
    local: opts.target === 'local' || !(opts.kubeconfig || opts.context),
    kubeconfig: opts.kubeconfig,
    context: opts.context,
    allow: opts.allowContext ? { contexts: opts.allowContext } : undefined,
    localDir: opts.localDir,
    monitoring,
  };
  let session: RunSession | undefined;
  try {
    if (scenario.target.kind === 'kubernetes') {
      session = await openClusterSession({
        scenario,
        outDir,
        cluster,
        log: (line) => process.stderr.write(`${line}\n`),
        needsPrometheus: scenario.promqlSlas.length > 0,
      });
    }
    const outcome = await runScenario({
      scenario,
      file: file ?? null,
      engine,
      reporters,
      outDir,
      signal: interrupt.signal,
      ...(session ? { session } : {}),
      ...(monitoring ? { prometheusUrl: monitoring.prometheusUrl } : {}),
    });
    for (const e of outcome.reporterErrors) {
      process.stderr.write(
        `warning: reporter '${e.reporter}' failed: ${e.error instanceof Error ? e.error.message : String(e.error)}\n`,
      );
    }
    if (opts.quiet && !opts.reporter)
      process.stdout.write(`${outcome.result.pass ? 'PASS' : 'FAIL'} ${scenario.name}: ${outDir}\n`);
    if (outcome.result.status === 'interrupted') return 130;
    return outcome.exitCode;
  } finally {
    await session?.close();
    interrupt.dispose();
  }
}

/** --prometheus and --alertmanager go together: alerts are read from one, the budget from the other. */
function monitoringFlags(opts: RunFlags): { prometheusUrl: string; alertmanagerUrl: string } | undefined {
  if (opts.prometheus === undefined && opts.alertmanager === undefined) return undefined;
  if (opts.prometheus === undefined || opts.alertmanager === undefined) {
    const missing = opts.prometheus === undefined ? '--prometheus' : '--alertmanager';
    throw new UsageError(
      `${missing} is missing: give --prometheus URL and --alertmanager URL together, e.g. --prometheus http://127.0.0.1:9090 --alertmanager http://127.0.0.1:9093`,
    );
  }
  return { prometheusUrl: opts.prometheus, alertmanagerUrl: opts.alertmanager };
}

/** `--url` with a scenario file points the same scenario at another target. */
function resolveOverride(s: ResolvedScenario, url: string): ResolvedScenario {
  const u = new URL(url);
  const base = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  // A Kubernetes target keeps its workload (observers, chaos) and only sends the load elsewhere.
  return {
    ...s,
    target: s.target.kind === 'kubernetes' ? { ...s.target, url: base } : { kind: 'url', url: base },
  };
}
