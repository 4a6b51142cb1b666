import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executorFor, goDuration, rateUnit, vusFor } from '../../lib/load/k6/executor.ts';
import { str } from '../../lib/load/k6/literal.ts';
import { generateK6Script, k6ScenarioName, statusRanges } from '../../lib/load/k6/script.ts';
import { thresholdsFor } from '../../lib/load/k6/thresholds.ts';
import { createArrivalSchedule } from '../../lib/load/schedule.ts';
import type { ResolvedLoadOptions } from '../../lib/scenario/resolved.ts';
import { goldenDir, k6Scenarios, shippedScenarios } from './k6-scenarios.ts';

/** Runs a script's init context with k6's modules stubbed and returns what k6 would read from it. */
function initContext(script: string, vu = 1, env: Record<string, string> = {}) {
  const source = script
    .replace(/^import .*$/gm, '')
    .replace(/^export const /gm, 'const ')
    .replace(/^export default function/gm, 'function __default');
  const sent: { method: string; url: string; body: unknown; params: Record<string, unknown> }[] = [];
  const checks: { names: string[]; results: boolean[]; tags: unknown }[] = [];
  const context = {
    __ENV: { ...env },
    __VU: vu,
    http: {
      expectedStatuses: (...statuses: unknown[]) => ({ statuses }),
      request: (method: string, url: string, body: unknown, params: Record<string, unknown>) => {
        sent.push({ method, url, body, params });
        return { status: 201 };
      },
    },
    check: (res: unknown, sets: Record<string, (r: unknown) => boolean>, tags: unknown) => {
      checks.push({ names: Object.keys(sets), results: Object.values(sets).map((f) => f(res)), tags });
      return true;
    },
  };
  const out = vm.runInNewContext(`${source}\n;({ options, requests, run: __default })`, context) as {
    options: { thresholds?: Record<string, unknown[]>; scenarios: Record<string, Record<string, unknown>> };
    requests: { name: string }[];
    run: () => void;
  };
  return { ...out, sent, checks, env: context.__ENV };
}

