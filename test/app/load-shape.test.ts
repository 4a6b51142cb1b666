import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, call, killAll, postJson, sample, spawnApp, waitFor } from './harness.ts';

// CPU_WORK_MS and ADDED_LATENCY_MS are wall-clock lower bounds per request, so the checks below
// assert minimums (which a busy machine only makes easier), orderings, and ceilings only with wide margins.
let baseline: AppProcess;
let cpuBound: AppProcess;
let slowDownstream: AppProcess;

beforeAll(async () => {
  [baseline, cpuBound, slowDownstream] = await Promise.all([
    spawnApp({ LOG_LEVEL: 'silent' }),
    spawnApp({ LOG_LEVEL: 'silent', CPU_WORK_MS: '25' }),
    spawnApp({ LOG_LEVEL: 'silent', ADDED_LATENCY_MS: '300' }),
  ]);
});
afterAll(killAll);

async function timeSequential(port: number, n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const r = await postJson(port, { prompt: `request ${i}`, maxWords: 50 });
    expect(r.status).toBe(201);
  }
  return performance.now() - started;
}

describe('tunable cost', () => {
  it('CPU_WORK_MS makes each API request take at least that long, and the baseline faster', async () => {
    const n = 12;
    const slow = await timeSequential(cpuBound.port, n);
    const fast = await timeSequential(baseline.port, n);
    expect(slow).toBeGreaterThanOrEqual(n * 25);
    expect(fast).toBeLessThan(slow);
  });

  it('CPU work is serialised: a burst queues (queue depth > 0) while health checks still get through', async () => {
    const started = performance.now();
    // 16 concurrent requests at 25 ms each is 400 ms of serialised work.
    const burst = Promise.all(
      Array.from({ length: 16 }, (_, i) => postJson(cpuBound.port, { prompt: `burst ${i}` })),
    );
    let deepest = 0;
    await waitFor(
      async () => {
        const text = (await call(cpuBound.port, '/metrics')).text;
        deepest = Math.max(deepest, sample(text, 'novel_engine_queue_depth'));
        return deepest > 0;
      },
      10_000,
      'queue depth above 0',
    );
    expect((await call(cpuBound.port, '/healthz')).status).toBe(200);
    const replies = await burst;
    expect(replies.every((r) => r.status === 201)).toBe(true);
    const after = (await call(cpuBound.port, '/metrics')).text;
    expect(sample(after, 'novel_engine_queue_depth')).toBe(0);
    // One job at a time, each at least 25 ms of wall time: the burst cannot finish sooner.
    expect(performance.now() - started).toBeGreaterThanOrEqual(16 * 25);
  });

  it('ADDED_LATENCY_MS delays API requests concurrently, and not probes', async () => {
    const order: string[] = [];
    const started = performance.now();
    const posts = Array.from({ length: 8 }, (_, i) =>
      postJson(slowDownstream.port, { prompt: `${i}` }).then((r) => (order.push('post'), r)),
    );
    const probe = call(slowDownstream.port, '/healthz').then((r) => (order.push('probe'), r));
    const replies = await Promise.all(posts);
    const elapsed = performance.now() - started;
    expect((await probe).status).toBe(200);
    expect(order[0]).toBe('probe');
    expect(replies.every((r) => r.status === 201)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(300);
    // No CPU is used while waiting, so the eight overlap instead of queueing: 8 × 300 ms would be 2.4 s.
    expect(elapsed).toBeLessThan(8 * 300);
    const text = (await call(slowDownstream.port, '/metrics')).text;
    const under250ms =
      'novel_engine_http_request_duration_seconds_bucket{le="0.25",method="POST",route="/api/v1/narratives",status="201"}';
    expect(sample(text, under250ms)).toBe(0);
  });
});
