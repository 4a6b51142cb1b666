import type { Command } from 'commander';
import { createEngine } from '../load/index.ts';
import { loadScenarioFile } from '../scenario/load-file.ts';
import { resolveScenario } from '../scenario/resolve.ts';
import { runScenario } from '../run/runner.ts';
import type { ResolvedScenario } from '../scenario/resolved.ts';
import { builtinReporterNames, createReporters } from '../../reports/registry.ts';
import * as flag from './flags.ts';
import { defaultOutDir } from './out-dir.ts';
import { type QuickFlags, quickScenario } from './quick.ts';
import { interruptSignal } from './signals.ts';

export interface RunFlags extends QuickFlags {
  out?: string;
  scale?: number;
  engine: string;
  reporter?: string[];
  quiet?: boolean;
}

export function addRunCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('run a scenario file, or a quick load test from flags, and write reports')
    .argument('[scenario]', 'scenario file (.ts), e.g. scenarios/smoke.ts')
    .option('--url <url>', 'target URL (quick run), or override the scenario target', flag.url('--url'))
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
    .option('--engine <name>', 'load engine', 'native')
    .option('--out <dir>', 'report directory (default gauntlet-results/<scenario>-<time>/)')
    .option(
      '--reporter <names>',
      `reporters, comma-separated (${builtinReporterNames.join(', ')})`,
      flag.list,
    )
    .option('-q, --quiet', 'no live progress (the final table is still printed)')
    .addHelpText(
      'after',
      `
Examples:
  gauntlet run scenarios/smoke.ts --url http://127.0.0.1:8080
  gauntlet run --url http://127.0.0.1:8080/healthz --rate 1000 --duration 20s --sla 'p95<100ms' --sla 'errors<0.1%'
  gauntlet run scenarios/nightly.ts --scale 0.1 --out results/

Exit codes: 0 every verdict passed · 1 a verdict failed (or the run was invalid) · 2 usage or setup error · 130 interrupted`,
    )
    .action(async (file: string | undefined, opts: RunFlags) => {
      setExit(await runCommand(file, opts));
    });
}

export async function runCommand(file: string | undefined, opts: RunFlags): Promise<number> {
  let scenario: ResolvedScenario;
  if (file) {
    scenario = await loadScenarioFile(file, { scale: opts.scale ?? 1 });
    if (opts.url) scenario = resolveOverride(scenario, opts.url);
  } else {
    scenario = resolveScenario(quickScenario(opts), { scale: opts.scale ?? 1, source: 'command line' });
  }
  const engine = createEngine(opts.engine);
  const names = opts.reporter ?? (opts.quiet ? ['json', 'junit', 'markdown'] : [...builtinReporterNames]);
  const reporters = createReporters(names);
  const outDir = opts.out ?? defaultOutDir(scenario.name);
  const interrupt = interruptSignal(() =>
    process.stderr.write('\ninterrupted: stopping load, writing reports (Ctrl-C again to quit now)\n'),
  );
  try {
    const outcome = await runScenario({
      scenario,
      file: file ?? null,
      engine,
      reporters,
      outDir,
      signal: interrupt.signal,
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
    interrupt.dispose();
  }
}

/** `--url` with a scenario file points the same scenario at another target. */
function resolveOverride(s: ResolvedScenario, url: string): ResolvedScenario {
  const u = new URL(url);
  return { ...s, target: { kind: 'url', url: `${u.origin}${u.pathname.replace(/\/+$/, '')}` } };
}
