/**
 * What every run-clock chart carries besides its data: injected faults as shaded intervals and
 * events as numbered markers. The numbers are the ones the events table shows, so a reader can go
 * from a marker on a chart to the event's message.
 */
import type { Span, TimelineEvent } from '../../lib/result/schema.ts';
import type { EventMarker, EventSeverity, FaultOverlay, Overlays } from './types.ts';

/**
 * Span kinds that are faults. `chaos` is what the chaos actions write; the action names are kinds
 * older files used directly. `load` and phases are not faults.
 */
const faultKinds = new Set([
  'chaos',
  'pod-kill',
  'node-drain',
  'zone-outage',
  'rollout-restart',
  'bad-rollout',
  'network-partition',
]);

export function isFaultSpan(s: Span): boolean {
  return faultKinds.has(s.kind);
}

const badKinds = new Set([
  'pod-terminating',
  'pod-not-ready',
  'pod-deleted',
  'endpoint-removed',
  'node-not-ready',
  'node-cordoned',
  'eviction',
  'rollout-stalled',
  // Kubernetes event reasons, as older files and the k8s-event kind carry them.
  'Killing',
  'Unhealthy',
  'BackOff',
  'Failed',
  'Evicted',
  'NodeNotReady',
  'FailedScheduling',
]);
const goodKinds = new Set([
  'pod-ready',
  'endpoint-added',
  'node-ready',
  'node-uncordoned',
  'rollout-complete',
  'Ready',
  'Started',
]);

export function eventSeverity(e: TimelineEvent): EventSeverity {
  if (badKinds.has(e.kind)) return 'bad';
  if (goodKinds.has(e.kind)) return 'good';
  // A Kubernetes event of type Warning is bad news whatever its reason.
  const type = e.detail?.['type'];
  if (e.kind === 'k8s-event' && type === 'Warning') return 'bad';
  const reason = e.detail?.['reason'];
  if (typeof reason === 'string' && badKinds.has(reason)) return 'bad';
  return 'info';
}

/** Events in time order with their 1-based numbers (a stable sort keeps same-instant order). */
export function numberedEvents(events: readonly TimelineEvent[]): { n: number; event: TimelineEvent }[] {
  return [...events].sort((a, b) => a.t - b.t).map((event, i) => ({ n: i + 1, event }));
}

/** Faults clipped to [min, max]; an open fault runs to the end of the chart. */
export function faultOverlays(spans: readonly Span[], min: number, max: number): FaultOverlay[] {
  const out: FaultOverlay[] = [];
  for (const s of spans) {
    if (!isFaultSpan(s)) continue;
    const start = Math.max(min, s.start);
    const end = Math.min(max, s.end ?? max);
    if (end < start) continue;
    out.push({ start, end, open: s.end === null, label: s.end === null ? `${s.name} (not ended)` : s.name });
  }
  return out;
}

const rank: Record<EventSeverity, number> = { bad: 2, good: 1, info: 0 };

/**
 * One marker per cluster of events closer together than `gap` seconds: ten events within a
 * second would otherwise draw as one thick smudge with unreadable labels.
 */
export function eventMarkers(events: readonly TimelineEvent[], min: number, max: number): EventMarker[] {
  const gap = (max - min) / 120;
  const markers: EventMarker[] = [];
  let group: { first: number; last: number; t: number; severity: EventSeverity } | undefined;
  const flush = (): void => {
    if (!group) return;
    const label = group.first === group.last ? `${group.first}` : `${group.first}–${group.last}`;
    markers.push({ t: group.t, label, severity: group.severity });
  };
  for (const { n, event } of numberedEvents(events)) {
    if (event.t < min || event.t > max) continue;
    const severity = eventSeverity(event);
    if (group && event.t - group.t <= gap) {
      group.last = n;
      if (rank[severity] > rank[group.severity]) group.severity = severity;
      continue;
    }
    flush();
    group = { first: n, last: n, t: event.t, severity };
  }
  flush();
  return markers;
}

export function runOverlays(
  spans: readonly Span[],
  events: readonly TimelineEvent[],
  min: number,
  max: number,
): Overlays {
  return { faults: faultOverlays(spans, min, max), markers: eventMarkers(events, min, max) };
}
