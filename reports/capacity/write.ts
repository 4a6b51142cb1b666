/**
 * Writes a capacity result's files: capacity.json (checked against its schema), capacity.md,
 * capacity.html and the curve as charts/latency-vs-throughput.png. A file that fails to render
 * is reported and the others are still written.
 */
import { join } from 'node:path';
import { capacityResultSchema, type CapacityResult } from '../../lib/capacity/schema.ts';
import { chartJsConfig } from '../charts/config.ts';
import { CHARTS_DIR } from '../charts/files.ts';
import { writeOutputFile } from '../outputFile.ts';
import { capacityCurveChart } from './chart.ts';
import { CAPACITY_HTML_FILE, renderCapacityHtml } from './html.ts';
import { CAPACITY_MARKDOWN_FILE, renderCapacityMarkdown } from './markdown.ts';

export const CAPACITY_JSON_FILE = 'capacity.json';

export interface CapacityFiles {
  readonly files: readonly string[];
  readonly errors: readonly { file: string; error: unknown }[];
}

export async function writeCapacityReports(result: CapacityResult, outDir: string): Promise<CapacityFiles> {
  capacityResultSchema.parse(result);
  const ctx = { outDir };
  const files: string[] = [];
  const errors: { file: string; error: unknown }[] = [];
  const attempt = async (file: string, write: () => Promise<string>): Promise<boolean> => {
    try {
      files.push(await write());
      return true;
    } catch (error) {
      errors.push({ file, error });
      return false;
    }
  };
  await attempt(CAPACITY_JSON_FILE, () =>
    writeOutputFile(ctx, CAPACITY_JSON_FILE, `${JSON.stringify(result, null, 2)}\n`),
  );
  const spec = capacityCurveChart(result);
  const png = `${CHARTS_DIR}/${spec.id}.png`;
  const drew =
    'series' in spec &&
    (await attempt(png, async () => {
      // Loaded only here: the canvas is a native module and nothing else needs it.
      const { renderChartPng } = await import('../charts/render-png.ts');
      const image = renderChartPng(chartJsConfig(spec, undefined, 'png'));
      return writeOutputFile({ outDir: join(outDir, CHARTS_DIR) }, `${spec.id}.png`, image);
    }));
  await attempt(CAPACITY_HTML_FILE, () =>
    writeOutputFile(ctx, CAPACITY_HTML_FILE, renderCapacityHtml(result)),
  );
  await attempt(CAPACITY_MARKDOWN_FILE, () =>
    writeOutputFile(
      ctx,
      CAPACITY_MARKDOWN_FILE,
      renderCapacityMarkdown(result, { ...(drew ? { chart: png } : {}), html: CAPACITY_HTML_FILE }),
    ),
  );
  return { files, errors };
}
