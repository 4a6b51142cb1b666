/**
 * The Kubernetes API calls gauntlet's code makes, derived from the source, and the RBAC rule each
 * needs. Method names come from @kubernetes/client-node's generated API classes, whose request
 * factories carry each method's HTTP method and path, so `createNamespacedPodEviction` maps to
 * `POST /api/v1/namespaces/{namespace}/pods/{name}/eviction` → pods/eviction create, namespaced.
 * Watches are the reflectors' collection paths (`path: '/api/v1/nodes'`) → list and watch.
 * Raw requests are API paths in strings (`/api/v1/namespaces/${ns}/pods/${pod}/log`) → the verb of
 * the only HTTP method client-node has for that path (pods/log get).
 * Calls whose resource or verb is only known at run time (CustomObjectsApi, KubernetesObjectApi, a
 * raw path several methods share) must say what they touch in a comment on or just above the
 * call: `// rbac: k6.io/testruns create,get`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type Scope = 'namespaced' | 'cluster';

export interface ApiCall {
  readonly file: string;
  readonly line: number;
  readonly method: string;
  readonly group: string;
  /** With its subresource: `pods/eviction`. */
  readonly resource: string;
  readonly verb: string;
  /** namespaced: within the target namespace (a Role will do); cluster: needs a ClusterRole. */
  readonly scope: Scope;
}

export interface Unresolved {
  readonly file: string;
  readonly line: number;
  readonly method: string;
  readonly why: string;
}

interface Endpoint {
  readonly http: string;
  readonly path: string;
}

const require = createRequire(import.meta.url);
const GEN = path.join(path.dirname(require.resolve('@kubernetes/client-node')), 'gen', 'apis');
/** KubernetesObjectApi: the object's apiVersion and kind decide the resource, at run time. */
const DYNAMIC = /\.(objects)\s*\.\s*(create|read|patch|replace|delete|list)\s*\(/g;

/** method name → endpoint, from every generated API class (CoreV1Api.js, AppsV1Api.js, …). */
export function clientNodeEndpoints(): Map<string, Endpoint> {
  const out = new Map<string, Endpoint>();
  for (const f of readdirSync(GEN).filter((x) => x.endsWith('Api.js'))) {
    const text = readFileSync(path.join(GEN, f), 'utf8');
    for (const chunk of text.split('\n    async ').slice(1)) {
      const name = /^(\w+)\(/.exec(chunk)?.[1];
      const p = /localVarPath = '([^']+)'/.exec(chunk)?.[1];
      const http = /HttpMethod\.(\w+)/.exec(chunk)?.[1];
      if (name && p && http && !out.has(name)) out.set(name, { http, path: p });
    }
  }
  return out;
}

interface PathParts {
  group: string;
  resource: string;
  named: boolean;
  namespaced: boolean;
}

/** `/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale` → apps, deployments/scale, named. */
export function parseApiPath(p: string): PathParts | undefined {
  const segs = p.split('/').filter(Boolean);
  let rest: string[];
  let group: string;
  if (segs[0] === 'api') {
    group = '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    group = segs[1] ?? '';
    rest = segs.slice(3);
  } else return undefined;
  const namespaced = rest[0] === 'namespaces' && rest.length > 2;
  if (namespaced) rest = rest.slice(2);
  const [resource, name, sub] = rest;
  if (!resource) return undefined;
  const named = name !== undefined;
  return { group, resource: sub ? `${resource}/${sub}` : resource, named, namespaced };
}

function verbOf(http: string, named: boolean): string {
  switch (http) {
    case 'GET':
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return http.toLowerCase();
  }
}

/** Line comments and block comments out, line numbers kept. */
function stripComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, (_m, pre: string) => pre);
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

export function sourceFiles(roots: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  };
  for (const r of roots) walk(r);
  return out.sort();
}

