/**
 * Memory stays flat however long the run: 1000 req/s from the native engine (this process) to a
 * target in its own process, printing this process's RSS every --every seconds and the growth
 * after warm-up (goal: < 30 MB).
 *
 *   npx tsx bench/soak.ts [--duration 600] [--rate 1000] [--every 30] [--warmup 60]
 */
import { parseArgs } from 'node:util';
import { benchOptions, runNativeMeasured } from './support/native.ts';
import { rssMb, startTarget } from './support/processes.ts';
import type { MetricsRecorder } from '../lib/metrics/recorder.ts';
import type { MetricsSink } from '../lib/metrics/types.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: process.env.BENCH_DURATION ?? '600' },
    rate: { type: 'string', default: '1000' },
    every: { type: 'string', default: '30' },
    warmup: { type: 'string' },
  },
});
const durationS = Number(values.duration);
const rate = Number(values.rate);
const everyS = Number(values.every);
const warmupS = values.warmup === undefined ? Math.min(60, Math.round(durationS / 5)) : Number(values.warmup);
if (!(durationS > 0 && rate > 0 && everyS > 0))
  throw new Error('--duration, --rate and --every must be positive');
if (!(warmupS >= 0 && warmupS < durationS))
  throw new Error('--warmup must be between 0 and --duration seconds');

const mb = (v: number) => v.toFixed(1).padStart(7);
const target = await startTarget();
console.log(
  `soak: ${rate} req/s for ${durationS} s against ${target.url}; RSS every ${everyS} s, warm-up ${warmupS} s`,
);
console.log('     t s   RSS MB  heap MB   sent      live seconds');

let recorder: MetricsRecorder | null = null;
let sent = 0;
let warmRss: number | null = null;
const t0 = performance.now();
const sample = () => {
  const t = (performance.now() - t0) / 1000;
  const rss = rssMb();
  const heap = process.memoryUsage().heapUsed / 1024 / 1024;
  console.log(
    `${t.toFixed(0).padStart(8)} ${mb(rss)}  ${mb(heap)}  ${String(sent).padStart(9)}  ${recorder?.liveSeconds() ?? '-'}`,
  );
};
const warmTimer = setTimeout(() => {
  warmRss = rssMb();
  console.log(`   (warm-up over: RSS ${warmRss.toFixed(1)} MB)`);
}, warmupS * 1000);
const timer = setInterval(sample, everyS * 1000);
try {
  const run = await runNativeMeasured(
    target.url,
    { kind: 'constant-arrival-rate', rate, durationMs: durationS * 1000 },
    benchOptions(20),
    1,
    undefined,
    (sink: MetricsSink): MetricsSink => {
      recorder = sink as MetricsRecorder;
      return {
        intended: (t) => sink.intended(t),
        dropped: (t) => sink.dropped(t),
        record: (o) => {
          sent++;
          sink.record(o);
        },
      };
    },
  );
  clearInterval(timer);
  clearTimeout(warmTimer);
  sample();
  const end = rssMb();
  const s = run.summary;
  console.log(
    `\nrequests ${s.requests.sent}/${s.requests.intended} (dropped ${s.requests.dropped}, failed ${s.requests.failed}),` +
      ` latency p99 ${s.latencyMs.p99} ms, lag p99 ${run.report.scheduleLagMs.p99} ms, series ${run.recorder.series().length} points`,
  );
  if (warmRss !== null)
    console.log(`RSS growth after warm-up: ${(end - warmRss).toFixed(1)} MB (goal < 30 MB)`);
} finally {
  clearInterval(timer);
  await target.stop();
}
