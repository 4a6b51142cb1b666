/**
 * The code half of a chart configuration: tick formatters, fixed axis widths and the overlay
 * plugin that shades faults and marks events. Configurations are built as JSON (config.ts) so the
 * HTML report can embed them as data; this file turns them into live Chart.js configurations.
 *
 * Plain JavaScript on purpose: the HTML report inlines this file verbatim into a module script,
 * and the PNG renderer imports it, so a browser and Node run the very same code. It must stay
 * self-contained: no imports, no Node or DOM globals.
 */

/** Seconds on the run clock as a tick label: 0s, 45s, 2m, 2m 30s, 1h 05m. */
export function formatSeconds(value) {
  const s = Math.round(Number(value));
  if (!Number.isFinite(s)) return '';
  const sign = s < 0 ? '-' : '';
  const a = Math.abs(s);
  if (a < 60) return `${sign}${a}s`;
  if (a < 3600) {
    const m = Math.floor(a / 60);
    const rest = a - m * 60;
    return rest === 0 ? `${sign}${m}m` : `${sign}${m}m ${String(rest).padStart(2, '0')}s`;
  }
  const h = Math.floor(a / 3600);
  return `${sign}${h}h ${String(Math.floor((a - h * 3600) / 60)).padStart(2, '0')}m`;
}

/** A y tick in the axis unit; the axis title names the unit, ticks only switch ms to s. */
export function formatValue(unit, value, axisMax = 0) {
  const v = Number(value);
  // One unit per axis: "500 ms" next to "1 s" reads as a misprint.
  if (unit === 'ms') return axisMax >= 1000 ? `${trim(v / 1000)} s` : `${trim(v)} ms`;
  if (unit === 'percent') return `${trim(v)}%`;
  return trim(v);
}

function logLabel(v) {
  const lead = Number(v) / 10 ** Math.floor(Math.log10(Number(v)));
  return [1, 2, 5].some((d) => Math.abs(lead - d) < 1e-6);
}

function trim(v) {
  return String(Number(v.toFixed(Math.abs(v) >= 10 ? 0 : 2)));
}

const severityColor = { bad: '#B2182B', good: '#1A7F37', info: '#555555' };

function drawFaults(chart, opts) {
  const { ctx, chartArea: a, scales } = chart;
  const x = scales.x;
  if (!x || !a) return;
  for (const f of opts.faults ?? []) {
    let x0 = Math.max(a.left, x.getPixelForValue(f.start));
    let x1 = Math.min(a.right, x.getPixelForValue(f.end));
    if (x1 < a.left || x0 > a.right) continue;
    // A fault of a few hundred ms on an hour-long axis must still be visible.
    if (x1 - x0 < 3) {
      const mid = (x0 + x1) / 2;
      x0 = mid - 1.5;
      x1 = mid + 1.5;
    }
    const h = a.bottom - a.top;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x0, a.top, x1 - x0, h);
    ctx.clip();
    ctx.fillStyle = 'rgba(213, 94, 0, 0.12)';
    ctx.fillRect(x0, a.top, x1 - x0, h);
    // Hatching keeps the fault visible on a greyscale print, where a light tint vanishes.
    ctx.strokeStyle = 'rgba(213, 94, 0, 0.28)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let d = x0 - h; d < x1; d += 9) {
      ctx.moveTo(d, a.bottom);
      ctx.lineTo(d + h, a.top);
    }
    ctx.stroke();
    ctx.strokeStyle = 'rgba(213, 94, 0, 0.7)';
    ctx.beginPath();
    ctx.moveTo(x0 + 0.5, a.top);
    ctx.lineTo(x0 + 0.5, a.bottom);
    if (!f.open) {
      ctx.moveTo(x1 - 0.5, a.top);
      ctx.lineTo(x1 - 0.5, a.bottom);
    }
    ctx.stroke();
    ctx.restore();
  }
}

/** Fault names, drawn last so no marker line crosses them. */
function drawFaultLabels(chart, opts) {
  const { ctx, chartArea: a, scales } = chart;
  const x = scales.x;
  if (!x || !a) return;
  ctx.save();
  ctx.font = '11px sans-serif';
  for (const f of opts.faults ?? []) {
    const x0 = Math.max(a.left, x.getPixelForValue(f.start));
    const x1 = Math.min(a.right, x.getPixelForValue(f.end));
    if (x1 < a.left || x0 > a.right) continue;
    // A label that does not fit inside a narrow fault goes just right of it.
    const inside = ctx.measureText(f.label).width + 8 <= x1 - x0;
    const lx = inside ? x0 + 4 : Math.max(x0, x1) + 4;
    if (lx < a.right - 20) label(ctx, f.label, lx, a.top + 17, '#8A3B00', a.right - lx - 4);
  }
  ctx.restore();
}

