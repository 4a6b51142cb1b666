/**
 * networking.k8s.io/v1 Ingress rules as a lookup table, with ingress-nginx's merge semantics:
 * rules of all Ingresses are merged per host; a request picks the server by exact host, then by
 * wildcard (`*.example.com`, one label), then the catch-all server of host-less rules; within it,
 * an Exact path beats any Prefix, and the longest Prefix wins, matched element-wise (`/foo`
 * matches `/foo` and `/foo/bar`, not `/foobar`); ImplementationSpecific is treated as Prefix.
 * No path → the first Ingress' `defaultBackend` (by namespace/name), else none (404).
 */
import { routeOptions, type RouteOptions } from './annotations.ts';

export interface IngressBackend {
  service?: { name: string; port?: { number?: number; name?: string } };
  resource?: unknown;
}

export interface IngressObject {
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    rules?: {
      host?: string;
      http?: { paths?: { path?: string; pathType?: string; backend: IngressBackend }[] };
    }[];
  };
}

export interface Route {
  readonly namespace: string;
  readonly ingress: string;
  readonly service: string;
  /** Backend keys to look up, most specific first: `ns/svc:port`, then `ns/svc`. */
  readonly backendKeys: readonly string[];
  readonly options: RouteOptions;
}

interface PathRule {
  readonly path: string;
  readonly exact: boolean;
  readonly route: Route;
}

export interface RouteTable {
  readonly exactHosts: ReadonlyMap<string, PathRule[]>;
  readonly wildcardHosts: ReadonlyMap<string, PathRule[]>;
  readonly anyHost: readonly PathRule[];
  readonly defaultRoute: Route | undefined;
}

/** The keys `setBackends` is called with: `namespace/service` or `namespace/service:port`. */
export function backendKey(namespace: string, service: string, port?: number | string): string {
  return port === undefined ? `${namespace}/${service}` : `${namespace}/${service}:${port}`;
}

function toRoute(
  namespace: string,
  ingress: string,
  backend: IngressBackend,
  options: RouteOptions,
): Route | undefined {
  const svc = backend.service;
  if (!svc?.name) return undefined;
  const port = svc.port?.number ?? svc.port?.name;
  return {
    namespace,
    ingress,
    service: svc.name,
    backendKeys:
      port === undefined
        ? [backendKey(namespace, svc.name)]
        : [backendKey(namespace, svc.name, port), backendKey(namespace, svc.name)],
    options,
  };
}

function normalizePath(path: string | undefined): string {
  const p = path && path.startsWith('/') ? path : `/${path ?? ''}`;
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** Builds the table; `warnings` collects ignored annotations and backends that name no service. */
export function buildRoutes(
  ingresses: readonly IngressObject[],
  ingressClassName?: string,
  warnings: string[] = [],
): RouteTable {
  const exactHosts = new Map<string, PathRule[]>();
  const wildcardHosts = new Map<string, PathRule[]>();
  const anyHost: PathRule[] = [];
  let defaultRoute: Route | undefined;
  const sorted = [...ingresses].sort((a, b) =>
    `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
  );
  for (const ing of sorted) {
    const cls = ing.spec?.ingressClassName ?? ing.metadata.annotations?.['kubernetes.io/ingress.class'];
    if (ingressClassName !== undefined && cls !== undefined && cls !== ingressClassName) continue;
    const namespace = ing.metadata.namespace ?? 'default';
    const where = `ingress ${namespace}/${ing.metadata.name}`;
    const options = routeOptions(ing.metadata.annotations, where, warnings);
    if (ing.spec?.defaultBackend && !defaultRoute)
      defaultRoute = toRoute(namespace, ing.metadata.name, ing.spec.defaultBackend, options);
    for (const rule of ing.spec?.rules ?? []) {
      const host = rule.host?.toLowerCase();
      const list = !host
        ? anyHost
        : host.startsWith('*.')
          ? upsert(wildcardHosts, host.slice(1))
          : upsert(exactHosts, host);
      for (const [i, p] of (rule.http?.paths ?? []).entries()) {
        const route = toRoute(namespace, ing.metadata.name, p.backend, options);
        if (!route) {
          warnings.push(`${where}: rules[].http.paths[${i}].backend.service is missing; path ignored`);
          continue;
        }
        const exact = p.pathType === 'Exact';
        list.push({ path: exact ? (p.path ?? '/') : normalizePath(p.path), exact, route });
      }
    }
  }
  for (const rules of [anyHost, ...exactHosts.values(), ...wildcardHosts.values()]) {
    // Exact first, then longer paths first: the first match is the winner.
    rules.sort((a, b) => Number(b.exact) - Number(a.exact) || b.path.length - a.path.length);
  }
  return { exactHosts, wildcardHosts, anyHost, defaultRoute };
}

function upsert(map: Map<string, PathRule[]>, key: string): PathRule[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47); /* / */
}

/** The route for a request; `hostHeader` may carry a port, `url` a query string. */
export function matchRoute(
  table: RouteTable,
  hostHeader: string | undefined,
  url: string,
): Route | undefined {
  let host = (hostHeader ?? '').toLowerCase();
  const colon = host.lastIndexOf(':');
  if (colon > -1 && !host.endsWith(']')) host = host.slice(0, colon);
  const dot = host.indexOf('.');
  const rules: readonly PathRule[] =
    table.exactHosts.get(host) ??
    (dot > 0 ? table.wildcardHosts.get(host.slice(dot)) : undefined) ??
    table.anyHost;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  for (const rule of rules) {
    if (rule.exact ? path === rule.path : prefixMatches(rule.path, trimmed)) return rule.route;
  }
  return table.defaultRoute;
}
