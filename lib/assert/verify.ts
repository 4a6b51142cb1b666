import type { ResolvedVerification } from '../scenario/resolved.ts';
import type { Assertion } from './assertion.ts';
import { autoscalingAssertions } from './autoscaling.ts';
import { alertDetectionVerification } from './detection-verify.ts';
import { preflightAssertions } from './preflight.ts';
import { recoveryTimeAssertion } from './recovery.ts';
import { zeroDowntimeAssertion } from './zero-downtime.ts';

/** The assertions of one `verify` entry (autoscaling and preflight yield one per check). */
export function verifyAssertions(v: ResolvedVerification): Assertion[] {
  switch (v.kind) {
    case 'zero-downtime':
      return [zeroDowntimeAssertion(v)];
    case 'recovery-time':
      return [recoveryTimeAssertion(v)];
    case 'autoscaling':
      return autoscalingAssertions(v);
    case 'preflight':
      return preflightAssertions({ minZones: v.minZones });
    case 'alert-detection':
      return [alertDetectionVerification(v)];
  }
}
