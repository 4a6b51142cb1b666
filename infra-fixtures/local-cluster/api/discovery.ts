/**
 * Legacy discovery (spec §2.1–2.2): `/version`, `/api`, `/apis`, `/apis/<g>` and the per-group-
 * version resource lists. Plain JSON replies make kubectl fall back from aggregated discovery.
 */
import { apiVersionOf, type Registry, type ResourceType } from '../store/registry.ts';

/** Minor "32" makes the kubectl dispatcher exec its bundled kubectl 1.32 (spec G1). */
export const kVersionInfo = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '70d3cc986aa8221cd1dfb1121852688902d3bf53',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T17:59:15Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(registry: Registry): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry
      .groupVersions()
      .filter((g) => g.group !== '')
      .map((g) => apiGroup(g.group, g.versions)),
  };
}

export function apiGroupDoc(registry: Registry, group: string): unknown {
  const g = registry.groupVersions().find((x) => x.group === group)!;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) };
}

function resourceEntries(t: ResourceType): Array<Record<string, unknown>> {
  const main: Record<string, unknown> = {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: [...t.verbs],
  };
  if (t.shortNames.length) main.shortNames = t.shortNames;
  if (t.categories.length) main.categories = t.categories;
  const subs = t.subresources.map((s) => ({
    name: `${t.plural}/${s.name}`,
    singularName: '',
    namespaced: t.namespaced,
    ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
    kind: s.kind,
    verbs: s.verbs,
  }));
  return [main, ...subs];
}

export function apiResourceList(registry: Registry, group: string, version: string): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources: registry.inGroupVersion(group, version).flatMap(resourceEntries),
  };
}

/** `GET /`: the path index the real server returns. */
export function rootPaths(registry: Registry): unknown {
  const paths = ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/openapi/v3', '/readyz', '/version'];
  for (const g of registry.groupVersions()) {
    if (g.group === '') continue;
    paths.push(`/apis/${g.group}`, ...g.versions.map((v) => `/apis/${g.group}/${v}`));
  }
  return { paths: paths.sort() };
}
