import { defineScenario } from '../lib/scenario/index.ts';
import { novelEngine, trafficMix } from './shared/novel-engine.ts';

/**
 * Claim: 1000 req/s at P95 < 100 ms with errors < 0.1 %, on a stack built to survive faults
 * (pods over ≥ 2 zones, a PDB, readiness probes, non-root, read-only root filesystem).
 */
export default defineScenario({
  name: 'sla-baseline',
  description: 'Ramp to 1000 req/s and hold; P95 < 100 ms and errors < 0.1 % after the ramp',
  target: novelEngine,
  requests: trafficMix,
  load: {
    kind: 'ramping-arrival-rate',
    startRate: 100,
    stages: [
      { target: 1000, duration: '15s' },
      { target: 1000, duration: '60s' },
    ],
  },
  options: { maxInFlight: 2000, timeout: '5s' },
  slas: [
    { sla: 'p95<100ms', window: { start: '15s' } },
    { sla: 'errors<0.1%', window: { start: '15s' } },
    { sla: 'achieved>=99%', window: { start: '15s' } },
  ],
  verify: [{ kind: 'preflight' }],
});
