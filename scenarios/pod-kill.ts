import { defineScenario } from '../lib/scenario/index.ts';
import { novelEngine, trafficMix } from './shared/novel-engine.ts';

/**
 * Claim: losing a pod costs no requests. Two graceful pod deletions under steady load; the
 * readiness gate, preStop delay and graceful shutdown must keep every request whole.
 */
export default defineScenario({
  name: 'pod-kill',
  description: 'Graceful pod deletions at 20 s and 50 s under 200 req/s; no request may fail',
  target: novelEngine,
  requests: trafficMix,
  load: { kind: 'constant-arrival-rate', rate: 200, duration: '80s' },
  slas: ['p95<100ms', { sla: 'availability>=99.9%', scope: 'during-fault' }],
  verify: [
    { kind: 'zero-downtime' },
    { kind: 'recovery-time', within: '30s', sla: 'p95<100ms', stableFor: '5s' },
  ],
  chaos: [{ at: '20s', every: '30s', times: 2, duration: '10s', action: { kind: 'pod-kill', count: 1 } }],
});
