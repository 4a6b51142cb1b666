/**
 * alert-detection: after each chaos action, the named alerts fire within N seconds. "Fired" is
 * Alertmanager's `startsAt`, the evaluation at which Prometheus turned the alert firing; the delay
 * is startsAt − the action's inject time (the chaos span's start). Alerts reach the timeline as
 * events of kind `alert-firing` (t = startsAt on the run clock; detail {alertname, labels, and,
 * on the run clock when a recorder saw them, lastSeenS and Prometheus' activeAtS}).
 *
 * An alert whose condition already held before the action (activeAt earlier than the inject, e.g.
 * left over from an earlier fault) fires without the action having been detected: such a firing
 * makes the verdict inconclusive rather than a measured detection.
 *
 * The evidence explains each delay against the fixed part of the budget, which no fast symptom
 * can beat: up to one scrape interval before the change is sampled, up to one evaluation interval
 * before a rule sees it, and the rule's `for` rounded up to whole evaluation intervals. The rest
 * is the symptom's own lag (a node turns NotReady only after the grace period) and the ramp of
 * the rule's rate window.
 */
import type { Span, TimelineEvent, Verdict } from '../result/schema.ts';
import type { RunTimeline } from '../result/timeline.ts';
import type { Assertion } from './assertion.ts';
import { fmt } from './compare.ts';
import { faultSpans } from './phases.ts';

export const kAlertEventKind = 'alert-firing';

/** One firing alert on the run clock. */
export interface AlertObservation {
  readonly alertname: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Alertmanager's startsAt, seconds from the run start. */
  readonly startsAtS: number;
  /** Last time it was seen active, s from run start; unknown → assumed still active. */
  readonly lastSeenS?: number;
  /** Prometheus' activeAt (the condition first held), s from run start, when recorded. */
  readonly activeAtS?: number;
}

export interface DetectionBudget {
  readonly scrapeIntervalS: number;
  readonly evaluationIntervalS: number;
  /** Each alerting rule's `for`, seconds, by alert name (Prometheus /api/v1/rules `duration`). */
  readonly forS: Readonly<Record<string, number>>;
}

export interface AlertDetectionConfig {
  /** Alert names that must all fire after each judged action. */
  readonly alerts: readonly string[];
  readonly withinS: number;
  /** Judge only chaos spans with this action or name; default every chaos span. */
  readonly action?: string;
  /** Only alerts carrying these labels count (e.g. {namespace: 'novel-engine'}). */
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly budget: DetectionBudget;
  /** Until when alerts were watched, s from run start; default the run's duration. */
  readonly observedUntilS?: number;
}

export type DetectionOutcome =
  'detected' | 'late' | 'not-fired' | 'already-firing' | 'pending-before' | 'unobserved';

export interface AlertBudget {
  readonly forS: number | null;
  /** `for` rounded up to whole evaluation intervals. */
  readonly forRoundedS: number | null;
  readonly scrapeIntervalS: number;
  readonly evaluationIntervalS: number;
  /** scrape + evaluation + rounded `for`: the most the pipeline itself can add. */
  readonly fixedWorstCaseS: number | null;
  /** The rule cannot fire within the allowed time whatever the symptom does. */
  readonly exceedsWithin: boolean;
}

export interface AlertDetection {
  readonly alert: string;
  readonly outcome: DetectionOutcome;
  /** startsAt − inject, s. */
  readonly delayS: number | null;
  readonly startsAtS: number | null;
  /** activeAt − inject, s: when the rule's condition first held (negative: before the action). */
  readonly pendingDelayS: number | null;
  readonly labels: Readonly<Record<string, string>> | null;
  readonly budget: AlertBudget;
  /** Delay beyond the rounded `for`: scrape and evaluation alignment, symptom lag and window ramp. */
  readonly beyondForS: number | null;
  /** Delay beyond the fixed worst case: what only the symptom's lag and the window ramp explain. */
  readonly symptomAndRampS: number | null;
}

