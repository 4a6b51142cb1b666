/**
 * Server-side SLAs through the runner, against a stand-in Prometheus HTTP API on loopback: the
 * setup errors before any load, the samples kept as gauges and judged, the client-vs-server
 * figures in result.json and the summary, and abortOnFail aborting the run like a client-side SLA.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GauntletError } from '../../lib/errors.ts';
import type { LoadContext, LoadEngine, LoadPlan } from '../../lib/load/engine.ts';
import { runScenario } from '../../lib/run/runner.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import { createReporters } from '../../reports/registry.ts';
import { tempDir } from '../helpers/run-gauntlet.ts';

const P95 =
  'histogram_quantile(0.95, sum by (le) (rate(novel_engine_http_request_duration_seconds_bucket[30s])))';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

interface FakePrometheus {
  readonly url: string;
  readonly queries: string[];
  readonly ranges: Array<{ query: string; start: number; end: number; step: number }>;
}

/**
 * Answers /-/ready, instant and range queries; `value(expr, unixS)` is the expression's value at a
 * time (null: no series), and an expression starting with 'bad(' is refused as Prometheus would.
 */
async function fakePrometheus(
  value: (expr: string, unixS: number) => number | null,
): Promise<FakePrometheus> {
  const queries: string[] = [];
  const ranges: FakePrometheus['ranges'] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const q = u.searchParams.get('query') ?? '';
    if (u.pathname === '/-/ready') return void res.writeHead(200).end('ready');
    if (q.startsWith('bad('))
      return json(400, {
        status: 'error',
        errorType: 'bad_data',
        error: '1:5: parse error: unexpected end of input',
      });
    if (u.pathname === '/api/v1/query') {
      queries.push(q);
      const now = Date.now() / 1000;
      const v = value(q, now);
      return json(200, {
        status: 'success',
        data: {
          resultType: 'vector',
          result: v === null ? [] : [{ metric: { job: 'app' }, value: [now, String(v)] }],
        },
      });
    }
    if (u.pathname === '/api/v1/query_range') {
      const [start, end, step] = ['start', 'end', 'step'].map((k) => Number(u.searchParams.get(k)));
      ranges.push({ query: q, start: start!, end: end!, step: step! });
      const values: Array<[number, string]> = [];
      for (let t = Math.ceil(start!); t <= end!; t += step!) {
        const v = value(q, t);
        if (v !== null) values.push([t, String(v)]);
      }
      return json(200, {
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: { job: 'app' }, values }] },
      });
    }
    res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, queries, ranges };
}

/** One request every 10 ms of the run clock, each taking `latencyMs`. */
function steadyEngine(latencyMs: number): LoadEngine {
  return {
    name: 'scripted',
    supports: () => true,
    async run(plan: LoadPlan, ctx: LoadContext) {
      const durationMs = plan.profile.kind === 'ramping-arrival-rate' ? 0 : plan.profile.durationMs;
      for (let t = 0; t < durationMs && !ctx.signal.aborted; t += 10) {
        while (ctx.clock.now() < t && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 5));
        ctx.metrics.intended(t);
        ctx.metrics.record({ intendedAt: t, sentAt: t, doneAt: t + latencyMs, ok: true, status: 200 });
      }
      return { engine: 'scripted', model: 'open', scheduleLagMs: { p50: 0, p99: 0, max: 0 } };
    },
  };
}

function scenario(slas: unknown[], duration = '3s') {
  return resolveScenario({
    name: 'server-side',
    target: 'http://127.0.0.1:9',
    requests: [{ path: '/' }],
    load: { kind: 'constant-arrival-rate', rate: 100, duration },
    slas,
  });
}

const serverP95 = {
  promql: P95,
  id: 'server-p95',
  op: '<',
  value: 0.1,
  unit: 's',
  compareTo: 'p95',
} as const;

