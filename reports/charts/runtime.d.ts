import type { ChartConfiguration, Plugin } from 'chart.js';
import type { AxisUnit, EventMarker, FaultOverlay } from './types.ts';

/** What config.ts builds: a Chart.js configuration as plain JSON, plus what the code half needs. */
export interface ChartJsSpec {
  readonly chart: ChartConfiguration;
  readonly meta: {
    /** Seconds on the run clock, categories, or a measured quantity in an axis unit. */
    readonly xUnit: 'seconds' | 'category' | AxisUnit;
    readonly yUnit: AxisUnit;
    readonly y2Unit?: AxisUnit;
    /** Width of each y axis, px. */
    readonly axisWidth: number;
  };
}

export interface OverlayPluginOptions {
  readonly faults?: readonly FaultOverlay[];
  readonly markers?: readonly EventMarker[];
  /** Fill colour painted under the chart (PNG output), or null for a transparent canvas. */
  readonly background?: string | null;
}

export declare function formatSeconds(value: number | string): string;
export declare function formatValue(unit: AxisUnit, value: number | string, axisMax?: number): string;
export declare const overlayPlugin: Plugin;
export declare function finishConfig(spec: ChartJsSpec): ChartConfiguration;
