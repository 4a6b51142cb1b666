/**
 * recovery-time: after a fault ends, how long until every second is back within the SLA, judged as
 * the first run of `stableForS` consecutive healthy seconds. A second with no completed request is
 * not healthy: it shows nothing recovered. Resolution is one second; the second in which the fault
 * ended counts, so a target that never degraded recovers in 0 s.
 */
import type { Span, Verdict } from '../result/schema.ts';
import type { RunTimeline } from '../result/timeline.ts';
import type { ResolvedRecoveryTime } from '../scenario/resolved.ts';
import type { Assertion } from './assertion.ts';
import { fmt } from './compare.ts';
import { faultSpans, toSeconds } from './phases.ts';
import { describeCondition, meetsCondition } from './sla.ts';

/** Unhealthy seconds listed per fault in the evidence. */
const kMaxBreaches = 20;

type Outcome = 'recovered' | 'too-slow' | 'not-recovered' | 'run-ended' | 'still-active';

interface FaultRecovery {
  readonly fault: string;
  readonly action: string;
  readonly start: number;
  readonly end: number | null;
  readonly outcome: Outcome;
  /** Seconds from the fault's end to the start of the stable run. */
  readonly recoveryS: number | null;
  readonly stableFrom: number | null;
  /** Out-of-SLA seconds after the end, before the stable run (first few). */
  readonly breaches: readonly { second: number; why: string }[];
}

function actionOf(s: Span): string {
  return typeof s.detail?.action === 'string' ? s.detail.action : s.name;
}

/** Why a second is out of the SLA, or null when it is within. */
function unhealthy(t: RunTimeline, cfg: ResolvedRecoveryTime, second: number): string | null {
  const w = t.window(second, second + 1);
  const why: string[] = [];
  for (const c of cfg.sla) {
    const r = meetsCondition(c, w);
    if (r === null) return 'no completed requests';
    if (!r.pass) why.push(`${c.id}: ${fmt(r.value, 3)} (${r.detail})`);
  }
  return why.length ? why.join(', ') : null;
}

function judgeFault(t: RunTimeline, cfg: ResolvedRecoveryTime, span: Span): FaultRecovery {
  const base = { fault: span.name, action: actionOf(span), start: span.start, end: span.end };
  if (span.end === null) {
    return { ...base, outcome: 'still-active', recoveryS: null, stableFrom: null, breaches: [] };
  }
  const end = span.end;
  const lastS = toSeconds({ start: 0, end: t.durationS }, t.durationS).end;
  const withinS = cfg.withinMs / 1000;
  const breaches: { second: number; why: string }[] = [];
  let runStart = -1;
  for (let s = Math.floor(end); s < lastS; s++) {
    const why = unhealthy(t, cfg, s);
    if (why === null) {
      if (runStart < 0) runStart = s;
      if (s - runStart + 1 >= cfg.stableForS) {
        const recoveryS = Math.max(0, runStart - end);
        const outcome = recoveryS <= withinS ? 'recovered' : 'too-slow';
        return { ...base, outcome, recoveryS: round3(recoveryS), stableFrom: runStart, breaches };
      }
    } else {
      runStart = -1;
      if (breaches.length < kMaxBreaches) breaches.push({ second: s, why });
    }
  }
  // Not recovered by the end of the run: a failure if the run lasted long enough to see a stable
  // run start at the latest allowed second, otherwise the run was too short to tell.
  const latestStart = Math.floor(end + withinS);
  const outcome = latestStart + cfg.stableForS <= lastS ? 'not-recovered' : 'run-ended';
  return { ...base, outcome, recoveryS: null, stableFrom: null, breaches };
}

function describeFault(r: FaultRecovery, cfg: ResolvedRecoveryTime): string {
  const label = `${r.action} '${r.fault}'`;
  const ended = r.end === null ? '' : ` (ended ${fmt(r.end, 3)} s)`;
  switch (r.outcome) {
    case 'recovered':
    case 'too-slow':
      return `${label}${ended}: back within the SLA after ${fmt(r.recoveryS ?? 0, 3)} s (stable from ${r.stableFrom} s)`;
    case 'not-recovered':
      return `${label}${ended}: not back within the SLA for ${cfg.stableForS} s within ${fmt(cfg.withinMs / 1000)} s${r.breaches[0] ? ` (e.g. ${r.breaches[0].second} s: ${r.breaches[0].why})` : ''}`;
    case 'run-ended':
      return `${label}${ended}: the run ended before ${cfg.stableForS} stable seconds could be seen`;
    case 'still-active':
      return `${label}: the fault had not ended when the run ended (its revert did not finish)`;
  }
}

export function recoveryTimeAssertion(cfg: ResolvedRecoveryTime): Assertion {
  const name = `recovery-time${cfg.fault ? ` [${cfg.fault}]` : ''}`;
  const sla = cfg.sla.map(describeCondition).join(' and ');
  const claim = `after ${cfg.fault ? `each '${cfg.fault}' fault` : 'each fault'} ends, ${sla} for ${cfg.stableForS} consecutive seconds within ${fmt(cfg.withinMs / 1000)} s`;
  return {
    name,
    evaluate(t: RunTimeline): Verdict {
      const spans = faultSpans(t.spans).filter(
        (s) => cfg.fault === null || s.name === cfg.fault || actionOf(s) === cfg.fault,
      );
      if (!spans.length) {
        return {
          name,
          claim,
          observed: cfg.fault ? `no fault '${cfg.fault}' in this run` : 'no fault was injected in this run',
          pass: false,
          inconclusive: true,
          window: { start: 0, end: t.durationS },
        };
      }
      const results = spans.map((s) => judgeFault(t, cfg, s));
      const failed = results.some((r) => r.outcome === 'too-slow' || r.outcome === 'not-recovered');
      const open = results.some((r) => r.outcome === 'run-ended' || r.outcome === 'still-active');
      const firstEnd = Math.min(...results.map((r) => r.end ?? t.durationS));
      return {
        name,
        claim,
        observed: results.map((r) => describeFault(r, cfg)).join('; '),
        pass: !failed && !open,
        ...(!failed && open ? { inconclusive: true } : {}),
        window: { start: firstEnd, end: t.durationS },
        evidence: { withinS: cfg.withinMs / 1000, stableForS: cfg.stableForS, faults: results },
      };
    },
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
