/**
 * The png reporter: each run chart as charts/<id>.png beside the other reports, for Markdown job
 * summaries and CI artefacts. Same Chart.js configurations as the HTML report.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeOutputFile } from '../outputFile.ts';
import type { Reporter } from '../reporter.ts';
import { chartJsConfig } from './config.ts';
import { CHARTS_DIR } from './files.ts';
import type { PngSize } from './render-png.ts';
import { runChartModel } from './run-charts.ts';

export function pngReporter(size?: PngSize): Reporter {
  return {
    name: 'png',
    async onEnd(result, ctx) {
      const model = runChartModel(result);
      if (model.charts.length === 0) return [];
      const { renderChartPng } = await import('./render-png.ts');
      const dir = join(ctx.outDir, CHARTS_DIR);
      await mkdir(dir, { recursive: true });
      const written: string[] = [];
      for (const c of model.charts) {
        const png = renderChartPng(chartJsConfig(c, model.overlays, 'png'), size);
        written.push(await writeOutputFile({ outDir: dir }, `${c.id}.png`, png));
      }
      return written;
    },
  };
}
