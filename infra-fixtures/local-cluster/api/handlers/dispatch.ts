/** Chooses the handler for a resource route from the HTTP method and the subresource. */
import { errors } from '../../store/errors.ts';
import { boolParam, type RequestContext } from '../context.ts';
import { create, get, list, patch, remove, removeCollection, update } from './crud.ts';
import { handleMetrics } from './metrics.ts';
import { handleBinding, handleEviction, handleLog } from './pods.ts';
import { handleScale } from './scale.ts';
import { serveWatch } from './watch.ts';

function requireVerb(ctx: RequestContext, verb: string): void {
  if (!ctx.route.type.verbs.includes(verb)) throw errors.methodNotAllowed();
}

async function handleStatus(ctx: RequestContext): Promise<void> {
  switch (ctx.req.method) {
    case 'GET':
      return get(ctx);
    case 'PUT':
      return update(ctx, true);
    case 'PATCH':
      return patch(ctx, true);
    default:
      throw errors.methodNotAllowed();
  }
}

async function handleSubresource(ctx: RequestContext): Promise<void> {
  switch (ctx.route.subresource) {
    case 'status':
      return handleStatus(ctx);
    case 'scale':
      return handleScale(ctx);
    case 'log':
      return handleLog(ctx);
    case 'eviction':
      return handleEviction(ctx);
    case 'binding':
      return handleBinding(ctx);
    case 'finalize':
      if (ctx.req.method !== 'PUT') throw errors.methodNotAllowed();
      return update(ctx, false);
    default:
      throw errors.pathNotFound();
  }
}

export async function handleResource(ctx: RequestContext): Promise<void> {
  const { route, req } = ctx;
  if (!route.type.storage) return handleMetrics(ctx);
  if (route.subresource) return handleSubresource(ctx);
  const watching = route.watchPath || boolParam(ctx.query, 'watch');
  if (route.watchPath && req.method !== 'GET') throw errors.methodNotAllowed();
  if (route.name === undefined) {
    // A namespaced kind's all-namespaces collection only lists and watches.
    const allNamespaces = route.type.namespaced && route.namespace === undefined;
    switch (req.method) {
      case 'GET':
        requireVerb(ctx, watching ? 'watch' : 'list');
        return watching ? serveWatch(ctx) : list(ctx);
      case 'POST':
        if (allNamespaces) throw errors.methodNotAllowed();
        requireVerb(ctx, 'create');
        return create(ctx);
      case 'DELETE':
        if (allNamespaces) throw errors.methodNotAllowed();
        requireVerb(ctx, 'deletecollection');
        return removeCollection(ctx);
      default:
        throw errors.methodNotAllowed();
    }
  }
  switch (req.method) {
    case 'GET':
      requireVerb(ctx, watching ? 'watch' : 'get');
      return watching ? serveWatch(ctx) : get(ctx);
    case 'PUT':
      requireVerb(ctx, 'update');
      return update(ctx, false);
    case 'PATCH':
      requireVerb(ctx, 'patch');
      return patch(ctx, false);
    case 'DELETE':
      requireVerb(ctx, 'delete');
      return remove(ctx);
    default:
      throw errors.methodNotAllowed();
  }
}
