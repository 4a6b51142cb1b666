/**
 * The ingress proxy process parts: the client-facing server (route → limits → endpoints →
 * forward), the admin server (/metrics, /healthz), and the controls the assembler and the zone
 * faults use. API and defaults: see ./index.ts.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackendTable, Blackhole, type EndpointInput } from './backends.ts';
import { forward, hopByHop, UpstreamPools, type ForwardConfig } from './forward.ts';
import { IngressMetrics } from './metrics.ts';
import { ConnectionLimiter, RequestRateLimiter } from './rate-limit.ts';
import { buildRoutes, matchRoute, type IngressObject, type Route, type RouteTable } from './routes.ts';

export interface IngressOptions {
  /** Listen address. @default '127.0.0.1' */
  readonly host?: string;
  /** Client port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Admin port for /metrics and /healthz; 0 picks a free one. @default 0 */
  readonly adminPort?: number;
  /** Delay before endpoint and Ingress changes take effect (kube-proxy/nginx sync). @default 1000 */
  readonly propagationDelayMs?: number;
  /** proxy-connect-timeout, also how long a blackholed attempt hangs. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** proxy-read-timeout default (waiting for response headers, and between body chunks). @default 60000 */
  readonly readTimeoutMs?: number;
  /** Keep-alive connections per upstream pod. @default 128 */
  readonly connectionsPerUpstream?: number;
  /** Only Ingresses of this class (or without one) are served. @default 'nginx' */
  readonly ingressClassName?: string;
}

export interface IngressProxy {
  readonly url: string;
  readonly adminUrl: string;
  /** Replaces the Ingress objects (after the propagation delay); returns warnings for ignored fields. */
  setIngresses(ingresses: readonly IngressObject[]): string[];
  /** Replaces a backend key's ready endpoints (after the propagation delay). */
  setBackends(key: string, endpoints: readonly EndpointInput[]): void;
  /** Partitions: attempts to these IPs or IPv4 CIDRs hang (connect, no answer) until the connect timeout. */
  blackhole(targets: Iterable<string>): void;
  /** Heals the given targets, or every partition when called without. */
  unblackhole(targets?: Iterable<string>): void;
  /** The Prometheus exposition text, as served on the admin port. */
  metricsText(): Promise<string>;
  close(): Promise<void>;
}

const reasons: Record<number, string> = {
  404: '404 Not Found',
  413: '413 Request Entity Too Large',
  502: '502 Bad Gateway',
  503: '503 Service Temporarily Unavailable',
  504: '504 Gateway Time-out',
};

