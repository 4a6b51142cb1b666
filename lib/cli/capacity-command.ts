/**
 * `gauntlet capacity <scenario>`: steps of rising load on the scenario's target until its SLA
 * breaks, then the maximum sustainable rate, per replica and per CPU core, a replica count for a
 * target rate, and the latency-vs-throughput curve (capacity.json, capacity.md, capacity.html and
 * a PNG). Flags are checked here, before anything starts; the search lives in lib/capacity.
 */
import type { Command } from 'commander';
import { fmt } from '../assert/compare.ts';
import { defaultGeneratorLimits, type GeneratorHealthLimits } from '../assert/generator-health.ts';
import { runCapacity, MAX_STEPS } from '../capacity/search.ts';
import { startClusterProbe, type ClusterProbe } from '../capacity/cluster-probe.ts';
import type { LoadModel } from '../capacity/judge.ts';
import {
  checkStepPlan,
  defaultBisectResolution,
  plannedLevels,
  type BisectPlan,
  type StepPlan,
} from '../capacity/plan.ts';
import { createClusterClient } from '../cluster/client.ts';
import { resolveKubernetesTarget } from '../cluster/target.ts';
import { UsageError } from '../errors.ts';
import { createEngine } from '../load/index.ts';
import { localStatus } from '../local/index.ts';
import { LOCAL_STACK_TARGET, openClusterSession, type RunSession } from '../run/cluster-session.ts';
import { parseDuration } from '../scenario/duration.ts';
import { loadScenarioFile } from '../scenario/load-file.ts';
import type { ResolvedScenario } from '../scenario/resolved.ts';
import { parseSlaText } from '../scenario/sla-text.ts';
import { stepConditions } from '../capacity/conditions.ts';
import { stepResultLine, stepStartLine, summaryLines } from '../../reports/capacity/console.ts';
import { writeCapacityReports } from '../../reports/capacity/write.ts';
import { addTargetFlags } from './cluster-flags.ts';
import * as flag from './flags.ts';
import { defaultOutDir } from './out-dir.ts';
import { interruptSignal } from './signals.ts';

export interface CapacityFlags {
  target?: string;
  localDir?: string;
  kubeconfig?: string;
  context?: string;
  sla?: string[];
  start?: number;
  step?: number;
  factor?: number;
  max?: number;
  hold: string;
  warmup: string;
  bisect?: number | true;
  targetRate?: number;
  headroom?: number;
  replicas?: number;
  maxGeneratorLag?: string;
  model: string;
  engine: string;
  out?: string;
}

const defaults: Record<LoadModel, { start: number; step: number; max: number }> = {
  open: { start: 100, step: 100, max: 5000 },
  closed: { start: 10, step: 10, max: 500 },
};

