/**
 * Generator efficiency, side by side in one run against one target (a minimal node:http server in
 * its own process):
 *   - fixed rates (open model): native engine (in this process) vs autocannon -R (child process),
 *     plus the paced floor (raw socket, same timer strategy, no HTTP parsing, no metrics)
 *   - max throughput (closed model): native closed vs autocannon vs gauntlet's autocannon engine
 *     (autocannon in this process, feeding gauntlet's metrics) vs wrk (when installed)
 * Reports generator CPU seconds per 1000 requests over the steady window (start-up excluded),
 * schedule lag where an engine has a schedule, and how evenly the target saw requests arrive
 * (busiest 10 ms over the mean: autocannon -R sends each second's quota in a burst).
 * Then the same scenario (the stand-in app's traffic mix, closed model) on the stand-in app
 * (infra-fixtures/app) with the native and the autocannon engine, each writing a result.json, and
 * wrk with the same mix (a generated Lua script) where installed: side by side, with what makes
 * the two result.json files comparable checked and printed.
 * Loopback only; every run is bounded by --duration.
 *
 *   npx tsx bench/engine.ts [--duration 10] [--rates 1000,5000] [--connections 20] [--no-closed]
 *                           [--no-stand-in | --stand-in-only] [--out DIR]
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { createAutocannonEngine } from '../lib/load/autocannon/index.ts';
import { MetricsRecorder } from '../lib/metrics/recorder.ts';
import { createClock } from '../lib/run/clock.ts';
import { benchOptions, runNativeMeasured } from './support/native.ts';
import { runPacedFloor } from './support/floor.ts';
import { arrivalStats, procCpuSeconds, runMeasured, startTarget, type Target } from './support/processes.ts';
import { fmt } from './support/format.ts';
import { standInSideBySide } from './support/stand-in-engines.ts';
import { parseWrk, wrkBin } from './support/wrk.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: process.env.BENCH_DURATION ?? '10' },
    rates: { type: 'string', default: process.env.BENCH_RATES ?? '1000,5000' },
    connections: { type: 'string', default: '20' },
    'no-closed': { type: 'boolean', default: false },
    'no-stand-in': { type: 'boolean', default: false },
    'stand-in-only': { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`npm run bench:engine -- [options]   (or: npx tsx bench/engine.ts [options])

  --duration <s>      seconds per run, at least 3 (default 10, or $BENCH_DURATION)
  --rates <list>      open-model rates, req/s (default 1000,5000, or $BENCH_RATES)
  --connections <n>   connections of the closed-model runs (default 20)
  --no-closed         skip the closed-model max-throughput runs on the minimal server
  --no-stand-in       skip the same scenario on the stand-in app (native vs autocannon vs wrk)
  --stand-in-only     run only that comparison
  --out <dir>         where the stand-in runs write result.json (default a new temporary directory)

Loopback only. Run it on a quiet machine: the figures are CPU costs and throughputs.`);
  process.exit(0);
}
const durationS = Number(values.duration);
const rates = values.rates.split(',').map(Number);
const connections = Number(values.connections);
if (values['no-stand-in'] && values['stand-in-only'])
  throw new Error('--no-stand-in and --stand-in-only exclude each other');
if (!(durationS >= 3)) throw new Error('--duration must be at least 3 (seconds per run)');
if (rates.some((r) => !(r > 0))) throw new Error('--rates must be a comma-separated list of positive req/s');
const skipS = 1;

const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface Row {
  mode: string;
  engine: string;
  rps: number;
  cpuPer1k: number;
  targetCpuPer1k: number;
  lagP50: number | null;
  lagP99: number | null;
  latP50: number | null;
  latP99: number | null;
  peakToMean: number | null;
}
const rows: Row[] = [];

async function withTargetCpu<T>(target: Target, f: () => Promise<T>): Promise<[T, number]> {
  const before = procCpuSeconds(target.pid) ?? Number.NaN;
  const out = await f();
  return [out, (procCpuSeconds(target.pid) ?? Number.NaN) - before];
}

async function native(target: Target, mode: string, rate: number | null): Promise<void> {
  const profile =
    rate === null
      ? ({ kind: 'closed', connections, durationMs: durationS * 1000 } as const)
      : ({ kind: 'constant-arrival-rate', rate, durationMs: durationS * 1000 } as const);
  const [run, targetCpu] = await withTargetCpu(target, () =>
    runNativeMeasured(target.url, profile, benchOptions(connections), skipS),
  );
  const s = run.summary;
  rows.push({
    mode,
    engine: 'native',
    rps: s.requests.sent / durationS,
    cpuPer1k: run.cpuSeconds / (run.windowRequests / 1000),
    targetCpuPer1k: targetCpu / (s.requests.sent / 1000),
    lagP50: rate === null ? null : run.report.scheduleLagMs.p50,
    lagP99: rate === null ? null : run.report.scheduleLagMs.p99,
    latP50: s.latencyMs.p50,
    latP99: s.latencyMs.p99,
    peakToMean: (await arrivalStats(target)).peakToMean,
  });
  if (s.requests.dropped > 0 || s.requests.failed > 0) {
    console.log(`  native ${mode}: ${s.requests.dropped} dropped, ${s.requests.failed} failed`);
  }
}

interface AutocannonJson {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
}

async function autocannon(target: Target, mode: string, rate: number | null): Promise<void> {
  const args = [autocannonBin, '-j', '-c', String(connections), '-d', String(durationS)];
  if (rate !== null) args.push('-R', String(rate));
  const [run, targetCpu] = await withTargetCpu(target, () =>
    runMeasured(process.execPath, [...args, target.url], skipS + 0.5),
  );
  const json = JSON.parse(run.stdout.trim().split('\n').pop()!) as AutocannonJson;
  const rps = json.requests.total / durationS;
  rows.push({
    mode,
    engine: 'autocannon',
    rps,
    cpuPer1k: run.cpuSeconds / ((rps * run.windowS) / 1000),
    targetCpuPer1k: targetCpu / (json.requests.total / 1000),
    lagP50: null,
    lagP99: null,
    latP50: json.latency.p50,
    latP99: json.latency.p99,
    peakToMean: (await arrivalStats(target)).peakToMean,
  });
}

/** gauntlet's autocannon engine in this process (closed model): autocannon plus the metrics path. */
async function autocannonEngine(target: Target, mode: string): Promise<void> {
  const clock = createClock();
  const options = benchOptions(connections);
  const recorder = new MetricsRecorder({ timeoutMs: options.timeoutMs, now: clock.now });
  let start: { cpu: NodeJS.CpuUsage; sent: number; t: number } | null = null;
  const mark = setTimeout(() => {
    start = { cpu: process.cpuUsage(), sent: recorder.totals().sent, t: performance.now() };
  }, skipS * 1000);
  const [, targetCpu] = await withTargetCpu(target, () =>
    createAutocannonEngine().run(
      {
        baseUrl: target.url,
        requests: [
          {
            name: 'ok',
            method: 'GET',
            path: '/',
            headers: {},
            body: undefined,
            expectStatus: [200],
            weight: 1,
          },
        ],
        profile: { kind: 'closed', connections, durationMs: durationS * 1000 },
        options,
      },
      { clock, metrics: recorder, signal: new AbortController().signal },
    ),
  );
  clearTimeout(mark);
  const s = start as { cpu: NodeJS.CpuUsage; sent: number; t: number } | null;
  const cpu = s ? process.cpuUsage(s.cpu) : { user: Number.NaN, system: Number.NaN };
  const windowRequests = s ? recorder.totals().sent - s.sent : 0;
  recorder.finish();
  const summary = recorder.summary({ engine: 'autocannon', model: 'closed', durationS: clock.now() / 1000 });
  rows.push({
    mode,
    engine: 'autocannon engine',
    rps: summary.requests.sent / durationS,
    cpuPer1k: (cpu.user + cpu.system) / 1e6 / (windowRequests / 1000),
    targetCpuPer1k: targetCpu / (summary.requests.sent / 1000),
    lagP50: null,
    lagP99: null,
    latP50: summary.latencyMs.p50,
    latP99: summary.latencyMs.p99,
    peakToMean: (await arrivalStats(target)).peakToMean,
  });
}

