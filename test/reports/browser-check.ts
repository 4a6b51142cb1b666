/**
 * Opens a gauntlet HTML report in a real headless Chromium (Debian's package, driven by
 * playwright-core) with the network cut off, and reads what a reader would see: requests that
 * tried to leave the page, console errors, and pixel statistics of each chart. Chromium missing
 * is a failure, not a skip: CI installs it (.ci/run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { repoRoot } from '../helpers/run-gauntlet.ts';

/** Set by the report once every chart is drawn (evaluated in the page: the test has no DOM types). */
export const READY = 'document.documentElement.dataset.chartsReady';

export function chromiumPath(): string {
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

export interface OpenReport {
  readonly page: Page;
  /** URLs other than the report itself that the page tried to load (each refused). */
  readonly requests: string[];
  /** Console errors and warnings, and uncaught page errors. */
  readonly problems: string[];
  close(): Promise<void>;
}

/** Opens the report file offline and waits until every chart is drawn. */
export async function openReport(file: string): Promise<OpenReport> {
  const reportUrl = pathToFileURL(file).href;
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath(), timeout: 45_000 });
  const requests: string[] = [];
  const problems: string[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
    const page = await context.newPage();
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
    return { page, requests, problems, close: () => browser.close() };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

export interface CanvasProbe {
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
export async function probeCharts(
  page: Page,
  ids: readonly string[],
  faultT: number,
  controlT: number,
): Promise<CanvasProbe[]> {
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

/**
 * A full-page screenshot of the report, kept in test-output/ (ignored by git) so a failed CI run
 * can publish it and a developer can look at it.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const shot = join(repoRoot, 'test-output', name);
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot, fullPage: true });
  return shot;
}

/** The type of a chart's y scale ('linear', 'logarithmic'), read from the live Chart.js instance. */
export async function yScaleType(page: Page, id: string): Promise<string | undefined> {
  return page.evaluate((id) => {
    const inPage = globalThis as unknown as {
      document: { getElementById(id: string): unknown };
      Chart: { getChart(c: unknown): { scales: { y?: { type: string } } } | undefined };
    };
    return inPage.Chart.getChart(inPage.document.getElementById(id))?.scales.y?.type;
  }, id);
}
