/**
 * zero-downtime: no failed request in a scope. When there are failures, the evidence says what the
 * cluster did just before each one (see attribution.ts), so a failing verdict points at its cause:
 * one entry per failure while there are few, one per failed second (with counts) when many, or when
 * the failure sample was capped and only the per-second counts are complete.
 */
import type { FailureSample, SeriesPoint, Verdict } from '../result/schema.ts';
import { failureSampleComplete, type RunTimeline } from '../result/timeline.ts';
import type { ResolvedZeroDowntime } from '../scenario/resolved.ts';
import type { Assertion } from './assertion.ts';
import { type Attribution, type Cause, attribute, causeLabel, causesOf } from './attribution.ts';
import { fmt } from './compare.ts';
import { type SecondsWindow, narrowWindow, phaseWindow, scopeSuffix, toSeconds } from './phases.ts';

export interface ZeroDowntimeOptions extends Omit<ResolvedZeroDowntime, 'kind'> {
  /** Above this many failures the evidence lists failed seconds instead of requests. @default 50 */
  readonly maxListed?: number;
}

/** Failed seconds listed at most (a long outage would otherwise bloat result.json). */
const kMaxSeconds = 300;

interface CauseRef {
  readonly t: number;
  readonly kind: string;
  readonly object: string;
  readonly message: string;
  readonly gapMs: number;
}

const ref = (a: Attribution | null): CauseRef | null => a && { ...a.cause, gapMs: a.gapMs };
const failedAt = (f: FailureSample) => f.t + (f.latencyMs ?? 0) / 1000;

interface Group {
  readonly second: number;
  failed: number;
  readonly errors: Record<string, number>;
  first?: FailureSample;
}

function groupSample(failures: readonly FailureSample[]): Group[] {
  const bySecond = new Map<number, Group>();
  for (const f of failures) {
    const s = Math.floor(f.t);
    let g = bySecond.get(s);
    if (!g) bySecond.set(s, (g = { second: s, failed: 0, errors: {} }));
    g.failed++;
    g.errors[f.kind] = (g.errors[f.kind] ?? 0) + 1;
    if (!g.first || f.t < g.first.t) g.first = f;
  }
  return [...bySecond.values()].sort((a, b) => a.second - b.second);
}

function groupSeries(
  series: readonly SeriesPoint[],
  w: SecondsWindow,
  sample: readonly FailureSample[],
): Group[] {
  const firsts = new Map<number, FailureSample>();
  for (const f of sample) {
    const s = Math.floor(f.t);
    const cur = firsts.get(s);
    if (!cur || f.t < cur.t) firsts.set(s, f);
  }
  return series
    .filter((p) => p.failed > 0 && p.t >= w.start && p.t < w.end)
    .map((p) => {
      const first = firsts.get(p.t);
      return { second: p.t, failed: p.failed, errors: { ...p.errors }, ...(first ? { first } : {}) };
    });
}

interface CauseTally {
  cause: Cause;
  failures: number;
  minGapMs: number;
  maxGapMs: number;
}

function tally(items: readonly { n: number; a: Attribution | null }[]) {
  const byCause = new Map<Cause, CauseTally>();
  let unattributed = 0;
  for (const { n, a } of items) {
    if (!a) {
      unattributed += n;
      continue;
    }
    const cur = byCause.get(a.cause);
    if (!cur) byCause.set(a.cause, { cause: a.cause, failures: n, minGapMs: a.gapMs, maxGapMs: a.gapMs });
    else {
      cur.failures += n;
      cur.minGapMs = Math.min(cur.minGapMs, a.gapMs);
      cur.maxGapMs = Math.max(cur.maxGapMs, a.gapMs);
    }
  }
  const tallies = [...byCause.values()].sort((a, b) => b.failures - a.failures || a.cause.t - b.cause.t);
  return { tallies, unattributed };
}

const tallyRef = (c: CauseTally) => ({
  t: c.cause.t,
  kind: c.cause.kind,
  object: c.cause.object,
  failures: c.failures,
  minGapMs: c.minGapMs,
  maxGapMs: c.maxGapMs,
});

