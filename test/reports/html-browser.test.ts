/**
 * The HTML report of a recorded chaos run in a real headless Chromium with the network cut off:
 * it must load with no request leaving the page, no console error, every chart drawn and the
 * faults shaded. The report of a live chaos run on the local cluster gets the same checks in
 * test/cli/run.test.ts (gauntlet start).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlReporter } from '../../reports/index.ts';
import { OUTAGE, chaosRun } from './chaos-fixture.ts';
import {
  type OpenReport,
  READY,
  openReport,
  probeCharts,
  saveScreenshot,
  yScaleType,
} from './browser-check.ts';

const CHARTS = ['chart-throughput', 'chart-latency', 'chart-failures', 'chart-replicas', 'chart-zones'];

let dir: string;
let report: OpenReport;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-html-browser-'));
  const [file] = (await htmlReporter().onEnd?.(chaosRun(), { outDir: dir })) ?? [];
  report = await openReport(file!);
}, 90_000);

afterAll(async () => {
  await report?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('HTML report in headless Chromium', () => {
  it('loads with no network request and no console error', () => {
    expect(report.requests).toEqual([]);
    expect(report.problems).toEqual([]);
  });

  it('draws every chart, with the fault shaded on each', async () => {
    expect(await report.page.evaluate(READY)).toBe(String(CHARTS.length));
    // 72 s is inside the zone outage (60–75 s), away from its label and the event markers; 15 s has no fault.
    const faultT = OUTAGE.start + 12;
    const probes = await probeCharts(report.page, CHARTS, faultT, 15);
    expect(probes.map((p) => p.id)).toEqual(CHARTS);
    for (const p of probes) {
      expect(p.width, p.id).toBeGreaterThan(600);
      expect(p.height, p.id).toBeGreaterThan(150);
      expect(p.inkShare, `${p.id} has drawn pixels`).toBeGreaterThan(0.05);
      expect(p.faultShare, `${p.id} is shaded inside the fault`).toBeGreaterThan(0.25);
      expect(p.controlShare, `${p.id} is not shaded outside it`).toBeLessThan(0.02);
    }
  });

  it('puts latency on a log scale when a spike is far above the typical p50', async () => {
    // The outage's p99 reaches 2 s against a p50 of about 30 ms.
    expect(await yScaleType(report.page, 'chart-latency')).toBe('logarithmic');
    expect(await yScaleType(report.page, 'chart-throughput')).toBe('linear');
    const ticks = await report.page.evaluate(() => {
      const inPage = globalThis as unknown as {
        document: { getElementById(id: string): unknown };
        Chart: { getChart(c: unknown): { scales: { y: { ticks: { label: string }[] } } } };
      };
      return inPage.Chart.getChart(inPage.document.getElementById('chart-latency'))
        .scales.y.ticks.map((t) => t.label)
        .filter((l) => l !== '');
    });
    expect(ticks).toEqual(expect.arrayContaining(['100 ms', '1 s']));
  });

  it('shows the verdicts first and every chart heading', async () => {
    const headings = await report.page.locator('h2').allTextContents();
    expect(headings.slice(0, 3)).toEqual(['Verdicts', 'Charts', 'Zero-downtime evidence']);
    const chartTitles = await report.page.locator('figure.chart h3').allTextContents();
    expect(chartTitles).toHaveLength(CHARTS.length);
    expect(await report.page.locator('#verdict-table tbody tr').count()).toBe(5);
  });

  it('saves a screenshot', async () => {
    const shot = await saveScreenshot(report.page, 'report-recorded-chaos.png');
    expect(existsSync(shot)).toBe(true);
  });
});
