/**
 * Does the native engine report the latency a user would really see? A target stalls ALL
 * responses for 1 s once every 5 s (a request arriving in [5k, 5k+1) s is answered at 5k+1 s).
 * From the schedule alone we know what a perfect open-model client must see: for each intended
 * send time t, latency = base + (stall end − t) inside a stall, base outside. We compare native's
 * p95/p99 with that truth, and show autocannon (closed model, rate-limited) beside it.
 *
 *   npx tsx bench/truth.ts [--rate 200] [--duration 30] [--every 5000] [--stall 1000] [--no-autocannon]
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createArrivalSchedule } from '../lib/load/schedule.ts';
import type { MetricsSink } from '../lib/metrics/types.ts';
import { createClock } from '../lib/run/clock.ts';
import { benchOptions, runNativeMeasured } from './support/native.ts';
import { runMeasured, startTarget } from './support/processes.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: process.env.BENCH_DURATION ?? '30' },
    every: { type: 'string', default: '5000' },
    stall: { type: 'string', default: '1000' },
    'no-autocannon': { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const durationS = Number(values.duration);
const every = Number(values.every);
const stall = Number(values.stall);
if (!(rate > 0)) throw new Error('--rate must be a positive number of req/s');
if (!(durationS * 1000 > every))
  throw new Error('--duration must be longer than --every (or no stall happens)');
if (!(stall > 0 && stall < every)) throw new Error('--stall must be between 0 and --every ms');

const wallNow = () => performance.timeOrigin + performance.now();
/** Same rule as the target server: ms a request arriving at `wall` is held. */
const heldFor = (wall: number, anchor: number) => {
  const since = wall - anchor;
  if (since < every) return 0;
  const into = since % every;
  return into < stall ? stall - into : 0;
};
/** The value at rank ceil(p·n), as HDR histograms define percentiles. */
const rankPercentile = (sorted: Float64Array, p: number) =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
const pct = (got: number | null, truth: number) =>
  got === null ? 'n/a' : `${(((got - truth) / truth) * 100).toFixed(1).padStart(6)} %`;
const ms = (v: number | null) => (v === null ? 'n/a' : v.toFixed(1).padStart(8));

async function sleepUntil(wall: number): Promise<void> {
  while (wallNow() < wall - 5) await new Promise((r) => setTimeout(r, Math.max(1, wall - wallNow() - 5)));
  while (wallNow() < wall);
}

async function runNative(): Promise<void> {
  const anchor = Math.ceil(wallNow()) + 2500;
  const target = await startTarget([
    '--stall-anchor',
    String(anchor),
    '--stall-every',
    String(every),
    '--stall-for',
    String(stall),
  ]);
  try {
    await sleepUntil(anchor);
    const clock = createClock();
    const clockWall0 = wallNow();
    const profile = { kind: 'constant-arrival-rate', rate, durationMs: durationS * 1000 } as const;
    // The engine's schedule starts when its loop does: the earliest intended time it reports.
    let scheduleStart = Number.POSITIVE_INFINITY;
    const run = await runNativeMeasured(
      target.url,
      profile,
      { ...benchOptions(Math.ceil(rate * (stall / 1000)) + 50), maxInFlight: 100_000 },
      1,
      clock,
      (sink: MetricsSink): MetricsSink => ({
        intended: (t) => {
          if (t < scheduleStart) scheduleStart = t;
          sink.intended(t);
        },
        dropped: (t) => sink.dropped(t),
        record: (o) => sink.record(o),
      }),
    );
    const s = run.summary;
    const base = s.serviceTimeMs.p50 ?? 0;
    const schedule = createArrivalSchedule(profile);
    const truth = new Float64Array(schedule.total);
    for (let i = 0; i < schedule.total; i++) {
      const wall = clockWall0 + scheduleStart + schedule.timeOf(i);
      truth[i] = base + heldFor(wall, anchor);
    }
    truth.sort();
    const t95 = rankPercentile(truth, 95);
    const t99 = rankPercentile(truth, 99);
    console.log(
      `\n${rate} req/s for ${durationS} s; all responses held 1 s in ${stall} ms of every ${every} ms`,
    );
    console.log(
      `truth (perfect open-model client, base ${base.toFixed(2)} ms): p95 ${ms(t95)}  p99 ${ms(t99)}`,
    );
    console.log(
      `native:     p95 ${ms(s.latencyMs.p95)} (${pct(s.latencyMs.p95, t95)})  p99 ${ms(s.latencyMs.p99)} (${pct(s.latencyMs.p99, t99)})` +
        `  sent ${s.requests.sent}/${s.requests.intended}, dropped ${s.requests.dropped}, failed ${s.requests.failed},` +
        ` lag p99 ${run.report.scheduleLagMs.p99} ms`,
    );
    truthForOthers = { t97_5: rankPercentile(truth, 97.5), t99, intended: schedule.total };
  } finally {
    await target.stop();
  }
}

let truthForOthers: { t97_5: number; t99: number; intended: number } | null = null;

interface AutocannonJson {
  requests: { total: number };
  latency: { p50: number; p90: number; p97_5: number; p99: number };
}

async function runAutocannon(label: string, extra: string[]): Promise<void> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const anchor = Math.ceil(wallNow()) + 2500;
  const target = await startTarget([
    '--stall-anchor',
    String(anchor),
    '--stall-every',
    String(every),
    '--stall-for',
    String(stall),
  ]);
  try {
    await sleepUntil(anchor);
    const args = [bin, '-j', '-c', '10', '-d', String(durationS), '-R', String(rate), ...extra, target.url];
    const out = await runMeasured(process.execPath, args, 0);
    const json = JSON.parse(out.stdout.trim().split('\n').pop()!) as AutocannonJson;
    const { t97_5, t99, intended } = truthForOthers!;
    console.log(
      `${label.padEnd(11)} p97.5 ${ms(json.latency.p97_5)} (${pct(json.latency.p97_5, t97_5)})` +
        `  p99 ${ms(json.latency.p99)} (${pct(json.latency.p99, t99)})  sent ${json.requests.total}/${intended}`,
    );
  } finally {
    await target.stop();
  }
}

await runNative();
if (!values['no-autocannon']) {
  const t = truthForOthers!;
  console.log(
    `autocannon (closed model, -c 10 -R rate; no p95 in its output, so p97.5 vs truth p97.5 ${ms(t.t97_5)}):`,
  );
  await runAutocannon('  default', []);
  await runAutocannon('  -C (raw)', ['-C']);
}
