/**
 * The proxy's Prometheus metrics, on a registry of its own (never prom-client's global one, so
 * several proxies or an app can share a process). The request-level series keep ingress-nginx's
 * names and labels, so alert rules written for the real controller read them unchanged; the
 * upstream-level series say which pod failed — a dead pod reports nothing about itself.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BackendTable, Endpoint } from './backends.ts';

const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Why an upstream attempt produced no response. */
export type AttemptFailure = 'refused' | 'reset' | 'timeout' | 'blackholed' | 'error';

export class IngressMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'namespace' | 'ingress' | 'service' | 'method' | 'status'>;
  private readonly duration: Histogram<'namespace' | 'ingress' | 'service' | 'status'>;
  private readonly attempts: Counter<'namespace' | 'service' | 'upstream' | 'pod' | 'zone' | 'outcome'>;
  private readonly upstreamLatency: Histogram<'namespace' | 'service' | 'upstream' | 'pod' | 'zone'>;
  private readonly limited: Counter<'namespace' | 'ingress' | 'limit'>;

  constructor(backends: BackendTable) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'nginx_ingress_controller_requests',
      help: 'Client requests answered, by final status (ingress-nginx compatible).',
      labelNames: ['namespace', 'ingress', 'service', 'method', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'nginx_ingress_controller_request_duration_seconds',
      help: 'Time from the request arriving to the response ending, retries included (ingress-nginx compatible).',
      labelNames: ['namespace', 'ingress', 'service', 'status'],
      buckets,
      registers,
    });
    this.attempts = new Counter({
      name: 'ingress_upstream_attempts_total',
      help: 'Attempts sent to each upstream pod, by HTTP status or failure (refused, reset, timeout, blackholed, error).',
      labelNames: ['namespace', 'service', 'upstream', 'pod', 'zone', 'outcome'],
      registers,
    });
    this.upstreamLatency = new Histogram({
      name: 'ingress_upstream_response_duration_seconds',
      help: 'Time for an upstream pod to answer one attempt, to the end of its response.',
      labelNames: ['namespace', 'service', 'upstream', 'pod', 'zone'],
      buckets,
      registers,
    });
    this.limited = new Counter({
      name: 'ingress_rate_limited_total',
      help: 'Requests refused with 503 by limit-rps/limit-rpm (limit="rate") or limit-connections (limit="connections").',
      labelNames: ['namespace', 'ingress', 'limit'],
      registers,
    });
    new Gauge({
      name: 'ingress_upstream_endpoints',
      help: 'Endpoints in effect per backend key, after the propagation delay.',
      labelNames: ['backend'],
      registers,
      collect() {
        this.reset();
        for (const [key, endpoints] of backends.all()) this.set({ backend: key }, endpoints.length);
      },
    });
  }

  request(
    namespace: string,
    ingress: string,
    service: string,
    method: string,
    status: number,
    seconds: number,
  ): void {
    const s = String(status);
    this.requests.inc({ namespace, ingress, service, method, status: s });
    this.duration.observe({ namespace, ingress, service, status: s }, seconds);
  }

  attempt(
    namespace: string,
    service: string,
    e: Endpoint,
    outcome: number | AttemptFailure,
    seconds?: number,
  ): void {
    const labels = { namespace, service, upstream: e.address, pod: e.podName ?? '', zone: e.zone ?? '' };
    this.attempts.inc({ ...labels, outcome: String(outcome) });
    if (seconds !== undefined) this.upstreamLatency.observe(labels, seconds);
  }

  rateLimited(namespace: string, ingress: string, limit: 'rate' | 'connections'): void {
    this.limited.inc({ namespace, ingress, limit });
  }
}
