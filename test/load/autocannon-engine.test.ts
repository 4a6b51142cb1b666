import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/errors.ts';
import { createAutocannonEngine, mixCycle } from '../../lib/load/autocannon/index.ts';
import type { LoadPlan } from '../../lib/load/engine.ts';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import { createClock } from '../../lib/run/clock.ts';
import type { ResolvedLoadOptions, ResolvedRequest } from '../../lib/scenario/resolved.ts';
import { defaultOptions, request } from './harness.ts';
import { closedPort, startServer, type TestServer } from './server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

async function runClosed(
  baseUrl: string,
  requests: ResolvedRequest[],
  o: {
    connections?: number;
    durationMs?: number;
    options?: Partial<ResolvedLoadOptions>;
    pipelining?: number;
    abortAfterMs?: number;
  } = {},
) {
  const clock = createClock();
  const options = { ...defaultOptions, ...o.options };
  const recorder = new MetricsRecorder({ timeoutMs: options.timeoutMs, now: clock.now });
  const ac = new AbortController();
  const plan: LoadPlan = {
    baseUrl,
    requests,
    profile: { kind: 'closed', connections: o.connections ?? 4, durationMs: o.durationMs ?? 1000 },
    options,
  };
  const timer = o.abortAfterMs !== undefined ? setTimeout(() => ac.abort(), o.abortAfterMs) : null;
  const report = await createAutocannonEngine({ pipelining: o.pipelining ?? 1 }).run(plan, {
    clock,
    metrics: recorder,
    signal: ac.signal,
  });
  if (timer) clearTimeout(timer);
  const elapsedMs = clock.now();
  recorder.finish();
  const summary = recorder.summary({
    engine: report.engine,
    model: report.model,
    durationS: elapsedMs / 1000,
  });
  return { report, recorder, summary, elapsedMs };
}

describe('autocannon engine', () => {
  it('lays the weighted mix out as one period of the round robin', () => {
    expect(mixCycle([1, 3, 1])).toEqual([1, 0, 1, 2, 1]);
    const counts = (xs: number[]) => xs.reduce<number[]>((c, i) => ((c[i] = (c[i] ?? 0) + 1), c), []);
    expect(counts(mixCycle([2.5, 1]))).toEqual([714, 286]);
    expect(mixCycle([7])).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('drives the closed model only, and says which engines take arrival rates', async () => {
    const engine = createAutocannonEngine();
    expect(engine.supports({ kind: 'closed', connections: 1, durationMs: 1 })).toBe(true);
    expect(engine.supports({ kind: 'constant-arrival-rate', rate: 1, durationMs: 1 })).toBe(false);
    const err = await engine
      .run(
        {
          baseUrl: server.url,
          requests: [request('/ok')],
          profile: { kind: 'constant-arrival-rate', rate: 10, durationMs: 1000 },
          options: defaultOptions,
        },
        {
          clock: createClock(),
          metrics: new MetricsRecorder({ timeoutMs: 1000 }),
          signal: new AbortController().signal,
        },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(
      /closed model only.*'constant-arrival-rate' needs --engine native or k6/,
    );
  });

  it('records every response with the request’s expected statuses, the mix and per-request latency', async () => {
    server.counts.clear();
    const r = await runClosed(server.url, [
      request('/delay/2', { name: 'read', weight: 3 }),
      request('/status/503', { name: 'broken', weight: 1 }),
      request('/status/404', { name: 'gone', expectStatus: [404], weight: 1 }),
    ]);
    const { requests, statusCodes, errors } = r.summary;
    expect(requests.sent).toBeGreaterThan(50);
    expect(requests.intended).toBe(requests.sent);
    expect(requests.dropped).toBe(0);
    expect(requests.sent).toBe(requests.ok + requests.failed);
    // 503 is unexpected, 404 is expected by its request: only the 503s fail.
    expect(errors).toEqual({ 'status-5xx': statusCodes['503'] });
    expect(requests.ok).toBe((statusCodes['200'] ?? 0) + (statusCodes['404'] ?? 0));
    const reads = statusCodes['200'] ?? 0;
    expect(reads / requests.sent).toBeGreaterThan(0.5);
    expect(reads / requests.sent).toBeLessThan(0.7);
    // The target saw what was recorded (in-flight requests cut at the end are not recorded).
    const seen = [...server.counts.values()].reduce((a, b) => a + b, 0);
    expect(seen).toBeGreaterThanOrEqual(requests.sent);
    expect(seen - requests.sent).toBeLessThanOrEqual(4);
    expect(r.summary.latencyMs.p50).toBeGreaterThan(0);
    expect(r.summary.serviceTimeMs).toEqual(r.summary.latencyMs);
    expect(r.report).toEqual({
      engine: 'autocannon',
      model: 'closed',
      scheduleLagMs: { p50: 0, p99: 0, max: 0 },
    });
    expect(r.recorder.series().length).toBeGreaterThanOrEqual(1);
  });

  it('maps connection errors and timeouts onto the native error kinds', async () => {
    const refused = await runClosed(`http://127.0.0.1:${await closedPort()}`, [request('/')], {
      connections: 1,
      durationMs: 300,
    });
    expect(refused.summary.requests.ok).toBe(0);
    expect(Object.keys(refused.summary.errors)).toEqual(['refused']);

    const stalled = await runClosed(server.url, [request('/stall')], {
      connections: 2,
      durationMs: 1600,
      options: { timeoutMs: 1000 },
    });
    expect(stalled.summary.errors.timeout).toBeGreaterThanOrEqual(2);
    expect(stalled.summary.requests.ok).toBe(0);
    // A timed-out request is dated from its send: latency is the timeout.
    expect(stalled.summary.latencyMs.p50).toBeGreaterThanOrEqual(1000);

    // autocannon cannot time a request out sooner than 1 s: say so rather than stretch the timeout.
    const err = await runClosed(server.url, [request('/ok')], { options: { timeoutMs: 300 } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/at least 1 s, and options.timeout is 300 ms/);
  });

  it('stops promptly on abort and records nothing after it', async () => {
    const r = await runClosed(server.url, [request('/delay/5')], { durationMs: 10_000, abortAfterMs: 400 });
    expect(r.elapsedMs).toBeLessThan(3000);
    expect(r.summary.requests.sent).toBeGreaterThan(0);
    const last = r.recorder.series().at(-1)!;
    expect(last.t).toBeLessThanOrEqual(1);
  });

  it('pipelines when asked', async () => {
    const r = await runClosed(server.url, [request('/ok')], {
      connections: 2,
      pipelining: 4,
      durationMs: 500,
    });
    expect(r.summary.requests.sent).toBeGreaterThan(20);
    expect(r.summary.requests.failed).toBe(0);
  });
});
