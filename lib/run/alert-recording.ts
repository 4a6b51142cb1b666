/**
 * Alerts during a run: Alertmanager polled from before t0 to the end of the load, each firing kept
 * as an `alert-firing` event (t = its startsAt on the run clock), and one `monitoring` event with
 * the budget the alert-detection verdict explains delays with (scrape and evaluation intervals
 * from Prometheus' own configuration, each rule's `for` from its loaded rules). Works with any
 * Prometheus and Alertmanager: the local cluster's or ones named on the command line.
 */
import { parse } from 'yaml';
import { monitoringEvent } from '../assert/detection-verify.ts';
import {
  AlertmanagerClient,
  alertEvents,
  detectionBudget,
  PrometheusClient,
  recordAlerts,
  type AlertRecorder,
} from '../monitoring/index.ts';
import type { TimelineEvent } from '../result/schema.ts';

export interface MonitoringEndpoints {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  /** Where they came from, for messages ('the local cluster', 'the command line'). */
  readonly source: string;
}

const kUnits: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
};

/** A Prometheus duration ('15s', '1m30s', '500ms') in seconds; undefined when it is not one. */
export function parsePromDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * kUnits[p[2]!]!, 0);
}

async function ready(url: string, what: string): Promise<string | null> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/-/ready`, { signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
    return res.ok ? null : `${what} at ${url} is not ready (HTTP ${res.status})`;
  } catch (err) {
    return `${what} at ${url} did not answer (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** Null when both answer their readiness endpoint, otherwise why not. */
export async function checkMonitoring(e: MonitoringEndpoints): Promise<string | null> {
  const [p, a] = await Promise.all([
    ready(e.prometheusUrl, 'Prometheus'),
    ready(e.alertmanagerUrl, 'Alertmanager'),
  ]);
  return p ?? a;
}

/** The global scrape and evaluation intervals Prometheus runs with (its default is 1m for both). */
export async function prometheusIntervals(
  prometheusUrl: string,
): Promise<{ scrapeIntervalS: number; evaluationIntervalS: number }> {
  const url = `${prometheusUrl.replace(/\/+$/, '')}/api/v1/status/config`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status?: string; data?: { yaml?: string } };
  if (!res.ok || body.status !== 'success' || typeof body.data?.yaml !== 'string')
    throw new Error(`prometheus: GET ${url} answered ${res.status} without a configuration`);
  const global = ((parse(body.data.yaml) as { global?: Record<string, unknown> } | null)?.global ?? {}) as {
    scrape_interval?: string;
    evaluation_interval?: string;
  };
  const read = (v: string | undefined): number => (v ? (parsePromDuration(v) ?? 60) : 60);
  return {
    scrapeIntervalS: read(global.scrape_interval),
    evaluationIntervalS: read(global.evaluation_interval),
  };
}

export interface AlertRecording {
  readonly endpoints: MonitoringEndpoints;
  /**
   * Stops polling; the `monitoring` event and one `alert-firing` event per firing seen, on the
   * run clock that started at wall-clock `runStartMs`.
   */
  finish(runStartMs: number): Promise<TimelineEvent[]>;
  /** Stops polling (idempotent). */
  stop(): Promise<void>;
}

/** Starts polling Alertmanager now (and Prometheus for each alert's activeAt). */
export function startAlertRecording(
  endpoints: MonitoringEndpoints,
  options: { readonly intervalMs?: number } = {},
): AlertRecording {
  const prometheus = new PrometheusClient(endpoints.prometheusUrl.replace(/\/+$/, ''));
  const alertmanager = new AlertmanagerClient(endpoints.alertmanagerUrl.replace(/\/+$/, ''));
  const errors = { count: 0, last: undefined as string | undefined };
  const recorder: AlertRecorder = recordAlerts(alertmanager, {
    intervalMs: options.intervalMs ?? 1000,
    prometheus,
    onError: (err) => {
      errors.count++;
      errors.last = err instanceof Error ? err.message : String(err);
    },
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= recorder.stop());
  return {
    endpoints,
    async finish(runStartMs) {
      await stop();
      let budgetEvent: TimelineEvent;
      try {
        const intervals = await prometheusIntervals(endpoints.prometheusUrl);
        const budget = await detectionBudget(prometheus, intervals);
        budgetEvent = monitoringEvent({
          available: true,
          prometheusUrl: endpoints.prometheusUrl,
          alertmanagerUrl: endpoints.alertmanagerUrl,
          scrapeIntervalS: budget.scrapeIntervalS,
          evaluationIntervalS: budget.evaluationIntervalS,
          forS: budget.forS,
          pollErrors: errors.count,
          ...(errors.last !== undefined ? { lastPollError: errors.last } : {}),
        });
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        budgetEvent = monitoringEvent({
          available: false,
          reason: `could not read the rules and intervals from ${endpoints.source}'s Prometheus: ${why}`,
        });
      }
      return [budgetEvent, ...alertEvents(recorder.alerts(), runStartMs)];
    },
    stop,
  };
}
