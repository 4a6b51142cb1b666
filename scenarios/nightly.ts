import { defineScenario } from '../lib/scenario/index.ts';
import { novelEngine, trafficMix } from './shared/novel-engine.ts';

/**
 * The nightly run: the stack's claims in one pass under steady load. A healthy baseline, then a pod
 * kill, a rolling update and a node drain, each of which must cost no request; the stack must be
 * built to survive faults (preflight) and recover within 30 s of each.
 */
export default defineScenario({
  name: 'nightly',
  description: 'Baseline, pod kill, rolling update and node drain under 300 req/s; zero downtime throughout',
  target: novelEngine,
  requests: trafficMix,
  load: { kind: 'constant-arrival-rate', rate: 300, duration: '150s' },
  options: { maxInFlight: 2000, timeout: '5s' },
  slas: [
    { sla: 'p95<100ms', scope: 'baseline' },
    { sla: 'errors<0.1%', scope: 'baseline' },
    { sla: 'availability>=99.9%', scope: 'during-fault' },
  ],
  verify: [
    { kind: 'preflight' },
    { kind: 'zero-downtime' },
    { kind: 'recovery-time', within: '30s', sla: 'errors<0.1%', stableFor: '5s' },
  ],
  chaos: [
    { at: '20s', duration: '10s', action: { kind: 'pod-kill', count: 1 } },
    { at: '45s', action: { kind: 'rollout-restart', timeout: '90s' } },
    { at: '95s', duration: '20s', action: { kind: 'node-drain' } },
  ],
});
