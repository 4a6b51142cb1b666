/** The capacity reports from a fixed result: the curve's model, the Markdown and the HTML page. */
import { describe, expect, it } from 'vitest';
import { capacityResultSchema, type CapacityResult, type CapacityStep } from '../../lib/capacity/schema.ts';
import { chartJsConfig } from '../../reports/charts/config.ts';
import { capacityCurveChart } from '../../reports/capacity/chart.ts';
import { renderCapacityHtml } from '../../reports/capacity/html.ts';
import { renderCapacityMarkdown } from '../../reports/capacity/markdown.ts';
import { stepResultLine, summaryLines } from '../../reports/capacity/console.ts';

function step(
  index: number,
  level: number,
  status: CapacityStep['status'],
  p95: number,
  extra: Partial<CapacityStep> = {},
): CapacityStep {
  return {
    index,
    phase: 'step',
    level,
    startedAt: '2026-12-01T10:00:00.000Z',
    judged: { start: 5, end: 25 },
    intendedRps: level,
    achievedRps: level,
    okRps: level,
    requests: { intended: level * 20, sent: level * 20, ok: level * 20, failed: 0, dropped: 0 },
    latencyMs: { p50: p95 / 3, p90: p95 * 0.9, p95, p99: p95 * 1.5, max: p95 * 2 },
    errorRatePct: 0,
    sla: [
      {
        id: 'p95<100ms',
        claim: 'p95 latency < 100 ms',
        observed: p95,
        pass: p95 < 100,
        detail: 'n requests',
      },
    ],
    generator: {
      onSchedule: status !== 'invalid',
      observed: 'issue lag p99 1 ms',
      issueLagP99Ms: status === 'invalid' ? 400 : 1,
      scheduleLagP99Ms: 2,
      connectWaitP99Ms: 1,
      eventLoopDelayP99Ms: 3,
      cpuPct: 12,
    },
    cluster: { readyReplicas: 3, cpuCores: level / 400, cpuCovered: true, notes: [] },
    status,
    reasons: status === 'fail' ? [`p95<100ms: p95 latency was ${p95} ms (n requests)`] : [],
    ...extra,
  };
}

const result: CapacityResult = capacityResultSchema.parse({
  schemaVersion: 1,
  kind: 'capacity',
  gauntletVersion: '0.1.0',
  scenario: { name: 'smoke', file: 'scenarios/smoke.ts', target: 'http://127.0.0.1:8080' },
  startedAt: '2026-12-01T10:00:00.000Z',
  durationS: 150,
  model: 'open',
  engine: 'native',
  sla: [{ id: 'p95<100ms', metric: 'latency', percentile: 95, op: '<', value: 100 }],
  plan: {
    start: 100,
    max: 500,
    step: 100,
    holdS: 20,
    warmupS: 5,
    bisect: { maxSteps: 1, resolution: 0.02 },
    generatorLimits: { maxDroppedPct: 0.1, maxScheduleLagP99Ms: 50 },
  },
  // Run order: 100, 200, 300 (broken), then the bisection at 250 — drawn sorted by rate.
  steps: [
    step(1, 100, 'pass', 10),
    step(2, 200, 'pass', 20),
    step(3, 300, 'fail', 900),
    step(4, 250, 'pass', 60, { phase: 'bisect' }),
  ],
  outcome: 'knee',
  headline: 'Maximum sustainable rate at the SLA: 250 req/s; 300 req/s broke it.',
  maxSustainableRps: 250,
  lowerBound: false,
  firstBrokenLevel: 300,
  generatorLimitedAt: null,
  perReplica: { rps: 83.33, units: 3 },
  perCore: { rps: 400, units: 0.625 },
  recommendation: {
    targetRps: 1000,
    headroomPct: 30,
    replicas: 18,
    rpsPerReplicaAtTarget: 55.56,
    utilisationPct: 66.67,
    cores: 2.5,
    formula: 'ceil(1000 / (83.33 × (1 − 0.3))) = 18',
    assumption: 'throughput is assumed to scale linearly with replicas',
  },
  notes: [
    'rate per replica and replica recommendation: throughput is assumed to scale linearly with replicas',
  ],
});

