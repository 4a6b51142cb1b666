import { defineScenario } from '../lib/scenario/index.ts';
import { novelEngine, trafficMix } from './shared/novel-engine.ts';

/**
 * Claim: node maintenance costs no requests. The node hosting most target pods is cordoned and
 * drained through the Eviction API (the PDB paces it), held, then uncordoned.
 */
export default defineScenario({
  name: 'node-drain',
  description: 'Drain the busiest node at 20 s under 200 req/s, hold 30 s; no request may fail',
  target: novelEngine,
  requests: trafficMix,
  load: { kind: 'constant-arrival-rate', rate: 200, duration: '90s' },
  slas: [
    { sla: 'p95<100ms', scope: 'baseline' },
    { sla: 'availability>=99.9%', scope: 'during-fault' },
  ],
  verify: [{ kind: 'zero-downtime' }],
  chaos: [{ at: '20s', duration: '30s', action: { kind: 'node-drain' } }],
});
