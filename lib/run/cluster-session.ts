/**
 * The cluster side of a run: which cluster (a kubeconfig context, or the local cluster, started
 * when it is not running and stopped again when we started it: local-cluster-choice.ts), the
 * target read from the API, preflight facts, the observers and the chaos schedule, all on the
 * run's clock.
 *
 *   const session = await openClusterSession({ scenario, outDir, cluster: { local: true } });
 *   runScenario({ ..., session })      // the runner calls start() with its clock and finish() after the load
 *   await session.close();             // stops what the session started (local cluster, observers)
 *
 * When Prometheus and Alertmanager watch the cluster (`gauntlet local up --monitoring`, or URLs in
 * `cluster.monitoring`), their alerts are recorded over the run as `alert-firing` events with a
 * `monitoring` event holding the detection budget (alert-recording.ts). A scenario that asks for
 * alert-detection without them gets a `monitoring` event saying why, and an inconclusive verdict.
 * The same Prometheus serves server-side SLAs (`prometheusUrl`); a run that judges them
 * (`needsPrometheus`) without one is refused before it waits for the target.
 *
 * The runner stays free of Kubernetes: it only sees the RunSession interface.
 */
import {
  assertAllowed,
  occurrenceTimes,
  runChaosSchedule,
  type ChaosAllowlist,
  type ChaosEmission,
  type ChaosScheduleResult,
} from '../../chaos/index.ts';
import { RunJournal } from './run-journal.ts';
import { createClusterClient, type ClusterClient } from '../cluster/client.ts';
import { startClusterObserver, type ClusterObserver } from '../cluster/observer.ts';
import { preflightSnapshot, type PreflightSnapshot } from '../cluster/preflight.ts';
import { resolveKubernetesTarget, type KubernetesTarget } from '../cluster/target.ts';
import { waitForReady } from '../cluster/wait-ready.ts';
import { monitoringEvent } from '../assert/detection-verify.ts';
import type { LocalClusterHandle } from '../local/index.ts';
import type { LoadCluster } from '../load/engine.ts';
import type { GaugePoint as Gauge, Span, TimelineEvent } from '../result/schema.ts';
import {
  profileDurationMs,
  type ResolvedKubernetesTarget,
  type ResolvedScenario,
} from '../scenario/resolved.ts';
import {
  checkMonitoring,
  startAlertRecording,
  type AlertRecording,
  type MonitoringEndpoints,
} from './alert-recording.ts';
import type { Clock } from './clock.ts';
import type { ChaosProgress } from './promql-abort.ts';
import { useLocalCluster } from './local-cluster-choice.ts';
import { noPrometheusError } from './promql-slas.ts';

/** What the runner needs from the cluster side of a run. */
export interface RunSession {
  /** Where the load goes. */
  readonly url: string;
  /** Extra request headers (e.g. the Host an Ingress rule routes on). */
  readonly headers: Readonly<Record<string, string>>;
  readonly preflight?: PreflightSnapshot;
  /** The target's cluster and namespace, for engines that load from inside it (k6-operator). */
  readonly cluster?: LoadCluster;
  /** Starts the observers; resolves once their initial lists are done. `seconds` is the run clock (0 before t0). */
  observe(seconds: () => number): Promise<void>;
  /** Starts the chaos schedule on the run's clock; aborting `signal` (the load's end) reverts what is held. */
  startChaos(ctx: { clock: Clock; signal: AbortSignal }): Promise<void>;
  /** After the load: reverts what is still injected, stops observing, hands over the timeline parts. */
  finish(): Promise<SessionTimeline>;
  /** Stops what the session started (observers, a local cluster it brought up). Idempotent. */
  close(): Promise<void>;
  /** Prometheus watching the target's cluster (the command line's or the local cluster's), for server-side SLAs. */
  readonly prometheusUrl?: string;
  /** Why there is no prometheusUrl, for the setup error. */
  readonly noPrometheus?: string;
  /** Faults so far and how many are planned, for server-side abortOnFail SLAs scoped to a phase. */
  chaosProgress?(): ChaosProgress;
}

export interface SessionTimeline {
  readonly spans: Span[];
  readonly events: TimelineEvent[];
  readonly gauges: Gauge[];
  /** Chaos problems worth a line in the report (failed injections, reverts left to `gauntlet recover`). */
  readonly warnings: string[];
}

export interface ClusterSelection {
  /** Use the embedded local cluster (start it with the stack when it is not running). */
  readonly local?: boolean;
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Local cluster dir; default .gauntlet/local. */
  readonly localDir?: string;
  readonly allow?: ChaosAllowlist;
  /** Prometheus and Alertmanager watching the cluster; default the local cluster's, if it has them. */
  readonly monitoring?: { readonly prometheusUrl: string; readonly alertmanagerUrl: string };
}

