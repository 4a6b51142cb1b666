/**
 * The cluster side of a capacity step: how many replicas were ready (the observer's `pods.ready`
 * gauge, time-weighted over the step) and how much CPU the target's pods used (metrics.k8s.io
 * PodMetrics, polled while the step runs). Read-only.
 *
 *   const probe = await startClusterProbe({ client, target });
 *   const figures = await probe.measure(fromWallMs, toWallMs, signal);   // while the step's load runs
 *   await probe.close();
 */
import { apiMessage, httpStatus } from '../cluster/api-errors.ts';
import type { ClusterClient } from '../cluster/client.ts';
import { startClusterObserver, type ClusterObserver } from '../cluster/observer.ts';
import type { KubernetesTarget } from '../cluster/target.ts';
import type { ClusterGaugePoint } from '../cluster/timeline.ts';
import { gaugeSeries } from '../result/gauges.ts';
import { createClock } from '../run/clock.ts';
import { parseCpuQuantity, stepCpu, stepMean, type PodCpuSample } from './figures.ts';

export interface StepClusterFigures {
  /** Mean ready replicas over the judged window; null when the observer saw none. */
  readonly readyReplicas: number | null;
  /** CPU cores the target's pods used during the step; null when metrics.k8s.io had nothing. */
  readonly cpuCores: number | null;
  /** Whether every CPU sample's window lay inside the step. */
  readonly cpuCovered: boolean;
  /** Why a figure is missing or approximate, for the report. */
  readonly notes: readonly string[];
}

export interface ClusterProbe {
  /**
   * Polls metrics.k8s.io until `toWallMs` (or `signal`) and returns the step's figures. Ready
   * replicas are averaged over [judgeFromWallMs, toWallMs]; CPU samples over [loadFromWallMs, toWallMs].
   */
  measure(
    window: { loadFromWallMs: number; judgeFromWallMs: number; toWallMs: number },
    signal: AbortSignal,
  ): Promise<StepClusterFigures>;
  close(): Promise<void>;
}

export interface ClusterProbeOptions {
  readonly client: ClusterClient;
  readonly target: KubernetesTarget;
  /** How often PodMetrics are read during a step; default 2.5 s (samples change every few s). */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

interface PodMetricsList {
  items?: Array<{
    metadata?: { name?: string };
    timestamp?: string;
    window?: string;
    containers?: Array<{ usage?: { cpu?: string } }>;
  }>;
}

/** '15s', '1m0s', '15.5s' → ms. */
function windowMs(w: string | undefined): number {
  if (!w) return 0;
  let total = 0;
  for (const m of w.matchAll(/([0-9.]+)(ms|s|m|h)/g)) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  }
  return total;
}

export function podCpuSamples(list: PodMetricsList): PodCpuSample[] {
  const out: PodCpuSample[] = [];
  for (const item of list.items ?? []) {
    const ts = Date.parse(item.timestamp ?? '');
    const pod = item.metadata?.name;
    if (!pod || !Number.isFinite(ts)) continue;
    let cores = 0;
    for (const c of item.containers ?? []) cores += parseCpuQuantity(c.usage?.cpu ?? '') ?? 0;
    out.push({ pod, timestampMs: ts, windowMs: windowMs(item.window), cores });
  }
  return out;
}

export async function startClusterProbe(o: ClusterProbeOptions): Promise<ClusterProbe> {
  const log = o.log ?? (() => undefined);
  const clock = createClock();
  const gauges: ClusterGaugePoint[] = [];
  const observer: ClusterObserver = startClusterObserver(o.client, {
    namespace: o.target.namespace,
    deployment: o.target.deployment,
    selector: o.target.selector,
    clock: () => clock.now() / 1000,
    onGauge: (g) => gauges.push({ ...g }),
    onEvent: () => undefined,
    onError: (err) => log(`observer: ${err instanceof Error ? err.message : String(err)}`),
  });
  await observer.ready;
  let metricsProblem: string | undefined;

  const poll = async (into: PodCpuSample[]): Promise<void> => {
    if (metricsProblem) return;
    try {
      const list = (await o.client.custom.listNamespacedCustomObject({
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        namespace: o.target.namespace,
        plural: 'pods',
        labelSelector: o.target.selector,
      })) as PodMetricsList;
      into.push(...podCpuSamples(list));
    } catch (err) {
      const status = httpStatus(err);
      // No metrics API (no metrics-server) is permanent for this cluster: stop asking.
      if (status === 404 || status === 503) {
        metricsProblem = `metrics.k8s.io is not served by this cluster (HTTP ${status}): CPU per step is unknown; install metrics-server`;
      } else log(`metrics.k8s.io: ${apiMessage(err)}`);
    }
  };

  return {
    async measure(window, signal) {
      const samples: PodCpuSample[] = [];
      const pollMs = o.pollMs ?? 2500;
      while (!signal.aborted && Date.now() < window.toWallMs) {
        await poll(samples);
        const wait = Math.min(pollMs, window.toWallMs - Date.now());
        if (wait > 0) await sleep(wait, signal);
      }
      if (!signal.aborted) await poll(samples);
      const toS = clock.fromWall(window.toWallMs) / 1000;
      const fromS = clock.fromWall(window.judgeFromWallMs) / 1000;
      const readyReplicas = stepMean(gaugeSeries(gauges, 'pods.ready'), fromS, toS);
      const cpu = stepCpu(samples, window.loadFromWallMs, window.toWallMs);
      const notes: string[] = [];
      if (metricsProblem) notes.push(metricsProblem);
      else if (cpu.cores === null)
        notes.push('metrics.k8s.io had no sample of the target pods during the step');
      else if (!cpu.covered) {
        notes.push(
          'the CPU sample window is longer than the step, so it also covers time before the step (a lower load): hold longer for an exact figure',
        );
      }
      return { readyReplicas, cpuCores: cpu.cores, cpuCovered: cpu.covered, notes };
    },
    close: () => observer.stop(),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