export function addCapacityCommand(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('capacity')
    .description(
      'find the highest rate the target sustains within its SLA, and the replicas a target rate needs',
    )
    .argument(
      '<scenario>',
      'scenario file (.ts): its requests, target and SLAs; its load profile is replaced by the steps',
    );
  addTargetFlags(cmd)
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option(
      '--sla <sla>',
      "what each step must meet, e.g. 'p95<100ms', 'errors<0.1%' (repeatable; default: the scenario's latency and error SLAs)",
      capacitySla,
    )
    .option(
      '--start <n>',
      'first step: req/s (open model) or connections (closed); default 100 / 10',
      num('--start', '100'),
    )
    .option('--step <n>', 'add this much per step (default 100 req/s / 10 connections)', num('--step', '100'))
    .option('--factor <f>', 'multiply by this per step instead of adding, e.g. 1.5', factor)
    .option('--max <n>', 'highest step (default 5000 req/s / 500 connections)', num('--max', '5000'))
    .option(
      '--hold <d>',
      "judged time per step, after the warm-up, e.g. '20s'",
      flag.duration('--hold'),
      '20s',
    )
    .option(
      '--warmup <d>',
      "time at each step's load before judging, e.g. '5s' (0 for none)",
      flag.durationOrZero('--warmup'),
      '5s',
    )
    .option(
      '--bisect [steps]',
      'after the SLA breaks, bisect between the last good and the first bad step (at most N steps, default 3)',
      flag.positiveInt('--bisect', '3'),
    )
    .option(
      '--target-rate <rps>',
      'recommend a replica count for this rate, req/s',
      num('--target-rate', '1000'),
    )
    .option('--headroom <pct>', "spare capacity kept with --target-rate, e.g. '30%' (default 30%)", headroom)
    .option(
      '--replicas <n>',
      'replicas behind a URL target, for the per-replica figures (a Kubernetes target counts its ready pods)',
      flag.positiveInt('--replicas', '3'),
    )
    .option(
      '--max-generator-lag <d>',
      "how late (p99) the generator may issue requests before a step is invalid, e.g. '50ms' (default 50ms)",
      flag.duration('--max-generator-lag'),
    )
    .option('--model <open|closed>', 'open: steps are arrival rates; closed: steps are connections', 'open')
    .option('--engine <name>', 'load engine: native, or autocannon (closed model only)', 'native')
    .option('--out <dir>', 'report directory (default gauntlet-results/<scenario>-capacity-<time>/)')
    .addHelpText(
      'after',
      `
Each step runs the scenario's request mix at one rate for --warmup, then --hold, and only the hold is
judged against the SLA. The search climbs until a step breaks the SLA (then, with --bisect, narrows the
knee). A step where the generator itself fell behind is invalid and run once more; when it stays
invalid the search ends there as "generator-limited", never as the target's failure. On a Kubernetes target, ready replicas and the CPU
of the target's pods (metrics.k8s.io) are read during each step.

Replica recommendation: ceil(target rate / (rate per replica × (1 − headroom))), assuming throughput
scales linearly with replicas.

Examples:
  gauntlet capacity scenarios/smoke.ts --target http://127.0.0.1:8080 --sla 'p95<100ms' --start 50 --step 50
  gauntlet capacity scenarios/smoke.ts --target local --bisect --target-rate 1000 --headroom 30%
  gauntlet capacity scenarios/smoke.ts --target local --model closed --start 8 --factor 2 --max 256

Writes capacity.json, capacity.md, capacity.html and charts/latency-vs-throughput.png.
Exit codes: 0 a knee was found (or the SLA held up to --max) · 1 the SLA broke at the first step, or the
generator fell behind before the SLA broke · 2 usage or setup error · 130 interrupted`,
    )
    .action(async (file: string, opts: CapacityFlags) => {
      setExit(await capacityCommand(file, opts));
    });
}

function num(name: string, example: string) {
  return flag.positiveNumber(name, example);
}

function factor(value: string): number {
  const f = flag.positiveNumber('--factor', '1.5')(value);
  if (!(f > 1)) throw new UsageError(`--factor: '${value}' must be greater than 1; use e.g. --factor 1.5`);
  return f;
}