describe('server-side SLAs in a run', () => {
  it('refuses to start without Prometheus, naming the SLA and how to get one (exit 2)', async () => {
    const outDir = tempDir();
    const err = await runScenario({
      scenario: scenario(['p95<1s', serverP95]),
      file: null,
      engine: steadyEngine(1),
      reporters: createReporters(['json']),
      outDir,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GauntletError);
    expect((err as GauntletError).code).toBe('GAUNTLET_SETUP');
    expect((err as Error).message).toBe(
      "server-side SLA 'server-p95' reads Prometheus, but this run has none (no --prometheus was given): " +
        'give the run a Prometheus that scrapes the target with --prometheus URL --alertmanager URL, ' +
        'or for the local cluster start its monitoring with gauntlet local up --monitoring (a running cluster gets it added)',
    );
    const down = await runScenario({
      scenario: scenario([serverP95]),
      file: null,
      engine: steadyEngine(1),
      reporters: [],
      outDir,
      prometheusUrl: 'http://127.0.0.1:9',
    }).catch((e: unknown) => e);
    expect((down as Error).message).toMatch(
      /^server-side SLA 'server-p95' reads Prometheus, but this run has none \(Prometheus at http:\/\/127\.0\.0\.1:9 did not answer/,
    );
  });

  it('refuses an expression Prometheus cannot parse before any load', async () => {
    const prom = await fakePrometheus(() => 1);
    const err = await runScenario({
      scenario: scenario([{ ...serverP95, promql: 'bad(up' }]),
      file: null,
      engine: steadyEngine(1),
      reporters: [],
      outDir: tempDir(),
      prometheusUrl: prom.url,
    }).catch((e: unknown) => e);
    expect((err as GauntletError).code).toBe('GAUNTLET_SETUP');
    expect((err as Error).message).toMatch(
      /^server-side SLA 'server-p95': Prometheus at http:\/\/127\.0\.0\.1:\d+ refused its promql expression \(.*parse error.*\); fix the expression$/,
    );
  });

  it('samples each expression over the run, judges it and shows it beside the client-side figure', async () => {
    // The server sees 15 ms; clients see 20 ms (the network and the generator add the rest).
    const prom = await fakePrometheus((expr) => (expr === P95 ? 0.015 : 0.5));
    const outDir = tempDir();
    const out = await runScenario({
      scenario: scenario([
        'p95<50ms',
        serverP95,
        { promql: 'slow_thing', id: 'slow', op: '<', value: 0.25, reduce: 'mean' },
      ]),
      file: null,
      engine: steadyEngine(20),
      reporters: createReporters(['json', 'markdown']),
      outDir,
      prometheusUrl: `${prom.url}/`,
    });
    const r = out.result;
    expect(r.verdicts.map((v) => v.name)).toEqual([
      'generator-health',
      'p95<50ms',
      'sla [server] server-p95',
      'sla [server] slow',
    ]);
    expect(r.verdicts[2]).toMatchObject({
      pass: true,
      claim: expect.stringContaining('server-side server-p95'),
    });
    expect(r.verdicts[3]).toMatchObject({
      pass: false,
      observed: expect.stringMatching(/^\{job="app"\}: 0\.5 \(\d+ samples\)$/),
    });
    expect(out.exitCode).toBe(1);
    // One range query per expression, over the run at a 1 s step.
    expect(prom.ranges.map((q) => q.query)).toEqual([P95, 'slow_thing']);
    const started = Date.parse(r.startedAt) / 1000;
    expect(prom.ranges[0]?.start).toBeCloseTo(started, 2);
    expect(prom.ranges[0]?.end).toBeCloseTo(started + r.durationS, 2);
    expect(prom.ranges[0]?.step).toBe(1);
    const samples = (r.gauges ?? []).filter((g) => g.name === 'promql:server-p95');
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(
      samples.every((g) => g.value === 0.015 && g.labels?.job === 'app' && g.t >= 0 && g.t <= r.durationS),
    ).toBe(true);
    expect(r.clientVsServer).toHaveLength(1);
    const row = r.clientVsServer![0]!;
    expect(row).toMatchObject({
      sla: 'server-p95',
      verdict: 'sla [server] server-p95',
      metric: 'p95',
      unit: 'ms',
      op: '<',
      limit: 100,
      server: 15,
      reduce: 'worst',
      window: { start: 0, end: r.durationS },
    });
    expect(row.client).toBeGreaterThan(19);
    expect(row.client).toBeLessThan(21);
    expect(row.difference).toBeCloseTo(15 - row.client!, 3);
    const saved = JSON.parse(readFileSync(join(outDir, 'result.json'), 'utf8')) as typeof r;
    expect(saved.clientVsServer).toEqual(r.clientVsServer);
    const md = readFileSync(join(outDir, 'summary.md'), 'utf8');
    expect(md).toContain('### Client vs server');
    expect(md).toMatch(
      /\| p95 latency &lt; 100 ms \(server-p95; server: worst sample\) \| 2\d(\.\d)? ms \| 15 ms \| −\d(\.\d+)? ms \|/,
    );
  });

  it('aborts the run once the server-side condition has been broken for abortWindow', async () => {
    const prom = await fakePrometheus(() => 0.4);
    const run = await runScenario({
      scenario: scenario([{ ...serverP95, abortOnFail: true, abortWindow: '1s' }], '20s'),
      file: null,
      engine: steadyEngine(5),
      reporters: [],
      outDir: tempDir(),
      prometheusUrl: prom.url,
    });
    expect(run.result.status).toBe('aborted');
    expect(run.result.durationS).toBeLessThan(8);
    expect(run.result.abortReason).toMatch(
      /^abortOnFail: server-side server-p95 broken over [\d.]+–[\d.]+ s \(\{job="app"\} observed 0\.4 s, limit < 0\.1 s\)$/,
    );
    expect(run.result.verdicts.at(-1)).toMatchObject({
      name: 'abort-on-fail',
      pass: false,
      observed: run.result.abortReason,
    });
    expect(run.result.verdicts.find((v) => v.name === 'sla [server] server-p95')?.pass).toBe(false);
    expect(prom.queries.length).toBeGreaterThanOrEqual(3);
    expect(run.exitCode).toBe(1);
  });
});
