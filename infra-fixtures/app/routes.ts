/**
 * Path and method dispatch. Route labels are templates (`/api/v1/narratives/:id`), never raw
 * paths, so metric cardinality stays bounded whatever clients send.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Responder } from './http-io.ts';
import type { AppMetrics } from './metrics.ts';
import { collectionPath, type NarrativeHandlers } from './narratives.ts';

export type RouteLabel =
  '/healthz' | '/readyz' | '/metrics' | '/api/v1/narratives' | '/api/v1/narratives/:id' | 'unmatched';

export interface RouteMatch {
  readonly route: RouteLabel;
  /** The `:id` segment, still percent-encoded, for the item route. */
  readonly id?: string;
}

const allowed: Record<RouteLabel, readonly string[]> = {
  '/healthz': ['GET', 'HEAD'],
  '/readyz': ['GET', 'HEAD'],
  '/metrics': ['GET', 'HEAD'],
  '/api/v1/narratives': ['POST'],
  '/api/v1/narratives/:id': ['GET', 'HEAD'],
  unmatched: [],
};

const itemPrefix = `${collectionPath}/`;

export function matchRoute(url: string | undefined): RouteMatch {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  switch (path) {
    case '/healthz':
    case '/readyz':
    case '/metrics':
    case '/api/v1/narratives':
      return { route: path };
  }
  if (path.startsWith(itemPrefix)) {
    const id = path.slice(itemPrefix.length);
    if (id !== '' && !id.includes('/')) return { route: '/api/v1/narratives/:id', id };
  }
  return { route: 'unmatched' };
}

/** What the readiness probe sees; the shutdown sequence flips these. */
export interface Readiness {
  readonly ready: boolean;
  readonly draining: boolean;
}

export interface RouteDeps {
  readonly respond: Responder;
  readonly metrics: AppMetrics;
  readonly narratives: NarrativeHandlers;
  readonly readiness: () => Readiness;
}

export type Dispatch = (req: IncomingMessage, res: ServerResponse, match: RouteMatch) => Promise<void> | void;

export function createDispatch(deps: RouteDeps): Dispatch {
  const { respond, metrics, narratives, readiness } = deps;
  return (req, res, match) => {
    const method = req.method ?? 'GET';
    if (match.route === 'unmatched') {
      respond.error(res, 404, 'not_found', `no route for ${method} ${(req.url ?? '/').slice(0, 200)}`);
      return;
    }
    const methods = allowed[match.route];
    if (!methods.includes(method)) {
      respond.error(
        res,
        405,
        'method_not_allowed',
        `${match.route} accepts ${methods.join(', ')}, not ${method}`,
        'method',
        {
          allow: methods.join(', '),
        },
      );
      return;
    }
    switch (match.route) {
      case '/healthz':
        // Liveness stays 200 while draining: the process is healthy, only leaving.
        respond.json(res, 200, { status: 'ok' });
        return;
      case '/readyz': {
        const r = readiness();
        if (r.draining) respond.json(res, 503, { status: 'draining' });
        else if (!r.ready) respond.json(res, 503, { status: 'starting' });
        else respond.json(res, 200, { status: 'ready' });
        return;
      }
      case '/metrics':
        return metrics.registry
          .metrics()
          .then((text) => respond.text(res, 200, text, metrics.registry.contentType));
      case '/api/v1/narratives':
        return narratives.create(req, res);
      case '/api/v1/narratives/:id':
        return narratives.fetch(match.id ?? '', res);
    }
  };
}