function drawMarkers(chart, opts) {
  const { ctx, chartArea: a, scales } = chart;
  const x = scales.x;
  if (!x || !a) return;
  let lastRight = -Infinity;
  ctx.save();
  ctx.font = '10px sans-serif';
  for (const m of opts.markers ?? []) {
    const px = Math.round(x.getPixelForValue(m.t)) + 0.5;
    if (px < a.left || px > a.right) continue;
    const c = severityColor[m.severity] ?? severityColor.info;
    ctx.strokeStyle = c;
    ctx.lineWidth = 1;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(px, a.top);
    ctx.lineTo(px, a.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    // Numbers that would overlap are left off; the line stays, and the table lists every event.
    const w = ctx.measureText(m.label).width + 6;
    const left = Math.min(Math.max(px - w / 2, a.left), a.right - w);
    if (left < lastRight + 2) continue;
    lastRight = left + w;
    ctx.fillStyle = '#FFFFFF';
    ctx.fillRect(left, a.top + 1, w, 13);
    ctx.strokeStyle = c;
    ctx.strokeRect(left + 0.5, a.top + 1.5, w - 1, 12);
    ctx.fillStyle = c;
    ctx.textBaseline = 'middle';
    ctx.fillText(m.label, left + 3, a.top + 8);
  }
  ctx.restore();
}

function label(ctx, text, x, y, color, maxWidth) {
  ctx.font = '11px sans-serif';
  ctx.textBaseline = 'top';
  const w = Math.min(ctx.measureText(text).width, maxWidth);
  ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
  ctx.fillRect(x - 2, y - 1, w + 4, 14);
  ctx.fillStyle = color;
  ctx.fillText(text, x, y, maxWidth);
}

/** Faults under the data, event markers over it; a white page under everything for images. */
export const overlayPlugin = {
  id: 'gauntletOverlay',
  beforeDraw(chart, _args, opts) {
    if (!opts.background) return;
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = opts.background;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
  beforeDatasetsDraw(chart, _args, opts) {
    drawFaults(chart, opts);
  },
  afterDatasetsDraw(chart, _args, opts) {
    drawMarkers(chart, opts);
    drawFaultLabels(chart, opts);
  },
};

/**
 * A live Chart.js configuration from the JSON one: `{ chart, meta }` where meta names the axis
 * units and the fixed width of the y axes (equal widths line the charts up on one time axis).
 */
export function finishConfig(spec) {
  const chart = JSON.parse(JSON.stringify(spec.chart));
  const meta = spec.meta;
  const scales = chart.options.scales;
  if (meta.xUnit === 'seconds') scales.x.ticks.callback = (v) => formatSeconds(v);
  else if (meta.xUnit !== 'category') {
    scales.x.ticks.callback = (v, _i, ticks) =>
      formatValue(meta.xUnit, v, ticks[ticks.length - 1]?.value ?? 0);
  }
  for (const id of ['y', 'y2']) {
    const scale = scales[id];
    if (!scale) continue;
    const unit = id === 'y' ? meta.yUnit : meta.y2Unit;
    // A log axis spans decades: each tick in its own unit ("10 ms", "1 s") reads naturally there,
    // and only 1-2-5 steps are labelled so the ticks do not crowd.
    scale.ticks.callback =
      scale.type === 'logarithmic'
        ? (v) => (logLabel(v) ? formatValue(unit, v, v) : '')
        : (v, _i, ticks) => formatValue(unit, v, ticks[ticks.length - 1]?.value ?? 0);
    scale.afterFit = (s) => {
      s.width = meta.axisWidth;
    };
  }
  chart.options.plugins.legend.labels.generateLabels = legendLabels;
  chart.plugins = [overlayPlugin];
  return chart;
}

/**
 * Legend entries that show each line's dash pattern (Chart.js's own draw every line solid when
 * entries use point styles), so the legend tells lines apart without colour too.
 */
function legendLabels(chart) {
  return chart.data.datasets.map((ds, i) => {
    const bar = ds.type === 'bar';
    const area = !bar && Boolean(ds.fill);
    return {
      text: ds.label,
      datasetIndex: i,
      hidden: !chart.isDatasetVisible(i),
      fontColor: '#222222',
      pointStyle: bar || area ? 'rect' : 'line',
      fillStyle: bar || area ? ds.backgroundColor : 'transparent',
      strokeStyle: bar ? ds.backgroundColor : ds.borderColor,
      lineWidth: bar ? 0 : area ? 1 : Math.max(2, ds.borderWidth ?? 2),
      lineDash: bar || area ? [] : (ds.borderDash ?? []),
    };
  });
}
