import { slaObserved } from '../assert/sla.ts';
import { compare, fmt } from '../assert/compare.ts';
import type { MetricsRecorder } from '../metrics/recorder.ts';
import type { ResolvedSla } from '../scenario/resolved.ts';

/**
 * `abortOnFail` SLAs, checked while the load runs over their trailing window of complete seconds.
 * Returns the reason to abort, or null. Only `run`-scoped SLAs can abort: a phase is not known to
 * be over until the run is.
 */
export function checkAbort(slas: readonly ResolvedSla[], recorder: MetricsRecorder): string | null {
  const end = recorder.lastCompleteSecond() + 1;
  for (const sla of slas) {
    if (!sla.abortOnFail || sla.scope !== 'run') continue;
    const span = Math.max(1, Math.round(sla.abortWindowS));
    if (end < span) continue;
    const start = end - span;
    if (sla.window && (start < sla.window.startS || (sla.window.endS !== null && end > sla.window.endS)))
      continue;
    const obs = slaObserved(sla, recorder.window(start, end));
    if (obs && !compare(obs.value, sla.op, sla.value)) {
      return `abortOnFail: ${sla.id} broken over ${start}–${end} s (observed ${fmt(obs.value)})`;
    }
  }
  return null;
}
