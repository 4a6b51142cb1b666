/**
 * How the generator itself is doing while a step's judged part runs: the lateness of its loop
 * (from the engine's dispatch times), the wait for connections, its event-loop delay and its CPU.
 * A sink in front of the run's metrics sees every outcome; the rest is read from this process.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { createHistogram, percentileMs, recordMs, type Histogram } from '../metrics/histogram.ts';
import type { MetricsSink, RequestOutcome } from '../metrics/types.ts';
import type { GeneratorObservation } from './judge.ts';

/** Timer resolution of the event-loop monitor, ms; it is part of every reading and taken off. */
const kLoopResolutionMs = 10;

export class GeneratorMonitor implements MetricsSink {
  private readonly issue: Histogram = createHistogram();
  private readonly connect: Histogram = createHistogram();
  private readonly schedule: Histogram = createHistogram();
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: kLoopResolutionMs });
  private cpu0: NodeJS.CpuUsage | undefined;
  private wall0 = 0;
  private cpuPct: number | null = null;
  private sawDispatch = false;

  /** Outcomes of requests intended at or after `fromMs` (run clock) are the judged ones. */
  constructor(
    private readonly inner: MetricsSink,
    private readonly fromMs: number,
  ) {}

  intended(intendedAt: number): void {
    this.inner.intended(intendedAt);
  }

  dropped(intendedAt: number): void {
    this.inner.dropped(intendedAt);
  }

  record(o: RequestOutcome): void {
    this.inner.record(o);
    if (o.intendedAt < this.fromMs) return;
    recordMs(this.schedule, o.sentAt - o.intendedAt);
    if (o.dispatchedAt !== undefined) {
      this.sawDispatch = true;
      recordMs(this.issue, o.dispatchedAt - o.intendedAt);
      recordMs(this.connect, o.sentAt - o.dispatchedAt);
    }
  }

  /** The judged part begins: start the event-loop and CPU readings. */
  start(): void {
    this.loop.reset();
    this.loop.enable();
    this.cpu0 = process.cpuUsage();
    this.wall0 = performance.now();
  }

  /** The load's schedule is over: stop the process readings (the tail of in-flight requests is idle time). */
  stop(): void {
    if (!this.cpu0) return;
    this.loop.disable();
    const used = process.cpuUsage(this.cpu0);
    const wallMs = performance.now() - this.wall0;
    this.cpuPct = wallMs > 0 ? ((used.user + used.system) / 1000 / wallMs) * 100 : null;
    this.cpu0 = undefined;
  }

  observation(): GeneratorObservation {
    const loopP99 = this.loop.count > 0 ? this.loop.percentile(99) / 1e6 - kLoopResolutionMs : null;
    return {
      issueLagP99Ms: this.sawDispatch ? percentileMs(this.issue, 99) : null,
      scheduleLagP99Ms: percentileMs(this.schedule, 99),
      connectWaitP99Ms: this.sawDispatch ? percentileMs(this.connect, 99) : null,
      eventLoopDelayP99Ms: loopP99 === null ? null : Math.max(0, Math.round(loopP99 * 100) / 100),
      cpuPct: this.cpuPct === null ? null : Math.round(this.cpuPct * 10) / 10,
    };
  }
}
