import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/errors.ts';
import type { RunResult } from '../../lib/result/schema.ts';
import { compareRuns } from '../../reports/compare/compare.ts';
import type { Comparison } from '../../reports/compare/compare.ts';
import { renderCompareHtml } from '../../reports/compare/html.ts';
import { renderCompareMarkdown } from '../../reports/compare/markdown.ts';
import { runMetrics, verdictMetric } from '../../reports/compare/metrics.ts';
import { DEFAULT_THRESHOLDS, exceeds, parseThresholds } from '../../reports/compare/thresholds.ts';
import { chaosRun } from './chaos-fixture.ts';
import { failingRun, invalidRun, passingRun, withoutHistograms } from './fixtures.ts';

/**
 * A copy of a run with whole-run latency percentiles changed. Its per-second histograms would no
 * longer match, so they are dropped: such a run is judged on thresholds alone (noise intervals
 * are tested in compare-noise.test.ts).
 */
function withLatency(r: RunResult, change: Partial<RunResult['load']['latencyMs']>): RunResult {
  return withoutHistograms({ ...r, load: { ...r.load, latencyMs: { ...r.load.latencyMs, ...change } } });
}

function compare(current: RunResult, baseline: RunResult, thresholds = DEFAULT_THRESHOLDS): Comparison {
  return compareRuns({
    current,
    baseline,
    currentSource: 'cur.json',
    baselineSource: 'base.json',
    thresholds,
  });
}

const metric = (c: Comparison, key: string) => c.metrics.find((m) => m.key === key);

describe('thresholds', () => {
  it('parses relative, absolute and off, over the p95=10% default', () => {
    const t = parseThresholds(['p99=15%,errors=0.1pp', 'p50=20ms', 'recovery=2s', 'p95=off']);
    expect(t).toEqual({
      p95: null,
      p99: { kind: 'relative', value: 15, text: '15%' },
      errors: { kind: 'absolute', value: 0.1, text: '0.1pp' },
      p50: { kind: 'absolute', value: 20, text: '20ms' },
      recovery: { kind: 'absolute', value: 2, text: '2s' },
    });
    expect(parseThresholds([])).toEqual(DEFAULT_THRESHOLDS);
    expect(parseThresholds(['p99=1s']).p99).toEqual({ kind: 'absolute', value: 1000, text: '1s' });
  });

  it.each([
    ['p95=10', /'p95=10' needs a number with a unit \(%, ms, s\)/],
    ['p97=10%', /unknown metric 'p97'; metrics: p50, p90, p95, p99, max, errors/],
    ['errors=5ms', /errors takes % or pp, not ms/],
    ['rps=1pp', /rps takes %, not pp/],
    ['p95', /cannot read 'p95'/],
  ])('rejects %s naming the fix', (text, message) => {
    expect(() => parseThresholds([text])).toThrow(UsageError);
    expect(() => parseThresholds([text])).toThrow(message);
  });

  it('fails only beyond the threshold, exactly at it passes', () => {
    const ten = { kind: 'relative', value: 10, text: '10%' } as const;
    expect(exceeds(ten, 10, 100)).toBe(false);
    expect(exceeds(ten, 10.01, 100)).toBe(true);
    expect(exceeds(ten, 6.14, 61.4)).toBe(false); // 10.000000000000002 % in floating point
    expect(exceeds(ten, -50, 100)).toBe(false);
    // No percentage of zero: any worsening of a zero baseline exceeds a relative threshold.
    expect(exceeds(ten, 0.01, 0)).toBe(true);
    expect(exceeds({ kind: 'absolute', value: 0.1, text: '0.1pp' }, 0.1, 0)).toBe(false);
    expect(exceeds({ kind: 'absolute', value: 0.1, text: '0.1pp' }, 0.11, 0)).toBe(true);
  });
});

describe('run metrics', () => {
  it('reads latency, error rate, availability, rate and evidence-borne recovery time', () => {
    const m = runMetrics(chaosRun());
    expect(m.p95).toBe(61.4);
    expect(m.errors).toBeCloseTo((15 / 4498) * 100, 9);
    expect(m.availability).toBeCloseTo((4483 / 4498) * 100, 9);
    expect(m.rps).toBe(49.98);
    // The recovery-time verdict's slowest fault.
    expect(m.recovery).toBe(5.2);
    expect(m.capacity).toBeNull();
    expect(verdictMetric('p99<500ms [during-fault]')).toBe('p99');
    expect(verdictMetric('errors<0.1%')).toBe('errors');
    expect(verdictMetric('generator-health')).toBeNull();
  });
});