async function wrk(target: Target, mode: string): Promise<void> {
  const args = ['-t1', `-c${connections}`, `-d${durationS}s`, '--latency', target.url + '/'];
  const [run, targetCpu] = await withTargetCpu(target, () => runMeasured(wrkBin!, args, skipS));
  const { rps, pct } = parseWrk(run.stdout);
  rows.push({
    mode,
    engine: 'wrk',
    rps,
    cpuPer1k: run.cpuSeconds / ((rps * run.windowS) / 1000),
    targetCpuPer1k: targetCpu / ((rps * durationS) / 1000),
    lagP50: null,
    lagP99: null,
    latP50: pct('50'),
    latP99: pct('99'),
    peakToMean: (await arrivalStats(target)).peakToMean,
  });
}

async function floor(target: Target, mode: string, rate: number): Promise<void> {
  const [run, targetCpu] = await withTargetCpu(target, () =>
    runPacedFloor(target.url, rate, durationS, skipS),
  );
  if (run.received < run.sent) console.log(`  floor ${mode}: ${run.sent - run.received} responses missing`);
  rows.push({
    mode,
    engine: 'paced floor',
    rps: run.sent / durationS,
    cpuPer1k: run.cpuPer1k,
    targetCpuPer1k: targetCpu / (run.sent / 1000),
    lagP50: run.lagP50,
    lagP99: run.lagP99,
    latP50: null,
    latP99: null,
    peakToMean: (await arrivalStats(target)).peakToMean,
  });
}

