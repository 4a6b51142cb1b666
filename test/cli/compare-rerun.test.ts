/**
 * `gauntlet compare` on real runs: the same scenario run twice against the same stand-in app must
 * not be called a regression, and a run against an app 80 ms slower per request must be.
 *
 * The two unchanged runs go at the same time: on a shared machine (and in CI, beside other test
 * files) two runs a minute apart can see different machine load, and a p95 that moved because the
 * machine did is not what this test is about. The slower app runs after them, alone. Two
 * generators at once on a busy machine can stretch the baseline's tail to twice its 20 ms (seen:
 * p50 23 ms, p95 41 ms), so the slower app is slower by far more than that: 100 ms per request.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StandInApp, startStandInApp } from '../../lib/cli/stand-in-app.ts';
import type { Comparison } from '../../reports/compare/compare.ts';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';

let app: StandInApp;
let slowApp: StandInApp;
beforeAll(async () => {
  // Narrative requests take 20 ms, like generation work would; health checks none.
  [app, slowApp] = await Promise.all([
    startStandInApp({ DRAIN_DELAY_MS: '0', ADDED_LATENCY_MS: '20' }),
    startStandInApp({ DRAIN_DELAY_MS: '0', ADDED_LATENCY_MS: '100' }),
  ]);
});
afterAll(async () => {
  await Promise.all([app?.stop(), slowApp?.stop()]);
});

const dir = tempDir('gauntlet-compare-rerun-');

const body = JSON.stringify({ prompt: 'A map that redraws itself.', genre: 'mystery', maxWords: 60 });

/**
 * 8 s of narrative creation at 60 req/s (enough seconds for a noise interval): a rate two generators can keep on a busy two-core
 * machine, so neither run is judged invalid. The path of its result.json.
 */
async function create(url: string): Promise<string> {
  const r = await runGauntlet(
    [
      'run',
      '--url',
      `${url}/api/v1/narratives`,
      '--method',
      'POST',
      '-H',
      'content-type: application/json',
      '--body',
      body,
      '--rate',
      '60',
      '--duration',
      '8s',
      '--sla',
      'p95<500ms',
    ],
    { timeoutMs: 90_000 },
  );
  expect(r.result?.status, r.stderr).toBe('completed');
  expect(r.result?.load.requests.failed, r.stdout).toBe(0);
  return join(r.outDir, 'result.json');
}

function comparison(outDir: string): Comparison {
  const html = readFileSync(join(outDir, 'compare.html'), 'utf8');
  const m = /<script type="application\/json" id="gauntlet-comparison">([\s\S]*?)<\/script>/.exec(html);
  expect(m, 'compare.html embeds its comparison').not.toBeNull();
  return JSON.parse(m![1]!) as Comparison;
}

describe('gauntlet compare on re-runs of one scenario', { timeout: 240_000 }, () => {
  it('passes an unchanged re-run and fails a run 80 ms slower per request', async () => {
    const [base, rerun] = await Promise.all([create(app.url), create(app.url)]);
    const same = await runGauntlet(['compare', rerun, '--baseline', base, '--out', join(dir, 'same')]);
    expect(same.exitCode, same.stdout).toBe(0);
    expect(same.stdout.split('\n')[0]).toBe('## ✅ NO REGRESSION: quick against its baseline');
    const p95 = comparison(join(dir, 'same')).metrics.find((m) => m.key === 'p95');
    expect(p95?.interval, 'a noise interval from the per-second histograms').not.toBeNull();

    const slow = await create(slowApp.url);
    const worse = await runGauntlet(['compare', slow, '--baseline', base, '--out', join(dir, 'worse')]);
    expect(worse.exitCode, worse.stdout).toBe(1);
    expect(worse.stdout.split('\n')[0]).toBe('## ❌ REGRESSION: quick against its baseline');
    expect(worse.stdout).toMatch(
      /- p95 latency up [\d.]+ % \([\d.]+ ms → [\d.]+ ms\), over the 10% threshold/,
    );
    const slowP95 = comparison(join(dir, 'worse')).metrics.find((m) => m.key === 'p95');
    expect(slowP95?.status).toBe('regressed');
    expect(slowP95?.interval?.low, 'the whole interval is worse').toBeGreaterThan(0);
  });
});
