import { defineScenario } from '../lib/scenario/index.ts';
import { novelEngine, trafficMix } from './shared/novel-engine.ts';

/**
 * Claim: zero-downtime rolling updates. `kubectl rollout restart` under load; maxUnavailable 0,
 * readiness gates and graceful shutdown must keep every request whole.
 */
export default defineScenario({
  name: 'rolling-update',
  description: 'Rollout restart at 15 s under 200 req/s; no request may fail',
  target: novelEngine,
  requests: trafficMix,
  load: { kind: 'constant-arrival-rate', rate: 200, duration: '75s' },
  slas: [{ sla: 'p95<100ms', scope: 'baseline' }],
  verify: [{ kind: 'zero-downtime' }],
  chaos: [{ at: '15s', action: { kind: 'rollout-restart', timeout: '3m' } }],
});
