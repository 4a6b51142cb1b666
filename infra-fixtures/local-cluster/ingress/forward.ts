/**
 * Sending one client request upstream the way ingress-nginx does: over keep-alive connections
 * (an undici Pool per upstream — measured faster than http.Agent, see ./index.ts), round robin,
 * and on to the next endpoint per `proxy-next-upstream` while no response byte has reached the
 * client: `error` (refused, reset), `timeout` (connect or response-header timeout), `http_5xx`.
 * A request already sent is retried only if idempotent (or with `non_idempotent`); the last
 * failure decides the answer: 504 after a timeout, else 502. A blackholed upstream accepts
 * nothing and answers nothing: the attempt hangs for the connect timeout, as a SYN into a
 * partition does, then counts as a timeout.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { Pool } from 'undici';
import type { Route } from './routes.ts';
import { BackendTable, type Blackhole, type Endpoint, type ServiceEndpoints } from './backends.ts';
import type { AttemptFailure, IngressMetrics } from './metrics.ts';

export interface ForwardConfig {
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly connectionsPerUpstream: number;
}

const idempotent = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
/** Hop-by-hop headers (RFC 9110 §7.6.1): never forwarded in either direction. */
export const hopByHop: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

/** Keep-alive pools per upstream address, closed once no Service lists the address. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly config: ForwardConfig) {}

  get(e: Endpoint): Pool {
    let pool = this.pools.get(e.address);
    if (!pool) {
      pool = new Pool(`http://${e.address}`, {
        connections: this.config.connectionsPerUpstream,
        // Below Node's 5 s server keep-alive, so the pool drops an idle socket before the app does.
        keepAliveTimeout: 4000,
        connect: { timeout: this.config.connectTimeoutMs },
        headersTimeout: this.config.readTimeoutMs,
        bodyTimeout: this.config.readTimeoutMs,
      });
      this.pools.set(e.address, pool);
    }
    return pool;
  }

  prune(inUse: ReadonlySet<string>): void {
    for (const [address, pool] of this.pools) {
      if (inUse.has(address)) continue;
      this.pools.delete(address);
      void pool.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.destroy().catch(() => undefined)));
  }
}

interface Classified {
  readonly failure: AttemptFailure;
  /** Whether the request may have reached the upstream (then only idempotent requests retry). */
  readonly sent: boolean;
}

function classify(err: unknown): Classified {
  const e = err as { code?: string; cause?: { code?: string } };
  const code = e.code === 'UND_ERR_SOCKET' && e.cause?.code ? e.cause.code : (e.code ?? e.cause?.code);
  switch (code) {
    case 'ECONNREFUSED':
      return { failure: 'refused', sent: false };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { failure: 'timeout', sent: false };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return { failure: 'error', sent: false };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { failure: 'timeout', sent: true };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return { failure: 'reset', sent: true };
    default:
      return { failure: 'error', sent: true };
  }
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _enc, cb) => cb() });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function responseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const v = headers[name];
    if (v !== undefined && !hopByHop.has(name)) out[name] = v;
  }
  return out;
}

export interface ForwardDeps {
  readonly pools: UpstreamPools;
  readonly blackhole: Blackhole;
  readonly metrics: IngressMetrics;
  readonly config: ForwardConfig;
}

export interface ForwardRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly headers: string[];
  readonly body: Buffer | null;
  readonly route: Route;
  readonly service: ServiceEndpoints;
  readonly signal: AbortSignal;
}

/**
 * Resolves with the status for the client: an upstream's (already sent), or 502/503/504 for the
 * caller to answer with its error page, or 499 if the client left.
 */
export async function forward(fr: ForwardRequest, deps: ForwardDeps): Promise<number> {
  const { req, res, route, signal } = fr;
  const { namespace, service: serviceName, options } = route;
  const method = req.method ?? 'GET';
  const readTimeout = options.readTimeoutMs ?? deps.config.readTimeoutMs;
  const tried: Endpoint[] = [];
  let lastTimeout = false;
  for (let attempt = 1; attempt <= options.tries; attempt++) {
    const e = BackendTable.pick(fr.service, tried);
    if (!e) return 503; // every endpoint went away between attempts
    tried.push(e);
    const last = attempt === options.tries;
    if (deps.blackhole.has(e.ip)) {
      await sleep(deps.config.connectTimeoutMs, signal);
      if (signal.aborted) return 499;
      deps.metrics.attempt(namespace, serviceName, e, 'blackholed');
      lastTimeout = true;
      if (!options.nextUpstream.has('timeout')) break;
      continue;
    }
    const started = performance.now();
    let committed = 0;
    let retryStatus = 0;
    try {
      await deps.pools.get(e).stream(
        {
          path: req.url ?? '/',
          method: method as 'GET',
          headers: fr.headers,
          body: fr.body,
          signal,
          headersTimeout: readTimeout,
          bodyTimeout: readTimeout,
        },
        ({ statusCode, headers }) => {
          if (!last && options.nextUpstream.has(`http_${statusCode}` as 'http_502')) {
            retryStatus = statusCode;
            return discard();
          }
          committed = statusCode;
          res.writeHead(statusCode, responseHeaders(headers));
          return res;
        },
      );
      deps.metrics.attempt(
        namespace,
        serviceName,
        e,
        retryStatus || committed,
        (performance.now() - started) / 1000,
      );
      if (!retryStatus) return committed;
    } catch (err) {
      if (committed) {
        // The response broke off after its head went out: nothing to retry, cut the client too.
        deps.metrics.attempt(namespace, serviceName, e, classify(err).failure);
        res.destroy();
        return committed;
      }
      if (signal.aborted) return 499;
      const { failure, sent } = classify(err);
      deps.metrics.attempt(namespace, serviceName, e, failure);
      lastTimeout = failure === 'timeout';
      if (!options.nextUpstream.has(lastTimeout ? 'timeout' : 'error')) break;
      if (sent && !idempotent.has(method) && !options.retryNonIdempotent) break;
    }
  }
  return lastTimeout ? 504 : 502;
}
