import { defineScenario } from '../lib/scenario/index.ts';
import { novelEngine, trafficMix } from './shared/novel-engine.ts';

/**
 * Claim: the HPA scales from a few pods to many under load (CPU 70 %, scale-up 100 % or 4 pods per
 * 15 s) and back down when the load drops (10 % or 1 pod per 60 s after a 300 s window). A load
 * step from 100 to 900 req/s, held, then dropped.
 */
export default defineScenario({
  name: 'autoscaling',
  description: 'Step 100 → 900 req/s at 20 s, hold 2 min, drop to 50 req/s for 7 min; HPA up and back down',
  target: novelEngine,
  requests: trafficMix,
  load: {
    kind: 'ramping-arrival-rate',
    startRate: 100,
    stages: [
      { target: 100, duration: '20s' },
      { target: 900, duration: '5s' },
      { target: 900, duration: '115s' },
      { target: 50, duration: '5s' },
      { target: 50, duration: '7m' },
    ],
  },
  options: { maxInFlight: 2000, timeout: '5s' },
  slas: ['errors<0.1%'],
  verify: [
    {
      kind: 'autoscaling',
      scaleUpWithin: '90s',
      minPeak: 4,
      maxDirectionChanges: 2,
      scaleDownTo: 3,
      scaleDownWithin: '7m',
    },
  ],
});
