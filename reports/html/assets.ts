/**
 * The scripts the HTML report inlines so it works offline: Chart.js's UMD build (kept verbatim,
 * licence headers included) and the shared chart runtime. Read once per process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptSource } from './escape.ts';

let chartJs: string | undefined;
let runtime: string | undefined;

export function chartJsSource(): string {
  if (chartJs === undefined) {
    // chart.js exports no path to its UMD build; it sits beside the CommonJS entry.
    const entry = createRequire(import.meta.url).resolve('chart.js');
    chartJs = scriptSource(readFileSync(join(dirname(entry), 'chart.umd.js'), 'utf8'), 'chart.js');
  }
  return chartJs;
}

export function chartRuntimeSource(): string {
  if (runtime === undefined) {
    const path = fileURLToPath(new URL('../charts/runtime.js', import.meta.url));
    runtime = scriptSource(readFileSync(path, 'utf8'), 'reports/charts/runtime.js');
  }
  return runtime;
}