function printTable(): void {
  const head = [
    'mode',
    'engine',
    'req/s',
    'CPU s/1k req',
    'target CPU s/1k',
    'lag p50 ms',
    'lag p99 ms',
    'lat p50 ms',
    'lat p99 ms',
    'peak/mean 10ms',
  ];
  const body = rows.map((r) => [
    r.mode,
    r.engine,
    r.rps.toFixed(0),
    fmt(r.cpuPer1k, 4),
    fmt(r.targetCpuPer1k, 4),
    fmt(r.lagP50),
    fmt(r.lagP99),
    fmt(r.latP50),
    fmt(r.latP99),
    fmt(r.peakToMean, 1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log('\n' + line(head));
  for (const b of body) console.log(line(b));
  console.log('\nnative / autocannon CPU per request:');
  for (const mode of new Set(rows.map((r) => r.mode))) {
    const n = rows.find((r) => r.mode === mode && r.engine === 'native');
    const a = rows.find((r) => r.mode === mode && r.engine === 'autocannon');
    const f = rows.find((r) => r.mode === mode && r.engine === 'paced floor');
    if (n && a) {
      const vsFloor = f ? ` (native / paced floor: ${(n.cpuPer1k / f.cpuPer1k).toFixed(2)})` : '';
      console.log(`  ${mode}: ${(n.cpuPer1k / a.cpuPer1k).toFixed(2)}${vsFloor}`);
    }
  }
}

async function main(): Promise<void> {
  if (values['stand-in-only']) return standInSideBySide({ durationS, connections, out: values.out });
  const target = await startTarget();
  console.log(`target ${target.url} (pid ${target.pid}); ${durationS} s per run, ${connections} connections`);
  try {
    // Warm the JIT and undici's parser so the first measured run is not billed for them.
    await runNativeMeasured(
      target.url,
      { kind: 'constant-arrival-rate', rate: rates[0]!, durationMs: 2000 },
      benchOptions(connections),
    );
    await arrivalStats(target);
    for (const rate of rates) {
      const mode = `open ${rate}/s`;
      console.log(`running ${mode} …`);
      await native(target, mode, rate);
      await autocannon(target, mode, rate);
      await floor(target, mode, rate);
    }
    if (!values['no-closed']) {
      const mode = 'closed max';
      console.log(`running ${mode} …`);
      await native(target, mode, null);
      await autocannon(target, mode, null);
      await autocannonEngine(target, mode);
      if (wrkBin) await wrk(target, mode);
      else console.log('  wrk not installed: skipped (apt-get install -y wrk)');
    }
  } finally {
    await target.stop();
  }
  printTable();
  console.log(
    '\nwrk is closed-model only (no fixed-rate mode without wrk2); lag is n/a where an engine has no schedule.',
  );
  if (!values['no-stand-in']) await standInSideBySide({ durationS, connections, out: values.out });
}

await main();
