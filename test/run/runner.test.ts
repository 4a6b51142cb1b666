import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadContext, LoadEngine, LoadPlan } from '../../lib/load/engine.ts';
import { resultSchema } from '../../lib/result/schema.ts';
import { runScenario } from '../../lib/run/runner.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import { createReporters } from '../../reports/registry.ts';
import { tempDir } from '../helpers/run-gauntlet.ts';

/**
 * A scripted engine: emits one request every 10 ms of the run clock with a latency chosen by the
 * test, so the runner's timeline, verdicts, abort and interrupt paths are tested without a network.
 */
function scriptedEngine(
  latencyAt: (tMs: number) => number,
  fail: (tMs: number) => boolean = () => false,
): LoadEngine {
  return {
    name: 'scripted',
    supports: () => true,
    async run(plan: LoadPlan, ctx: LoadContext) {
      const durationMs = plan.profile.kind === 'ramping-arrival-rate' ? 0 : plan.profile.durationMs;
      for (let t = 0; t < durationMs; t += 10) {
        while (ctx.clock.now() < t) {
          if (ctx.signal.aborted)
            return { engine: 'scripted', model: 'open', scheduleLagMs: { p50: 0, p99: 0, max: 0 } };
          await new Promise((r) => setTimeout(r, 5));
        }
        ctx.metrics.intended(t);
        const ok = !fail(t);
        ctx.metrics.record({
          intendedAt: t,
          sentAt: t,
          doneAt: t + latencyAt(t),
          ok,
          status: ok ? 200 : 503,
          ...(ok ? {} : { error: 'status-5xx' as const }),
        });
      }
      return { engine: 'scripted', model: 'open', scheduleLagMs: { p50: 0, p99: 0, max: 0 } };
    },
  };
}

function scenario(slas: unknown[], duration = '3s') {
  return resolveScenario({
    name: 'runner-test',
    target: 'http://127.0.0.1:9',
    requests: [{ path: '/' }],
    load: { kind: 'constant-arrival-rate', rate: 100, duration },
    slas,
  });
}

describe('runScenario', () => {
  it('judges the timeline and writes a schema-valid result with every file reporter', async () => {
    const outDir = tempDir();
    const out = await runScenario({
      scenario: scenario(['p95<50ms', 'errors<1%']),
      file: null,
      engine: scriptedEngine(() => 20),
      reporters: createReporters(['json', 'junit', 'markdown']),
      outDir,
      progressIntervalMs: 200,
    });
    expect(out.exitCode).toBe(0);
    expect(out.result).toMatchObject({ pass: true, valid: true, status: 'completed' });
    expect(out.result.load.requests.sent).toBe(300);
    expect(out.result.series.length).toBeGreaterThanOrEqual(3);
    expect(out.files.map((f) => f.split('/').pop()).sort()).toEqual([
      'junit.xml',
      'result.json',
      'summary.md',
    ]);
    const saved = resultSchema.parse(JSON.parse(readFileSync(join(outDir, 'result.json'), 'utf8')));
    expect(saved.verdicts.map((v) => v.name)).toEqual(['generator-health', 'p95<50ms', 'errors<1%']);
  });

  it('fails a broken SLA with exit code 1', async () => {
    const out = await runScenario({
      scenario: scenario(['p95<10ms']),
      file: null,
      engine: scriptedEngine(() => 20),
      reporters: [],
      outDir: tempDir(),
    });
    expect(out.exitCode).toBe(1);
    expect(out.result.verdicts.find((v) => v.name === 'p95<10ms')?.pass).toBe(false);
  });

  it('aborts early when an abortOnFail SLA breaks, and says why', async () => {
    const out = await runScenario({
      scenario: scenario([{ sla: 'errors<1%', abortOnFail: true, abortWindow: '1s' }], '20s'),
      file: null,
      engine: scriptedEngine(
        () => 5,
        (t) => t >= 1000,
      ),
      reporters: [],
      outDir: tempDir(),
      progressIntervalMs: 100,
    });
    expect(out.result.status).toBe('aborted');
    expect(out.result.durationS).toBeLessThan(10);
    expect(out.result.abortReason).toMatch(/errors<1% broken/);
    expect(out.result.verdicts.at(-1)).toMatchObject({ name: 'abort-on-fail', pass: false });
    expect(out.exitCode).toBe(1);
    // Every failure is in the sample or counted beside it, with its intended time and status.
    const { failures = [], failuresDropped } = out.result;
    expect(failures.length + (failuresDropped ?? NaN)).toBe(out.result.load.requests.failed);
    expect(failures[0]).toMatchObject({ t: 1, kind: 'status-5xx', status: 503, latencyMs: 5 });
  });

  it('stops on an external signal and still produces a result', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    const out = await runScenario({
      scenario: scenario([], '30s'),
      file: null,
      engine: scriptedEngine(() => 1),
      reporters: createReporters(['json']),
      outDir: tempDir(),
      signal: ac.signal,
    });
    expect(out.result.status).toBe('interrupted');
    expect(out.result.pass).toBe(false);
    expect(out.result.durationS).toBeLessThan(5);
    expect(out.files).toHaveLength(1);
  });
});
