/** Words and numbers of a capacity result, shared by the console, Markdown and HTML renderers. */
import type { CapacityResult, CapacityStep } from '../../lib/capacity/schema.ts';
import { ms, num } from '../format.ts';

export type OutcomeClass = 'pass' | 'fail' | 'invalid';

export const outcomeLabel: Record<
  CapacityResult['outcome'],
  { text: string; cls: OutcomeClass; icon: string }
> = {
  knee: { text: 'Knee found', cls: 'pass', icon: '✅' },
  'max-reached': { text: 'SLA held up to the maximum step', cls: 'pass', icon: '✅' },
  'broken-at-start': { text: 'SLA broken at the first step', cls: 'fail', icon: '❌' },
  'generator-limited': { text: 'Generator-limited', cls: 'invalid', icon: '⚠️' },
  interrupted: { text: 'Interrupted', cls: 'invalid', icon: '⚠️' },
};

export const stepStatusLabel: Record<CapacityStep['status'], string> = {
  pass: 'pass',
  fail: 'SLA broken',
  invalid: 'invalid (generator)',
};

export function levelText(r: Pick<CapacityResult, 'model'>, level: number): string {
  if (r.model === 'open') return `${num(level)} req/s`;
  return `${num(level)} connection${level === 1 ? '' : 's'}`;
}

export function slaText(r: CapacityResult): string {
  return r.sla
    .map((c) => {
      const op = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' }[c.op];
      if (c.metric === 'latency')
        return `${c.percentile === 100 ? 'max' : `p${c.percentile}`} ${op} ${num(c.value, 2)} ms`;
      return `${c.metric === 'error-rate' ? 'error rate' : 'availability'} ${op} ${num(c.value, 3)} %`;
    })
    .join(', ');
}

export function planText(r: CapacityResult): string {
  const p = r.plan;
  const unit = r.model === 'closed' ? ' connections' : ' req/s';
  const growth = p.step !== undefined ? `+${num(p.step)}` : `×${num(p.factor ?? 0, 3)}`;
  const bisect = p.bisect ? `; then up to ${p.bisect.maxSteps} bisection steps` : '';
  return (
    `from ${num(p.start)} to ${num(p.max)}${unit}, ${growth} per step; each step ${num(p.warmupS)} s warm-up ` +
    `then ${num(p.holdS)} s judged${bisect}`
  );
}

export function modelText(r: CapacityResult): string {
  return r.model === 'closed'
    ? `closed model (steps are connections), ${r.engine} engine`
    : `open model (steps are arrival rates), ${r.engine} engine`;
}

export interface Figure {
  readonly label: string;
  readonly value: string;
}

/** The planning figures, in reading order. */
export function figures(r: CapacityResult): Figure[] {
  const out: Figure[] = [];
  out.push({
    label: 'Maximum sustainable rate',
    value:
      r.maxSustainableRps === null
        ? 'none (no step met the SLA)'
        : `${num(r.maxSustainableRps)} req/s${r.lowerBound ? ' (at least: the SLA never broke)' : ''}`,
  });
  if (r.firstBrokenLevel !== null)
    out.push({ label: 'First broken step', value: levelText(r, r.firstBrokenLevel) });
  if (r.generatorLimitedAt !== null) {
    out.push({ label: 'Generator fell behind at', value: levelText(r, r.generatorLimitedAt) });
  }
  out.push({
    label: 'Per ready replica',
    value: r.perReplica ? `${num(r.perReplica.rps)} req/s (${num(r.perReplica.units, 2)} ready)` : 'unknown',
  });
  out.push({
    label: 'Per CPU core used',
    value: r.perCore ? `${num(r.perCore.rps)} req/s (${num(r.perCore.units, 3)} cores)` : 'unknown',
  });
  if (r.recommendation) {
    const rec = r.recommendation;
    out.push({
      label: `Replicas for ${num(rec.targetRps)} req/s`,
      value:
        `${rec.replicas} with ${num(rec.headroomPct)} % headroom (each at ${num(rec.rpsPerReplicaAtTarget)} req/s, ` +
        `${num(rec.utilisationPct)} % of its maximum${rec.cores !== null ? `; about ${num(rec.cores, 2)} CPU cores` : ''}): ${rec.formula}`,
    });
  }
  return out;
}

/** One row of the steps table. */
export function stepCells(r: CapacityResult, s: CapacityStep): string[] {
  return [
    String(s.index),
    s.phase,
    levelText(r, s.level),
    `${num(s.achievedRps)} req/s`,
    ms(s.latencyMs.p50),
    ms(s.latencyMs.p95),
    ms(s.latencyMs.p99),
    `${num(s.errorRatePct, 3)} %`,
    s.cluster?.readyReplicas != null ? num(s.cluster.readyReplicas, 2) : '—',
    s.cluster?.cpuCores != null ? num(s.cluster.cpuCores, 3) : '—',
    stepStatusLabel[s.status],
  ];
}

export const stepHead = [
  '#',
  'Phase',
  'Level',
  'Achieved',
  'p50',
  'p95',
  'p99',
  'Errors',
  'Ready replicas',
  'CPU cores',
  'Result',
];
