/**
 * Load generator process for the end-to-end suites: gauntlet's native engine at a fixed rate in
 * its own process, so it does not share an event loop (or a CPU share) with the cluster it loads,
 * as `gauntlet run` against `gauntlet local up` would not. Driven over the IPC channel of fork():
 *
 *   argv: <baseUrl> <rate req/s> <max ms>       (the max bounds the run if no stop ever comes)
 *   → {type:'ready', startedAt}                 once the engine runs (startedAt: its t = 0, ISO)
 *   → {type:'progress', due, settled, sent} every 250 ms: requests due by the schedule so far,
 *                                               those answered or dropped, those answered
 *   ← {type:'mark'}   → {type:'marked', t}      the measured window starts: requests intended
 *                                               from now on are summarised apart from the warm-up
 *   ← {type:'stop'}                             ends the load; in-flight requests are cancelled
 *   → {type:'result', summary, failures, seconds, warmup}, then the process exits
 *
 * A fresh process on a busy machine runs its first thousands of requests unoptimised and opens its
 * connections late; the mark keeps that warm-up out of what a test asserts on.
 */
import { createNativeEngine } from '../../lib/load/native/index.ts';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import type { MetricsSink, RequestOutcome } from '../../lib/metrics/types.ts';
import { createClock } from '../../lib/run/clock.ts';
import type { ResolvedRequest } from '../../lib/scenario/resolved.ts';

/** The smoke scenario's mix: health checks, narrative creation (non-idempotent) and reads. */
const kStackMix: readonly ResolvedRequest[] = [
  {
    name: 'health',
    method: 'GET',
    path: '/healthz',
    headers: {},
    body: undefined,
    expectStatus: [200],
    weight: 1,
  },
  {
    name: 'create narrative',
    method: 'POST',
    path: '/api/v1/narratives',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'A lighthouse keeper finds a map that redraws itself.', maxWords: 60 }),
    expectStatus: [201],
    weight: 3,
  },
  {
    name: 'missing narrative',
    method: 'GET',
    path: '/api/v1/narratives/00000000-0000-4000-8000-000000000000',
    headers: {},
    body: undefined,
    expectStatus: [404],
    weight: 1,
  },
];

/** Long: the claim under test is that no request fails; a starved machine shows as latency. */
const kTimeoutMs = 30_000;

/** Sends each request's outcome to the recorder of the window its intended time falls in. */
class MarkedSink implements MetricsSink {
  warmup: MetricsRecorder;
  measured: MetricsRecorder;
  markAt = 0;

  constructor(private readonly now: () => number) {
    this.warmup = this.measured = this.fresh();
  }

  private fresh(): MetricsRecorder {
    return new MetricsRecorder({ timeoutMs: kTimeoutMs, now: this.now });
  }

  mark(): number {
    this.markAt = this.now();
    this.measured = this.fresh();
    return this.markAt;
  }

  private of(t: number): MetricsRecorder {
    return t >= this.markAt ? this.measured : this.warmup;
  }

  intended(t: number): void {
    this.of(t).intended(t);
  }

  dropped(t: number): void {
    this.of(t).dropped(t);
  }

  record(o: RequestOutcome): void {
    this.of(o.intendedAt).record(o);
  }

  /** The engine reports a request (as intended, then its outcome) once it settles. */
  totals(): { settled: number; sent: number } {
    const a = this.warmup.totals();
    const b = this.measured === this.warmup ? { intended: 0, sent: 0 } : this.measured.totals();
    return { settled: a.intended + b.intended, sent: a.sent + b.sent };
  }
}

async function main(): Promise<void> {
  const [baseUrl, rateText, maxText] = process.argv.slice(2);
  const rate = Number(rateText);
  const maxMs = Number(maxText);
  if (!baseUrl || !(rate > 0) || !(maxMs > 0))
    throw new Error(`usage: e2e-load.ts <baseUrl> <rate> <maxMs>, got ${process.argv.slice(2).join(' ')}`);
  const send = (m: unknown) => process.send?.(m);
  const clock = createClock();
  const sink = new MarkedSink(clock.now);
  const abort = new AbortController();
  let stoppedAt: number | undefined;
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'mark') send({ type: 'marked', t: sink.mark() / 1000 });
    if (m?.type !== 'stop') return;
    stoppedAt ??= clock.now();
    abort.abort();
  });
  // The parent going away ends the load too: nothing is left generating requests.
  process.on('disconnect', () => abort.abort());
  // Constant arrivals: request i is due at i / rate s. Due minus settled is everything still
  // queued or in flight, in the engine or at the target.
  const due = () => Math.min(Math.floor((clock.now() * rate) / 1000) + 1, Math.floor((maxMs * rate) / 1000));
  const progress = setInterval(() => send({ type: 'progress', due: due(), ...sink.totals() }), 250);
  const run = createNativeEngine().run(
    {
      baseUrl,
      requests: kStackMix,
      profile: { kind: 'constant-arrival-rate', rate, durationMs: maxMs },
      // Enough connections that a slow stack queues requests at the ingress, not in the generator.
      options: { maxInFlight: 10_000, timeoutMs: kTimeoutMs, maxScheduleLagMs: 5_000, connections: 200 },
    },
    { clock, metrics: sink, signal: abort.signal },
  );
  send({ type: 'ready', startedAt: clock.startedAt.toISOString() });
  const report = await run;
  clearInterval(progress);
  sink.warmup.finish();
  sink.measured.finish();
  const seconds = ((stoppedAt ?? clock.now()) - sink.markAt) / 1000;
  send({
    type: 'result',
    summary: sink.measured.summary({ engine: report.engine, model: report.model, durationS: seconds }),
    failures: sink.measured.failures(),
    seconds,
    warmup: sink.measured === sink.warmup ? null : sink.warmup.totals(),
  });
  process.disconnect?.();
}

main().catch((err: unknown) => {
  process.stderr.write(`e2e-load: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