export interface ActionDetection {
  readonly fault: string;
  readonly action: string;
  readonly injectS: number;
  readonly alerts: readonly AlertDetection[];
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

function actionOf(s: Span): string {
  return typeof s.detail?.action === 'string' ? s.detail.action : s.name;
}

export function alertBudget(name: string, b: DetectionBudget, withinS: number): AlertBudget {
  const forS = Object.hasOwn(b.forS, name) ? (b.forS[name] ?? null) : null;
  const forRoundedS =
    forS === null
      ? null
      : forS <= 0
        ? 0
        : Math.ceil(forS / b.evaluationIntervalS - 1e-9) * b.evaluationIntervalS;
  const fixedWorstCaseS =
    forRoundedS === null ? null : b.scrapeIntervalS + b.evaluationIntervalS + forRoundedS;
  return {
    forS,
    forRoundedS,
    scrapeIntervalS: b.scrapeIntervalS,
    evaluationIntervalS: b.evaluationIntervalS,
    fixedWorstCaseS,
    exceedsWithin: forRoundedS !== null && forRoundedS > withinS,
  };
}

function matches(
  o: AlertObservation,
  name: string,
  want: Readonly<Record<string, string>> | undefined,
): boolean {
  if (o.alertname !== name) return false;
  return Object.entries(want ?? {}).every(([k, v]) => o.labels[k] === v);
}

/** Pure: one action, its alerts. */
export function judgeAction(
  span: Span,
  cfg: AlertDetectionConfig,
  observations: readonly AlertObservation[],
  observedUntilS: number,
): ActionDetection {
  const injectS = span.start;
  const alerts = cfg.alerts.map((alert): AlertDetection => {
    const budget = alertBudget(alert, cfg.budget, cfg.withinS);
    const mine = observations.filter((o) => matches(o, alert, cfg.matchLabels));
    const after = mine.filter((o) => o.startsAtS >= injectS).sort((a, b) => a.startsAtS - b.startsAtS);
    const first = after[0];
    const none = {
      delayS: null,
      startsAtS: null,
      pendingDelayS: null,
      labels: null,
      beyondForS: null,
      symptomAndRampS: null,
    };
    if (!first) {
      // Alertmanager keeps one alert per label set: one that fired before the action and is still
      // active hides any new firing, so the action's detection cannot be seen.
      const stillActive = mine.some((o) => o.startsAtS < injectS && (o.lastSeenS ?? Infinity) >= injectS);
      if (stillActive) return { alert, outcome: 'already-firing', budget, ...none };
      const outcome = observedUntilS >= injectS + cfg.withinS ? 'not-fired' : 'unobserved';
      return { alert, outcome, budget, ...none };
    }
    const delayS = round3(first.startsAtS - injectS);
    const pendingDelayS = first.activeAtS === undefined ? null : round3(first.activeAtS - injectS);
    return {
      alert,
      outcome:
        pendingDelayS !== null && pendingDelayS < 0
          ? 'pending-before'
          : delayS <= cfg.withinS
            ? 'detected'
            : 'late',
      delayS,
      startsAtS: round3(first.startsAtS),
      pendingDelayS,
      labels: first.labels,
      budget,
      beyondForS: budget.forRoundedS === null ? null : round3(Math.max(0, delayS - budget.forRoundedS)),
      symptomAndRampS:
        budget.fixedWorstCaseS === null ? null : round3(Math.max(0, delayS - budget.fixedWorstCaseS)),
    };
  });
  return { fault: span.name, action: actionOf(span), injectS, alerts };
}

function describeBudget(b: AlertBudget): string {
  if (b.forS === null) return 'no such alerting rule loaded';
  return `for ${fmt(b.forS)} s${b.forRoundedS !== b.forS ? ` (${fmt(b.forRoundedS ?? 0)} s in evaluations)` : ''}, scrape ${fmt(b.scrapeIntervalS)} s, evaluation ${fmt(b.evaluationIntervalS)} s`;
}

function describeAlert(a: AlertDetection, withinS: number): string {
  const budget = describeBudget(a.budget);
  const impossible = a.budget.exceedsWithin ? `; its for alone exceeds ${fmt(withinS)} s` : '';
  switch (a.outcome) {
    case 'detected':
    case 'late':
      return `${a.alert} fired after ${fmt(a.delayS ?? 0, 3)} s${a.outcome === 'late' ? ` (> ${fmt(withinS)} s)` : ''} (${budget}; ${fmt(a.symptomAndRampS ?? 0, 3)} s beyond the fixed worst case)${impossible}`;
    case 'not-fired':
      return `${a.alert} did not fire within ${fmt(withinS)} s (${budget})${impossible}`;
    case 'already-firing':
      return `${a.alert} was already firing before the action, so its detection cannot be seen`;
    case 'pending-before':
      return `${a.alert} fired after ${fmt(a.delayS ?? 0, 3)} s, but its condition held from ${fmt(-(a.pendingDelayS ?? 0), 3)} s before the action, so that is not this action's detection`;
    case 'unobserved':
      return `${a.alert} not seen, and alerts were watched for less than ${fmt(withinS)} s after the action`;
  }
}

/** Alerts recorded on the timeline as `alert-firing` events. */
export function alertObservations(events: readonly TimelineEvent[]): AlertObservation[] {
  const out: AlertObservation[] = [];
  for (const e of events) {
    if (e.kind !== kAlertEventKind) continue;
    const name = e.detail?.alertname;
    const labels = e.detail?.labels;
    const lastSeenS = e.detail?.lastSeenS;
    const activeAtS = e.detail?.activeAtS;
    if (typeof name !== 'string') continue;
    out.push({
      alertname: name,
      labels: labels && typeof labels === 'object' ? (labels as Record<string, string>) : {},
      startsAtS: e.t,
      ...(typeof lastSeenS === 'number' ? { lastSeenS } : {}),
      ...(typeof activeAtS === 'number' ? { activeAtS } : {}),
    });
  }
  return out;
}

export function alertDetectionAssertion(cfg: AlertDetectionConfig): Assertion {
  if (!cfg.alerts.length) throw new Error('alert-detection: alerts must name at least one alert');
  if (!(cfg.withinS > 0)) throw new Error('alert-detection: withinS must be a positive number of seconds');
  const name = `alert-detection${cfg.action ? ` [${cfg.action}]` : ''}`;
  const claim = `${cfg.alerts.join(', ')} fire${cfg.alerts.length === 1 ? 's' : ''} within ${fmt(cfg.withinS)} s of ${cfg.action ? `each '${cfg.action}' action` : 'each chaos action'} (Alertmanager startsAt)`;
  return {
    name,
    // Detection depends on the fault and the monitoring, not on whether the generator kept up.
    loadIndependent: true,
    evaluate(t: RunTimeline): Verdict {
      const spans = faultSpans(t.spans).filter(
        (s) => cfg.action === undefined || s.name === cfg.action || actionOf(s) === cfg.action,
      );
      if (!spans.length) {
        return {
          name,
          claim,
          observed: cfg.action ? `no '${cfg.action}' action in this run` : 'no chaos action in this run',
          pass: false,
          inconclusive: true,
          window: { start: 0, end: t.durationS },
        };
      }
      const observedUntilS = cfg.observedUntilS ?? t.durationS;
      const observations = alertObservations(t.events);
      const actions = spans.map((s) => judgeAction(s, cfg, observations, observedUntilS));
      const all = actions.flatMap((a) => a.alerts);
      const failed = all.some((a) => a.outcome === 'late' || a.outcome === 'not-fired');
      const open = all.some(
        (a) => a.outcome === 'already-firing' || a.outcome === 'pending-before' || a.outcome === 'unobserved',
      );
      const starts = actions.map((a) => a.injectS);
      return {
        name,
        claim,
        observed: actions
          .map(
            (a) =>
              `${a.action} '${a.fault}' at ${fmt(a.injectS, 3)} s: ${a.alerts.map((x) => describeAlert(x, cfg.withinS)).join('; ')}`,
          )
          .join(' | '),
        pass: !failed && !open,
        ...(!failed && open ? { inconclusive: true } : {}),
        window: { start: Math.min(...starts), end: Math.max(...starts) + cfg.withinS },
        evidence: {
          withinS: cfg.withinS,
          scrapeIntervalS: cfg.budget.scrapeIntervalS,
          evaluationIntervalS: cfg.budget.evaluationIntervalS,
          observedUntilS,
          actions,
        },
      };
    },
  };
}
