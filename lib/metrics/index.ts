export { MetricsRecorder, createMetricsRecorder } from './recorder.ts';
export type { MetricsRecorderOptions, MetricsTotals, SummaryArgs } from './recorder.ts';
export { windowStats, mergeWindow } from './window.ts';
export type { WindowPart } from './window.ts';
export {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  latencyStatsOf,
  percentileMs,
  recordMs,
  HIGHEST_TRACKABLE_US,
} from './histogram.ts';
export type { Histogram } from './histogram.ts';
export type { MetricsSink, RequestOutcome, WindowStats } from './types.ts';