describe('compareRuns', () => {
  it('passes an unchanged re-run', () => {
    const c = compare(chaosRun(), chaosRun());
    expect(c.outcome).toBe('ok');
    expect(c.regressions).toEqual([]);
    expect(c.metrics.every((m) => m.status === 'same' || m.status === 'n/a')).toBe(true);
    expect(c.verdicts.map((v) => v.change)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'still-failing',
      'unchanged',
    ]);
  });

  it('fails a p95 worse by more than 10 %, passes one worse by less', () => {
    const base = chaosRun();
    const worse = compare(withLatency(base, { p95: 61.4 * 1.2 }), base);
    expect(worse.outcome).toBe('regression');
    expect(metric(worse, 'p95')).toMatchObject({ status: 'regressed', baseline: 61.4 });
    expect(metric(worse, 'p95')!.relative).toBeCloseTo(20, 9);
    expect(worse.regressions).toEqual(['p95 latency up 20 % (61.4 ms → 73.68 ms), over the 10% threshold']);

    const slight = compare(withLatency(base, { p95: 61.4 * 1.05 }), base);
    expect(slight.outcome).toBe('ok');
    expect(metric(slight, 'p95')?.status).toBe('worse');
    // Faster is never a regression, however large the change.
    expect(compare(withLatency(base, { p95: 10 }), base).outcome).toBe('ok');
    expect(metric(compare(withLatency(base, { p95: 10 }), base), 'p95')?.status).toBe('better');
  });

  it('judges metrics without a default threshold only when asked', () => {
    const base = chaosRun();
    const cur = withLatency(base, { p99: 300 });
    expect(compare(cur, base).outcome).toBe('ok');
    expect(metric(compare(cur, base), 'p99')?.status).toBe('worse');
    const strict = compare(cur, base, parseThresholds(['p99=15%']));
    expect(strict.outcome).toBe('regression');
    // Higher is better for availability and rate: a drop is the regression.
    const drop = { ...base, load: { ...base.load, achievedRps: 40 } };
    expect(compare(drop, base, parseThresholds(['rps=5%'])).regressions).toEqual([
      'achieved rate down 20 % (50 req/s → 40 req/s), over the 5% threshold',
    ]);
  });

  it('judges an error-rate rise in percentage points', () => {
    const base = chaosRun();
    const cur = structuredClone(base);
    cur.load.requests.failed += 9; // 15 → 24 of 4498: +0.2 pp
    cur.load.requests.ok -= 9;
    const c = compare(cur, base, parseThresholds(['errors=0.1pp']));
    expect(c.outcome).toBe('regression');
    expect(metric(c, 'errors')?.delta).toBeCloseTo((9 / 4498) * 100, 9);
    expect(compare(cur, base, parseThresholds(['errors=0.5pp'])).outcome).toBe('ok');
  });

  it('fails a verdict that passed in the baseline and fails now, and a new failing verdict', () => {
    const c = compare(failingRun(), passingRun());
    expect(c.outcome).toBe('regression');
    expect(c.verdicts.map((v) => [v.name, v.baseline, v.current, v.change])).toEqual([
      ['p95<250ms', 'pass', 'pass', 'unchanged'],
      ['errors<1%', 'pass', 'fail', 'regressed'],
      ['achieved>=99%', 'pass', 'inconclusive', 'not-judged'],
      ['availability>=99%', 'pass', 'pass', 'unchanged'],
    ]);
    expect(c.regressions).toEqual(['verdict errors<1% now fails (was pass)']);
    expect(c.notes).toContain('verdict achieved>=99% could not be judged in this run (inconclusive).');

    const fixed = compare(passingRun(), failingRun());
    expect(fixed.outcome).toBe('ok');
    expect(fixed.verdicts[1]?.change).toBe('fixed');

    const base = chaosRun();
    const cur = chaosRun();
    cur.verdicts.push({ ...cur.verdicts[1]!, name: 'p90<10ms', pass: false });
    base.verdicts.pop();
    const c2 = compare(cur, base);
    expect(c2.verdicts.filter((v) => v.change !== 'unchanged' && v.change !== 'still-failing')).toEqual([
      { name: 'recovery-time', baseline: 'absent', current: 'pass', change: 'new' },
      { name: 'p90<10ms', baseline: 'absent', current: 'fail', change: 'regressed' },
    ]);
  });

  it("compares each verdict's observed value under its metric family's threshold", () => {
    const base = chaosRun();
    const cur = withoutHistograms(chaosRun());
    cur.verdicts[2]!.evidence = { value: 400, limit: 500, op: '<' };
    const c = compare(cur, base, parseThresholds(['p99=50%']));
    const row = metric(c, 'verdict:p99<500ms [during-fault]');
    expect(row).toMatchObject({ baseline: 212.5, current: 400, better: 'lower', status: 'regressed' });
    expect(c.outcome).toBe('regression');
    expect(metric(compare(cur, base), 'verdict:p99<500ms [during-fault]')?.status).toBe('worse');
  });

  it('refuses to judge an invalid current run', () => {
    const c = compare(invalidRun(), failingRun());
    expect(c.outcome).toBe('invalid');
    expect(c.notes[0]).toMatch(/^The current run is invalid/);
  });

  it('notes a baseline from another scenario', () => {
    const c = compare(chaosRun(), failingRun());
    expect(c.notes).toContain('The baseline is another scenario (checkout-sla); deltas may not mean much.');
  });
});

