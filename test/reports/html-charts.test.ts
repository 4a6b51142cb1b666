import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesPoint } from '../../lib/result/schema.ts';
import { bucketSeries } from '../../reports/charts/buckets.ts';
import { chartJsConfig, timeStep } from '../../reports/charts/config.ts';
import { eventMarkers, faultOverlays, numberedEvents } from '../../reports/charts/overlays.ts';
import { renderChartPng } from '../../reports/charts/render-png.ts';
import { latencySlaLines, runChartModel } from '../../reports/charts/run-charts.ts';
import { formatSeconds, formatValue } from '../../reports/charts/runtime.js';
import { createReporters, createMultiplexer, renderMarkdown, chartImages } from '../../reports/index.ts';
import { KILL, OUTAGE, chaosRun } from './chaos-fixture.ts';
import { failingRun, passingRun } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-charts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('run chart model', () => {
  it('draws every chart of a chaos run on one time axis', () => {
    const m = runChartModel(chaosRun());
    expect(m.charts.map((c) => c.id)).toEqual(['throughput', 'latency', 'failures', 'replicas', 'zones']);
    expect(m.omitted).toEqual([]);
    for (const c of m.charts) {
      expect(c.x).toEqual({ kind: 'time', min: 0, max: 90, title: 'time since the run started' });
      expect(c.overlays).toBe(true);
      expect(c.summary.length).toBeGreaterThan(20);
    }
  });

  it('omits charts with nothing to show, with a reason, instead of drawing them empty', () => {
    const m = runChartModel(failingRun()); // no cluster gauges
    expect(m.charts.map((c) => c.id)).toEqual(['throughput', 'latency', 'failures']);
    expect(m.omitted.map((o) => o.id)).toEqual(['replicas', 'zones']);
    expect(m.omitted[0]?.note).toMatch(/no replica or endpoint data/i);

    const clean = passingRun();
    clean.series = clean.series.map((p) => ({ ...p, failed: 0, dropped: 0, errors: {} }));
    const failures = runChartModel(clean).omitted.find((o) => o.id === 'failures');
    expect(failures?.note).toBe('No request failed and none was dropped.');
  });

  it('plots each second at its middle, stacks failures by kind and adds dropped requests', () => {
    const m = runChartModel(failingRun());
    const throughput = m.charts.find((c) => c.id === 'throughput')!;
    const achieved = throughput.series.find((s) => s.label === 'achieved (sent)')!;
    expect(achieved.points[22]).toEqual({ x: 22.5, y: 0 });
    const latency = m.charts.find((c) => c.id === 'latency')!;
    // Second 22 sent nothing: a gap (null), never a drop to zero latency.
    expect(latency.series.find((s) => s.label === 'p95')!.points[22]).toEqual({ x: 22.5, y: null });
    const failures = m.charts.find((c) => c.id === 'failures')!;
    expect(failures.stacked).toBe(true);
    expect(failures.series.map((s) => s.label)).toEqual([
      'refused',
      'reset',
      'timeout',
      'status-5xx',
      'dropped (never sent)',
    ]);
    const at21 = failures.series.map((s) => s.points[21]?.y);
    expect(at21).toEqual([20, 0, 0, 8, 12]);
  });

  it('draws replicas and endpoints as steps held to the end of the run, and zones stacked', () => {
    const m = runChartModel(chaosRun());
    const replicas = m.charts.find((c) => c.id === 'replicas')!;
    expect(replicas.series.map((s) => s.label)).toEqual([
      'desired replicas (api)',
      'available replicas (api)',
      'HPA desired (api)',
      'ready endpoints (api)',
    ]);
    const available = replicas.series[1]!;
    expect(available.stepped).toBe(true);
    expect(available.points.slice(0, 3)).toEqual([
      { x: 0, y: 3 },
      { x: 30.03, y: 2 },
      { x: 35.8, y: 3 },
    ]);
    expect(available.points.at(-1)).toEqual({ x: 90, y: 4 });

    const zones = m.charts.find((c) => c.id === 'zones')!;
    expect(zones.stacked).toBe(true);
    expect(zones.series.map((s) => s.label)).toEqual(['zone-a', 'zone-b', 'zone-c']);
    // Every zone is sampled at the same instants, or stacking would add mismatched points.
    const xs = zones.series.map((s) => s.points.map((p) => p.x));
    expect(xs[1]).toEqual(xs[0]);
    expect(xs[2]).toEqual(xs[0]);
    // Zone-b's nodes are down from 61.3 s until 76.1 s; the grid holds every zone's change times.
    const zoneB = zones.series[1]!.points;
    expect(zoneB.filter((p) => p.x <= 65).at(-1)).toEqual({ x: 61.3, y: 0 });
    expect(zoneB.filter((p) => p.x <= 80).at(-1)).toEqual({ x: 76.2, y: 2 });
  });

  it('leaves out a last second that holds less than half a second of the run', () => {
    const r = chaosRun();
    const last = r.series.at(-1)!;
    const partial = { ...last, t: last.t + 1, intended: 2, sent: 2, ok: 2 };
    const throughput = (run: typeof r) =>
      runChartModel(run).charts.find((c) => c.id === 'throughput')!.series[1]!.points;
    // 0.04 s of load in second 90 of a 90.04 s run: not a collapse of the rate.
    expect(throughput({ ...r, series: [...r.series, partial], durationS: 90.04 }).at(-1)?.x).toBe(
      last.t + 0.5,
    );
    // 0.6 s of it is kept.
    expect(throughput({ ...r, series: [...r.series, partial], durationS: 90.6 }).at(-1)?.x).toBe(
      last.t + 1.5,
    );
  });

  it('puts latency on a log scale only when a spike is over 20 times the typical p50', () => {
    const spiky = runChartModel(chaosRun()).charts.find((c) => c.id === 'latency')!;
    expect(spiky.y).toMatchObject({ scale: 'log', unit: 'ms' });
    // p50 about 40 ms, p99 at most 150 ms, and no SLA line far above them.
    const r = passingRun();
    const capped = r.series.map((p) => ({ ...p, p99: p.p99 === null ? null : Math.min(p.p99, 150) }));
    const calm = runChartModel({ ...r, series: capped, verdicts: [] }).charts.find(
      (c) => c.id === 'latency',
    )!;
    expect(calm.y).toEqual({ title: 'latency', unit: 'ms', min: 0 });
    expect(
      (chartJsConfig(spiky, undefined, 'html').chart.options as { scales: { y: object } }).scales.y,
    ).toMatchObject({
      type: 'logarithmic',
    });
  });

  it('draws a latency SLA line over the window its verdict judged', () => {
    const lines = latencySlaLines(chaosRun().verdicts);
    expect(lines.map((l) => l.label)).toEqual(['SLA p95 < 200 ms', 'SLA p99 < 500 ms (during-fault)']);
    expect(lines[1]!.points).toEqual([
      { x: 30, y: 500 },
      { x: 75, y: 500 },
    ]);
    expect(latencySlaLines(failingRun().verdicts).map((l) => l.label)).toEqual(['SLA p95 < 250 ms']);
    // An error-rate SLA is not a latency line.
    expect(latencySlaLines([{ ...failingRun().verdicts[1]! }])).toEqual([]);
  });
});