describe('generated k6 scripts (golden files)', () => {
  for (const [name, make] of Object.entries(k6Scenarios)) {
    it(`${name}: matches test/fixtures/k6/golden/${name}.js.golden`, () => {
      const script = generateK6Script(make());
      const file = join(goldenDir, `${name}.js.golden`);
      // UPDATE_GOLDEN=1 writes the files after an intended change; review the diff.
      if (process.env.UPDATE_GOLDEN === '1') {
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(file, script);
      }
      expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(script).toBe(readFileSync(file, 'utf8'));
    });

    it(`${name}: its thresholds are exactly the scenario's SLAs mapped to k6`, () => {
      const s = make();
      const { options } = initContext(generateK6Script(s), 1, { GAUNTLET_TARGET: 'http://127.0.0.1:1' });
      const mapped = thresholdsFor(s.slas, s.profile);
      expect(options.thresholds ?? {}).toEqual(JSON.parse(JSON.stringify(mapped.thresholds)));
    });
  }

  it('maps every SLA kind, with abortOnFail and the generator-health drop limit', () => {
    const s = k6Scenarios['constant-mix']!();
    // 200 req/s for 20 s: 4000 planned requests; achieved >= 99 % allows 40 drops, health 0.1 % = 4.
    expect(createArrivalSchedule(s.profile as never).total).toBe(4000);
    const m = thresholdsFor(s.slas, s.profile);
    expect(m.thresholds).toEqual({
      http_req_duration: ['p(95)<100', 'p(99)<250'],
      http_req_failed: ['rate<0.001'],
      dropped_iterations: ['count<=40', 'count<=4'],
    });
    expect([...m.sources.entries()]).toEqual([
      ['http_req_duration p(95)<100', 'p95<100ms'],
      ['http_req_duration p(99)<250', 'p99<250ms'],
      ['http_req_failed rate<0.001', 'errors<0.1%'],
      ['dropped_iterations count<=40', 'achieved>=99%'],
      ['dropped_iterations count<=4', 'generator-health'],
    ]);
    expect(m.unmapped).toEqual([]);

    const r = k6Scenarios['ramp-fractional']!();
    const rm = thresholdsFor(r.slas, r.profile);
    expect(rm.thresholds.http_req_duration).toEqual([
      { threshold: 'p(99.9)<1000', abortOnFail: true, delayAbortEval: '15s' },
      'max<=2000',
    ]);
    expect(rm.thresholds.checks).toEqual([
      { threshold: 'rate>=0.995', abortOnFail: true, delayAbortEval: '10s' },
    ]);
    expect(rm.unmapped.map((u) => u.id)).toEqual(['p95<50ms', 'errors<1%']);
    expect(rm.unmapped[0]!.why).toMatch(/10 s – 60 s/);
    expect(rm.unmapped[1]!.why).toMatch(/during-fault/);

    const c = k6Scenarios.closed!();
    const cm = thresholdsFor(c.slas, c.profile);
    expect(cm.thresholds).toEqual({ http_req_failed: ['rate<=0.01'] });
    expect(cm.unmapped).toEqual([{ id: 'achieved>=95%', why: expect.stringMatching(/closed model/) }]);
  });

  it('turns the other comparison directions of an achieved-rate SLA into drop bounds', () => {
    const profile = { kind: 'constant-arrival-rate', rate: 100, durationMs: 10_000 } as const;
    const sla = (op: '<' | '<=' | '>' | '>=', value: number) => ({
      id: `achieved${op}${value}%`,
      metric: 'achieved-rate' as const,
      op,
      value,
      window: null,
      scope: 'run' as const,
      abortOnFail: false,
      abortWindowS: 10,
    });
    const bounds = (op: '<' | '<=' | '>' | '>=', v: number) =>
      thresholdsFor([sla(op, v)], profile).thresholds.dropped_iterations![0];
    expect(bounds('>=', 99.95)).toBe('count<=0'); // 1000 × 0.05 % = 0.5 drops allowed → none
    expect(bounds('>', 99.5)).toBe('count<5');
    expect(bounds('<=', 99.42)).toBe('count>=6'); // at least 5.8 drops → 6
    expect(bounds('<', 90)).toBe('count>100');
  });

  it('the script sends the weighted mix with the expected statuses, tags, timeout and check', () => {
    const s = k6Scenarios['constant-mix']!();
    const init = initContext(generateK6Script(s), 5);
    for (let i = 0; i < 10; i++) init.run();
    const counts = new Map<string, number>();
    for (const r of init.sent) {
      const tags = r.params.tags as { req: string };
      counts.set(tags.req, (counts.get(tags.req) ?? 0) + 1);
    }
    // Weights 1:3:1 over two full cycles.
    expect(Object.fromEntries(counts)).toEqual({ health: 2, 'create narrative': 6, missing: 2 });
    const create = init.sent.find((r) => r.method === 'POST')!;
    // No GAUNTLET_TARGET: the scenario's URL is the default.
    expect(create.url).toBe('http://127.0.0.1:8080/api/v1/narratives');
    expect(JSON.parse(create.body as string)).toEqual({
      prompt: "It's a map that redraws itself",
      maxWords: 120,
    });
    expect(create.params).toMatchObject({
      headers: { 'content-type': 'application/json' },
      timeout: '5s',
      responseCallback: { statuses: [201] },
    });
    const missing = init.sent.find((r) => (r.params.tags as { req: string }).req === 'missing')!;
    expect(missing.url).toBe('http://127.0.0.1:8080/api/v1/narratives/0?x=1&y=2');
    expect(missing.params.headers).toEqual({ accept: 'application/json', 'x-trace': 'gauntlet' });
    expect(missing.params.responseCallback).toEqual({ statuses: [404, 410] });
    const health = init.sent.find((r) => (r.params.tags as { req: string }).req === 'health')!;
    expect(health.params.responseCallback).toEqual({ statuses: [{ min: 200, max: 299 }] });
    expect(health.body).toBeNull();
    // Each check is named after the request and passes only on an expected status (201 here).
    const byName = new Map(init.checks.map((c) => [c.names[0], c.results[0]]));
    expect(byName.get('create narrative: status 201')).toBe(true);
    expect(byName.get('missing: status 404, 410')).toBe(false);
    expect(byName.get('health: status 2xx')).toBe(true);
  });

  it('without a URL in the scenario the script requires GAUNTLET_TARGET', () => {
    const script = generateK6Script(k6Scenarios['no-url']!());
    expect(() => initContext(script)).toThrow(/run k6 with -e GAUNTLET_TARGET=http:\/\/host:port/);
    const init = initContext(script, 1, { GAUNTLET_TARGET: 'http://10.0.0.7:8080' });
    init.run();
    expect(init.sent[0]!.url).toBe('http://10.0.0.7:8080/healthz');
  });

  it('VUs start at different points of the mix cycle', () => {
    const script = generateK6Script(k6Scenarios['constant-mix']!());
    const firstPick = (vu: number) => {
      const init = initContext(script, vu);
      init.run();
      return (init.sent[0]!.params.tags as { req: string }).req;
    };
    const firsts = new Set([1, 2, 3, 4, 5].map(firstPick));
    expect(firsts.size).toBeGreaterThan(1);
  });
});

