/**
 * Chart.js drawing on @napi-rs/canvas (prebuilt binaries, no native build on a fresh machine).
 * Loaded only when a PNG is wanted, so a run without the png reporter never loads the canvas.
 */
import { createCanvas } from '@napi-rs/canvas';
import { Chart, type ChartItem, registerables } from 'chart.js';
import { finishConfig } from './runtime.js';
import type { ChartJsSpec } from './runtime.js';

Chart.register(...registerables);

export interface PngSize {
  /** CSS pixels; the image is twice this (device pixel ratio 2) so it stays sharp when zoomed. */
  readonly width: number;
  readonly height: number;
}

export const DEFAULT_PNG_SIZE: PngSize = { width: 960, height: 320 };

export function renderChartPng(spec: ChartJsSpec, size: PngSize = DEFAULT_PNG_SIZE): Buffer {
  const canvas = createCanvas(size.width, size.height);
  // Chart.js reaches for a DOM canvas; the napi canvas has the same drawing API.
  const chart = new Chart(canvas as unknown as ChartItem, finishConfig(spec));
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}