function describeTallies(tallies: readonly CauseTally[], unattributed: number, lookbackS: number): string {
  const gap = (c: CauseTally) =>
    c.minGapMs === c.maxGapMs ? `${c.minGapMs} ms` : `${c.minGapMs}–${c.maxGapMs} ms`;
  const parts = tallies
    .slice(0, 3)
    .map((c) => `${c.failures} after ${causeLabel(c.cause)} at ${fmt(c.cause.t, 3)} s (gap ${gap(c)})`);
  if (tallies.length > 3)
    parts.push(`${tallies.slice(3).reduce((a, c) => a + c.failures, 0)} after other causes`);
  if (unattributed) {
    parts.push(`${unattributed} with no Kubernetes cause in flight or in the ${fmt(lookbackS)} s before`);
  }
  return parts.join('; ');
}

export function zeroDowntimeAssertion(cfg: ZeroDowntimeOptions): Assertion {
  const maxListed = cfg.maxListed ?? 50;
  const lookbackS = cfg.lookbackMs / 1000;
  const name = `zero-downtime${scopeSuffix(cfg.scope, cfg.window)}`;
  const scopeText = cfg.scope === 'run' ? '' : ` during ${cfg.scope}`;
  return {
    name,
    evaluate(t: RunTimeline): Verdict {
      const phase = phaseWindow(cfg.scope, t.spans, t.durationS);
      if (!phase) {
        return {
          name,
          claim: `no failed request${scopeText}`,
          observed: `no ${cfg.scope} phase in this run (no fault was injected)`,
          pass: false,
          inconclusive: true,
          window: { start: 0, end: t.durationS },
        };
      }
      const wanted = narrowWindow(phase, cfg.window);
      const secs = toSeconds(wanted, t.durationS);
      const complete = failureSampleComplete(t);
      // With every failure sampled, the window is judged to the ms; otherwise by whole seconds from
      // the series, which counts every failure.
      const w = complete ? wanted : secs;
      const claim = `no failed request${scopeText} (${fmt(w.start)}–${fmt(w.end)} s)`;
      const stats = t.window(secs.start, secs.end);
      if (stats.sent === 0) {
        return {
          name,
          claim,
          observed: 'no requests were sent in the window: nothing to judge',
          pass: false,
          inconclusive: true,
          window: w,
        };
      }
      const sample = t.failures.filter((f) => f.t >= w.start && f.t < w.end);
      const failed = complete ? sample.length : stats.failed;
      if (failed === 0) {
        return {
          name,
          claim,
          observed: `no failed request (${fmt(stats.sent, 0)} sent)`,
          pass: true,
          window: w,
          evidence: { failed: 0, sent: stats.sent },
        };
      }
      const causes = causesOf(t);
      const base = { failed, sent: stats.sent, lookbackMs: cfg.lookbackMs, sampleComplete: complete };
      let evidence: Record<string, unknown>;
      let summary: string;
      if (complete && failed <= maxListed) {
        const listed = sample.map((f) => ({ f, a: attribute(causes, f.t, failedAt(f), lookbackS) }));
        const { tallies, unattributed } = tally(listed.map(({ a }) => ({ n: 1, a })));
        summary = describeTallies(tallies, unattributed, lookbackS);
        evidence = {
          ...base,
          byCause: tallies.map(tallyRef),
          unattributed,
          failures: listed.map(({ f, a }) => ({ ...f, cause: ref(a) })),
        };
      } else {
        const groups = complete ? groupSample(sample) : groupSeries(t.series, secs, t.failures);
        const attributed = groups.map((g) => ({
          g,
          a: g.first
            ? attribute(causes, g.first.t, failedAt(g.first), lookbackS)
            : attribute(causes, g.second, g.second + 1, lookbackS),
        }));
        const { tallies, unattributed } = tally(attributed.map(({ g, a }) => ({ n: g.failed, a })));
        summary = describeTallies(tallies, unattributed, lookbackS);
        evidence = {
          ...base,
          byCause: tallies.map(tallyRef),
          unattributed,
          seconds: attributed
            .slice(0, kMaxSeconds)
            .map(({ g, a }) => ({ second: g.second, failed: g.failed, errors: g.errors, cause: ref(a) })),
          ...(attributed.length > kMaxSeconds ? { moreSeconds: attributed.length - kMaxSeconds } : {}),
        };
      }
      return {
        name,
        claim,
        observed: `${fmt(failed, 0)} of ${fmt(stats.sent, 0)} requests failed: ${summary}`,
        pass: false,
        window: w,
        evidence,
      };
    },
  };
}
