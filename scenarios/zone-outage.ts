import { defineScenario } from '../lib/scenario/index.ts';
import { novelEngine, trafficMix } from './shared/novel-engine.ts';

/**
 * Claim: 99.9 % availability through the loss of an availability zone. The zone hosting most
 * target pods is powered off; the ingress must route around its dead pods and the survivors must
 * carry the load.
 */
export default defineScenario({
  name: 'zone-outage',
  description: 'Power off the busiest zone at 20 s for 60 s under 200 req/s; availability ≥ 99.9 %',
  target: novelEngine,
  requests: trafficMix,
  load: { kind: 'constant-arrival-rate', rate: 200, duration: '110s' },
  slas: [
    { sla: 'availability>=99.9%', scope: 'during-fault' },
    { sla: 'availability>=99.9%', scope: 'recovery' },
  ],
  verify: [{ kind: 'recovery-time', within: '30s', sla: 'errors<0.1%', stableFor: '5s' }],
  chaos: [{ at: '20s', duration: '60s', action: { kind: 'zone-outage', mode: 'stop' } }],
});
