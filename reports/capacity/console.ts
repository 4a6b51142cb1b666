/** Console lines of a capacity search: one as each step starts, one with its numbers, then the answer. */
import type { CapacityResult, CapacityStep } from '../../lib/capacity/schema.ts';
import { ms, num } from '../format.ts';
import { figures, levelText, outcomeLabel, stepStatusLabel } from './text.ts';

export function stepStartLine(
  r: Pick<CapacityResult, 'model'>,
  index: number,
  level: number,
  phase: CapacityStep['phase'],
  warmupS: number,
  holdS: number,
  retry = false,
): string {
  const what = phase === 'bisect' ? 'bisect' : 'step';
  const again = retry ? ', again: the generator fell behind at the last try' : '';
  return `${what} ${index}: ${levelText(r, level)} (${num(warmupS)} s warm-up, ${num(holdS)} s judged${again})…`;
}

export function stepResultLine(r: Pick<CapacityResult, 'model'>, s: CapacityStep): string {
  const parts = [
    `achieved ${num(s.achievedRps)} req/s`,
    `p50 ${ms(s.latencyMs.p50)}`,
    `p95 ${ms(s.latencyMs.p95)}`,
    `p99 ${ms(s.latencyMs.p99)}`,
    `errors ${num(s.errorRatePct, 3)} %`,
  ];
  if (s.cluster?.readyReplicas != null) parts.push(`${num(s.cluster.readyReplicas, 2)} ready`);
  if (s.cluster?.cpuCores != null) parts.push(`${num(s.cluster.cpuCores, 3)} cores`);
  const head = `  ${levelText(r, s.level)} → ${stepStatusLabel[s.status]}: ${parts.join(' · ')}`;
  return s.reasons.length ? `${head}\n${s.reasons.map((x) => `    ${x}`).join('\n')}` : head;
}

export function summaryLines(r: CapacityResult, files: readonly string[]): string[] {
  const label = outcomeLabel[r.outcome];
  return [
    '',
    `${label.text.toUpperCase()}: ${r.headline}`,
    ...figures(r).map((f) => `  ${f.label}: ${f.value}`),
    ...r.notes.map((n) => `  note: ${n}`),
    ...(files.length ? ['', 'Reports:', ...files.map((f) => `  ${f}`)] : []),
  ];
}
