/**
 * What each capacity step is judged by: the SLAs given on the command line, or else the scenario's
 * own latency, error-rate and availability SLAs over the whole run. Achieved-rate SLAs judge the
 * generator, which every step checks anyway, and SLAs scoped to a fault phase have no phase to
 * judge: both are left out with a note.
 */
import { UsageError } from '../errors.ts';
import type { ResolvedScenario, SlaCondition } from '../scenario/resolved.ts';
import { parseSlaText, slaId } from '../scenario/sla-text.ts';

/** The conditions each step is judged by, and notes on the scenario SLAs left out. */
export function stepConditions(
  scenario: ResolvedScenario,
  slaFlags: readonly string[] | undefined,
): { conditions: SlaCondition[]; notes: string[] } {
  if (slaFlags?.length) {
    return {
      conditions: slaFlags.map((text) => {
        const p = parseSlaText(text) as Exclude<ReturnType<typeof parseSlaText>, { error: string }>;
        return {
          id: slaId(p),
          metric: p.metric,
          ...(p.percentile !== undefined ? { percentile: p.percentile } : {}),
          op: p.op,
          value: p.value,
        };
      }),
      notes: [],
    };
  }
  const notes: string[] = [];
  const conditions: SlaCondition[] = [];
  for (const s of scenario.slas) {
    if (s.metric === 'achieved-rate') {
      notes.push(`SLA ${s.id} is not a step criterion: the generator is checked on every step instead`);
    } else if (s.scope !== 'run') {
      notes.push(`SLA ${s.id} [${s.scope}] is not a step criterion: capacity steps inject no faults`);
    } else {
      conditions.push({
        id: s.id,
        metric: s.metric,
        ...(s.percentile !== undefined ? { percentile: s.percentile } : {}),
        op: s.op,
        value: s.value,
      });
    }
  }
  if (conditions.length === 0) {
    throw new UsageError(
      `${scenario.name}: the scenario has no latency or error SLA to judge the steps by; pass one, e.g. --sla 'p95<100ms'`,
    );
  }
  return { conditions, notes };
}