export interface OpenSessionOptions {
  readonly scenario: ResolvedScenario;
  readonly outDir: string;
  readonly cluster: ClusterSelection;
  readonly log?: (line: string) => void;
  /** How long to wait for the target deployment to be available; default 180 s. */
  readonly readyTimeoutMs?: number;
  /**
   * The run will judge the scenario's server-side SLAs: a local cluster started for it gets
   * monitoring, and a session without Prometheus is refused at once (a setup error naming the fix).
   */
  readonly needsPrometheus?: boolean;
}

/** The stack every shipped scenario targets on the local cluster. */
export const LOCAL_STACK_TARGET: ResolvedKubernetesTarget = {
  kind: 'kubernetes',
  namespace: 'novel-engine',
  deployment: 'novel-engine',
};

/** Whether a run needs a cluster session at all. */
export function needsCluster(scenario: ResolvedScenario, cluster: ClusterSelection): boolean {
  return scenario.target.kind === 'kubernetes' || Boolean(cluster.local);
}

export async function openClusterSession(opts: OpenSessionOptions): Promise<RunSession> {
  const log = opts.log ?? (() => undefined);
  const spec = opts.scenario.target.kind === 'kubernetes' ? opts.scenario.target : LOCAL_STACK_TARGET;
  const useLocal = opts.cluster.local ?? !(opts.cluster.kubeconfig || opts.cluster.context);
  const wantsAlerts = opts.scenario.verify.some((v) => v.kind === 'alert-detection');
  const local = useLocal ? await useLocalCluster(opts, wantsAlerts, log) : undefined;
  const started = local?.started;
  const kubeconfig = local?.kubeconfig ?? opts.cluster.kubeconfig;
  try {
    const endpoints = opts.cluster.monitoring
      ? { ...opts.cluster.monitoring, source: 'the command line' }
      : local?.monitoring
        ? { ...local.monitoring, source: 'the local cluster' }
        : undefined;
    const missing = local?.noMonitoring ?? 'no --prometheus and --alertmanager were given for this cluster';
    // Before waiting for the target: the runner checks the expressions, this only that there is a Prometheus.
    if (opts.needsPrometheus && opts.scenario.promqlSlas.length && !endpoints)
      throw noPrometheusError(opts.scenario.promqlSlas, missing);
    const alerts = await openAlertRecording(endpoints, missing, wantsAlerts, log);
    const client = createClusterClient({ kubeconfig, context: useLocal ? undefined : opts.cluster.context });
    const target = await resolveKubernetesTarget(client, spec);
    log(`target: deployment ${target.namespace}/${target.deployment} via ${target.urlSource} ${target.url}`);
    if (opts.scenario.chaos.length) assertAllowed(client, target, opts.cluster.allow);
    await waitForReady(client, target, opts.readyTimeoutMs ?? 180_000, {
      onProgress: (p) => log(`waiting for ${target.deployment}: ${JSON.stringify(p)}`),
    });
    const preflight = opts.scenario.verify.some((v) => v.kind === 'preflight')
      ? await preflightSnapshot(client, target)
      : undefined;
    const session = new ClusterSession(client, target, opts, started, preflight, log, alerts);
    if (endpoints) session.prometheusUrl = endpoints.prometheusUrl;
    else session.noPrometheus = missing;
    return session;
  } catch (e) {
    await started?.stop();
    throw e;
  }
}

/** How the session deals with alerts: record them, say why it cannot, or leave them be. */
type AlertPlan =
  | { readonly endpoints: MonitoringEndpoints; recording?: AlertRecording }
  | { readonly unavailable: string }
  | undefined;

async function openAlertRecording(
  endpoints: MonitoringEndpoints | undefined,
  missing: string,
  wanted: boolean,
  log: (line: string) => void,
): Promise<AlertPlan> {
  if (!endpoints) return wanted ? { unavailable: missing } : undefined;
  const problem = await checkMonitoring(endpoints);
  if (problem) {
    log(`alerts: not recorded: ${problem}`);
    return wanted ? { unavailable: problem } : undefined;
  }
  log(`alerts: recording from Alertmanager ${endpoints.alertmanagerUrl} (${endpoints.source})`);
  return { endpoints };
}

class ClusterSession implements RunSession {
  readonly url: string;
  prometheusUrl?: string;
  noPrometheus?: string;
  readonly headers: Record<string, string>;
  readonly cluster: LoadCluster;
  private readonly spans = new Map<string, Span>();
  private readonly events: TimelineEvent[] = [];
  private readonly gauges: Gauge[] = [];
  private readonly warnings: string[] = [];
  private observer?: ClusterObserver;
  private chaos?: Promise<ChaosScheduleResult>;
  private readonly chaosStop = new AbortController();
  private closed = false;
  /** Wall-clock ms of the run's t0, from the clock handed to startChaos. */
  private runStartMs?: number;
  /** Opened on first use: by the chaos schedule, or an engine creating objects (k6-operator). */
  private readonly journal: RunJournal;