describe('comparison reports', () => {
  it('render the answer first, then metric and verdict tables, in Markdown and HTML', () => {
    const base = chaosRun();
    const c = compare(withLatency(base, { p95: 80 }), base);
    const md = renderCompareMarkdown(c);
    expect(md.split('\n')[0]).toBe('## ❌ REGRESSION: zone-chaos against its baseline');
    expect(md).toContain('- p95 latency up 30.3 % (61.4 ms → 80 ms), over the 10% threshold');
    expect(md).toContain(
      '| p95 latency | 61.4 ms | 80 ms | +30.3 % (+18.6 ms) | worse by &gt; 10% | ❌ regressed |',
    );
    expect(md).toContain('| p50 latency | 31.2 ms | 31.2 ms | no change | — | = same |');
    expect(md).toContain('| zero-downtime | fail | fail | still fails |');
    expect(renderCompareMarkdown(compare(base, base)).split('\n')[0]).toBe(
      '## ✅ NO REGRESSION: zone-chaos against its baseline',
    );

    const html = renderCompareHtml(c);
    expect(html).toContain('<p class="outcome fail">REGRESSION</p>');
    expect(html).toContain('<tr class="row-fail"><td>p95 latency</td>');
    expect(html).not.toContain('id="chart-trend"');
  });

  it('draws the trend when runs are given, and says why not when there is one run', () => {
    const base = chaosRun();
    const c = compare(base, base);
    const runs = [
      { startedAt: '2026-11-28T02:00:00.000Z', valid: true, p95: 60, p99: 130, errors: 0.2 },
      { startedAt: '2026-11-29T02:00:00.000Z', valid: false, p95: 900, p99: 2000, errors: 30 },
      { startedAt: '2026-11-30T02:00:00.000Z', valid: true, p95: 61.4, p99: 140, errors: 0.31 },
    ];
    const html = renderCompareHtml(c, runs);
    expect(html).toContain('<canvas id="chart-trend"');
    const data = JSON.parse(/id="gauntlet-charts">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
      charts: {
        config: {
          chart: { data: { labels: string[]; datasets: { label: string; data: (number | null)[] }[] } };
        };
      }[];
    };
    const chart = data.charts[0]!.config.chart.data;
    expect(chart.labels).toEqual(['11-28 02:00', '11-29 02:00', '11-30 02:00']);
    // The invalid run is a gap: its numbers describe the generator, not the target.
    expect(chart.datasets[0]).toMatchObject({ label: 'p95', data: [60, null, 61.4] });
    expect(renderCompareHtml(c, runs.slice(0, 1))).toContain(
      'A trend needs at least two runs; the history has 1.',
    );
  });
});