describe('the latency-vs-throughput curve', () => {
  it('plots p50, p95 and p99 against the achieved rate, sorted by rate, with the SLA and the knee', () => {
    const c = capacityCurveChart(result);
    if (!('series' in c)) throw new Error(c.note);
    expect(c.x).toEqual({ kind: 'value', unit: 'rps', min: 0, title: 'achieved rate (req/s)' });
    const p95 = c.series.find((s) => s.label === 'p95');
    expect(p95?.points).toEqual([
      { x: 100, y: 10 },
      { x: 200, y: 20 },
      { x: 250, y: 60 },
      { x: 300, y: 900 },
    ]);
    expect(c.series.find((s) => s.label === 'SLA p95 < 100 ms')?.points).toEqual([
      { x: 0, y: 100 },
      { x: 300, y: 100 },
    ]);
    expect(c.series.find((s) => s.label.startsWith('max sustainable'))?.points.map((p) => p.x)).toEqual([
      250, 250,
    ]);
  });

  it('leaves invalid steps out and says so, and has no curve without a valid step', () => {
    const withInvalid = { ...result, steps: [...result.steps, step(5, 400, 'invalid', 3000)] };
    const c = capacityCurveChart(withInvalid);
    if (!('series' in c)) throw new Error(c.note);
    expect(c.series[0]?.points).toHaveLength(4);
    expect(c.summary).toMatch(/1 step where the generator fell behind is left out/);
    expect(capacityCurveChart({ ...result, steps: [step(1, 100, 'invalid', 50)] })).toMatchObject({
      note: expect.stringMatching(/no curve/),
    });
  });

  it('becomes a Chart.js configuration with a linear rate axis formatted as a rate', () => {
    const c = capacityCurveChart(result);
    if (!('series' in c)) throw new Error(c.note);
    const cfg = chartJsConfig(c, undefined, 'png');
    expect(cfg.meta.xUnit).toBe('rps');
    expect((cfg.chart.options?.scales?.['x'] as { type: string }).type).toBe('linear');
  });
});

describe('capacity Markdown and HTML', () => {
  it('puts the answer first, then the figures, the curve and every step', () => {
    const md = renderCapacityMarkdown(result, {
      chart: 'charts/latency-vs-throughput.png',
      html: 'capacity.html',
    });
    expect(md.split('\n')[0]).toBe('## ✅ Capacity of smoke: knee found');
    expect(md).toContain('**Maximum sustainable rate at the SLA: 250 req/s; 300 req/s broke it.**');
    expect(md).toContain('| Per ready replica | 83.3 req/s (3 ready) |');
    expect(md).toContain('| Per CPU core used | 400 req/s (0.625 cores) |');
    expect(md).toMatch(
      /\| Replicas for 1000 req\/s \| 18 with 30 % headroom .*ceil\(1000 \/ \(83\.33 × \(1 − 0\.3\)\)\) = 18 \|/,
    );
    expect(md).toContain('![Latency against achieved rate](charts/latency-vs-throughput.png)');
    expect(md).toContain(
      '| 4 | bisect | 250 req/s | 250 req/s | 20 ms | 60 ms | 90 ms | 0 % | 3 | 0.625 | pass |',
    );
    expect(md).toContain('- Step 3 (fail): p95&lt;100ms: p95 latency was 900 ms (n requests)');
    expect(md).toMatch(
      /### Notes\n\n- rate per replica and replica recommendation: throughput is assumed to scale linearly/,
    );
  });

  it('renders one offline page with the chart, the steps and the result as data', () => {
    const html = renderCapacityHtml(result);
    expect(html).toContain('<p class="outcome pass">Knee found</p>');
    expect(html).toContain('<canvas id="chart-curve"');
    expect(html).toContain('<table id="step-table">');
    expect(html).toContain('<tr class="row-fail">');
    expect(html).toMatch(/<script type="application\/json" id="gauntlet-capacity">\{"schemaVersion":1/);
    expect(html).toContain("content=\"default-src 'none';");
  });

  it('prints one line per step and the figures at the end', () => {
    expect(stepResultLine(result, result.steps[2] as CapacityStep)).toBe(
      '  300 req/s → SLA broken: achieved 300 req/s · p50 300 ms · p95 900 ms · p99 1350 ms · errors 0 % · 3 ready · 0.75 cores\n' +
        '    p95<100ms: p95 latency was 900 ms (n requests)',
    );
    const lines = summaryLines(result, ['out/capacity.json']);
    expect(lines).toContain(
      'KNEE FOUND: Maximum sustainable rate at the SLA: 250 req/s; 300 req/s broke it.',
    );
    expect(lines).toContain('  Maximum sustainable rate: 250 req/s');
    expect(lines).toContain('  out/capacity.json');
  });
});
