import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { call, killAll, postJson, sample, spawnApp, waitFor } from './harness.ts';

afterEach(killAll);

/** Resolves once the app reports `n` requests in flight besides the scrape asking. */
async function waitInFlight(port: number, n: number): Promise<void> {
  await waitFor(
    async () => sample((await call(port, '/metrics')).text, 'novel_engine_http_requests_in_flight') >= n + 1,
    10_000,
    `${n} request(s) in flight`,
  );
}

describe('graceful shutdown', () => {
  it('turns not-ready, keeps serving through the drain delay, finishes in-flight requests, exits 0', async () => {
    const app = await spawnApp({ ADDED_LATENCY_MS: '2500', DRAIN_DELAY_MS: '800' });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      // One slow request in flight on a kept-alive connection before the signal.
      const slow = postJson(app.port, { prompt: 'in flight' }, { agent });
      await waitInFlight(app.port, 1);
      app.child.kill('SIGTERM');

      await waitFor(async () => (await call(app.port, '/readyz')).status === 503, 5_000, 'readyz 503');
      const ready = await call(app.port, '/readyz');
      expect(ready.json()).toEqual({ status: 'draining' });
      // Liveness must not fail while draining, or the kubelet would restart a pod that is leaving.
      expect((await call(app.port, '/healthz')).status).toBe(200);
      // Still serving normally inside the drain window, keep-alive included.
      const during = await call(app.port, '/healthz', { agent });
      expect(during.status).toBe(200);
      expect(during.headers.connection).toBe('keep-alive');

      const done = await slow;
      expect(done.status).toBe(201);
      // The listener closed while it was in flight: the connection is not reused.
      expect(done.headers.connection).toBe('close');
      await expect(call(app.port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      expect(await app.exited).toEqual({ code: 0, signal: null });
      const msgs = app.stdoutLines.map((l) => (JSON.parse(l) as { msg: string }).msg);
      expect(msgs).toEqual(
        expect.arrayContaining(['shutdown requested', 'draining', 'listener closed', 'shutdown complete']),
      );
    } finally {
      agent.destroy();
    }
  });

  it('treats SIGINT like SIGTERM', async () => {
    const app = await spawnApp({ DRAIN_DELAY_MS: '0' });
    app.child.kill('SIGINT');
    expect(await app.exited).toEqual({ code: 0, signal: null });
  });

  it('cuts requests still running after SHUTDOWN_TIMEOUT_MS and exits 1', async () => {
    const app = await spawnApp({
      ADDED_LATENCY_MS: '20000',
      DRAIN_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '300',
    });
    const stuck = postJson(app.port, { prompt: 'too slow' });
    await waitInFlight(app.port, 1);
    app.child.kill('SIGTERM');
    await expect(stuck).rejects.toThrow();
    expect(await app.exited).toEqual({ code: 1, signal: null });
  });

  it('reports not-ready until STARTUP_DELAY_MS has passed', async () => {
    const app = await spawnApp({ STARTUP_DELAY_MS: '1000', DRAIN_DELAY_MS: '0' });
    const early = await call(app.port, '/readyz');
    expect(early.status).toBe(503);
    expect(early.json()).toEqual({ status: 'starting' });
    expect((await call(app.port, '/healthz')).status).toBe(200);
    await waitFor(async () => (await call(app.port, '/readyz')).status === 200, 10_000, 'readyz 200');
  });
});

describe('GRACEFUL_SHUTDOWN=false', () => {
  it('exits at once on SIGTERM and the in-flight request fails', async () => {
    const app = await spawnApp({ GRACEFUL_SHUTDOWN: 'false', ADDED_LATENCY_MS: '20000' });
    const inFlight = postJson(app.port, { prompt: 'cut off' });
    await waitInFlight(app.port, 1);
    const signalled = Date.now();
    app.child.kill('SIGTERM');
    await expect(inFlight).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNRESET|ECONNREFUSED|EPIPE/),
    });
    // 128 + 15, as a process with no handler would report; no drain delay, no waiting.
    expect(await app.exited).toEqual({ code: 143, signal: null });
    expect(Date.now() - signalled).toBeLessThan(4_000);
  });
});