const pages = new Map<number, Buffer>(
  Object.entries(reasons).map(([code, title]) => [
    Number(code),
    Buffer.from(
      `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    ),
  ]),
);

function sendPage(res: ServerResponse, status: number): void {
  if (res.headersSent || res.destroyed) return;
  const page = pages.get(status) ?? Buffer.alloc(0);
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': page.length });
  res.end(page);
}

const dropRequestHeaders = new Set([
  ...hopByHop,
  'content-length',
  'x-real-ip',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-proto',
  'x-forwarded-scheme',
  'x-scheme',
]);

/** Upstream headers as ingress-nginx sends them: hop-by-hop dropped, X-Forwarded-* and X-Request-ID set. */
function upstreamHeaders(req: IncomingMessage, port: number, bodyLength: number): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  let requestId: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (dropRequestHeaders.has(name)) continue;
    if (name === 'x-request-id') requestId = raw[i + 1];
    out.push(name, raw[i + 1] as string);
  }
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  const host = req.headers.host ?? '';
  if (!requestId) out.push('x-request-id', randomUUID().replaceAll('-', ''));
  // prettier-ignore
  out.push(
    'x-real-ip', client,
    'x-forwarded-for', prior ? `${String(prior)}, ${client}` : client,
    'x-forwarded-host', host,
    'x-forwarded-port', String(port),
    'x-forwarded-proto', 'http',
    'x-forwarded-scheme', 'http',
    'x-scheme', 'http',
  );
  if (bodyLength > 0) out.push('content-length', String(bodyLength));
  return out;
}

/** Reads the body for retries; undefined when it exceeds the limit (413). */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared === 0 && req.headers['transfer-encoding'] === undefined) return null;
  if (maxBytes > 0 && declared > maxBytes) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (maxBytes > 0 && size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return size === 0 ? null : Buffer.concat(chunks, size);
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startIngress(options: IngressOptions = {}): Promise<IngressProxy> {
  const host = options.host ?? '127.0.0.1';
  const delayMs = options.propagationDelayMs ?? 1000;
  const config: ForwardConfig = {
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    readTimeoutMs: options.readTimeoutMs ?? 60_000,
    connectionsPerUpstream: options.connectionsPerUpstream ?? 128,
  };
  const backends = new BackendTable(delayMs);
  const blackhole = new Blackhole();
  const metrics = new IngressMetrics(backends);
  const pools = new UpstreamPools(config);
  const rate = new RequestRateLimiter();
  const conns = new ConnectionLimiter();
  const deps = { pools, blackhole, metrics, config };
  const className = options.ingressClassName ?? 'nginx';
  let table: RouteTable = buildRoutes([], className);
  const routeTimers = new Set<NodeJS.Timeout>();
  let listenPort = 0;

  function limited(route: Route, client: string): 'rate' | 'connections' | undefined {
    const o = route.options;
    const zone = `${route.namespace}/${route.ingress}`;
    if (
      o.limitRps !== undefined &&
      !rate.allow(`${zone}|rps|${client}`, o.limitRps, o.limitRps * o.burstMultiplier)
    )
      return 'rate';
    if (
      o.limitRpm !== undefined &&
      !rate.allow(`${zone}|rpm|${client}`, o.limitRpm / 60, o.limitRpm * o.burstMultiplier)
    )
      return 'rate';
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const route = matchRoute(table, req.headers.host, req.url ?? '/');
    const finish = (status: number): void => {
      sendPage(res, status);
      metrics.request(
        route?.namespace ?? '',
        route?.ingress ?? '',
        route?.service ?? '',
        method,
        status,
        (performance.now() - started) / 1000,
      );
    };
    if (!route) return finish(404);
    const client = req.socket.remoteAddress ?? '';
    const limit = limited(route, client);
    if (limit) {
      metrics.rateLimited(route.namespace, route.ingress, limit);
      return finish(503);
    }
    const connLimit = route.options.limitConnections;
    const connKey = `${route.namespace}/${route.ingress}|${client}`;
    if (connLimit !== undefined) {
      if (!conns.acquire(connKey, connLimit)) {
        metrics.rateLimited(route.namespace, route.ingress, 'connections');
        return finish(503);
      }
      res.once('close', () => conns.release(connKey));
    }
    const service = backends.lookup(route.backendKeys);
    if (!service) return finish(503);
    const body = await readBody(req, route.options.maxBodyBytes);
    if (body === undefined) return finish(413);
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const status = await forward(
      {
        req,
        res,
        headers: upstreamHeaders(req, listenPort, body?.length ?? 0),
        body,
        route,
        service,
        signal: abort.signal,
      },
      deps,
    );
    finish(status);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendPage(res, 502);
      else res.destroy();
    });
  });
  // nginx's keepalive_timeout: clients keep their connections across idle gaps.
  server.keepAliveTimeout = 75_000;
  const admin = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
    } else if (req.url === '/healthz') {
      res.end('ok');
    } else {
      res.writeHead(404).end();
    }
  });
  listenPort = await listen(server, options.port ?? 0, host);
  const adminPort = await listen(admin, options.adminPort ?? 0, host);

  const sweeper = setInterval(() => {
    rate.sweep();
    const inUse = new Set<string>();
    for (const [, endpoints] of backends.all()) for (const e of endpoints) inUse.add(e.address);
    pools.prune(inUse);
  }, 30_000);
  sweeper.unref();

  return {
    url: `http://${host}:${listenPort}`,
    adminUrl: `http://${host}:${adminPort}`,
    setIngresses(ingresses) {
      const warnings: string[] = [];
      const next = buildRoutes(ingresses, className, warnings);
      if (delayMs <= 0) table = next;
      else {
        const timer = setTimeout(() => {
          routeTimers.delete(timer);
          table = next;
        }, delayMs);
        routeTimers.add(timer);
      }
      return warnings;
    },
    setBackends: (key, endpoints) => backends.set(key, endpoints),
    blackhole: (targets) => blackhole.add(targets),
    unblackhole: (targets) => blackhole.remove(targets),
    metricsText: () => metrics.registry.metrics(),
    async close() {
      clearInterval(sweeper);
      for (const t of routeTimers) clearTimeout(t);
      backends.close();
      server.closeAllConnections();
      admin.closeAllConnections();
      await Promise.all([
        new Promise((r) => server.close(r)),
        new Promise((r) => admin.close(r)),
        pools.close(),
      ]);
    },
  };
}
