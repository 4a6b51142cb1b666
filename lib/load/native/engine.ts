/**
 * The native engine: open-model (or closed-model) HTTP load on an undici Pool of keep-alive
 * connections, pipelining 1. It wires the pieces together and owns their lifetime: the loop that
 * issues requests, the tracker that records outcomes, the timeout sweep and the abort signal.
 */
import { Pool } from 'undici';
import type { EngineReport, LoadContext, LoadEngine, LoadPlan } from '../engine.ts';
import { createHistogram, percentileMs } from '../../metrics/histogram.ts';
import { WeightedMix } from '../mix.ts';
import { createArrivalSchedule } from '../schedule.ts';
import { ClosedLoop } from './closed.ts';
import { Tracker } from './exchange.ts';
import { OpenLoop } from './open.ts';
import { prepareTarget } from './target.ts';

/** Longest wait for the pool to tear down after an abort before the run resolves anyway. */
const kTeardownMs = 1000;

function checkClosed(users: number, durationMs: number): void {
  if (!(Number.isInteger(users) && users >= 1)) {
    throw new RangeError(`profile.connections must be an integer >= 1 (got ${users})`);
  }
  if (!(Number.isFinite(durationMs) && durationMs >= 0)) {
    throw new RangeError(`profile.durationMs must be a finite duration >= 0 ms (got ${durationMs})`);
  }
}

export async function runNative(plan: LoadPlan, ctx: LoadContext): Promise<EngineReport> {
  const { profile, options } = plan;
  const target = prepareTarget(plan);
  const mix = new WeightedMix(target.weights);
  const schedule = profile.kind === 'closed' ? null : createArrivalSchedule(profile);
  if (profile.kind === 'closed') checkClosed(profile.connections, profile.durationMs);
  const lag = createHistogram();
  const report = (): EngineReport => ({
    engine: 'native',
    model: profile.kind === 'closed' ? 'closed' : 'open',
    scheduleLagMs: { p50: percentileMs(lag, 50), p99: percentileMs(lag, 99), max: percentileMs(lag, 100) },
  });
  if (ctx.signal.aborted) return report();

  const pool = new Pool(target.origin, {
    connections: profile.kind === 'closed' ? profile.connections : options.connections,
    pipelining: 1,
    // Backstops only: the tracker's sweep times requests out first, measured from dispatch.
    headersTimeout: options.timeoutMs + 1000,
    bodyTimeout: options.timeoutMs + 1000,
    connect: { timeout: Math.min(options.timeoutMs, 30_000) },
  });

  let finished = false;
  let resolveRun!: () => void;
  const ended = new Promise<void>((resolve) => (resolveRun = resolve));
  const maybeFinish = () => {
    if (!finished && loop.done && tracker.unsettled === 0) finish();
  };
  let closed: ClosedLoop | null = null;
  const tracker = new Tracker({
    clock: ctx.clock,
    metrics: ctx.metrics,
    timeoutMs: options.timeoutMs,
    lag,
    onRelease: (ex) => closed?.onRelease(ex),
    onIdle: maybeFinish,
  });
  const common = {
    ctx,
    dispatcher: pool,
    tracker,
    templates: target.templates,
    mix,
    onScheduleDone: maybeFinish,
  };
  let loop: OpenLoop | ClosedLoop;
  if (profile.kind === 'closed') {
    loop = closed = new ClosedLoop({ ...common, users: profile.connections, durationMs: profile.durationMs });
  } else {
    loop = new OpenLoop({
      ...common,
      schedule: schedule!,
      maxInFlight: options.maxInFlight,
      maxScheduleLagMs: options.maxScheduleLagMs,
    });
  }
  const sweeper = setInterval(() => tracker.sweep(), Math.min(100, Math.max(5, options.timeoutMs / 20)));
  const onAbort = () => finish();
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  function finish(): void {
    if (finished) return;
    finished = true;
    loop.stop();
    clearInterval(sweeper);
    ctx.signal.removeEventListener('abort', onAbort);
    // From here nothing is recorded: on abort the cancelled requests are ours, not the target's;
    // on completion everything is already settled.
    tracker.aborted = true;
    const teardown = tracker.inFlight > 0 ? pool.destroy() : pool.close();
    const limit = setTimeout(resolveRun, kTeardownMs);
    teardown
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(limit);
        resolveRun();
      });
  }

  try {
    loop.start();
  } catch (err) {
    finish();
    throw err;
  }
  await ended;
  return report();
}

export function createNativeEngine(): LoadEngine {
  return {
    name: 'native',
    supports: (profile) =>
      profile.kind === 'constant-arrival-rate' ||
      profile.kind === 'ramping-arrival-rate' ||
      profile.kind === 'closed',
    run: runNative,
  };
}
