/**
 * A realistic chaos run for the HTML and chart tests: 90 s at 50 req/s against a three-replica
 * deployment spread over three zones. A forced pod kill at 30 s costs a burst of refused and reset
 * requests until the endpoint is removed; the HPA scales up at 45 s; a zone outage at 60–75 s
 * takes zone-b's nodes down. Cluster gauges, events with detail, a failure sample and a
 * zero-downtime verdict whose evidence attributes each failure (one, a 500 at 10 s, to nothing).
 * Evidence shapes follow lib/assert. Deterministic; fresh objects on every call.
 */
import * as hdr from 'hdr-histogram-js';
import type {
  FailureSample,
  GaugePoint,
  RunResult,
  SeriesPoint,
  Span,
  TimelineEvent,
  Verdict,
} from '../../lib/result/schema.ts';

const DURATION = 90;
const RATE = 50;
export const KILL = { start: 30, end: 30.8 } as const;
export const OUTAGE = { start: 60, end: 75 } as const;

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Shape {
  errors: Record<string, number>;
  dropped: number;
  baseMs: number;
}

function shapeOf(t: number): Shape {
  if (t === 10) return { errors: { 'status-5xx': 1 }, dropped: 0, baseMs: 30 };
  if (t === 30) return { errors: { refused: 4, reset: 3 }, dropped: 0, baseMs: 60 };
  if (t === 31) return { errors: { refused: 2, 'status-5xx': 1 }, dropped: 2, baseMs: 140 };
  if (t >= 32 && t < 36) return { errors: {}, dropped: 0, baseMs: 70 };
  if (t >= 45 && t < 48) return { errors: {}, dropped: 0, baseMs: 55 };
  if (t === 60) return { errors: { timeout: 2, reset: 2 }, dropped: 0, baseMs: 180 };
  if (t > 60 && t < 64) return { errors: {}, dropped: 0, baseMs: 90 };
  return { errors: {}, dropped: 0, baseMs: 30 };
}

const failureMs: Record<string, number> = { refused: 1.2, reset: 25, timeout: 2000, 'status-5xx': 12 };

function series(): SeriesPoint[] {
  const rand = lcg(7);
  const out: SeriesPoint[] = [];
  for (let t = 0; t < DURATION; t++) {
    const s = shapeOf(t);
    const failed = Object.values(s.errors).reduce((a, b) => a + b, 0);
    const sent = RATE - s.dropped;
    const ok = sent - failed;
    const h = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 120_000_000,
      numberOfSignificantValueDigits: 3,
    });
    for (let i = 0; i < ok; i++) {
      h.recordValue(Math.round(s.baseMs * (0.6 + rand() * 0.8) * (rand() < 0.04 ? 2.5 : 1) * 1000));
    }
    for (const [k, n] of Object.entries(s.errors)) {
      for (let i = 0; i < n; i++) h.recordValue(Math.round((failureMs[k] ?? 1) * 1000));
    }
    const at = (p: number): number => Math.round(h.getValueAtPercentile(p) / 10) / 100;
    out.push({
      t,
      intended: RATE,
      sent,
      ok,
      failed,
      dropped: s.dropped,
      p50: at(50),
      p95: at(95),
      p99: at(99),
      max: at(100),
      errors: s.errors,
      statusCodes: {
        '200': ok,
        ...(s.errors['status-5xx'] ? { [t === 10 ? '500' : '503']: s.errors['status-5xx'] } : {}),
      },
      hist: hdr.encodeIntoCompressedBase64(h),
    });
  }
  return out;
}

function spans(): Span[] {
  return [
    { kind: 'load', name: 'constant-arrival-rate', start: 0, end: DURATION },
    {
      kind: 'chaos',
      name: 'kill one api pod',
      start: KILL.start,
      end: KILL.end,
      detail: { action: 'pod-kill', target: 'pod/novel/api-7d9f-x2k', mode: 'forced' },
    },
    {
      kind: 'chaos',
      name: 'zone-b outage',
      start: OUTAGE.start,
      end: OUTAGE.end,
      detail: { action: 'zone-outage', target: 'zone/zone-b', mode: 'stop' },
    },
  ];
}