describe('overlays', () => {
  it('shades chaos spans and older fault kinds, clips an open fault to the chart', () => {
    expect(faultOverlays(chaosRun().spans, 0, 90)).toEqual([
      { start: KILL.start, end: KILL.end, open: false, label: 'kill one api pod' },
      { start: OUTAGE.start, end: OUTAGE.end, open: false, label: 'zone-b outage' },
    ]);
    // failingRun: pod-kill and node-drain (open) are faults; the recovery phase is not.
    expect(faultOverlays(failingRun().spans, 0, 60)).toEqual([
      { start: 20, end: 26.4, open: false, label: 'kill api pod' },
      { start: 50, end: 60, open: true, label: 'drain worker-2 (not ended)' },
    ]);
  });

  it('numbers events in time order and groups markers that would overlap', () => {
    const events = chaosRun().events;
    const numbered = numberedEvents([...events].reverse());
    expect(numbered.map((e) => e.n)).toEqual(events.map((_, i) => i + 1));
    expect(numbered[0]?.event.t).toBe(30.02);
    const markers = eventMarkers(events, 0, 90);
    expect(markers.map((m) => [m.label, m.severity])).toEqual([
      ['1–4', 'bad'],
      ['5–6', 'good'],
      ['7', 'info'],
      ['8–10', 'bad'],
      ['11–12', 'good'],
      ['13', 'good'],
    ]);
    // Outside the chart: not drawn, but still numbered in the table.
    expect(eventMarkers([{ t: -2, kind: 'Scheduled', object: 'pod/x', message: '' }], 0, 90)).toEqual([]);
  });
});

