import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNativeEngine } from '../../lib/load/native/index.ts';
import { closedPort, startServer, type TestServer } from './server.ts';
import { request, runPlan } from './harness.ts';

const constant = (rate: number, durationMs: number) =>
  ({ kind: 'constant-arrival-rate', rate, durationMs }) as const;

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

describe('native engine: open model', () => {
  it('sends exactly the scheduled number of requests at a constant rate', async () => {
    const { summary, recorder } = await runPlan(server.url, [request('/ok')], constant(200, 2000));
    expect(summary.requests).toEqual({ intended: 400, sent: 400, ok: 400, failed: 0, dropped: 0 });
    expect(server.counts.get('/ok')).toBe(400);
    expect(summary.statusCodes).toEqual({ '200': 400 });
    const series = recorder.series();
    expect(series.reduce((n, p) => n + p.intended, 0)).toBe(400);
    // Intended times are spread over the seconds of the run, 200 in each full one.
    expect(series.filter((p) => p.intended === 200).length).toBeGreaterThanOrEqual(1);
  });

  it('follows the weighted mix exactly (deterministic round robin)', async () => {
    const reqs = [request('/a', { weight: 3 }), request('/b', { weight: 1 })];
    const { summary } = await runPlan(server.url, reqs, constant(200, 1000));
    expect(summary.requests.sent).toBe(200);
    expect(server.counts.get('/a')).toBe(150);
    expect(server.counts.get('/b')).toBe(50);
  });

  it('counts requests it cannot start as dropped when the target stalls and the cap is reached', async () => {
    // The first 5 are held for 2 s, well past the end of the 1 s schedule, even on a slow machine.
    const { summary } = await runPlan(server.url, [request('/delay/2000')], constant(100, 1000), {
      maxInFlight: 5,
    });
    expect(summary.requests.intended).toBe(100);
    expect(summary.requests.sent).toBe(5);
    expect(summary.requests.dropped).toBe(95);
    expect(summary.requests.ok).toBe(5);
  });

  it('measures latency from the intended time, so queueing behind a slow target shows', async () => {
    // 20 requests in 1 s over 2 connections to a 300 ms endpoint: later ones wait for a connection.
    const { summary } = await runPlan(server.url, [request('/delay/300')], constant(20, 1000), {
      connections: 2,
    });
    expect(summary.requests.ok).toBe(20);
    expect(server.maxConcurrent).toBeLessThanOrEqual(2);
    expect(summary.latencyMs.p50!).toBeGreaterThanOrEqual(300);
    expect(summary.serviceTimeMs.p50!).toBeGreaterThanOrEqual(300);
    // The last requests queued for ~2.7 s; service time alone would hide that.
    expect(summary.latencyMs.max!).toBeGreaterThan(summary.serviceTimeMs.max! + 1000);
    expect(summary.scheduleLagMs.max!).toBeGreaterThan(1000);
  });

  it('classifies 5xx and 4xx by the expected statuses and drains their bodies', async () => {
    const reqs = [
      request('/status/503'),
      request('/status/404'),
      request('/status/201', { expectStatus: [201] }),
    ];
    const { summary } = await runPlan(server.url, reqs, constant(60, 1000), { connections: 1 });
    expect(summary.requests).toMatchObject({ sent: 60, ok: 20, failed: 40 });
    expect(summary.errors).toEqual({ 'status-5xx': 20, 'status-4xx': 20 });
    expect(summary.statusCodes).toEqual({ '201': 20, '404': 20, '503': 20 });
  });

  it('classifies a connection refused', async () => {
    const port = await closedPort();
    const { summary } = await runPlan(`http://127.0.0.1:${port}`, [request('/ok')], constant(20, 500));
    expect(summary.requests).toMatchObject({ intended: 10, sent: 10, failed: 10 });
    expect(summary.errors).toEqual({ refused: 10 });
  });

  it('classifies a socket the server destroys as a reset', async () => {
    const { summary } = await runPlan(server.url, [request('/reset')], constant(20, 500));
    expect(summary.requests).toMatchObject({ sent: 10, failed: 10 });
    expect(summary.errors).toEqual({ reset: 10 });
  });

  it('times requests out at timeoutMs and records the timeout as their latency', async () => {
    const { summary } = await runPlan(server.url, [request('/stall')], constant(10, 500), { timeoutMs: 300 });
    expect(summary.requests).toMatchObject({ intended: 5, sent: 5, failed: 5 });
    expect(summary.errors).toEqual({ timeout: 5 });
    expect(summary.latencyMs.p50!).toBeGreaterThanOrEqual(300);
  });

  it('joins the base path and sends method, headers and body', async () => {
    const post = request('/items', { method: 'POST', body: '{"n":1}', headers: { 'x-run': 'r1' } });
    await runPlan(`${server.url}/api/`, [post], constant(10, 300));
    expect(server.counts.get('/api/items')).toBe(3);
    expect(server.bodies).toEqual(['{"n":1}', '{"n":1}', '{"n":1}']);
    expect(server.headers[0]?.['x-run']).toBe('r1');
  });

  it('stops promptly on abort, cancels in-flight requests and resolves with a report', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const { report, summary, elapsedMs } = await runPlan(
      server.url,
      [request('/stall')],
      constant(50, 10_000),
      { timeoutMs: 10_000 },
      ac.signal,
    );
    expect(report.engine).toBe('native');
    // Far less than the 10 s schedule; the in-flight stalled requests did not hold it up.
    expect(elapsedMs).toBeLessThan(3000);
    // Cancelled requests are neither the target's failures nor the generator's drops: they are
    // not counted at all, so the accounting identity still holds.
    expect(summary.requests).toEqual({ intended: 0, sent: 0, ok: 0, failed: 0, dropped: 0 });
    expect(server.counts.get('/stall')).toBeGreaterThan(5);
  });

  it('keeps intended = sent + dropped when aborted mid-run', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    const { summary } = await runPlan(
      server.url,
      [request('/ok'), request('/delay/200')],
      constant(100, 5000),
      {},
      ac.signal,
    );
    const r = summary.requests;
    expect(r.sent).toBeGreaterThan(0);
    expect(r.intended).toBeLessThan(500);
    expect(r.intended).toBe(r.sent + r.dropped);
    expect(r.sent).toBe(r.ok + r.failed);
  });

  it('resolves at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const { summary } = await runPlan(server.url, [request('/ok')], constant(100, 5000), {}, ac.signal);
    expect(summary.requests.intended).toBe(0);
    expect(server.counts.size).toBe(0);
  });

  it('sends requests along a ramp: 0 → 100 req/s over 2 s is 100 requests', async () => {
    const { summary, recorder } = await runPlan(server.url, [request('/ok')], {
      kind: 'ramping-arrival-rate',
      startRate: 0,
      stages: [{ target: 100, durationMs: 2000 }],
    });
    expect(summary.requests).toMatchObject({ intended: 100, sent: 100, ok: 100 });
    const [first, second] = recorder.series().filter((p) => p.intended > 0);
    // Linear ramp: a quarter of the requests in the first second, three quarters in the second
    // (give or take the few ms between the run clock's zero and the engine's start).
    expect(first!.intended + second!.intended).toBe(100);
    expect(first!.intended).toBeGreaterThanOrEqual(20);
    expect(first!.intended).toBeLessThanOrEqual(26);
  });
});

