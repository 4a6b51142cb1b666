import type { MetricsRecorder } from '../metrics/recorder.ts';
import type { ProgressSnapshot } from '../../reports/reporter.ts';

/** A live snapshot for reporters, from the last second whose scheduling is over. */
export function progressSnapshot(
  recorder: MetricsRecorder,
  elapsedMs: number,
  plannedDurationS: number,
  activeFaults: readonly string[],
): ProgressSnapshot {
  const last = recorder.lastCompleteSecond();
  const p = last >= 0 ? recorder.point(last) : undefined;
  const totals = recorder.totals();
  return {
    elapsedS: elapsedMs / 1000,
    plannedDurationS,
    intendedRps: p?.intended ?? 0,
    achievedRps: p?.sent ?? 0,
    p95Ms: p?.p95 ?? null,
    failed: totals.failed,
    dropped: totals.dropped,
    sent: totals.sent,
    activeFaults,
  };
}
