/** Field schemas shared by the scenario's parts (load, SLAs, verifications). */
import { z } from 'zod';
import { DURATION_HINT, parseDuration } from './duration.ts';
import { SLA_TEXT_HINT, parseSlaText } from './sla-text.ts';

export const duration = z.union([z.string(), z.number()]).refine((v) => parseDuration(v) !== undefined, {
  message: `not a duration; ${DURATION_HINT}`,
});

export const positiveDuration = duration.refine((v) => (parseDuration(v) ?? 0) > 0, {
  message: `must be longer than zero; ${DURATION_HINT}`,
});

/** A positive duration the entry cannot do without; a missing one says what to write. */
export function requiredDuration(field: string, example: string) {
  return z
    .union([z.string(), z.number()], {
      error: (iss) =>
        iss.input === undefined
          ? `${field} is required, e.g. ${field}: '${example}'`
          : `${field} is not a duration; ${DURATION_HINT}`,
    })
    .refine((v) => (parseDuration(v) ?? 0) > 0, {
      message: `${field} must be a duration longer than zero; ${DURATION_HINT}`,
    });
}

export const windowSchema = z.strictObject({ start: duration.default(0), end: duration.optional() });

export const phaseScopes = ['run', 'baseline', 'during-fault', 'recovery'] as const;
export const scopeSchema = z.enum(phaseScopes, {
  error: "scope must be 'run', 'baseline', 'during-fault' or 'recovery'",
});

/** An SLA in the shorthand ('p95<100ms'), checked with a message that says how to write it. */
export const slaTextSchema = z.string().refine((s) => !('error' in parseSlaText(s)), {
  error: (iss) => {
    const r = parseSlaText(String(iss.input));
    return 'error' in r ? r.error : SLA_TEXT_HINT;
  },
});
