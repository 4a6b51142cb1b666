/**
 * One capacity step judged: did the target meet the SLA at this level, did it break it, or could
 * the generator not keep its own schedule (then the step is invalid and says nothing about the
 * target)?
 *
 * The run command's generator-health check reads the schedule lag from the intended time to the
 * moment a request got a connection. Near a target's knee most of that lag is the wait for a
 * connection the target still holds (or for a new one it is slow to accept), which is the
 * target's doing. Here the two are told apart: the generator is late when its loop issued
 * requests late (`dispatchedAt − intendedAt`) or, in the closed model, its event loop stalled;
 * drops while the generator was on time mean the in-flight cap was full of requests the target had
 * not answered. The limits default to generator-health's own.
 */
import { defaultGeneratorLimits, type GeneratorHealthLimits } from '../assert/generator-health.ts';
import { describeCondition, meetsCondition } from '../assert/sla.ts';
import { fmt, pct } from '../assert/compare.ts';
import type { WindowStats } from '../metrics/types.ts';
import type { SlaCondition } from '../scenario/resolved.ts';
import type { StepStatus } from './knee.ts';

export type LoadModel = 'open' | 'closed';

/** Failed requests (percent of completed) that break a step when no SLA judges errors. */
export const IMPLICIT_MAX_ERROR_PCT = 1;

/** How the generator itself did during the judged part of a step. */
export interface GeneratorObservation {
  /** p99 of how late the loop issued requests (ms); null when the engine does not report it. */
  readonly issueLagP99Ms: number | null;
  /** p99 of intended time → connection (the run command's schedule lag), ms. */
  readonly scheduleLagP99Ms: number | null;
  /** p99 of issued → connection: waiting for the target to free or accept a connection, ms. */
  readonly connectWaitP99Ms: number | null;
  /** p99 of this process's event-loop delay, ms: late timers, late reads of responses. */
  readonly eventLoopDelayP99Ms: number | null;
  /** CPU this process used, percent of one core. */
  readonly cpuPct: number | null;
}

export interface SlaCheck {
  readonly id: string;
  readonly claim: string;
  /** The observed value (ms or %), null when the window had nothing to judge. */
  readonly observed: number | null;
  readonly pass: boolean;
  readonly detail: string;
}

export interface StepJudgement {
  readonly status: StepStatus;
  /** Why the step failed or is invalid; empty for a pass. */
  readonly reasons: readonly string[];
  readonly sla: readonly SlaCheck[];
  /** Whether the generator kept its schedule, and what it saw. */
  readonly generator: { readonly onSchedule: boolean; readonly observed: string };
}

export interface JudgeInput {
  readonly model: LoadModel;
  readonly window: WindowStats;
  readonly conditions: readonly SlaCondition[];
  readonly generator: GeneratorObservation;
  readonly limits?: GeneratorHealthLimits;
}

const msText = (v: number | null) => (v === null ? 'n/a' : `${fmt(v)} ms`);

function generatorLateness(input: JudgeInput, limit: number): string[] {
  const g = input.generator;
  const late: string[] = [];
  // Engines that cannot tell issue from connection time fall back to the whole schedule lag.
  const issue = g.issueLagP99Ms ?? (input.model === 'open' ? g.scheduleLagP99Ms : null);
  if (issue !== null && issue > limit) {
    late.push(`the generator issued requests late: p99 ${fmt(issue)} ms after their intended time`);
  }
  // In the open model a stalled loop already shows as issue lag; in the closed model, where each
  // request is sent when the last one is read, the loop's delay is the generator's lateness.
  if (input.model === 'closed' && g.eventLoopDelayP99Ms !== null && g.eventLoopDelayP99Ms > limit) {
    late.push(
      `the generator's event loop stalled: delay p99 ${fmt(g.eventLoopDelayP99Ms)} ms, so sends and response times were late`,
    );
  }
  return late;
}

export function judgeStep(input: JudgeInput): StepJudgement {
  const limits = input.limits ?? defaultGeneratorLimits;
  const w = input.window;
  const g = input.generator;
  const late = generatorLateness(input, limits.maxScheduleLagP99Ms);
  const onSchedule = late.length === 0;
  const observed =
    `issue lag p99 ${msText(g.issueLagP99Ms)}, connection wait p99 ${msText(g.connectWaitP99Ms)}, ` +
    `event-loop delay p99 ${msText(g.eventLoopDelayP99Ms)}, CPU ${g.cpuPct === null ? 'n/a' : `${fmt(g.cpuPct, 0)} % of a core`}`;

  const sla: SlaCheck[] = input.conditions.map((c) => {
    const m = meetsCondition(c, w);
    return m
      ? { id: c.id, claim: describeCondition(c), observed: m.value, pass: m.pass, detail: m.detail }
      : {
          id: c.id,
          claim: describeCondition(c),
          observed: null,
          pass: false,
          detail: 'no completed requests',
        };
  });

  if (!onSchedule) {
    return {
      status: 'invalid',
      reasons: [
        `generator-limited: ${late.join('; ')} (limit ${fmt(limits.maxScheduleLagP99Ms)} ms); this step measures the generator, not the target`,
      ],
      sla,
      generator: { onSchedule, observed },
    };
  }
  const reasons = sla
    .filter((s) => !s.pass)
    .map((s) =>
      s.observed === null
        ? `${s.id}: no request completed in the judged window`
        : `${s.id}: ${s.claim.replace(/ (<|<=|>|>=) .*$/, '')} was ${fmt(s.observed)}${s.claim.includes('latency') ? ' ms' : ' %'} (${s.detail})`,
    );
  // A latency-only SLA would pass a step whose requests fail fast; no one sustains that rate.
  const judgesErrors = input.conditions.some((c) => c.metric === 'error-rate' || c.metric === 'availability');
  const failedPct = pct(w.failed, w.ok + w.failed);
  if (!judgesErrors && failedPct > IMPLICIT_MAX_ERROR_PCT) {
    reasons.push(
      `${w.failed} of ${w.ok + w.failed} requests failed (${fmt(failedPct, 2)} %): with no error SLA given, more than ${IMPLICIT_MAX_ERROR_PCT} % failed requests break a step`,
    );
  }
  const droppedPct = pct(w.dropped, w.intended);
  if (droppedPct > limits.maxDroppedPct) {
    reasons.push(
      `${w.dropped} of ${w.intended} requests dropped (${fmt(droppedPct, 2)} %) at the in-flight cap while the generator kept its schedule: the target held every slot`,
    );
  }
  return { status: reasons.length ? 'fail' : 'pass', reasons, sla, generator: { onSchedule, observed } };
}
