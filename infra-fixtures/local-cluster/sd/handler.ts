/**
 * The HTTP side of discovery: `GET …/sd/{pod|endpoints|endpointslice|node}` answers Prometheus'
 * http_sd_configs with the store's current targets. Every request reads the store afresh, so a
 * pod added or removed shows at Prometheus' next refresh (`refresh_interval`).
 *
 * Query parameters (all optional), mirroring kubernetes_sd_configs fields:
 *   namespace=a&namespace=b  or  namespace=a,b   `namespaces.names`; default all namespaces
 *   labelSelector=…, fieldSelector=…             `selectors` for the role's own objects
 *   attach_metadata=node                         `attach_metadata: {node: true}`
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtraRoute } from '../api/server.ts';
import { sendError, sendJson } from '../api/httpIo.ts';
import { errors } from '../store/errors.ts';
import type { StorageName } from '../store/registry.ts';
import type { Store } from '../store/store.ts';
import type { KubeObject } from '../store/types.ts';
import { kRoles, targetGroups, toHttpSd, type DiscoveryObjects, type Role } from './targets.ts';

export const kSdPrefix = '/local-cluster/v1/sd/';

const kParams = new Set(['namespace', 'labelSelector', 'fieldSelector', 'attach_metadata']);

interface SdQuery {
  readonly role: Role;
  readonly namespaces: readonly string[];
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly attachNodeMetadata: boolean;
}

function parseQuery(url: URL): SdQuery {
  const m = /\/sd\/([^/]+)\/?$/.exec(url.pathname);
  const role = m?.[1];
  if (!role || !(kRoles as readonly string[]).includes(role)) {
    throw errors.badRequest(
      `unknown discovery role in ${url.pathname}: use ${kSdPrefix}{${kRoles.join('|')}}`,
    );
  }
  for (const key of url.searchParams.keys()) {
    if (!kParams.has(key))
      throw errors.badRequest(`unknown query parameter "${key}": use ${[...kParams].join(', ')}`);
  }
  const attach = url.searchParams.getAll('attach_metadata');
  for (const a of attach) {
    if (a !== 'node')
      throw errors.badRequest(`attach_metadata=${a} is not supported: use attach_metadata=node`);
  }
  const namespaces = url.searchParams
    .getAll('namespace')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const labelSelector = url.searchParams.get('labelSelector') ?? undefined;
  const fieldSelector = url.searchParams.get('fieldSelector') ?? undefined;
  return {
    role: role as Role,
    namespaces,
    ...(labelSelector !== undefined ? { labelSelector } : {}),
    ...(fieldSelector !== undefined ? { fieldSelector } : {}),
    attachNodeMetadata: attach.length > 0,
  };
}

const kPrimary: Record<Role, StorageName> = {
  pod: 'pods',
  endpoints: 'endpoints',
  endpointslice: 'endpointslices',
  node: 'nodes',
};

/** The role's own objects (filtered by the query) and the unfiltered objects it joins with. */
export function discoveryObjects(store: Store, q: SdQuery): DiscoveryObjects {
  const list = (storage: StorageName, filtered: boolean): KubeObject[] => {
    const sel = filtered
      ? {
          ...(q.labelSelector !== undefined ? { labelSelector: q.labelSelector } : {}),
          ...(q.fieldSelector !== undefined ? { fieldSelector: q.fieldSelector } : {}),
        }
      : {};
    if (storage === 'nodes' || !q.namespaces.length) return store.list(storage, sel).items;
    return q.namespaces.flatMap((namespace) => store.list(storage, { ...sel, namespace }).items);
  };
  const primary = kPrimary[q.role];
  const needsNodes = q.role === 'node' || q.attachNodeMetadata;
  return {
    ...(q.role === 'pod' ? { pods: list('pods', true) } : {}),
    ...(q.role === 'endpoints' || q.role === 'endpointslice'
      ? { pods: list('pods', false), services: list('services', false) }
      : {}),
    ...(q.role === 'endpoints' ? { endpoints: list(primary, true) } : {}),
    ...(q.role === 'endpointslice' ? { endpointSlices: list(primary, true) } : {}),
    ...(needsNodes ? { nodes: list('nodes', q.role === 'node') } : {}),
  };
}

/**
 * Answers one http_sd request from the store. Failures (unknown role or parameter, bad selector,
 * wrong method) are sent as Kubernetes Status objects; nothing is thrown.
 */
export async function handleServiceDiscovery(
  store: Store,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed();
    const q = parseQuery(new URL(req.url ?? '/', 'http://local'));
    const groups = targetGroups(q.role, discoveryObjects(store, q), {
      attachNodeMetadata: q.attachNodeMetadata,
    });
    sendJson(res, 200, toHttpSd(groups));
  } catch (err) {
    sendError(res, err);
  }
}

/** For `startApiServer({ extraRoutes })`; list it before the fault admin route (see index.ts). */
export function serviceDiscoveryRoute(store: Store): ExtraRoute {
  return { prefix: kSdPrefix, handle: (req, res) => handleServiceDiscovery(store, req, res) };
}
