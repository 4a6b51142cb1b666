import { defineScenario } from '../lib/scenario/index.ts';
import { trafficMix } from './shared/novel-engine.ts';

/**
 * Smoke: a short, steady mix of reads and writes against the Novel Engine API, with the SLAs the
 * stack claims for normal traffic. `gauntlet start` points it at the stand-in app; use
 * `--url` to point it elsewhere.
 */
export default defineScenario({
  name: 'smoke',
  description: 'Steady 200 req/s mix of health checks, narrative creation and reads for 20 s',
  target: process.env.GAUNTLET_TARGET ?? 'http://127.0.0.1:8080',
  requests: trafficMix,
  load: { kind: 'constant-arrival-rate', rate: 200, duration: '20s' },
  slas: ['p95<100ms', 'p99<250ms', 'errors<0.1%', 'achieved>=99%'],
});
