import { defineScenario } from '../lib/scenario/index.ts';

/**
 * Smoke: a short, steady mix of reads and writes against the Novel Engine API, with the SLAs the
 * stack claims for normal traffic. `gauntlet start` points it at the stand-in app; use
 * `--url` to point it elsewhere.
 */
export default defineScenario({
  name: 'smoke',
  description: 'Steady 200 req/s mix of health checks, narrative creation and reads for 20 s',
  target: process.env.GAUNTLET_TARGET ?? 'http://127.0.0.1:8080',
  requests: [
    { name: 'health', method: 'GET', path: '/healthz', weight: 1 },
    {
      name: 'create narrative',
      method: 'POST',
      path: '/api/v1/narratives',
      body: {
        prompt: 'A lighthouse keeper finds a map that redraws itself every night.',
        genre: 'mystery',
        maxWords: 120,
      },
      expectStatus: 201,
      weight: 3,
    },
    {
      name: 'missing narrative',
      method: 'GET',
      path: '/api/v1/narratives/00000000-0000-4000-8000-000000000000',
      expectStatus: 404,
      weight: 1,
    },
  ],
  load: { kind: 'constant-arrival-rate', rate: 200, duration: '20s' },
  slas: ['p95<100ms', 'p99<250ms', 'errors<0.1%', 'achieved>=99%'],
});
