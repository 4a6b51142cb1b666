/**
 * One capacity step: a constant arrival rate (or a fixed number of connections) for warm-up plus
 * hold, on its own clock and metrics, with the generator watched and, on a cluster, the ready
 * replicas and CPU read while it runs. Only the hold is judged.
 */
import type { LoadEngine } from '../load/engine.ts';
import { MetricsRecorder } from '../metrics/recorder.ts';
import type { WindowStats } from '../metrics/types.ts';
import { createClock } from '../run/clock.ts';
import type { ResolvedLoadOptions, ResolvedProfile, ResolvedRequest } from '../scenario/resolved.ts';
import type { ClusterProbe, StepClusterFigures } from './cluster-probe.ts';
import { GeneratorMonitor } from './generator-monitor.ts';
import type { GeneratorObservation, LoadModel } from './judge.ts';

export interface StepRunOptions {
  readonly name: string;
  readonly url: string;
  readonly requests: readonly ResolvedRequest[];
  readonly load: ResolvedLoadOptions;
  readonly engine: LoadEngine;
  readonly model: LoadModel;
  /** Arrival rate (open) or connections (closed). */
  readonly level: number;
  readonly warmupMs: number;
  readonly holdMs: number;
  readonly probe?: ClusterProbe;
  readonly signal: AbortSignal;
}

export interface StepMeasurement {
  readonly startedAt: Date;
  /** Seconds of load, warm-up included. */
  readonly durationS: number;
  /** The judged window [warm-up, warm-up + hold) on the step's clock, seconds. */
  readonly judged: { readonly startS: number; readonly endS: number };
  readonly window: WindowStats;
  readonly generator: GeneratorObservation;
  readonly cluster: StepClusterFigures | null;
  /** Cut short by the signal: not judged. */
  readonly interrupted: boolean;
}

/** Load options for a level: enough in-flight slots for the rate at a 1 s response time. */
export function stepLoadOptions(
  base: ResolvedLoadOptions,
  model: LoadModel,
  level: number,
): ResolvedLoadOptions {
  if (model === 'closed') return { ...base, maxInFlight: level, connections: level };
  const maxInFlight = Math.max(base.maxInFlight, Math.ceil(level));
  return { ...base, maxInFlight, connections: Math.max(base.connections, Math.min(maxInFlight, 256)) };
}

export function stepProfile(model: LoadModel, level: number, durationMs: number): ResolvedProfile {
  return model === 'closed'
    ? { kind: 'closed', connections: level, durationMs }
    : { kind: 'constant-arrival-rate', rate: level, durationMs };
}

export async function runStep(o: StepRunOptions): Promise<StepMeasurement> {
  const durationMs = o.warmupMs + o.holdMs;
  const options = stepLoadOptions(o.load, o.model, o.level);
  const clock = createClock();
  const recorder = new MetricsRecorder({ timeoutMs: options.timeoutMs, now: clock.now });
  const monitor = new GeneratorMonitor(recorder, o.warmupMs);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (o.signal.aborted) stop.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const timers = [
    setTimeout(() => monitor.start(), o.warmupMs),
    setTimeout(() => monitor.stop(), durationMs),
  ];
  const wall0 = clock.startedAt.getTime();
  // The probe stops polling at the end of the schedule, or when the load is stopped early.
  const probeStop = new AbortController();
  const cluster = o.probe?.measure(
    { loadFromWallMs: wall0, judgeFromWallMs: wall0 + o.warmupMs, toWallMs: wall0 + durationMs },
    AbortSignal.any([stop.signal, probeStop.signal]),
  );
  try {
    await o.engine.run(
      {
        baseUrl: o.url,
        requests: o.requests,
        profile: stepProfile(o.model, o.level, durationMs),
        options,
        name: o.name,
      },
      { clock, metrics: monitor, signal: stop.signal },
    );
  } finally {
    for (const t of timers) clearTimeout(t);
    monitor.stop();
    probeStop.abort();
    o.signal.removeEventListener('abort', onAbort);
  }
  const figures = cluster ? await cluster : null;
  recorder.finish();
  const startS = Math.ceil(o.warmupMs / 1000);
  const endS = Math.max(startS + 1, Math.ceil(durationMs / 1000));
  return {
    startedAt: clock.startedAt,
    durationS: durationMs / 1000,
    judged: { startS, endS },
    window: recorder.window(startS, endS),
    generator: monitor.observation(),
    cluster: figures,
    interrupted: o.signal.aborted,
  };
}
