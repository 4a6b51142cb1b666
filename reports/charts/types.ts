/**
 * The chart model: what to draw, independent of how. The HTML report and the PNG renderer both
 * turn these specs into Chart.js configurations through one function (config.ts), so a chart
 * reads the same in a browser and in a CI summary.
 */

/** Units an axis can carry; the runtime formats ticks by unit. */
export type AxisUnit = 'rps' | 'ms' | 'count' | 'percent';

export interface AxisSpec {
  readonly title: string;
  readonly unit: AxisUnit;
  /** Fixed lower bound (0 for counts and rates: a dip to 40 must not look like a dip to 0). */
  readonly min?: number;
  /** Keeps a flat line at 2 from filling the whole height. */
  readonly suggestedMax?: number;
  /**
   * 'log' when one spike would flatten everything else: a 2 s p99 during a fault on a linear axis
   * leaves 30 ms medians as a line along the bottom, SLA lines included.
   */
  readonly scale?: 'linear' | 'log';
}

/** A point; y null leaves a gap (no data), never a drop to zero. */
export interface XY {
  readonly x: number;
  readonly y: number | null;
}

export interface SeriesSpec {
  readonly label: string;
  readonly type: 'line' | 'bar';
  readonly points: readonly XY[];
  readonly color: string;
  /** Line dash pattern, px: a second cue besides colour (colour-blind readers, greyscale prints). */
  readonly dash?: readonly number[];
  /** Step series (gauges): a value holds until the next point. */
  readonly stepped?: boolean;
  readonly width?: number;
  /** Draw point markers (sparse series such as one point per run). */
  readonly markers?: boolean;
  /** Fill down to the series below (stacked areas: parts of a whole, such as nodes per zone). */
  readonly area?: boolean;
  /** Which y axis: the left one (default) or the right one. */
  readonly axis?: 'y' | 'y2';
}

/**
 * The x axis: seconds on the run clock, one category per item (runs in a trend), or a measured
 * quantity (latency against achieved rate in a capacity report).
 */
export type XAxisSpec =
  | { readonly kind: 'time'; readonly min: number; readonly max: number; readonly title: string }
  | { readonly kind: 'category'; readonly labels: readonly string[]; readonly title: string }
  | { readonly kind: 'value'; readonly unit: AxisUnit; readonly min?: number; readonly title: string };

export interface ChartSpec {
  /** Stable, file-name safe: the PNG is charts/<id>.png and the canvas id derives from it. */
  readonly id: string;
  readonly title: string;
  /** One or two sentences saying what the chart shows; the canvas's accessible name. */
  readonly summary: string;
  readonly x: XAxisSpec;
  readonly y: AxisSpec;
  readonly y2?: AxisSpec;
  readonly series: readonly SeriesSpec[];
  /** Series stack (failures by kind add up to the failed total, zones to all nodes). */
  readonly stacked?: boolean;
  /** Shade faults and mark events (charts on the run clock). */
  readonly overlays: boolean;
}

/** A shaded interval: an injected fault. */
export interface FaultOverlay {
  readonly start: number;
  /** Already clipped to the chart range; `open` says the fault had not ended when the run did. */
  readonly end: number;
  readonly open: boolean;
  readonly label: string;
}

export type EventSeverity = 'bad' | 'good' | 'info';

/** A vertical marker for one event, or for several events close together. */
export interface EventMarker {
  readonly t: number;
  /** The event number(s) in the events table: "3" or "3–5". */
  readonly label: string;
  readonly severity: EventSeverity;
}

export interface Overlays {
  readonly faults: readonly FaultOverlay[];
  readonly markers: readonly EventMarker[];
}

/** A chart that was not drawn because it had nothing to show, with the reason for the reader. */
export interface OmittedChart {
  readonly id: string;
  readonly title: string;
  readonly note: string;
}

export interface ChartModel {
  readonly charts: readonly ChartSpec[];
  readonly omitted: readonly OmittedChart[];
  readonly overlays: Overlays;
}