describe('k6 scripts of the scenarios shipped in scenarios/', () => {
  // Expected by hand from each file: run-scope SLAs without a window become thresholds; phase-scoped
  // and windowed ones are judged by gauntlet only. The last dropped_iterations bound is the
  // generator-health limit, 0.1 % of the planned requests (e.g. pod-kill: 200/s × 80 s = 16 000 → 16;
  // autoscaling: 2000 + 2500 + 103 500 + 2375 + 21 000 = 131 375 → 131).
  const expected: Record<string, { thresholds: Record<string, string[]>; unmapped: string[] }> = {
    autoscaling: {
      thresholds: { http_req_failed: ['rate<0.001'], dropped_iterations: ['count<=131'] },
      unmapped: [],
    },
    'bad-rollout': { thresholds: { dropped_iterations: ['count<=15'] }, unmapped: ['availability>=99.9%'] },
    nightly: {
      thresholds: { dropped_iterations: ['count<=45'] },
      unmapped: ['p95<100ms', 'errors<0.1%', 'availability>=99.9%'],
    },
    'node-drain': {
      thresholds: { dropped_iterations: ['count<=18'] },
      unmapped: ['p95<100ms', 'availability>=99.9%'],
    },
    'pod-kill': {
      thresholds: { http_req_duration: ['p(95)<100'], dropped_iterations: ['count<=16'] },
      unmapped: ['availability>=99.9%'],
    },
    'pre-release-gate': {
      thresholds: { dropped_iterations: ['count<=91'] },
      unmapped: ['p95<100ms', 'errors<0.1%', 'availability>=99.9%'],
    },
    'rolling-update': { thresholds: { dropped_iterations: ['count<=15'] }, unmapped: ['p95<100ms'] },
    'sla-baseline': {
      thresholds: { dropped_iterations: ['count<=68'] },
      unmapped: ['p95<100ms', 'errors<0.1%', 'achieved>=99%'],
    },
    smoke: {
      thresholds: {
        http_req_duration: ['p(95)<100', 'p(99)<250'],
        http_req_failed: ['rate<0.001'],
        dropped_iterations: ['count<=40', 'count<=4'],
      },
      unmapped: [],
    },
    'zone-outage': {
      thresholds: { dropped_iterations: ['count<=22'] },
      unmapped: ['availability>=99.9%', 'availability>=99.9%'],
    },
  };
  // nightly judges more (and runs longer) with monitoring: the expectations are those without it.
  const monitoring = process.env.GAUNTLET_MONITORING;
  let shipped: Awaited<ReturnType<typeof shippedScenarios>>;
  beforeAll(async () => {
    delete process.env.GAUNTLET_MONITORING;
    shipped = await shippedScenarios();
  });
  afterAll(() => {
    if (monitoring !== undefined) process.env.GAUNTLET_MONITORING = monitoring;
  });

  it('every shipped scenario has its expectation here', () => {
    expect(Object.keys(shipped).sort()).toEqual(Object.keys(expected).sort());
  });

  it("each script's thresholds are its scenario's SLAs, and every SLA is either a threshold or listed as gauntlet's", () => {
    for (const [name, input] of Object.entries(shipped)) {
      const want = expected[name]!;
      const { options } = initContext(generateK6Script(input), 1, { GAUNTLET_TARGET: 'http://127.0.0.1:1' });
      expect(options.thresholds, name).toEqual(want.thresholds);
      const mapped = thresholdsFor(input.slas, input.profile);
      expect(
        mapped.unmapped.map((u) => u.id),
        name,
      ).toEqual(want.unmapped);
      const fromSlas = [...mapped.sources.values()].filter((id) => id !== 'generator-health');
      expect([...fromSlas, ...want.unmapped].sort(), name).toEqual(input.slas.map((x) => x.id).sort());
      expect(mapped.sources.get(`dropped_iterations ${want.thresholds.dropped_iterations!.at(-1)}`)).toBe(
        'generator-health',
      );
    }
  });

  it("ramping scenarios keep their stages: ramping-arrival-rate with the scenario's start rate and stages", () => {
    for (const name of ['autoscaling', 'pre-release-gate', 'sla-baseline']) {
      const input = shipped[name]!;
      const p = input.profile;
      if (p.kind !== 'ramping-arrival-rate') throw new Error(`${name} is expected to ramp`);
      const scenarioKey = k6ScenarioName(input.name);
      const { options } = initContext(generateK6Script(input), 1, { GAUNTLET_TARGET: 'http://127.0.0.1:1' });
      expect(options.scenarios[scenarioKey], name).toMatchObject({
        executor: 'ramping-arrival-rate',
        startRate: p.startRate,
        timeUnit: '1s',
        stages: p.stages.map((st) => ({ duration: goDuration(st.durationMs), target: st.target })),
        tags: { gauntlet_scenario: input.name },
      });
    }
    expect(shipped.autoscaling!.profile).toMatchObject({
      startRate: 100,
      stages: [
        { target: 100, durationMs: 20_000 },
        { target: 900, durationMs: 5000 },
        { target: 900, durationMs: 115_000 },
        { target: 50, durationMs: 5000 },
        { target: 50, durationMs: 420_000 },
      ],
    });
  });
});