/** `const NAME = 'value'` string constants, to resolve `group: TESTRUN_GROUP` in custom-object calls. */
export function stringConstants(texts: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of texts)
    for (const m of t.matchAll(/\bconst\s+(\w+)\s*(?::\s*string\s*)?=\s*(['"`])([^'"`$]*)\2/g))
      out.set(m[1] ?? '', m[3] ?? '');
  return out;
}

/** The text between a call's parentheses (`open` is the index of `(`). */
function callArgs(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** group and plural of a custom-object call: from its arguments, else the file's only pair. */
function customResource(text: string, args: string, constants: Map<string, string>) {
  const value = (src: string, key: string): string[] =>
    [...src.matchAll(new RegExp(`\\b${key}:\\s*(?:(['"\`])([^'"\`]+)\\1|(\\w+))`, 'g'))].map(
      (m) => m[2] ?? constants.get(m[3] ?? '') ?? `?${m[3]}`,
    );
  let groups = value(args, 'group');
  let plurals = value(args, 'plural');
  if (!groups.length || !plurals.length) {
    groups = [...new Set(value(text, 'group'))];
    plurals = [...new Set(value(text, 'plural'))];
  }
  const [group, plural] = [groups[0], plurals[0]];
  if (groups.length !== 1 || plurals.length !== 1 || group?.startsWith('?') || plural?.startsWith('?'))
    return undefined;
  return { group: group ?? '', resource: plural ?? '' };
}

/** Every API call in one file's text; `file` is only for messages. */
export function scanSource(
  file: string,
  raw: string,
  endpoints: Map<string, Endpoint> = clientNodeEndpoints(),
  constants: Map<string, string> = stringConstants([raw]),
): { calls: ApiCall[]; unresolved: Unresolved[] } {
  const text = stripComments(raw);
  const rawLines = raw.split('\n');
  const calls: ApiCall[] = [];
  const unresolved: Unresolved[] = [];
  // Outside a namespace path (nodes, namespaces, or pods of every namespace) only a ClusterRole reaches.
  const scopeOf = (parts: PathParts): Scope => (parts.namespaced ? 'namespaced' : 'cluster');

  // Declared calls: `// rbac: group/resource verb,verb` (core group: `/pods`).
  const declared = (line: number) => {
    for (let l = line; l >= Math.max(1, line - 3); l--) {
      const m = /\/\/\s*rbac:\s*([\w.-]*)\/([\w/.-]+)\s+([\w,]+)(\s+cluster)?/.exec(rawLines[l - 1] ?? '');
      if (m)
        return { group: m[1] ?? '', resource: m[2] ?? '', verbs: (m[3] ?? '').split(','), cluster: !!m[4] };
    }
    return undefined;
  };

  for (const m of text.matchAll(/\.\s*(\w+)\s*\(/g)) {
    const method = m[1] ?? '';
    const e = endpoints.get(method);
    if (!e) continue;
    const line = lineAt(text, m.index);
    const parts = parseApiPath(e.path);
    if (parts && parts.resource.includes('{') && e.path.includes('{group}')) {
      const custom = customResource(text, callArgs(text, m.index + m[0].length - 1), constants);
      if (custom) {
        calls.push({
          file,
          line,
          method,
          ...custom,
          verb: verbOf(e.http, parts.named),
          scope: scopeOf(parts),
        });
        continue;
      }
    }
    if (!parts || parts.resource.includes('{')) {
      const d = declared(line);
      if (!d) {
        unresolved.push({
          file,
          line,
          method,
          why: `${e.http} ${e.path}: the resource is only known at run time`,
        });
        continue;
      }
      for (const verb of d.verbs)
        calls.push({
          file,
          line,
          method,
          group: d.group,
          resource: d.resource,
          verb,
          scope: d.cluster ? 'cluster' : 'namespaced',
        });
      continue;
    }
    calls.push({
      file,
      line,
      method,
      group: parts.group,
      resource: parts.resource,
      verb: verbOf(e.http, parts.named),
      scope: scopeOf(parts),
    });
  }

  for (const m of text.matchAll(DYNAMIC)) {
    const line = lineAt(text, m.index);
    if (endpoints.has(m[2] ?? '')) continue; // handled above
    const d = declared(line);
    if (!d) {
      unresolved.push({
        file,
        line,
        method: `${m[1]}.${m[2]}`,
        why: 'a generic object call: its resource is only known at run time',
      });
      continue;
    }
    for (const verb of d.verbs)
      calls.push({
        file,
        line,
        method: `${m[1]}.${m[2]}`,
        group: d.group,
        resource: d.resource,
        verb,
        scope: d.cluster ? 'cluster' : 'namespaced',
      });
  }

  // Reflector watches: the collection path of a list-then-watch.
  const watched = new Set<number>();
  for (const m of text.matchAll(/(?:\bpath:\s*|\.watch\(\s*)(['"`])(\/apis?\/[^'"`]+)\1/g)) {
    watched.add(m.index + m[0].length - (m[2] ?? '').length - 2);
    const p = (m[2] ?? '').replace(/\$\{[^}]+\}/g, '{x}');
    const parts = parseApiPath(p);
    if (!parts) continue;
    const line = lineAt(text, m.index);
    for (const verb of ['list', 'watch'])
      calls.push({
        file,
        line,
        method: 'watch',
        group: parts.group,
        resource: parts.resource,
        verb,
        scope: scopeOf(parts),
      });
  }

  // Raw requests: an API path in a string, sent without the generated client (a log stream, a
  // fault endpoint). A path whose only endpoint is one HTTP method (pods/{name}/log: GET) gives its
  // verb; one that several methods share, or a custom resource's, must be declared.
  for (const m of text.matchAll(/(['"`])(\/apis?\/[^'"`\s]+)\1/g)) {
    if (watched.has(m.index)) continue;
    const literal = (m[2] ?? '').replace(/\$\{[^}]+\}/g, '{x}').replace(/[?#].*$/, '');
    const parts = parseApiPath(literal);
    if (!parts) continue;
    const line = lineAt(text, m.index);
    const d = declared(line);
    if (d) {
      for (const verb of d.verbs)
        calls.push({
          file,
          line,
          method: 'request',
          group: d.group,
          resource: d.resource,
          verb,
          scope: d.cluster ? 'cluster' : scopeOf(parts),
        });
      continue;
    }
    const methods = rawPathMethods(literal, endpoints);
    if (methods === undefined) continue; // a built-in group's prefix but no such resource: not a Kubernetes path
    if (methods.size !== 1) {
      unresolved.push({
        file,
        line,
        method: 'request',
        why: `raw request to ${m[2]}: ${methods.size ? `${[...methods].sort().join(', ')} share this path` : 'a resource client-node does not know'}, so the verb is unknown`,
      });
      continue;
    }
    calls.push({
      file,
      line,
      method: 'request',
      group: parts.group,
      resource: parts.resource,
      verb: verbOf([...methods][0] ?? 'GET', parts.named),
      scope: scopeOf(parts),
    });
  }
  return { calls, unresolved };
}

/** `/api/v1/namespaces/{x}/pods` against `/api/v1/namespaces/{namespace}/pods`: `{…}` matches one segment. */
function samePath(literal: readonly string[], template: readonly string[]): boolean {
  return (
    literal.length === template.length &&
    template.every((t, i) => (t.startsWith('{') ? true : t === literal[i] && !literal[i]?.startsWith('{')))
  );
}

/**
 * The HTTP methods client-node's endpoints use on a raw path. Undefined when the path lies under a
 * group/version client-node serves but names no endpoint of it (an application's own `/api/v1/…`
 * in a message); an empty set when the group is unknown (a custom resource).
 */
function rawPathMethods(literal: string, endpoints: Map<string, Endpoint>): Set<string> | undefined {
  const segs = literal.split('/').filter(Boolean);
  const prefix = segs.slice(0, segs[0] === 'api' ? 2 : 3).join('/');
  const methods = new Set<string>();
  let knownPrefix = false;
  for (const e of endpoints.values()) {
    const t = e.path.split('/').filter(Boolean);
    if (t.slice(0, segs[0] === 'api' ? 2 : 3).join('/') === prefix && !t.some((x) => x === '{group}'))
      knownPrefix = true;
    if (samePath(segs, t)) methods.add(e.http);
  }
  if (!methods.size && knownPrefix) return undefined;
  return methods;
}

export function scanTree(
  root: string,
  dirs: readonly string[],
): { calls: ApiCall[]; unresolved: Unresolved[] } {
  const endpoints = clientNodeEndpoints();
  const files = sourceFiles(dirs.map((d) => path.join(root, d)));
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const constants = stringConstants([...texts.values()]);
  const calls: ApiCall[] = [];
  const unresolved: Unresolved[] = [];
  for (const f of files) {
    const r = scanSource(path.relative(root, f), texts.get(f) ?? '', endpoints, constants);
    calls.push(...r.calls);
    unresolved.push(...r.unresolved);
  }
  return { calls, unresolved };
}

export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs?: readonly string[];
}

export function ruleAllows(
  rules: readonly PolicyRule[],
  group: string,
  resource: string,
  verb: string,
): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups ?? []).includes(group) &&
      (r.resources ?? []).includes(resource) &&
      (r.verbs ?? []).includes(verb),
  );
}

/** `group/resource verb` triples a set of rules grants. */
export function grants(rules: readonly PolicyRule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules)
    for (const g of r.apiGroups ?? [])
      for (const res of r.resources ?? []) for (const v of r.verbs ?? []) out.add(`${g}/${res} ${v}`);
  return out;
}

export const triple = (c: Pick<ApiCall, 'group' | 'resource' | 'verb'>) =>
  `${c.group}/${c.resource} ${c.verb}`;

export interface RbacReport {
  /** Calls whose verb no rule grants: `group/resource verb (scope) at file:line`. */
  readonly missing: string[];
  /** Grants no call needs: `ClusterRole|Role group/resource verb`. */
  readonly extra: string[];
}

/**
 * Least privilege both ways: every call is granted (a cluster-scope call by the ClusterRole, a
 * namespaced one by the Role or the ClusterRole), and every grant is used at its scope, once.
 */
export function checkRbac(
  calls: readonly ApiCall[],
  clusterRules: readonly PolicyRule[],
  roleRules: readonly PolicyRule[],
): RbacReport {
  const missing = new Map<string, string[]>();
  for (const c of calls) {
    const ok =
      c.scope === 'cluster'
        ? ruleAllows(clusterRules, c.group, c.resource, c.verb)
        : ruleAllows(roleRules, c.group, c.resource, c.verb) ||
          ruleAllows(clusterRules, c.group, c.resource, c.verb);
    if (ok) continue;
    const key = `${triple(c)} (${c.scope})`;
    missing.set(key, [...(missing.get(key) ?? []), `${c.file}:${c.line}`]);
  }
  const clusterNeeds = new Set(calls.filter((c) => c.scope === 'cluster').map(triple));
  const clusterGrants = grants(clusterRules);
  const nsNeeds = new Set(calls.filter((c) => c.scope === 'namespaced').map(triple));
  const extra = [
    ...[...clusterGrants].filter((g) => !clusterNeeds.has(g)).map((g) => `ClusterRole ${g}`),
    ...[...grants(roleRules)]
      .filter((g) => !nsNeeds.has(g) || clusterGrants.has(g))
      .map((g) => `Role ${g}${clusterGrants.has(g) ? ' (the ClusterRole grants it already)' : ''}`),
  ];
  return {
    missing: [...missing].map(([k, where]) => `${k} at ${where.slice(0, 3).join(', ')}`).sort(),
    extra: extra.sort(),
  };
}
