/**
 * Chart specs to Chart.js configurations, as plain JSON. The one place both outputs get their
 * look from: the HTML report embeds the result as data and the browser finishes it with
 * runtime.js; the PNG renderer finishes it the same way in Node.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { ChartJsSpec, OverlayPluginOptions } from './runtime.js';
import type { AxisSpec, ChartSpec, Overlays, SeriesSpec } from './types.ts';

export type ChartTarget = 'html' | 'png';

/** Both axes get this width, so every chart's plot area starts at the same x. */
export const AXIS_WIDTH = 72;

/** Tick steps a reader can add up in their head: 1 s … 1 h. */
const timeSteps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];

export function timeStep(rangeS: number, maxTicks = 12): number {
  return timeSteps.find((s) => rangeS / s <= maxTicks) ?? Math.ceil(rangeS / maxTicks / 3600) * 3600;
}

function dataset(s: SeriesSpec, category: boolean, firstArea: boolean): ChartDataset {
  const data = (category ? s.points.map((p) => p.y) : s.points.map((p) => ({ x: p.x, y: p.y }))) as never;
  if (s.type === 'bar') {
    return {
      type: 'bar',
      label: s.label,
      data,
      backgroundColor: s.color,
      borderWidth: 0,
      // Adjacent seconds touch, so a burst reads as one block rather than a comb.
      barPercentage: 1,
      categoryPercentage: 1,
      pointStyle: 'rect',
      yAxisID: s.axis ?? 'y',
    };
  }
  return {
    type: 'line',
    label: s.label,
    data,
    borderColor: s.color,
    // 55 ≈ 33 % opacity: stacked areas stay apart without hiding the grid.
    backgroundColor: s.area ? `${s.color}55` : s.color,
    borderWidth: s.width ?? 2,
    borderDash: [...(s.dash ?? [])],
    pointRadius: s.markers ? 3 : 0,
    pointHoverRadius: 4,
    pointStyle: s.markers ? 'circle' : 'line',
    stepped: s.stepped ? 'before' : false,
    tension: 0,
    fill: s.area ? (firstArea ? 'origin' : '-1') : false,
    spanGaps: false,
    yAxisID: s.axis ?? 'y',
  };
}

function yScale(
  a: AxisSpec,
  position: 'left' | 'right',
  stacked: boolean,
  grace: string | undefined,
): object {
  if (a.scale === 'log') {
    return {
      type: 'logarithmic',
      position,
      // No zero on a log axis; the headroom for event numbers and fault labels is in decades.
      ...(a.suggestedMax !== undefined ? { suggestedMax: a.suggestedMax } : {}),
      title: { display: true, text: `${a.title} (log scale)`, color: '#333' },
      ticks: { color: '#333', autoSkip: false },
      grid: position === 'right' ? { drawOnChartArea: false } : { color: '#E6E6E6' },
    };
  }
  return {
    type: 'linear',
    position,
    stacked,
    ...(a.min !== undefined ? { min: a.min } : {}),
    // Grace widens both ends unless the range starts at zero and says so.
    ...(a.min === 0 ? { beginAtZero: true } : {}),
    ...(a.suggestedMax !== undefined ? { suggestedMax: a.suggestedMax } : {}),
    ...(grace ? { grace } : {}),
    title: { display: true, text: a.title, color: '#333' },
    ticks: { color: '#333', ...(a.unit === 'count' ? { precision: 0 } : {}) },
    grid: position === 'right' ? { drawOnChartArea: false } : { color: '#E6E6E6' },
  };
}

export function chartJsConfig(
  spec: ChartSpec,
  overlays: Overlays | undefined,
  target: ChartTarget,
): ChartJsSpec {
  const category = spec.x.kind === 'category';
  const stacked = spec.stacked === true;
  const withOverlays = spec.overlays && overlays !== undefined;
  const overlayOptions: OverlayPluginOptions = {
    faults: withOverlays ? overlays.faults : [],
    markers: withOverlays ? overlays.markers : [],
    background: target === 'png' ? '#FFFFFF' : null,
  };
  // Headroom at the top of the plot for the event numbers and the fault labels, so neither sits
  // on the data: about 16 px for each row. Chart.js takes grace as a share of half the range,
  // so '50%' is a quarter of it.
  const grace = !withOverlays
    ? undefined
    : overlays.faults.length > 0
      ? '50%'
      : overlays.markers.length > 0
        ? '25%'
        : undefined;

  const x =
    spec.x.kind === 'value'
      ? {
          type: 'linear',
          ...(spec.x.min !== undefined ? { min: spec.x.min } : {}),
          ...(spec.x.min === 0 ? { beginAtZero: true } : {}),
          // Room right of the last point, so it does not sit on the plot's edge.
          grace: '5%',
          ticks: { color: '#333', maxRotation: 0 },
          title: { display: true, text: spec.x.title, color: '#333' },
          grid: { color: '#E6E6E6' },
        }
      : spec.x.kind === 'time'
        ? {
            type: 'linear',
            min: spec.x.min,
            max: spec.x.max,
            // Bars of one second sit on top of each other, not side by side.
            stacked: stacked && spec.series.some((s) => s.type === 'bar'),
            // Bars are centred on their second already; offset would shift the axis off the others.
            offset: false,
            ticks: { stepSize: timeStep(spec.x.max - spec.x.min), color: '#333', maxRotation: 0 },
            title: { display: true, text: spec.x.title, color: '#333' },
            grid: { color: '#E6E6E6' },
          }
        : {
            type: 'category',
            labels: [...spec.x.labels],
            // Half a step of room either side, so the first and last runs are not on the axes.
            offset: true,
            ticks: { color: '#333', maxRotation: 0, autoSkip: true },
            title: { display: true, text: spec.x.title, color: '#333' },
            grid: { color: '#E6E6E6' },
          };

  const chart = {
    type: 'line',
    data: {
      ...(category ? { labels: [...(spec.x.kind === 'category' ? spec.x.labels : [])] } : {}),
      datasets: spec.series.map((s, i) =>
        dataset(s, category, s.area === true && !spec.series.slice(0, i).some((p) => p.area)),
      ),
    },
    options: {
      responsive: target === 'html',
      maintainAspectRatio: false,
      animation: false,
      ...(target === 'png' ? { devicePixelRatio: 2 } : {}),
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: {
        // The HTML page gives each chart a heading; an image has to carry its own.
        title: {
          display: target === 'png',
          text: spec.title,
          align: 'start',
          color: '#111',
          font: { size: 14, weight: 'bold' },
        },
        subtitle: {
          display: target === 'png' && withOverlays,
          text: 'Hatched: injected fault · dashed numbered lines: events (numbered as in the events table)',
          align: 'start',
          color: '#555',
          padding: { bottom: 4 },
        },
        legend: {
          position: 'top',
          align: 'start',
          labels: { usePointStyle: true, pointStyleWidth: 28, color: '#222', boxHeight: 8 },
        },
        tooltip: { enabled: target === 'html' },
        gauntletOverlay: overlayOptions,
      },
      scales: {
        x,
        y: yScale(spec.y, 'left', stacked, grace),
        ...(spec.y2 ? { y2: yScale(spec.y2, 'right', false, grace) } : {}),
      },
    },
  } as unknown as ChartConfiguration;

  return {
    chart,
    meta: {
      xUnit: category ? 'category' : spec.x.kind === 'value' ? spec.x.unit : 'seconds',
      yUnit: spec.y.unit,
      ...(spec.y2 ? { y2Unit: spec.y2.unit } : {}),
      axisWidth: AXIS_WIDTH,
    },
  };
}
