/**
 * What the cluster observers put on the run's timeline: step-series gauges (a point only when a
 * value changes, plus each series' initial value) and discrete events. `t` is seconds from the
 * run start, read from the run's clock when the change was observed.
 *
 * Object names are `Kind/namespace/name`; cluster-scoped objects keep the empty namespace
 * (`Node//node-1`) so every name splits into three parts.
 */

export type GaugeName =
  | 'deployment.desired'
  | 'deployment.updated'
  | 'deployment.available'
  | 'deployment.ready'
  | 'hpa.current'
  | 'hpa.desired'
  | 'hpa.cpu'
  | 'endpoints.ready'
  | 'nodes.ready'
  | 'pods.ready';

export interface ClusterGaugePoint {
  t: number;
  name: GaugeName;
  value: number;
  labels?: Record<string, string>;
}

export type ClusterEventKind =
  | 'pod-created'
  | 'pod-ready'
  | 'pod-not-ready'
  | 'pod-terminating'
  | 'pod-deleted'
  | 'endpoint-added'
  | 'endpoint-removed'
  | 'node-ready'
  | 'node-not-ready'
  | 'node-cordoned'
  | 'node-uncordoned'
  | 'eviction'
  | 'hpa-rescale'
  | 'rollout-start'
  | 'rollout-complete'
  | 'rollout-stalled'
  | 'k8s-event';

export interface ClusterEvent {
  t: number;
  kind: ClusterEventKind;
  object: string;
  message: string;
  detail?: Record<string, unknown>;
}

export function objectRef(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}/${namespace ?? ''}/${name ?? ''}`;
}

/** One sample of a gauge as computed from the current state. */
export interface GaugeSample {
  name: GaugeName;
  labels: Record<string, string>;
  value: number;
}

/**
 * Remembers each series' last emitted value so only changes reach the timeline. A series that
 * disappears from a recomputation drops to 0 (a zone whose last node is gone has 0 ready nodes),
 * except gauges listed as `sticky` (a metric that is momentarily unknown is not zero).
 */
export class GaugeBook {
  private readonly last = new Map<string, { sample: GaugeSample }>();
  constructor(
    private readonly emit: (point: ClusterGaugePoint) => void,
    private readonly sticky: ReadonlySet<GaugeName> = new Set(),
  ) {}

  /** Replaces every series of the given gauge names with `samples` at time `t`. */
  update(t: number, names: readonly GaugeName[], samples: readonly GaugeSample[]): void {
    const seen = new Set<string>();
    for (const s of samples) {
      const key = seriesKey(s.name, s.labels);
      seen.add(key);
      this.set(t, key, s);
    }
    for (const [key, { sample }] of this.last) {
      if (seen.has(key) || !names.includes(sample.name) || this.sticky.has(sample.name)) continue;
      this.set(t, key, { ...sample, value: 0 });
    }
  }

  /** Current value of every series, for snapshots. */
  values(): GaugeSample[] {
    return [...this.last.values()].map(({ sample }) => sample);
  }

  private set(t: number, key: string, sample: GaugeSample): void {
    const prev = this.last.get(key);
    if (prev && prev.sample.value === sample.value) return;
    this.last.set(key, { sample });
    const point: ClusterGaugePoint = { t, name: sample.name, value: sample.value };
    if (Object.keys(sample.labels).length > 0) point.labels = { ...sample.labels };
    this.emit(point);
  }
}

function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return `${name}{${parts.join(',')}}`;
}