  constructor(
    private readonly client: ClusterClient,
    private readonly target: KubernetesTarget,
    private readonly opts: OpenSessionOptions,
    private readonly started: LocalClusterHandle | undefined,
    readonly preflight: PreflightSnapshot | undefined,
    private readonly log: (line: string) => void,
    private readonly alerts: AlertPlan,
  ) {
    this.url = target.url;
    this.headers = target.hostHeader ? { host: target.hostHeader } : {};
    this.journal = new RunJournal(opts.outDir, opts.scenario.name, client, target);
    this.cluster = {
      client,
      namespace: target.namespace,
      journal: (action, t) => this.journal.guard(action, t),
    };
  }

  async observe(seconds: () => number): Promise<void> {
    // Before t0, like the observers: an alert already firing at the start must be seen as such.
    if (this.alerts && 'endpoints' in this.alerts)
      this.alerts.recording = startAlertRecording(this.alerts.endpoints);
    this.observer = startClusterObserver(this.client, {
      namespace: this.target.namespace,
      deployment: this.target.deployment,
      selector: this.target.selector,
      hpa: this.target.hpa,
      service: this.target.service,
      clock: seconds,
      onGauge: (g) => this.gauges.push({ ...g }),
      onEvent: (e) => this.events.push({ ...e }),
      onError: (err) => this.log(`observer: ${err instanceof Error ? err.message : String(err)}`),
    });
    await this.observer.ready;
  }

  async startChaos({ clock, signal }: { clock: Clock; signal: AbortSignal }): Promise<void> {
    this.runStartMs = clock.startedAt.getTime();
    const entries = this.opts.scenario.chaos;
    if (!entries.length) return;
    // A run's end (or abort) reverts every fault still held.
    // An interrupt during start-up fires no event later: without this a fault due at 0 s would be
    // injected only to be reverted at once.
    if (signal.aborted) this.chaosStop.abort();
    else signal.addEventListener('abort', () => this.chaosStop.abort(), { once: true });
    const journal = await this.journal.open();
    this.chaos = runChaosSchedule({
      entries,
      client: this.client,
      target: {
        namespace: this.target.namespace,
        deployment: this.target.deployment,
        selector: this.target.selector,
      },
      runId: this.journal.runId,
      clock,
      journal,
      signal: this.chaosStop.signal,
      endMs: profileDurationMs(this.opts.scenario.profile),
      limits: this.opts.scenario.chaosLimits,
      emit: (item) => this.onChaos(item),
      log: (line) => this.log(`chaos: ${line}`),
    });
  }

  chaosProgress(): ChaosProgress {
    const endMs = profileDurationMs(this.opts.scenario.profile);
    return {
      spans: [...this.spans.values()],
      planned: this.opts.scenario.chaos.reduce((n, e) => n + occurrenceTimes(e, endMs).length, 0),
    };
  }

  private onChaos(item: ChaosEmission): void {
    if (item.type === 'event') {
      this.events.push({ ...item.event });
      return;
    }
    // A span is emitted when a fault starts and again when it ends; keep the latest.
    const s = item.span;
    this.spans.set(`${s.name}@${s.start}`, {
      kind: s.kind,
      name: s.name,
      start: s.start,
      end: s.end,
      detail: { ...s.detail },
    });
  }

  async finish(): Promise<SessionTimeline> {
    this.chaosStop.abort();
    if (this.chaos) {
      const result = await this.chaos;
      for (const o of result.occurrences) {
        if (o.error) this.warnings.push(`chaos ${o.action} #${o.occurrence + 1}: ${o.error}`);
        if (o.revertError)
          this.warnings.push(`chaos ${o.action} #${o.occurrence + 1} revert: ${o.revertError}`);
      }
      if (result.leftovers.length) {
        this.warnings.push(
          `faults not reverted (${result.leftovers.join(', ')}): run 'gauntlet recover ${this.journal.file}'`,
        );
      }
    }
    await this.observer?.stop();
    this.observer = undefined;
    await this.finishAlerts();
    const byTime = <T extends { t: number }>(a: T, b: T) => a.t - b.t;
    return {
      spans: [...this.spans.values()].sort((a, b) => a.start - b.start),
      events: [...this.events].sort(byTime),
      gauges: [...this.gauges].sort(byTime),
      warnings: [...this.warnings],
    };
  }

  private async finishAlerts(): Promise<void> {
    const plan = this.alerts;
    if (!plan) return;
    if ('unavailable' in plan) {
      this.events.push(monitoringEvent({ available: false, reason: plan.unavailable }));
      return;
    }
    if (!plan.recording || this.runStartMs === undefined) return;
    const events = await plan.recording.finish(this.runStartMs);
    this.events.push(...events);
    const fired = events.length - 1;
    this.log(`alerts: ${fired} firing${fired === 1 ? '' : 's'} recorded`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.chaosStop.abort();
    await this.chaos?.catch(() => undefined);
    await this.observer?.stop();
    if (this.alerts && 'endpoints' in this.alerts) await this.alerts.recording?.stop();
    if (this.started) {
      this.log('stopping the local cluster this run started…');
      await this.started.stop();
    }
  }
}