describe('long runs', () => {
  it('buckets a long series and re-merges percentiles from the histograms', () => {
    const base = failingRun().series;
    const series: SeriesPoint[] = Array.from({ length: 3000 }, (_, t) => ({ ...base[t % 60]!, t }));
    const { buckets, size } = bucketSeries(series);
    expect(size).toBe(3);
    expect(buckets).toHaveLength(1000);
    // Seconds 21–23 hold 88, 0 and 100 sent: the average.
    const b = buckets.find((x) => x.start === 21)!;
    expect(b.sent).toBeCloseTo((88 + 0 + 100) / 3, 6);
    expect(b.mid).toBe(22.5);
    // A merged p99 lies within the seconds' own p99 range, not above the worst.
    const own = [21, 22, 23].map((t) => series[t]!.p99).filter((v): v is number => v !== null);
    expect(b.p99).not.toBeNull();
    expect(b.p99!).toBeLessThanOrEqual(Math.max(...own) * 1.01);
    expect(b.p99!).toBeGreaterThanOrEqual(Math.min(...own) * 0.99);
  });
});

describe('Chart.js configurations', () => {
  it('are plain JSON, identical for HTML and PNG but for the image-only parts', () => {
    const m = runChartModel(chaosRun());
    for (const c of m.charts) {
      const html = chartJsConfig(c, m.overlays, 'html');
      expect(JSON.parse(JSON.stringify(html))).toEqual(html);
      const png = chartJsConfig(c, m.overlays, 'png');
      expect(png.chart.data).toEqual(html.chart.data);
      expect(png.chart.options?.scales).toEqual(html.chart.options?.scales);
      expect(png.chart.options?.plugins?.title).toMatchObject({ display: true, text: c.title });
      expect(html.chart.options?.plugins?.title).toMatchObject({ display: false });
    }
  });

  it('formats the time axis and values the same way in both', () => {
    expect([0, 45, 60, 150, 3600, 3900].map(formatSeconds)).toEqual([
      '0s',
      '45s',
      '1m',
      '2m 30s',
      '1h 00m',
      '1h 05m',
    ]);
    expect(formatValue('ms', 250, 400)).toBe('250 ms');
    expect(formatValue('ms', 500, 2500)).toBe('0.5 s');
    expect(formatValue('percent', 0.25)).toBe('0.25%');
    expect(timeStep(90)).toBe(10);
    expect(timeStep(3600)).toBe(300);
  });
});

async function opaqueShare(png: Buffer, x0: number, x1: number): Promise<number> {
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(x0, 0, x1 - x0, img.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4)
    if (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240) ink++;
  return ink / (data.length / 4);
}

describe('PNG charts', () => {
  it('renders a chart on @napi-rs/canvas at twice the CSS size, on white, with ink in it', async () => {
    const m = runChartModel(chaosRun());
    const spec = m.charts.find((c) => c.id === 'throughput')!;
    const png = renderChartPng(chartJsConfig(spec, m.overlays, 'png'), { width: 600, height: 240 });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const img = await loadImage(png);
    expect([img.width, img.height]).toEqual([1200, 480]);
    expect(await opaqueShare(png, 0, 1200)).toBeGreaterThan(0.02);
  });

  it('writes charts/<id>.png beside the report, and the Markdown summary embeds them', async () => {
    const outDir = join(dir, 'png');
    const mux = createMultiplexer(createReporters(['markdown', 'png']));
    const written = await mux.onEnd(chaosRun(), { outDir });
    expect(mux.errors()).toEqual([]);
    expect((await readdir(join(outDir, 'charts'))).sort()).toEqual(
      ['failures', 'latency', 'replicas', 'throughput', 'zones'].map((f) => `${f}.png`),
    );
    expect(written).toContain(join(outDir, 'charts', 'zones.png'));
    const md = await readFile(join(outDir, 'summary.md'), 'utf8');
    expect(md).toBe(renderMarkdown(chaosRun(), { charts: chartImages(chaosRun()) }));
    expect(md).toContain(
      '### Charts\n\n![Requests per second: intended and achieved](charts/throughput.png)',
    );
    // With charts, events carry the numbers the markers show.
    expect(md).toContain('| # | t | Kind | Object | Message |');
    expect(md).toContain('| 1 | 30s | pod-terminating |');
    // Without the png reporter there is nothing to link.
    expect(renderMarkdown(chaosRun())).not.toContain('### Charts');
  });
});
