/**
 * The `alert-detection` verify entry: alert-detection.ts judged with the budget the run recorded.
 * The run writes one `monitoring` event (t = 0) saying which Prometheus and Alertmanager watched it
 * and with what scrape and evaluation intervals and rule `for`s, or that none did and why; its
 * `alert-firing` events carry the alerts. Without a usable `monitoring` event the verdict is
 * inconclusive and says how to get monitoring.
 */
import type { TimelineEvent, Verdict } from '../result/schema.ts';
import type { RunTimeline } from '../result/timeline.ts';
import type { ResolvedAlertDetection } from '../scenario/resolved.ts';
import { alertDetectionAssertion } from './alert-detection.ts';
import type { Assertion } from './assertion.ts';
import { fmt } from './compare.ts';

export const kMonitoringEventKind = 'monitoring';

export const kMonitoringHint =
  'start them with `gauntlet local up --stack --monitoring` before the run, or pass --prometheus URL --alertmanager URL to gauntlet run';

/** `detail` of the `monitoring` event. */
export type MonitoringDetail =
  | {
      readonly available: true;
      readonly prometheusUrl: string;
      readonly alertmanagerUrl: string;
      readonly scrapeIntervalS: number;
      readonly evaluationIntervalS: number;
      /** Each loaded alerting rule's `for`, seconds. */
      readonly forS: Readonly<Record<string, number>>;
      /** Alertmanager polls that failed during the run, and the last error. */
      readonly pollErrors: number;
      readonly lastPollError?: string;
    }
  | { readonly available: false; readonly reason: string };

export function monitoringEvent(detail: MonitoringDetail): TimelineEvent {
  return {
    t: 0,
    kind: kMonitoringEventKind,
    object: detail.available ? `prometheus/${new URL(detail.prometheusUrl).host}` : 'prometheus/none',
    message: detail.available
      ? `alerts watched: Prometheus ${detail.prometheusUrl} (scrape ${fmt(detail.scrapeIntervalS)} s, evaluation ${fmt(detail.evaluationIntervalS)} s), Alertmanager ${detail.alertmanagerUrl}`
      : `alerts not watched: ${detail.reason}`,
    detail: { ...detail },
  };
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The run's monitoring, from its `monitoring` event; undefined when there is none. */
export function readMonitoring(events: readonly TimelineEvent[]): MonitoringDetail | undefined {
  const e = events.find((x) => x.kind === kMonitoringEventKind);
  const d = e?.detail;
  if (!d) return undefined;
  if (d.available !== true) {
    return { available: false, reason: typeof d.reason === 'string' ? d.reason : 'unknown' };
  }
  const forS = d.forS && typeof d.forS === 'object' ? (d.forS as Record<string, unknown>) : {};
  if (!isNumber(d.scrapeIntervalS) || !isNumber(d.evaluationIntervalS))
    return { available: false, reason: 'the monitoring event has no scrape or evaluation interval' };
  return {
    available: true,
    prometheusUrl: String(d.prometheusUrl ?? ''),
    alertmanagerUrl: String(d.alertmanagerUrl ?? ''),
    scrapeIntervalS: d.scrapeIntervalS,
    evaluationIntervalS: d.evaluationIntervalS,
    forS: Object.fromEntries(Object.entries(forS).filter((kv): kv is [string, number] => isNumber(kv[1]))),
    pollErrors: isNumber(d.pollErrors) ? d.pollErrors : 0,
    ...(typeof d.lastPollError === 'string' ? { lastPollError: d.lastPollError } : {}),
  };
}

export function alertDetectionVerification(v: ResolvedAlertDetection): Assertion {
  const withinS = v.withinMs / 1000;
  const matchLabels = Object.keys(v.labels).length ? v.labels : undefined;
  const base = {
    alerts: v.alerts,
    withinS,
    ...(v.fault !== null ? { action: v.fault } : {}),
    ...(matchLabels ? { matchLabels } : {}),
  };
  const name = `alert-detection${v.fault !== null ? ` [${v.fault}]` : ''}`;
  const claim = `${v.alerts.join(', ')} fire${v.alerts.length === 1 ? 's' : ''} within ${fmt(withinS)} s of ${v.fault !== null ? `each '${v.fault}' action` : 'each chaos action'} (Alertmanager startsAt)`;
  return {
    name,
    loadIndependent: true,
    evaluate(t: RunTimeline): Verdict {
      const m = readMonitoring(t.events);
      if (!m || !m.available) {
        return {
          name,
          claim,
          observed: `no Prometheus and Alertmanager watched this run${m ? ` (${m.reason})` : ''}; ${kMonitoringHint}`,
          pass: false,
          inconclusive: true,
          window: { start: 0, end: t.durationS },
        };
      }
      const budget = {
        scrapeIntervalS: m.scrapeIntervalS,
        evaluationIntervalS: m.evaluationIntervalS,
        forS: m.forS,
      };
      const verdict = alertDetectionAssertion({ ...base, budget }).evaluate(t);
      if (verdict.pass || verdict.inconclusive || m.pollErrors === 0) return verdict;
      // A firing that started and ended between two failed polls was never seen.
      return {
        ...verdict,
        observed: `${verdict.observed} | Alertmanager did not answer ${m.pollErrors} poll${m.pollErrors === 1 ? '' : 's'} during the run (last: ${m.lastPollError ?? 'unknown'}), so an alert may have been missed`,
        inconclusive: true,
      };
    },
  };
}