function events(): TimelineEvent[] {
  return [
    { t: 30.02, kind: 'pod-terminating', object: 'Pod/novel/api-7d9f-x2k', message: 'deleted with grace 0s' },
    {
      t: 30.05,
      kind: 'k8s-event',
      object: 'Pod/novel/api-7d9f-x2k',
      message: 'Stopping container api',
      detail: { reason: 'Killing', type: 'Normal' },
    },
    { t: 30.41, kind: 'endpoint-removed', object: 'Endpoints/novel/api', message: '10.0.1.7 removed' },
    { t: 30.6, kind: 'pod-created', object: 'Pod/novel/api-7d9f-q8m', message: 'replacement pod created' },
    { t: 35.8, kind: 'pod-ready', object: 'Pod/novel/api-7d9f-q8m', message: 'Readiness probe passed' },
    { t: 35.9, kind: 'endpoint-added', object: 'Endpoints/novel/api', message: '10.0.2.4 added' },
    {
      t: 45.3,
      kind: 'hpa-rescale',
      object: 'HorizontalPodAutoscaler/novel/api',
      message: 'New size: 4; reason: cpu resource utilization above target',
      detail: { from: 3, to: 4 },
    },
    {
      t: 61.2,
      kind: 'node-not-ready',
      object: 'Node//worker-b1',
      message: 'NodeNotReady',
      detail: { zone: 'zone-b' },
    },
    {
      t: 61.3,
      kind: 'node-not-ready',
      object: 'Node//worker-b2',
      message: 'NodeNotReady',
      detail: { zone: 'zone-b' },
    },
    { t: 61.4, kind: 'endpoint-removed', object: 'Endpoints/novel/api', message: '10.0.2.4 removed' },
    {
      t: 76.1,
      kind: 'node-ready',
      object: 'Node//worker-b1',
      message: 'NodeReady',
      detail: { zone: 'zone-b' },
    },
    {
      t: 76.2,
      kind: 'node-ready',
      object: 'Node//worker-b2',
      message: 'NodeReady',
      detail: { zone: 'zone-b' },
    },
    { t: 79, kind: 'endpoint-added', object: 'Endpoints/novel/api', message: '10.0.2.9 added' },
  ];
}

function gauges(): GaugePoint[] {
  const g = (t: number, name: string, value: number, labels: Record<string, string>): GaugePoint => ({
    t,
    name,
    value,
    labels,
  });
  const dep = { deployment: 'api' };
  const hpa = { hpa: 'api' };
  const svc = { service: 'api' };
  return [
    g(0, 'deployment.desired', 3, dep),
    g(0, 'deployment.available', 3, dep),
    g(0, 'hpa.desired', 3, hpa),
    g(0, 'hpa.current', 3, hpa),
    g(0, 'hpa.cpu', 42, hpa),
    g(0, 'endpoints.ready', 3, svc),
    ...['zone-a', 'zone-b', 'zone-c'].map((zone) => g(0, 'nodes.ready', 2, { zone })),
    g(30.03, 'deployment.available', 2, dep),
    g(30.41, 'endpoints.ready', 2, svc),
    g(35.8, 'deployment.available', 3, dep),
    g(35.9, 'endpoints.ready', 3, svc),
    g(45.3, 'hpa.desired', 4, hpa),
    g(45.3, 'deployment.desired', 4, dep),
    g(52, 'deployment.available', 4, dep),
    g(52.1, 'endpoints.ready', 4, svc),
    g(61.2, 'nodes.ready', 1, { zone: 'zone-b' }),
    g(61.3, 'nodes.ready', 0, { zone: 'zone-b' }),
    g(61.4, 'endpoints.ready', 3, svc),
    g(61.4, 'deployment.available', 3, dep),
    g(76.1, 'nodes.ready', 1, { zone: 'zone-b' }),
    g(76.2, 'nodes.ready', 2, { zone: 'zone-b' }),
    g(79, 'deployment.available', 4, dep),
    g(79, 'endpoints.ready', 4, svc),
  ];
}

