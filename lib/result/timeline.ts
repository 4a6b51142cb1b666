import type { FailureSample, GaugePoint, LoadSummary, SeriesPoint, Span, TimelineEvent } from './schema.ts';
import type { WindowStats } from '../metrics/types.ts';

/** A container of a target pod as preflight sees it: security fields are the effective ones (pod and container level merged). */
export interface PreflightContainer {
  readonly name: string;
  readonly readinessProbe: boolean;
  readonly runAsNonRoot: boolean;
  readonly readOnlyRootFilesystem: boolean;
}

export interface PreflightPod {
  readonly name: string;
  /** The node's topology.kubernetes.io/zone; null or '' when the pod is unscheduled or the node has none. */
  readonly zone: string | null;
  readonly node: string | null;
  readonly ready: boolean;
  readonly containers: readonly PreflightContainer[];
}

export interface PreflightPdb {
  readonly name: string;
  /** status.disruptionsAllowed at the time of the snapshot. */
  readonly disruptionsAllowed: number;
  /** Its selector matches the target's pods. */
  readonly matchesTarget: boolean;
}

/** The target as read from the cluster before any load (read-only); preflight verdicts judge it. */
export interface PreflightSnapshot {
  /** How messages name the target, e.g. 'deployment novel/api'. */
  readonly target?: string;
  readonly pods: readonly PreflightPod[];
  readonly pdbs: readonly PreflightPdb[];
}

/**
 * Everything a run observed, on one clock. Assertions are pure functions of this.
 * `window()` merges per-second histograms, so windowed percentiles are exact to HDR precision.
 */
export interface RunTimeline {
  readonly durationS: number;
  readonly load: LoadSummary;
  readonly series: readonly SeriesPoint[];
  readonly spans: readonly Span[];
  readonly events: readonly TimelineEvent[];
  /** Cluster observations as step series (see gauges.ts for reading them). */
  readonly gauges: readonly GaugePoint[];
  /** The capped sample of failed requests; `load.requests.failed` says how many there were in all. */
  readonly failures: readonly FailureSample[];
  /** The cluster snapshot taken before the load, when the run had a cluster target. */
  readonly preflight?: PreflightSnapshot;
  /** Stats over whole seconds [startS, endS). */
  window(startS: number, endS: number): WindowStats;
}

export type TimelineParts = Omit<RunTimeline, 'gauges' | 'failures'> &
  Partial<Pick<RunTimeline, 'gauges' | 'failures'>>;

/** A timeline with the observation lists a run did not produce left empty. */
export function createTimeline(parts: TimelineParts): RunTimeline {
  return { ...parts, gauges: parts.gauges ?? [], failures: parts.failures ?? [] };
}

/** The failure sample holds every failed request of the run (it was not capped). */
export function failureSampleComplete(t: Pick<RunTimeline, 'failures' | 'load'>): boolean {
  return t.failures.length >= t.load.requests.failed;
}
