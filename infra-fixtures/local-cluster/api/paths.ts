/** Maps a request path onto discovery, OpenAPI, health or a resource route (spec §2). */
import type { Registry, ResourceType } from '../store/registry.ts';

export interface ResourceRoute {
  kind: 'resource';
  type: ResourceType;
  /** Set for namespaced paths (`/namespaces/NS/...`); undefined for all-namespace and cluster-scoped paths. */
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  /** Legacy `/api/v1/watch/...` form. */
  watchPath: boolean;
}

export type Route =
  | { kind: 'root' }
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'api' }
  | { kind: 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'openapi'; rest: string[] }
  | ResourceRoute
  | { kind: 'notFound' };

function decode(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

export function parseRoute(pathname: string, registry: Registry): Route {
  const seg = decode(pathname);
  if (!seg) return { kind: 'notFound' };
  if (seg.length === 0) return { kind: 'root' };
  const [first, second, third] = seg;
  if (seg.length === 1 && first === 'version') return { kind: 'version' };
  if (seg.length === 1 && (first === 'healthz' || first === 'livez' || first === 'readyz'))
    return { kind: 'health' };
  if (first === 'openapi') return { kind: 'openapi', rest: seg.slice(1) };
  let group: string;
  let version: string;
  let rest: string[];
  if (first === 'api') {
    if (seg.length === 1) return { kind: 'api' };
    group = '';
    version = second!;
    rest = seg.slice(2);
  } else if (first === 'apis') {
    if (seg.length === 1) return { kind: 'apis' };
    if (seg.length === 2)
      return registry.groupVersions().some((g) => g.group === second && second !== '')
        ? { kind: 'group', group: second! }
        : { kind: 'notFound' };
    group = second!;
    version = third!;
    rest = seg.slice(3);
  } else return { kind: 'notFound' };

  if (!registry.inGroupVersion(group, version).length) return { kind: 'notFound' };
  if (!rest.length) return { kind: 'groupVersion', group, version };
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const inner = registry.find(group, version, rest[2]!);
    if (inner?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  if (rest.length > 3) return { kind: 'notFound' };
  const [plural, name, subresource] = rest;
  const type = registry.find(group, version, plural!);
  if (!type) return { kind: 'notFound' };
  if (namespace !== undefined && !type.namespaced) return { kind: 'notFound' };
  if (type.namespaced && name !== undefined && namespace === undefined) return { kind: 'notFound' };
  if (subresource !== undefined && !type.subresources.some((s) => s.name === subresource))
    return { kind: 'notFound' };
  if (watchPath && subresource !== undefined) return { kind: 'notFound' };
  return { kind: 'resource', type, namespace, name, subresource, watchPath };
}
