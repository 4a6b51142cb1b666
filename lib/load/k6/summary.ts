/**
 * Threshold results from k6's end-of-test summary files. Two shapes exist:
 *   - `--summary-export` (legacy): `metrics[name].thresholds = { "<expr>": <failed: boolean> }`
 *     — note `true` means the threshold FAILED;
 *   - `handleSummary` data: `metrics[name].thresholds = { "<expr>": { ok: boolean } }`.
 * The newer machine-readable summary has no thresholds, so it is not read.
 */
import { readFile } from 'node:fs/promises';

export interface ThresholdResult {
  /** Metric as k6 names it, with a sub-metric's tag filter, e.g. `http_req_duration{req:a}`. */
  readonly metric: string;
  readonly expr: string;
  readonly ok: boolean;
}

export function thresholdResults(summary: unknown): ThresholdResult[] {
  if (!isObject(summary) || !isObject(summary.metrics)) return [];
  const out: ThresholdResult[] = [];
  for (const [metric, m] of Object.entries(summary.metrics)) {
    if (!isObject(m) || !isObject(m.thresholds)) continue;
    for (const [expr, v] of Object.entries(m.thresholds)) {
      if (typeof v === 'boolean') out.push({ metric, expr, ok: !v });
      else if (isObject(v) && typeof v.ok === 'boolean') out.push({ metric, expr, ok: v.ok });
    }
  }
  return out;
}

/** Threshold results of a summary file, or null when k6 wrote none (or not as JSON). */
export async function readThresholdResults(file: string): Promise<ThresholdResult[] | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    return thresholdResults(JSON.parse(text));
  } catch {
    return null;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
