/**
 * The autocannon engine: closed-model load (N connections, each sending its next request as soon
 * as the previous response is in, optionally pipelined) through autocannon's programmatic API,
 * for max-throughput probes. Every response and error is reported to the run's metrics as the
 * native engine reports them, so the result has the same shape.
 *
 * What autocannon measures is service time in a closed loop: a request's intended time is when it
 * was written. Its latency histogram is not used (integer ms, and with a rate set its
 * coordinated-omission "correction" is wrong; no rate is ever set here, so none is applied);
 * latencies come from the `response` events, which carry the hrtime duration of each request.
 *
 * The mix: autocannon cycles each connection through a fixed list of requests, so the weighted mix
 * is laid out as one period of the smooth weighted round robin (weights 3:1 → a a b a).
 */
import autocannon from 'autocannon';
import { GauntletError, UsageError } from '../../errors.ts';
import type { EngineReport, LoadContext, LoadEngine, LoadPlan } from '../engine.ts';
import { WeightedMix } from '../mix.ts';
import { classifyError, classifyStatus } from '../native/classify.ts';
import { prepareTarget } from '../native/target.ts';

export interface AutocannonEngineOptions {
  /** Requests in flight per connection (HTTP pipelining; 1 = none). @default 1 */
  readonly pipelining?: number;
}

/** Longest request list handed to autocannon; non-integer weights are approximated over it. */
const kMaxCycle = 1000;
/** autocannon checks for the end of the run at every sample tick: this bounds how late it stops. */
const kSampleIntMs = 100;

/** Indices of one period of the plan's weighted mix. */
export function mixCycle(weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const length = weights.every(Number.isInteger) && sum <= kMaxCycle ? sum : kMaxCycle;
  const mix = new WeightedMix(weights);
  return Array.from({ length }, () => mix.next());
}

function checkPipelining(p: number): number {
  if (!(Number.isInteger(p) && p >= 1)) {
    throw new RangeError(`autocannon pipelining must be an integer >= 1 (got ${p})`);
  }
  return p;
}

export async function runAutocannon(
  plan: LoadPlan,
  ctx: LoadContext,
  o: AutocannonEngineOptions = {},
): Promise<EngineReport> {
  const { profile, options } = plan;
  if (profile.kind !== 'closed') {
    throw new UsageError(
      `--engine autocannon drives the closed model only (load.kind 'closed' with connections); ` +
        `'${profile.kind}' needs --engine native or k6`,
    );
  }
  if (!(Number.isInteger(profile.connections) && profile.connections >= 1)) {
    throw new RangeError(`profile.connections must be an integer >= 1 (got ${profile.connections})`);
  }
  const pipelining = checkPipelining(o.pipelining ?? 1);
  if (!(options.timeoutMs >= 1000)) {
    throw new UsageError(
      `--engine autocannon: its request timeout is at least 1 s, and options.timeout is ${options.timeoutMs} ms; ` +
        'raise the timeout or use --engine native',
    );
  }
  const report: EngineReport = {
    engine: 'autocannon',
    model: 'closed',
    scheduleLagMs: { p50: 0, p99: 0, max: 0 },
  };
  if (ctx.signal.aborted || profile.durationMs <= 0) return report;
  const target = prepareTarget(plan);
  const { metrics, clock } = ctx;
  // Which request a response answers: autocannon calls the request's onResponse and then emits
  // 'response' synchronously, in that order, for every completed request.
  let answered = -1;
  const requests = mixCycle(target.weights).map((i) => {
    const t = target.templates[i]!;
    const r = plan.requests[i]!;
    return {
      method: r.method,
      path: t.dispatch.path,
      headers: { ...r.headers },
      ...(r.body !== undefined ? { body: r.body } : {}),
      onResponse: () => {
        answered = i;
      },
    };
  });

  let stopped = false;
  let settle!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (err) => {
      if (!err) return resolve();
      const why = err instanceof Error ? err.message : String(err);
      reject(new GauntletError('GAUNTLET_SETUP', `--engine autocannon: ${why}`));
    };
  });
  // The callback form: option errors arrive through it (synchronously), not as a rejection.
  const instance = autocannon(
    {
      url: target.origin,
      connections: profile.connections,
      pipelining,
      duration: profile.durationMs / 1000,
      timeout: options.timeoutMs / 1000,
      sampleInt: kSampleIntMs,
      requests,
    },
    (err: unknown) => settle(err),
  );

  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
    const i = answered;
    answered = -1;
    if (stopped) return;
    const doneAt = clock.now();
    const sentAt = doneAt - responseTimeMs;
    const expect = i >= 0 ? target.templates[i]!.expect : null;
    const ok = expect !== null && statusCode < expect.length && expect[statusCode] === 1;
    metrics.intended(sentAt);
    metrics.record({
      intendedAt: sentAt,
      sentAt,
      doneAt,
      status: statusCode,
      ok,
      ...(ok ? {} : { error: classifyStatus(statusCode) }),
      ...(i >= 0 ? { request: target.templates[i]!.name } : {}),
    });
  });

  instance.on('reqError', (err: unknown) => {
    if (stopped) return;
    const doneAt = clock.now();
    // autocannon reports a timeout as a plain Error without a code.
    const timedOut = err instanceof Error && err.message === 'request timed out';
    const sentAt = timedOut ? doneAt - options.timeoutMs : doneAt;
    metrics.intended(sentAt);
    metrics.record({
      intendedAt: sentAt,
      sentAt,
      doneAt,
      ok: false,
      error: timedOut ? 'timeout' : classifyError(err),
    });
  });

  const onAbort = () => {
    stopped = true;
    instance.stop();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await finished;
  } finally {
    stopped = true;
    ctx.signal.removeEventListener('abort', onAbort);
  }
  return report;
}

export function createAutocannonEngine(o: AutocannonEngineOptions = {}): LoadEngine {
  return {
    name: 'autocannon',
    supports: (profile) => profile.kind === 'closed',
    run: (plan, ctx) => runAutocannon(plan, ctx, o),
  };
}
