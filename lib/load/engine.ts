import type { JournalGuard } from '../../chaos/index.ts';
import type { ClusterClient } from '../cluster/client.ts';
import type { Clock } from '../run/clock.ts';
import type { MetricsSink } from '../metrics/types.ts';
import type { Verdict } from '../result/schema.ts';
import type {
  ResolvedLoadOptions,
  ResolvedProfile,
  ResolvedRequest,
  ResolvedSla,
} from '../scenario/resolved.ts';

export interface LoadPlan {
  /** Base URL of the target (origin + optional base path, no trailing slash). */
  readonly baseUrl: string;
  readonly requests: readonly ResolvedRequest[];
  readonly profile: ResolvedProfile;
  readonly options: ResolvedLoadOptions;
  /** Scenario name, for engines that label their own artefacts (a k6 script's scenario and tags). */
  readonly name?: string;
  /** The scenario's SLAs, for engines that check them themselves (k6 thresholds). */
  readonly slas?: readonly ResolvedSla[];
}

/** The cluster of a Kubernetes target, for engines that run the load from inside it (k6-operator). */
export interface LoadCluster {
  readonly client: ClusterClient;
  /** The target's namespace. */
  readonly namespace: string;
  /**
   * An entry in the run's chaos journal, for an engine that creates objects in the cluster: it
   * records them before creating them, so `gauntlet recover` can remove them after a kill.
   * `t` is the run clock in seconds. Absent when the run keeps no journal.
   */
  readonly journal?: (action: string, t: () => number | null) => Promise<JournalGuard>;
}

export interface LoadContext {
  readonly clock: Clock;
  readonly metrics: MetricsSink;
  /** Aborting stops new requests promptly; in-flight ones are cancelled. */
  readonly signal: AbortSignal;
  /** Set when the run has a cluster session (a Kubernetes target). */
  readonly cluster?: LoadCluster;
}

export interface EngineReport {
  readonly engine: string;
  readonly model: 'open' | 'closed';
  /** Schedule lag of sent requests (ms after their intended time). */
  readonly scheduleLagMs: {
    readonly p50: number | null;
    readonly p99: number | null;
    readonly max: number | null;
  };
  /** Set when the engine itself ended the load early, e.g. a k6 threshold with abortOnFail. */
  readonly abortReason?: string;
  /** The engine's own verdicts (e.g. k6's thresholds), reported beside gauntlet's. */
  readonly verdicts?: readonly Verdict[];
}

/** One interface per extension point: every engine (native, autocannon, k6) implements this. */
export interface LoadEngine {
  readonly name: string;
  /** Which profile kinds this engine can drive; the runner refuses others with a clear error. */
  supports(profile: ResolvedProfile): boolean;
  run(plan: LoadPlan, ctx: LoadContext): Promise<EngineReport>;
}
