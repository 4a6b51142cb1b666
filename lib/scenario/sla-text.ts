/**
 * The SLA shorthand of the CLI and of scenario files ('p95<100ms', 'errors<0.1%',
 * 'availability>=99.9%', 'achieved>=95%') parsed into the same data form scenarios use, so there
 * is one representation after parsing (SLAs are data, not strings, everywhere else).
 */
import { parseDuration } from './duration.ts';
import type { Comparison, SlaMetric } from './resolved.ts';

export interface ParsedSlaText {
  metric: SlaMetric;
  percentile?: number;
  op: Comparison;
  value: number;
}

const textRe = /^\s*([a-z_\-()0-9.]+)\s*(<=|>=|<|>)\s*([0-9.]+\s*(?:ms|s|m|%)?)\s*$/i;

export const SLA_TEXT_HINT =
  "write it like 'p95<100ms', 'p99<=1s', 'errors<0.1%', 'availability>=99.9%' or 'achieved>=95%'";

/** Returns the parsed SLA, or an error message naming what is wrong. */
export function parseSlaText(text: string): ParsedSlaText | { error: string } {
  const m = textRe.exec(text);
  if (!m) return { error: `cannot read SLA '${text}': ${SLA_TEXT_HINT}` };
  const [, rawName, rawOp, rawValue] = m as unknown as [string, string, Comparison, string];
  const name = rawName.toLowerCase();
  const value = rawValue.replace(/\s+/g, '');
  const op = rawOp;

  const pct = /^p\(?(\d+(?:\.\d+)?)\)?$/.exec(name);
  if (pct || name === 'max') {
    const percentile = pct ? Number(pct[1]) : 100;
    if (!(percentile > 0 && percentile <= 100)) {
      return { error: `SLA '${text}': percentile must be in (0, 100]` };
    }
    if (value.endsWith('%'))
      return { error: `SLA '${text}': a latency needs a time like 100ms or 1s, not %` };
    const ms = parseDuration(/^[0-9.]+$/.test(value) ? `${value}ms` : value);
    if (ms === undefined) return { error: `SLA '${text}': '${value}' is not a time; use e.g. 100ms or 1.5s` };
    return { metric: 'latency', percentile, op, value: ms };
  }

  const metric = metricNames[name];
  if (!metric) return { error: `SLA '${text}': unknown metric '${rawName}'; ${SLA_TEXT_HINT}` };
  if (!value.endsWith('%'))
    return { error: `SLA '${text}': ${metric} is a percentage; write e.g. '${name}${op}${value}%'` };
  const n = Number(value.slice(0, -1));
  if (!Number.isFinite(n) || n < 0 || n > 100) return { error: `SLA '${text}': percentage must be 0–100` };
  return { metric, op, value: n };
}

const metricNames: Record<string, SlaMetric> = {
  errors: 'error-rate',
  error: 'error-rate',
  'error-rate': 'error-rate',
  error_rate: 'error-rate',
  availability: 'availability',
  achieved: 'achieved-rate',
  'achieved-rate': 'achieved-rate',
  achieved_rate: 'achieved-rate',
};

/** Stable id for verdict names: 'p95<100ms', 'errors<0.1%'. */
export function slaId(s: ParsedSlaText): string {
  if (s.metric === 'latency') {
    const stat = s.percentile === 100 ? 'max' : `p${s.percentile}`;
    return `${stat}${s.op}${s.value}ms`;
  }
  const name = { 'error-rate': 'errors', availability: 'availability', 'achieved-rate': 'achieved' }[
    s.metric
  ];
  return `${name}${s.op}${s.value}%`;
}
