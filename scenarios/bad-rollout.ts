import { defineScenario } from '../lib/scenario/index.ts';
import { novelEngine, trafficMix } from './shared/novel-engine.ts';

/**
 * Claim: a broken release cannot take the service down, and it is rolled back. A template whose
 * pods never become ready is rolled out; maxUnavailable 0 must keep the old pods serving, and after
 * the progress deadline the rollout is undone.
 */
export default defineScenario({
  name: 'bad-rollout',
  description:
    'Roll out an unready template at 15 s, roll back after a 20 s progress deadline; no request may fail',
  target: novelEngine,
  requests: trafficMix,
  load: { kind: 'constant-arrival-rate', rate: 200, duration: '75s' },
  slas: [{ sla: 'availability>=99.9%', scope: 'during-fault' }],
  verify: [{ kind: 'zero-downtime' }],
  chaos: [
    {
      at: '15s',
      action: {
        kind: 'bad-rollout',
        fault: 'failing-readiness',
        progressDeadline: '20s',
        rollback: true,
        timeout: '3m',
      },
    },
  ],
});
