/** Where the png reporter puts its images, so the Markdown summary can link them without drawing. */
import type { RunResult } from '../../lib/result/schema.ts';
import { runChartModel } from './run-charts.ts';

/** The folder, relative to the report directory, that holds the images. */
export const CHARTS_DIR = 'charts';

export interface ChartImage {
  readonly title: string;
  /** Relative to the report directory, with forward slashes (it is used as a link). */
  readonly file: string;
}

/** The images the png reporter writes for a result, in page order. */
export function chartImages(result: RunResult): ChartImage[] {
  return runChartModel(result).charts.map((c) => ({ title: c.title, file: `${CHARTS_DIR}/${c.id}.png` }));
}
