/**
 * The HTML report in a real headless Chromium (Debian's package, driven by playwright-core) with
 * the network cut off: it must load with no request leaving the page, no console error, every
 * chart drawn and the faults shaded. Chromium missing is a failure, not a skip: CI installs it
 * (.ci/run).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlReporter } from '../../reports/index.ts';
import { OUTAGE, chaosRun } from './chaos-fixture.ts';

/** Set by the report once every chart is drawn (evaluated in the page: the test has no DOM types). */
const READY = 'document.documentElement.dataset.chartsReady';
const NOTES_SCREENSHOT = '/work/notes/report-screenshot.png';
const CHARTS = ['chart-throughput', 'chart-latency', 'chart-failures', 'chart-replicas', 'chart-zones'];

function chromiumPath(): string {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const p = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (p) return p;
    } catch {
      // not on PATH under this name
    }
  }
  throw new Error(
    'chromium not found: the HTML report browser test needs it (apt-get install -y chromium, or set CHROMIUM_PATH)',
  );
}

let dir: string;
let browser: Browser;
let page: Page;
let reportUrl: string;
const requests: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-html-browser-'));
  const [file] = (await htmlReporter().onEnd?.(chaosRun(), { outDir: dir })) ?? [];
  reportUrl = pathToFileURL(file!).href;
  browser = await chromium.launch({ executablePath: chromiumPath(), timeout: 45_000 });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
  page = await context.newPage();
  // Everything but the report itself is recorded and refused.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === reportUrl) return route.continue();
    requests.push(url);
    return route.abort();
  });
  page.on('request', (r) => {
    if (r.url() !== reportUrl) requests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(reportUrl, { waitUntil: 'load' });
  await page.waitForFunction(`${READY} !== undefined`, null, { timeout: 20_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

interface CanvasProbe {
  id: string;
  width: number;
  height: number;
  inkShare: number;
  /** Share of pixels in a column inside a fault that carry the fault tint. */
  faultShare: number;
  /** The same, in a column with no fault. */
  controlShare: number;
}

/** Pixel statistics of every chart canvas, read through the live Chart.js instances. */
async function probe(ids: readonly string[], faultT: number, controlT: number): Promise<CanvasProbe[]> {
  return page.evaluate(
    ({ ids, faultT, controlT }) => {
      // Only the page objects this probe touches: the test compiles without DOM types.
      type Canvas = {
        width: number;
        height: number;
        getContext(kind: '2d'): {
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        };
      };
      type ChartLike = {
        chartArea: { top: number; bottom: number };
        scales: { x: { getPixelForValue(v: number): number } };
        currentDevicePixelRatio: number;
      };
      const inPage = globalThis as unknown as {
        document: { getElementById(id: string): Canvas | null };
        Chart: { getChart(c: Canvas): ChartLike | undefined };
      };
      return ids.map((id) => {
        const canvas = inPage.document.getElementById(id)!;
        const ctx = canvas.getContext('2d');
        const all = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        for (let i = 3; i < all.length; i += 4) if (all[i]! > 0) ink++;
        const chart = inPage.Chart.getChart(canvas)!;
        const r = chart.currentDevicePixelRatio;
        const column = (t: number): number => {
          const x = Math.round(chart.scales.x.getPixelForValue(t) * r);
          // Below the row of event numbers and fault labels, above the x axis.
          const top = Math.round((chart.chartArea.top + 34) * r);
          const bottom = Math.round((chart.chartArea.bottom - 2) * r);
          const px = ctx.getImageData(x, top, 1, bottom - top).data;
          let tinted = 0;
          for (let i = 0; i < px.length; i += 4) {
            const [red, green, blue, alpha] = [px[i]!, px[i + 1]!, px[i + 2]!, px[i + 3]!];
            // The fault colour, rgb(213, 94, 0), at any of its opacities.
            if (alpha > 0 && red > 170 && green > 60 && green < 130 && blue < 50) tinted++;
          }
          return tinted / (px.length / 4);
        };
        return {
          id,
          width: canvas.width,
          height: canvas.height,
          inkShare: ink / (all.length / 4),
          faultShare: column(faultT),
          controlShare: column(controlT),
        };
      });
    },
    { ids, faultT, controlT },
  );
}

describe('HTML report in headless Chromium', () => {
  it('loads with no network request and no console error', () => {
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('draws every chart, with the fault shaded on each', async () => {
    expect(await page.evaluate(READY)).toBe(String(CHARTS.length));
    // 72 s is inside the zone outage (60–75 s), away from its label and the event markers; 15 s has no fault.
    const faultT = OUTAGE.start + 12;
    const probes = await probe(CHARTS, faultT, 15);
    expect(probes.map((p) => p.id)).toEqual(CHARTS);
    for (const p of probes) {
      expect(p.width, p.id).toBeGreaterThan(600);
      expect(p.height, p.id).toBeGreaterThan(150);
      expect(p.inkShare, `${p.id} has drawn pixels`).toBeGreaterThan(0.05);
      expect(p.faultShare, `${p.id} is shaded inside the fault`).toBeGreaterThan(0.25);
      expect(p.controlShare, `${p.id} is not shaded outside it`).toBeLessThan(0.02);
    }
  });

  it('shows the verdicts first and every chart heading', async () => {
    const headings = await page.locator('h2').allTextContents();
    expect(headings.slice(0, 3)).toEqual(['Verdicts', 'Charts', 'Zero-downtime evidence']);
    const chartTitles = await page.locator('figure.chart h3').allTextContents();
    expect(chartTitles).toHaveLength(CHARTS.length);
    expect(await page.locator('#verdict-table tbody tr').count()).toBe(5);
  });

  it('saves a screenshot', async () => {
    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    if (existsSync(dirname(NOTES_SCREENSHOT))) {
      mkdirSync(dirname(NOTES_SCREENSHOT), { recursive: true });
      copyFileSync(shot, NOTES_SCREENSHOT);
    }
  });
});
