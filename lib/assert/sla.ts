import type { Verdict } from '../result/schema.ts';
import type { RunTimeline } from '../result/timeline.ts';
import type { ResolvedSla, SlaCondition } from '../scenario/resolved.ts';
import type { WindowStats } from '../metrics/types.ts';
import type { Assertion } from './assertion.ts';
import { compare, fmt, pct } from './compare.ts';
import { type SecondsWindow, narrowWindow, phaseWindow, toSeconds } from './phases.ts';

const metricLabel = (s: Pick<ResolvedSla, 'metric' | 'percentile'>) =>
  s.metric === 'latency'
    ? `${s.percentile === 100 ? 'max' : `p${s.percentile}`} latency`
    : { 'error-rate': 'error rate', availability: 'availability', 'achieved-rate': 'achieved rate' }[
        s.metric
      ];

const unit = (s: Pick<ResolvedSla, 'metric'>) => (s.metric === 'latency' ? ' ms' : ' %');

/** The value an SLA looks at, over a window; null when the window holds no data to judge. */
export function slaObserved(
  sla: Pick<ResolvedSla, 'metric' | 'percentile'>,
  w: WindowStats,
): { value: number; detail: string } | null {
  const completed = w.ok + w.failed;
  switch (sla.metric) {
    case 'latency': {
      const v = w.percentile(sla.percentile ?? 95);
      return v === null ? null : { value: v, detail: `${fmt(completed, 0)} requests` };
    }
    case 'error-rate':
      return completed
        ? { value: pct(w.failed, completed), detail: `${w.failed} of ${completed} failed` }
        : null;
    case 'availability':
      return completed ? { value: pct(w.ok, completed), detail: `${w.ok} of ${completed} succeeded` } : null;
    case 'achieved-rate':
      return w.intended
        ? { value: pct(w.sent, w.intended), detail: `${w.sent} of ${w.intended} intended sent` }
        : null;
  }
}

/** 'p95 latency < 100 ms', 'error rate < 0.1 %'. */
export function describeCondition(c: SlaCondition): string {
  return `${metricLabel(c)} ${c.op} ${fmt(c.value)}${unit(c)}`;
}

/** Whether a window meets a condition; null when the window has nothing to judge. */
export function meetsCondition(
  c: SlaCondition,
  w: WindowStats,
): { pass: boolean; value: number; detail: string } | null {
  const obs = slaObserved(c, w);
  return obs && { pass: compare(obs.value, c.op, c.value), ...obs };
}

export function describeSla(sla: ResolvedSla, w: SecondsWindow): string {
  const scope = sla.scope === 'run' ? '' : ` during ${sla.scope}`;
  return `${metricLabel(sla)} ${sla.op} ${fmt(sla.value)}${unit(sla)}${scope} (${fmt(w.start)}–${fmt(w.end)} s)`;
}

export function slaAssertion(sla: ResolvedSla): Assertion {
  return {
    name: sla.scope === 'run' ? sla.id : `${sla.id} [${sla.scope}]`,
    evaluate(t: RunTimeline): Verdict {
      const phase = phaseWindow(sla.scope, t.spans, t.durationS);
      if (!phase) {
        return {
          name: this.name,
          claim: `${metricLabel(sla)} ${sla.op} ${fmt(sla.value)}${unit(sla)} during ${sla.scope}`,
          observed: `no ${sla.scope} phase in this run (no fault was injected)`,
          pass: false,
          inconclusive: true,
          window: { start: 0, end: t.durationS },
        };
      }
      const w = toSeconds(narrowWindow(phase, sla.window), t.durationS);
      const stats = t.window(w.start, w.end);
      const obs = slaObserved(sla, stats);
      const claim = describeSla(sla, w);
      if (!obs) {
        return {
          name: this.name,
          claim,
          observed: 'no completed requests in the window',
          pass: false,
          window: w,
        };
      }
      return {
        name: this.name,
        claim,
        observed: `${metricLabel(sla)} = ${fmt(obs.value, sla.metric === 'latency' ? 2 : 3)}${unit(sla)} (${obs.detail})`,
        pass: compare(obs.value, sla.op, sla.value),
        window: w,
        evidence: { value: obs.value, limit: sla.value, op: sla.op },
      };
    },
  };
}
