/**
 * Validating a chaos schedule on its own (tests, `gauntlet plan` of a bare list); inside a
 * scenario the scenario schema embeds `chaosScheduleSchema` and calls `resolveChaosEntries`.
 */
import { ScenarioInvalidError } from '../lib/errors.ts';
import {
  chaosScheduleSchema,
  resolveChaosEntries,
  type ResolvedChaosEntry,
} from '../lib/scenario/chaos-schema.ts';
import { formatIssues } from '../lib/scenario/resolve.ts';

export function parseChaosSchedule(
  input: unknown,
  opts: { scale?: number; source?: string; runMs?: number } = {},
): ResolvedChaosEntry[] {
  const source = opts.source ?? 'scenario';
  const parsed = chaosScheduleSchema.safeParse(input);
  if (!parsed.success)
    throw new ScenarioInvalidError(
      source,
      formatIssues(parsed.error.issues.map((i) => ({ ...i, path: ['chaos', ...i.path] }))),
    );
  const problems: string[] = [];
  const entries = resolveChaosEntries(parsed.data, { scale: opts.scale ?? 1, problems, runMs: opts.runMs });
  if (problems.length) throw new ScenarioInvalidError(source, problems);
  return entries;
}