/** A cause as lib/assert/attribution.ts writes it. */
interface CauseRef {
  t: number;
  kind: string;
  object: string;
  message: string;
}
const POD_TERMINATING: CauseRef = {
  t: 30.02,
  kind: 'pod-terminating',
  object: 'Pod/novel/api-7d9f-x2k',
  message: 'deleted with grace 0s',
};
const ENDPOINT_REMOVED: CauseRef = {
  t: 30.41,
  kind: 'endpoint-removed',
  object: 'Endpoints/novel/api',
  message: '10.0.1.7 removed',
};
const ZONE_DOWN: CauseRef = {
  t: 60,
  kind: 'chaos',
  object: 'zone/zone-b',
  message: 'zone-outage started: zone-b outage',
};
const NODE_NOT_READY: CauseRef = {
  t: 61.2,
  kind: 'node-not-ready',
  object: 'Node//worker-b1',
  message: 'NodeNotReady',
};

/** The failure sample, each with the cause the zero-downtime verdict attributes it to (or null). */
function attributedFailures(): { f: FailureSample; cause: CauseRef | null }[] {
  const out: { f: FailureSample; cause: CauseRef | null }[] = [];
  const add = (
    t: number,
    kind: string,
    n: number,
    cause: CauseRef | null,
    extra: Partial<FailureSample> = {},
  ): void => {
    for (let i = 0; i < n; i++) {
      const f = { t: Math.round((t + i * 0.07) * 1000) / 1000, kind, request: 'get-novel', ...extra };
      out.push({ f, cause });
    }
  };
  // An unexplained 500 long before any fault: no cluster change to blame.
  add(10.4, 'status-5xx', 1, null, { status: 500, latencyMs: 8 });
  add(30.01, 'reset', 3, POD_TERMINATING, { target: '10.0.1.7:8080', latencyMs: 25 });
  add(30.3, 'refused', 2, POD_TERMINATING, { target: '10.0.1.7:8080', latencyMs: 1.2 });
  add(30.44, 'refused', 2, ENDPOINT_REMOVED, { target: '10.0.1.7:8080', latencyMs: 1.2 });
  add(31.1, 'refused', 2, ENDPOINT_REMOVED, { target: '10.0.1.7:8080', latencyMs: 1.2 });
  add(31.5, 'status-5xx', 1, ENDPOINT_REMOVED, { status: 503, latencyMs: 12 });
  add(60.2, 'timeout', 2, NODE_NOT_READY, { latencyMs: 2000 });
  add(60.6, 'reset', 2, ZONE_DOWN, { target: '10.0.2.4:8080', latencyMs: 20 });
  return out;
}