describe('native engine: closed model', () => {
  it('keeps N users busy, one request each at a time, and never drops', async () => {
    const { summary, report } = await runPlan(server.url, [request('/delay/20')], {
      kind: 'closed',
      connections: 2,
      durationMs: 600,
    });
    expect(report.model).toBe('closed');
    expect(summary.requests.dropped).toBe(0);
    expect(summary.requests.sent).toBe(summary.requests.intended);
    expect(summary.requests.ok).toBe(summary.requests.sent);
    expect(summary.requests.sent).toBeGreaterThanOrEqual(4);
    expect(server.maxConcurrent).toBeLessThanOrEqual(2);
  });
});

describe('native engine: input checks', () => {
  it('names the field and the fix for bad options', async () => {
    const engine = createNativeEngine();
    expect(engine.supports({ kind: 'closed', connections: 1, durationMs: 1 })).toBe(true);
    await expect(
      runPlan(server.url, [request('/ok')], constant(10, 100), { maxInFlight: 0 }),
    ).rejects.toThrow(/load\.maxInFlight must be an integer >= 1/);
    await expect(runPlan('ftp://x', [request('/ok')], constant(10, 100))).rejects.toThrow(/http: or https:/);
    await expect(runPlan(server.url, [request('ok')], constant(10, 100))).rejects.toThrow(
      /requests\[0\]\.path must start with "\/"/,
    );
    await expect(runPlan(server.url, [request('/ok')], constant(-1, 100))).rejects.toThrow(/profile\.rate/);
  });
});
