/**
 * The app's Prometheus series on a registry of its own (never prom-client's global one), so
 * several app instances in one process, as in tests and benches, do not collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** 1 ms .. 10 s, roughly three steps per decade. */
export const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface AppMetrics {
  readonly registry: Registry;
  /** Records one finished (or client-aborted) request. */
  observe(method: string, route: string, status: number, seconds: number): void;
  requestStarted(): void;
  requestEnded(): void;
  setQueueDepth(depth: number): void;
}

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const duration = new Histogram({
    name: 'novel_engine_http_request_duration_seconds',
    help: 'HTTP request duration from first byte received to response end, by method, route and status.',
    labelNames,
    buckets: durationBuckets,
    registers: [registry],
  });
  const total = new Counter({
    name: 'novel_engine_http_requests_total',
    help: 'HTTP requests answered, by method, route and status.',
    labelNames,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'novel_engine_http_requests_in_flight',
    help: 'HTTP requests received and not yet answered.',
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: 'novel_engine_queue_depth',
    help: 'API requests waiting for their turn at CPU work and narrative generation.',
    registers: [registry],
  });

  // Label lookups hash on every call; the label sets are few (routes are templated), so keep the
  // bound children and skip that work on the hot path.
  type Children = { duration: ReturnType<typeof duration.labels>; total: ReturnType<typeof total.labels> };
  const children = new Map<string, Children>();
  const childrenFor = (method: string, route: string, status: number): Children => {
    const key = `${method} ${route} ${status}`;
    let c = children.get(key);
    if (c === undefined) {
      const labels = { method, route, status: String(status) };
      c = { duration: duration.labels(labels), total: total.labels(labels) };
      children.set(key, c);
    }
    return c;
  };

  return {
    registry,
    observe(method, route, status, seconds) {
      const c = childrenFor(method, route, status);
      c.duration.observe(seconds);
      c.total.inc();
    },
    requestStarted: () => inFlight.inc(),
    requestEnded: () => inFlight.dec(),
    setQueueDepth: (depth) => queueDepth.set(depth),
  };
}
