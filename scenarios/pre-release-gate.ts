import { defineScenario } from '../lib/scenario/index.ts';
import { novelEngine, trafficMix } from './shared/novel-engine.ts';

/**
 * The pre-release gate: the release must hold the SLA at full rate, survive its own rollout without
 * a failed request, and a broken follow-up release must be contained and rolled back.
 */
export default defineScenario({
  name: 'pre-release-gate',
  description: '1000 req/s SLA, then a rolling update and a contained bad rollout; zero downtime',
  target: novelEngine,
  requests: trafficMix,
  load: {
    kind: 'ramping-arrival-rate',
    startRate: 100,
    stages: [
      { target: 1000, duration: '15s' },
      { target: 1000, duration: '45s' },
      { target: 300, duration: '5s' },
      { target: 300, duration: '115s' },
    ],
  },
  options: { maxInFlight: 2000, timeout: '5s' },
  slas: [
    { sla: 'p95<100ms', scope: 'baseline', window: { start: '15s' } },
    { sla: 'errors<0.1%', scope: 'baseline' },
    { sla: 'availability>=99.9%', scope: 'during-fault' },
  ],
  verify: [{ kind: 'preflight' }, { kind: 'zero-downtime' }],
  chaos: [
    { at: '70s', action: { kind: 'rollout-restart', timeout: '90s' } },
    {
      at: '120s',
      action: {
        kind: 'bad-rollout',
        fault: 'failing-readiness',
        progressDeadline: '20s',
        rollback: true,
        timeout: '2m',
      },
    },
  ],
});