/** '30%', '30' → 0.3. */
function headroom(value: string): number {
  const n = Number(value.trim().replace(/%$/, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 100) {
    throw new UsageError(
      `--headroom: '${value}' is not a percentage from 0 to below 100; use e.g. --headroom 30%`,
    );
  }
  return n / 100;
}

function capacitySla(value: string, previous: string[] = []): string[] {
  const r = parseSlaText(value);
  if ('error' in r) throw new UsageError(`--sla: ${r.error}`);
  if (r.metric === 'achieved-rate') {
    throw new UsageError(
      `--sla: '${value}' judges the generator, not the target; capacity checks the generator on every step itself — use latency, errors or availability SLAs`,
    );
  }
  return [...previous, value];
}

/** Every flag checked and turned into the search's inputs; throws UsageError naming the flag. */
export function capacityInputs(opts: CapacityFlags): {
  model: LoadModel;
  plan: StepPlan;
  bisect: BisectPlan | null;
  holdMs: number;
  warmupMs: number;
  headroom: number;
  generatorLimits: GeneratorHealthLimits;
} {
  if (opts.model !== 'open' && opts.model !== 'closed') {
    throw new UsageError(
      `--model: '${opts.model}' is neither 'open' nor 'closed'; use --model open or --model closed`,
    );
  }
  const model: LoadModel = opts.model;
  if (opts.engine !== 'native' && opts.engine !== 'autocannon') {
    throw new UsageError(
      `--engine: '${opts.engine}' cannot drive capacity steps; use --engine native or --engine autocannon`,
    );
  }
  if (opts.engine === 'autocannon' && model !== 'closed') {
    throw new UsageError(
      '--engine autocannon drives the closed model only; add --model closed or use --engine native',
    );
  }
  if (opts.step !== undefined && opts.factor !== undefined) {
    throw new UsageError(
      '--step and --factor exclude each other: --step adds to each step, --factor multiplies it',
    );
  }
  if (opts.headroom !== undefined && opts.targetRate === undefined) {
    throw new UsageError('--headroom applies to a replica recommendation: add --target-rate <req/s>');
  }
  const d = defaults[model];
  const integer = model === 'closed';
  for (const [name, v] of [
    ['--start', opts.start],
    ['--step', opts.step],
    ['--max', opts.max],
  ] as const) {
    if (integer && v !== undefined && !Number.isInteger(v)) {
      throw new UsageError(`${name}: ${v} must be a whole number of connections with --model closed`);
    }
  }
  const plan: StepPlan = {
    start: opts.start ?? d.start,
    max: opts.max ?? Math.max(d.max, opts.start ?? d.start),
    growth:
      opts.factor !== undefined
        ? { kind: 'multiply', factor: opts.factor }
        : { kind: 'add', step: opts.step ?? d.step },
    integer,
  };
  if (plan.max < plan.start) {
    throw new UsageError(
      `--max: ${fmt(plan.max)} is below --start ${fmt(plan.start)}; raise --max or lower --start`,
    );
  }
  checkStepPlan(plan);
  const count = plannedLevels(plan).length;
  if (count > MAX_STEPS) {
    throw new UsageError(
      `--step/--max: the plan has ${count} steps (at most ${MAX_STEPS}); use a larger --step, a --factor, or a lower --max`,
    );
  }
  if (typeof opts.bisect === 'number' && opts.bisect > 20) {
    throw new UsageError(
      `--bisect: ${opts.bisect} steps is more than 20; each halves the bracket, so a few are enough (default 3)`,
    );
  }
  const bisect =
    opts.bisect === undefined
      ? null
      : { maxSteps: opts.bisect === true ? 3 : opts.bisect, resolution: defaultBisectResolution };
  return {
    model,
    plan,
    bisect,
    holdMs: parseDuration(opts.hold) as number,
    warmupMs: parseDuration(opts.warmup) as number,
    headroom: opts.headroom ?? 0.3,
    generatorLimits: {
      ...defaultGeneratorLimits,
      ...(opts.maxGeneratorLag ? { maxScheduleLagP99Ms: parseDuration(opts.maxGeneratorLag) as number } : {}),
    },
  };
}

function retarget(s: ResolvedScenario, opts: CapacityFlags): ResolvedScenario {
  if (opts.target === 'local') {
    return s.target.kind === 'url' ? { ...s, target: LOCAL_STACK_TARGET } : s;
  }
  if (!opts.target) return s;
  const u = new URL(opts.target);
  const base = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  // A Kubernetes target keeps its workload (replicas, CPU) and only sends the load elsewhere.
  return {
    ...s,
    target: s.target.kind === 'kubernetes' ? { ...s.target, url: base } : { kind: 'url', url: base },
  };
}

export async function capacityCommand(file: string, opts: CapacityFlags): Promise<number> {
  const inputs = capacityInputs(opts);
  if (opts.replicas !== undefined && opts.target === 'local') {
    throw new UsageError('--replicas is for URL targets; the local stack counts its ready pods itself');
  }
  const engine = createEngine(opts.engine);
  let scenario = retarget(await loadScenarioFile(file, { scale: 1 }), opts);
  if (opts.replicas !== undefined && scenario.target.kind === 'kubernetes') {
    throw new UsageError('--replicas is for URL targets; a Kubernetes target counts its ready pods itself');
  }
  const { conditions, notes } = stepConditions(scenario, opts.sla);
  if (scenario.chaos.length)
    notes.push("the scenario's chaos schedule is not run: capacity steps inject no faults");
  if (scenario.verify.length) notes.push("the scenario's verify entries are not judged by a capacity search");
  // The steps replace the load profile; faults and verdicts belong to `gauntlet run`.
  scenario = { ...scenario, chaos: [], verify: [] };
  const outDir = opts.out ?? defaultOutDir(`${scenario.name}-capacity`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const interrupt = interruptSignal(() =>
    process.stderr.write('\ninterrupted: stopping the step, writing reports (Ctrl-C again to quit now)\n'),
  );
  let session: RunSession | undefined;
  let probe: ClusterProbe | undefined;
  try {
    let url = scenario.target.kind === 'url' ? scenario.target.url : '';
    let headers: Readonly<Record<string, string>> = {};
    if (scenario.target.kind === 'kubernetes') {
      const local = opts.target === 'local' || !(opts.kubeconfig || opts.context);
      session = await openClusterSession({
        scenario,
        outDir,
        cluster: { local, kubeconfig: opts.kubeconfig, context: opts.context, localDir: opts.localDir },
        log,
      });
      url = session.url;
      headers = session.headers;
      const kubeconfig = local
        ? (await localStatus({ dir: opts.localDir })).state?.kubeconfig
        : opts.kubeconfig;
      const client = createClusterClient({ kubeconfig, context: local ? undefined : opts.context });
      const target = await resolveKubernetesTarget(client, scenario.target);
      probe = await startClusterProbe({ client, target, log });
    }
    const requests = scenario.requests.map((r) => ({ ...r, headers: { ...headers, ...r.headers } }));
    out(
      `capacity of ${scenario.name} at ${url}: ${conditions.map((c) => c.id).join(', ')} per step` +
        (inputs.model === 'closed' ? ' (closed model: steps are connections)' : ''),
    );
    const level = { model: inputs.model };
    const result = await runCapacity({
      scenario: { name: scenario.name, file },
      url,
      requests,
      load: scenario.load,
      engine,
      model: inputs.model,
      plan: inputs.plan,
      bisect: inputs.bisect,
      holdMs: inputs.holdMs,
      warmupMs: inputs.warmupMs,
      conditions,
      headroom: inputs.headroom,
      generatorLimits: inputs.generatorLimits,
      notes,
      signal: interrupt.signal,
      ...(probe ? { probe } : {}),
      ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
      ...(opts.targetRate !== undefined ? { targetRps: opts.targetRate } : {}),
      onStepStart: (i, l, phase, retry) =>
        out(stepStartLine(level, i, l, phase, inputs.warmupMs / 1000, inputs.holdMs / 1000, retry)),
      onStep: (s) => out(stepResultLine(level, s)),
    });
    const written = await writeCapacityReports(result, outDir);
    for (const e of written.errors) {
      log(
        `warning: ${e.file} was not written: ${e.error instanceof Error ? e.error.message : String(e.error)}`,
      );
    }
    for (const line of summaryLines(result, written.files)) out(line);
    if (interrupt.signal.aborted) return 130;
    return result.outcome === 'knee' || result.outcome === 'max-reached' ? 0 : 1;
  } finally {
    await probe?.close();
    await session?.close();
    interrupt.dispose();
  }
}