describe('profile → k6 executor', () => {
  const options: ResolvedLoadOptions = {
    maxInFlight: 500,
    timeoutMs: 10_000,
    maxScheduleLagMs: 1000,
    connections: 10,
  };

  it('writes Go durations', () => {
    expect([0, 250, 1000, 1500, 60_000, 90_000, 3_600_000, 5_430_000].map(goDuration)).toEqual([
      '0s',
      '250ms',
      '1s',
      '1500ms',
      '1m',
      '1m30s',
      '1h',
      '1h30m30s',
    ]);
  });

  it('picks a time unit that makes every rate whole', () => {
    expect(rateUnit([200])).toEqual({ factor: 1, timeUnit: '1s' });
    expect(rateUnit([12.5])).toEqual({ factor: 2, timeUnit: '2s' });
    expect(rateUnit([0.5, 12.5, 20])).toEqual({ factor: 2, timeUnit: '2s' });
    expect(rateUnit([0.25, 0.2])).toEqual({ factor: 20, timeUnit: '20s' });
    expect(rateUnit([1 / 3])).toEqual({ factor: 1000, timeUnit: '16m40s' });
  });

  it('constant rate: integer rate per unit, VUs from rate × timeout capped by maxInFlight', () => {
    expect(executorFor({ kind: 'constant-arrival-rate', rate: 12.5, durationMs: 30_000 }, options)).toEqual({
      executor: 'constant-arrival-rate',
      rate: 25,
      timeUnit: '2s',
      duration: '30s',
      preAllocatedVUs: 4,
      maxVUs: 125,
      gracefulStop: '11s',
    });
    // 1000 req/s × 10 s would be 10 000 VUs: the in-flight cap of 500 bounds it.
    expect(vusFor({ kind: 'constant-arrival-rate', rate: 1000, durationMs: 1 }, options)).toEqual({
      preAllocatedVUs: 250,
      maxVUs: 500,
    });
  });

  it('ramping rate: stages scaled to the common unit', () => {
    expect(
      executorFor(
        {
          kind: 'ramping-arrival-rate',
          startRate: 0.5,
          stages: [
            { target: 12.5, durationMs: 30_000 },
            { target: 0, durationMs: 1500 },
          ],
        },
        options,
      ),
    ).toEqual({
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '2s',
      stages: [
        { duration: '30s', target: 25 },
        { duration: '1500ms', target: 0 },
      ],
      preAllocatedVUs: 4,
      maxVUs: 125,
      gracefulStop: '11s',
    });
  });

  it('closed model: constant VUs', () => {
    expect(executorFor({ kind: 'closed', connections: 8, durationMs: 10_000 }, options)).toEqual({
      executor: 'constant-vus',
      vus: 8,
      duration: '10s',
      gracefulStop: '11s',
    });
  });
});

describe('script helpers', () => {
  it('names k6 scenarios with the characters k6 allows', () => {
    expect(k6ScenarioName('ramp.fractional_v2')).toBe('ramp_fractional_v2');
    expect(k6ScenarioName('a-b_C9')).toBe('a-b_C9');
  });

  it('compresses expected statuses into ranges', () => {
    expect(statusRanges([204, 200, 201, 202, 404, 200])).toEqual([
      [200, 202],
      [204, 204],
      [404, 404],
    ]);
  });

  it('string literals survive quotes, backslashes, control and line-separator characters', () => {
    const nasty = `it's a "test" \\ with\nnew\tlines\r\u0001 and \u2028 separators ✓`;
    expect(vm.runInNewContext(str(nasty))).toBe(nasty);
    expect(str(nasty)).not.toMatch(/[\n\r\u2028]/);
  });
});