function verdicts(): Verdict[] {
  const listed = attributedFailures();
  const gapMs = (x: (typeof listed)[number]): number =>
    Math.round((x.f.t + (x.f.latencyMs ?? 0) / 1000 - (x.cause?.t ?? 0)) * 1000);
  const byCause = [POD_TERMINATING, ENDPOINT_REMOVED, NODE_NOT_READY, ZONE_DOWN]
    .map((c) => {
      const mine = listed.filter((x) => x.cause === c);
      const gaps = mine.map(gapMs);
      return { ...c, failures: mine.length, minGapMs: Math.min(...gaps), maxGapMs: Math.max(...gaps) };
    })
    .sort((a, b) => b.failures - a.failures || a.t - b.t)
    .map(({ message: _m, ...rest }) => rest);
  return [
    {
      name: 'generator-health',
      claim: 'dropped ≤ 0.1 % of intended and schedule lag p99 ≤ 50 ms',
      observed: '2 dropped of 4500; schedule lag p99 1.2 ms',
      pass: true,
      window: { start: 0, end: DURATION },
      evidence: { dropped: 2, intended: 4500, scheduleLagMs: { p50: 0.1, p99: 1.2, max: 4.1 } },
    },
    {
      name: 'p95<200ms',
      claim: 'p95 latency < 200 ms (0–90 s)',
      observed: 'p95 latency = 61.4 ms (4484 requests)',
      pass: true,
      window: { start: 0, end: DURATION },
      evidence: { value: 61.4, limit: 200, op: '<' },
    },
    {
      name: 'p99<500ms [during-fault]',
      claim: 'p99 latency < 500 ms during during-fault (30–75 s)',
      observed: 'p99 latency = 212.5 ms (2246 requests)',
      pass: true,
      window: { start: 30, end: 75 },
      evidence: { value: 212.5, limit: 500, op: '<' },
    },
    {
      name: 'zero-downtime',
      claim: 'no failed request (0–90 s)',
      observed:
        `${listed.length} of 4498 requests failed: 5 after pod-terminating Pod/novel/api-7d9f-x2k at 30.02 s; ` +
        '5 after endpoint-removed Endpoints/novel/api at 30.41 s; 2 after node-not-ready; 2 after other causes; ' +
        '1 with no Kubernetes cause in flight or in the 2 s before',
      pass: false,
      window: { start: 0, end: DURATION },
      evidence: {
        failed: listed.length,
        sent: 4498,
        lookbackMs: 2000,
        sampleComplete: true,
        byCause,
        unattributed: listed.filter((x) => x.cause === null).length,
        failures: listed.map((x) => ({ ...x.f, cause: x.cause && { ...x.cause, gapMs: gapMs(x) } })),
      },
    },
    {
      name: 'recovery-time',
      claim: 'after each fault ends, p95<200ms for 3 consecutive seconds within 10 s',
      observed:
        "pod-kill 'kill one api pod' (ended 30.8 s): back within the SLA after 5.2 s (stable from 36 s); " +
        "zone-outage 'zone-b outage' (ended 75 s): back within the SLA after 0 s (stable from 75 s)",
      pass: true,
      window: { start: KILL.end, end: DURATION },
      evidence: {
        withinS: 10,
        stableForS: 3,
        faults: [
          {
            fault: 'kill one api pod',
            action: 'pod-kill',
            start: 30,
            end: 30.8,
            outcome: 'recovered',
            recoveryS: 5.2,
            stableFrom: 36,
            breaches: [],
          },
          {
            fault: 'zone-b outage',
            action: 'zone-outage',
            start: 60,
            end: 75,
            outcome: 'recovered',
            recoveryS: 0,
            stableFrom: 75,
            breaches: [],
          },
        ],
      },
    },
  ];
}

export function chaosRun(): RunResult {
  const s = series();
  const f = attributedFailures().map((x) => x.f);
  const sum = (k: 'intended' | 'sent' | 'ok' | 'failed' | 'dropped'): number =>
    s.reduce((a, p) => a + p[k], 0);
  const errors: Record<string, number> = {};
  for (const p of s) for (const [k, n] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + n;
  return {
    schemaVersion: 1,
    gauntletVersion: '0.1.0',
    scenario: {
      name: 'zone-chaos',
      description: 'The API keeps serving while a pod is killed and a zone goes down',
      file: 'scenarios/zone-outage.ts',
      target: 'http://127.0.0.1:18080',
      scale: 1,
    },
    startedAt: '2026-11-29T02:00:00.000Z',
    durationS: DURATION,
    pass: false,
    valid: true,
    status: 'completed',
    load: {
      engine: 'native',
      model: 'open',
      intendedRps: RATE,
      achievedRps: Math.round((sum('sent') / DURATION) * 100) / 100,
      requests: {
        intended: sum('intended'),
        sent: sum('sent'),
        ok: sum('ok'),
        failed: sum('failed'),
        dropped: sum('dropped'),
      },
      latencyMs: { p50: 31.2, p90: 48.3, p95: 61.4, p99: 140.2, max: 2000.9 },
      serviceTimeMs: { p50: 31, p90: 48, p95: 61, p99: 139.8, max: 2000.5 },
      scheduleLagMs: { p50: 0.1, p99: 1.2, max: 4.1 },
      errors,
      statusCodes: { '200': sum('ok'), '500': 1, '503': 1 },
    },
    series: s,
    spans: spans(),
    events: events(),
    gauges: gauges(),
    failures: f,
    failuresDropped: 0,
    verdicts: verdicts(),
  };
}
