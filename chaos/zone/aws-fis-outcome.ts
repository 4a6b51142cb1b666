/** What the aws-fis provider says about an experiment it stopped, or found already over. */
import type { Experiment } from '@aws-sdk/client-fis';

/** `ended`: the experiment was over before gauntlet asked it to stop. */
export interface StopOutcome {
  readonly exp: Experiment;
  readonly ended: boolean;
}

/** One log line: who brought the zone back, and what to check when FIS did not end cleanly. */
export function describeStopOutcome(r: StopOutcome | undefined, id: string, zone: string): string {
  if (!r) return `zone ${zone}: experiment ${id} is gone`;
  const s = r.exp.state;
  const when = r.exp.endTime ? ` at ${r.exp.endTime.toISOString()}` : '';
  const reason = s?.reason ? `: ${s.reason}` : '';
  if (s?.status === 'failed')
    return `zone ${zone}: experiment ${id} failed${when}${reason}; check the zone's instances and network ACLs`;
  if (r.ended)
    return (
      `zone ${zone}: experiment ${id} had already ended ${s?.status ?? ''}${when}${reason}` +
      (s?.status === 'stopped'
        ? ' (a stop-condition alarm fired, or someone stopped it); the zone came back early'
        : '')
    );
  return `zone ${zone}: experiment ${id} ${s?.status ?? 'ended'}${when}; FIS brought the zone back`;
}
