/**
 * Live inputs for the alert-detection verdict: the budget read from the running Prometheus, and
 * Alertmanager's alerts turned into timeline events on the run clock.
 */
import { kAlertEventKind, type DetectionBudget } from '../assert/alert-detection.ts';
import type { TimelineEvent } from '../result/schema.ts';
import type { AlertmanagerAlert, AlertmanagerClient, PrometheusClient } from './api.ts';
import type { MonitoringSettings } from './monitoring.ts';

/** Each loaded alerting rule's `for`, with the configured scrape and evaluation intervals. */
export async function detectionBudget(
  prometheus: PrometheusClient,
  settings: Pick<MonitoringSettings, 'scrapeIntervalS' | 'evaluationIntervalS'>,
): Promise<DetectionBudget> {
  const forS: Record<string, number> = {};
  for (const g of await prometheus.alertRules())
    for (const r of g.rules) forS[r.name] = Math.max(forS[r.name] ?? 0, r.duration);
  return {
    scrapeIntervalS: settings.scrapeIntervalS,
    evaluationIntervalS: settings.evaluationIntervalS,
    forS,
  };
}

/**
 * An alert as a recorder saw it: the last poll (wall clock, ms) that still listed it, and
 * Prometheus' activeAt for the same label set when Prometheus was polled too.
 */
export type RecordedAlert = AlertmanagerAlert & { readonly lastSeenMs?: number; readonly activeAt?: string };

/** `alert-firing` events: t = startsAt − run start, in seconds (and lastSeenS likewise when known). */
export function alertEvents(alerts: readonly RecordedAlert[], runStartMs: number): TimelineEvent[] {
  const onRunClock = (ms: number): number => Math.round(ms - runStartMs) / 1000;
  return alerts.map((a) => {
    const name = a.labels.alertname ?? '';
    return {
      t: onRunClock(Date.parse(a.startsAt)),
      kind: kAlertEventKind,
      object: `alert/${name}`,
      message: `${name} firing${a.annotations.summary ? `: ${a.annotations.summary}` : ''}`,
      detail: {
        alertname: name,
        labels: a.labels,
        startsAt: a.startsAt,
        fingerprint: a.fingerprint,
        ...(a.lastSeenMs !== undefined ? { lastSeenS: onRunClock(a.lastSeenMs) } : {}),
        ...(a.activeAt !== undefined ? { activeAtS: onRunClock(Date.parse(a.activeAt)) } : {}),
      },
    };
  });
}

export interface WaitForAlertOptions {
  /** Only alerts that started at or after this wall-clock time (ms). */
  readonly sinceMs?: number;
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** @default 500 */
  readonly pollMs?: number;
}

/** Polls Alertmanager until the named alert is there; null when the time runs out. */
export async function waitForAlert(
  am: AlertmanagerClient,
  alertname: string,
  o: WaitForAlertOptions,
): Promise<AlertmanagerAlert | null> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const found = (await am.alerts({ filter: [`alertname="${alertname}"`] })).find(
      (a) =>
        (o.sinceMs === undefined || Date.parse(a.startsAt) >= o.sinceMs) &&
        Object.entries(o.matchLabels ?? {}).every(([k, v]) => a.labels[k] === v),
    );
    if (found) return found;
    if (Date.now() >= deadline) return null;
    await new Promise((r) => setTimeout(r, Math.min(o.pollMs ?? 500, Math.max(0, deadline - Date.now()))));
  }
}

export interface AlertRecorder {
  /** Every distinct firing seen so far (by fingerprint and startsAt), with when it was last listed. */
  alerts(): RecordedAlert[];
  /** One last poll, then no more. */
  stop(): Promise<void>;
}

export interface RecordAlertsOptions {
  /** @default 1000; keep it at or below the evaluation interval. */
  readonly intervalMs?: number;
  /** Also poll Prometheus for each alert's activeAt (when its condition first held). */
  readonly prometheus?: PrometheusClient;
  readonly onError?: (err: unknown) => void;
}

const labelsKey = (l: Record<string, string>): string =>
  JSON.stringify(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Polls Alertmanager every `intervalMs` and keeps each firing it sees. startsAt carries the
 * firing time, so the poll interval bounds only how short an alert may live and still be seen.
 */
export function recordAlerts(am: AlertmanagerClient, options: RecordAlertsOptions = {}): AlertRecorder {
  const intervalMs = options.intervalMs ?? 1000;
  const seen = new Map<string, RecordedAlert>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const poll = async (): Promise<void> => {
    try {
      const [alerts, pending] = await Promise.all([am.alerts(), options.prometheus?.alerts() ?? []]);
      const at = Date.now();
      const activeAt = new Map(pending.map((p) => [labelsKey(p.labels), p.activeAt]));
      for (const a of alerts) {
        const key = `${a.fingerprint}@${a.startsAt}`;
        const known = seen.get(key)?.activeAt ?? activeAt.get(labelsKey(a.labels));
        seen.set(key, { ...a, lastSeenMs: at, ...(known !== undefined ? { activeAt: known } : {}) });
      }
    } catch (err) {
      options.onError?.(err);
    }
  };
  const tick = (): void => {
    inFlight = poll().finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  tick();
  return {
    alerts: () => [...seen.values()],
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      await poll();
    },
  };
}
