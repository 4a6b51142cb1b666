/**
 * The OpenAPI v3 stub of spec §2.4. kubectl's default `--validate=strict` only needs to learn that
 * the server validates fields itself: a PATCH operation tagged with the GVK and carrying a
 * `fieldValidation` query parameter. With that it skips client-side schema validation. The patch
 * operations carry no request body, so `kubectl apply` computes strategic patches from its
 * compiled-in types instead of the (absent) schemas.
 */
import { createHash } from 'node:crypto';
import type { Registry } from '../store/registry.ts';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function gvDocument(registry: Registry, group: string, version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const t of registry.inGroupVersion(group, version)) {
    if (!t.verbs.includes('patch')) continue;
    const base = `/${gvPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${t.namespaced ? 'Namespaced' : ''}${t.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: t.kind },
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: {} },
  };
}

export interface OpenApiReply {
  code: number;
  body: unknown;
}

export function serveOpenApi(registry: Registry, rest: string[]): OpenApiReply {
  if (rest[0] !== 'v3') return { code: 404, body: undefined };
  const gvs = registry
    .groupVersions()
    .flatMap((g) => g.versions.map((v) => ({ group: g.group, version: v })));
  if (rest.length === 1) {
    const paths: Record<string, unknown> = {};
    for (const gv of gvs) {
      const doc = gvDocument(registry, gv.group, gv.version);
      const hash = createHash('sha256').update(JSON.stringify(doc)).digest('hex').toUpperCase().slice(0, 64);
      paths[gvPath(gv.group, gv.version)] = {
        serverRelativeURL: `/openapi/v3/${gvPath(gv.group, gv.version)}?hash=${hash}`,
      };
    }
    return { code: 200, body: { paths } };
  }
  const wanted = rest.slice(1).join('/');
  const gv = gvs.find((x) => gvPath(x.group, x.version) === wanted);
  if (!gv) return { code: 404, body: undefined };
  return { code: 200, body: gvDocument(registry, gv.group, gv.version) };
}
