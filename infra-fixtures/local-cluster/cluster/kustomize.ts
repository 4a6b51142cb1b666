/**
 * The subset of `kustomize build` the stack's manifests use, so `--stack` needs no kubectl:
 * `resources` (files, or directories with their own kustomization), `namespace` and `labels`
 * (`pairs`, `includeTemplates`), with kustomize's legacy output order. Anything else in a
 * kustomization is refused with the field named, rather than silently rendered differently from
 * `kubectl kustomize` (a test compares the two).
 *
 * `renderOverlay` is what deploying uses: the built-in renderer when it covers the overlay, and
 * `kubectl kustomize` for overlays with patches and the like (the seeded-broken stacks).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/* eslint-disable @typescript-eslint/no-explicit-any */

export type Manifest = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, any> & { name: string };
};

export class KustomizeError extends Error {
  readonly code = 'LOCAL_CLUSTER_KUSTOMIZE_UNSUPPORTED';
  /**
   * Set when the kustomization is valid but beyond the built-in renderer (the field, e.g.
   * `patches`), so `kubectl kustomize` can build it; unset for a broken kustomization.
   */
  readonly unsupported?: string;
  constructor(message: string, unsupported?: string) {
    super(message);
    this.name = 'KustomizeError';
    if (unsupported !== undefined) this.unsupported = unsupported;
  }
}

const kFileNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const kSupported = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels']);

/** Kinds kustomize knows to be cluster scoped among those a stack may carry. */
const kClusterScoped = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'IngressClass',
  'PriorityClass',
  'RuntimeClass',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
]);

/** Pod templates that `includeTemplates` labels, by kind. */
const kTemplatePaths: Record<string, string[][]> = {
  Deployment: [['spec', 'template', 'metadata', 'labels']],
  ReplicaSet: [['spec', 'template', 'metadata', 'labels']],
  StatefulSet: [['spec', 'template', 'metadata', 'labels']],
  DaemonSet: [['spec', 'template', 'metadata', 'labels']],
  Job: [['spec', 'template', 'metadata', 'labels']],
  CronJob: [
    ['spec', 'jobTemplate', 'metadata', 'labels'],
    ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels'],
  ],
};

// kustomize's legacy order (api/resid/gvk.go): these kinds first, in this order, then the rest.
const kOrderFirst = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const kOrderLast = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function typeOrder(kind: string): number {
  const first = kOrderFirst.indexOf(kind);
  if (first >= 0) return first - kOrderFirst.length;
  const last = kOrderLast.indexOf(kind);
  return last >= 0 ? 1 + last : 0;
}

function sortKey(m: Manifest): string {
  const slash = m.apiVersion.indexOf('/');
  const group = slash >= 0 ? m.apiVersion.slice(0, slash) : '~G';
  const version = slash >= 0 ? m.apiVersion.slice(slash + 1) : m.apiVersion || '~V';
  return `${group}_${version}_${m.kind || '~K'}|${m.metadata.namespace ?? '~X'}|${m.metadata.name}`;
}

export function legacySort(manifests: Manifest[]): Manifest[] {
  return [...manifests].sort(
    (a, b) =>
      typeOrder(a.kind) - typeOrder(b.kind) ||
      (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0),
  );
}

function readKustomization(dir: string): { file: string; doc: Record<string, any> } {
  const name = kFileNames.find((n) => existsSync(path.join(dir, n)));
  if (!name) throw new KustomizeError(`${dir}: no kustomization.yaml here`);
  const file = path.join(dir, name);
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const doc = docs[0]?.toJS() as unknown;
  if (docs.length !== 1 || typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new KustomizeError(`${file}: must hold one YAML mapping`);
  const unknownKey = Object.keys(doc).find((k) => !kSupported.has(k));
  if (unknownKey !== undefined) {
    throw new KustomizeError(
      `${file}: field ${unknownKey} is not supported by the built-in renderer (supported: ${[...kSupported].join(', ')}); render with kubectl kustomize instead`,
      unknownKey,
    );
  }
  return { file, doc: doc as Record<string, any> };
}

/** The objects of a multi-document YAML text; `where` names its source in errors. */
function parseManifests(text: string, where: string): Manifest[] {
  const out: Manifest[] = [];
  for (const [i, d] of parseAllDocuments(text).entries()) {
    if (d.errors.length) throw new KustomizeError(`${where}: document ${i + 1}: ${d.errors[0]!.message}`);
    const obj = d.toJS() as Manifest | null;
    if (obj === null) continue;
    if (
      typeof obj.kind !== 'string' ||
      typeof obj.apiVersion !== 'string' ||
      typeof obj.metadata?.name !== 'string'
    )
      throw new KustomizeError(`${where}: document ${i + 1} needs apiVersion, kind and metadata.name`);
    out.push(obj);
  }
  return out;
}

function readManifests(file: string): Manifest[] {
  return parseManifests(readFileSync(file, 'utf8'), file);
}

function setLabels(obj: Record<string, any>, keys: string[], pairs: Record<string, string>): void {
  let node = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
    node = node[k];
  }
  const last = keys[keys.length - 1]!;
  node[last] = { ...(node[last] ?? {}), ...pairs };
}

function applyLabels(manifests: Manifest[], labels: unknown, file: string): void {
  if (labels === undefined) return;
  if (!Array.isArray(labels)) throw new KustomizeError(`${file}: labels must be a list of {pairs: {...}}`);
  labels.forEach((entry: any, i) => {
    const where = `${file}: labels[${i}]`;
    const extra = Object.keys(entry ?? {}).find(
      (k) => !['pairs', 'includeTemplates', 'includeSelectors'].includes(k),
    );
    if (extra !== undefined) throw new KustomizeError(`${where}.${extra} is not supported`);
    if (entry.includeSelectors)
      throw new KustomizeError(
        `${where}.includeSelectors is not supported by the built-in renderer`,
        'labels.includeSelectors',
      );
    const pairs = entry.pairs ?? {};
    if (typeof pairs !== 'object' || Object.values(pairs).some((v) => typeof v !== 'string'))
      throw new KustomizeError(`${where}.pairs must map label keys to strings (quote numbers)`);
    for (const m of manifests) {
      setLabels(m, ['metadata', 'labels'], pairs);
      if (entry.includeTemplates) for (const p of kTemplatePaths[m.kind] ?? []) setLabels(m, p, pairs);
    }
  });
}

function applyNamespace(manifests: Manifest[], namespace: unknown, file: string): void {
  if (namespace === undefined) return;
  if (typeof namespace !== 'string' || namespace === '')
    throw new KustomizeError(`${file}: namespace must be a non-empty string`);
  for (const m of manifests) {
    if (m.kind === 'Namespace') m.metadata.name = namespace;
    else if (!kClusterScoped.has(m.kind)) m.metadata.namespace = namespace;
  }
}

function build(dir: string, seen: Set<string>): Manifest[] {
  const real = path.resolve(dir);
  if (seen.has(real)) throw new KustomizeError(`${real}: kustomization includes itself`);
  const { file, doc } = readKustomization(real);
  const resources = doc.resources ?? [];
  if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string'))
    throw new KustomizeError(`${file}: resources must be a list of paths`);
  const manifests: Manifest[] = [];
  for (const r of resources as string[]) {
    const target = path.resolve(real, r);
    if (!existsSync(target)) throw new KustomizeError(`${file}: resources: ${r} does not exist`);
    if (statSync(target).isDirectory()) manifests.push(...build(target, new Set([...seen, real])));
    else manifests.push(...readManifests(target));
  }
  applyNamespace(manifests, doc.namespace, file);
  applyLabels(manifests, doc.labels, file);
  return manifests;
}

/** `kubectl kustomize <dir>` for the supported subset: the objects in kustomize's legacy order. */
export function renderKustomization(dir: string): Manifest[] {
  return legacySort(build(dir, new Set()));
}

export interface KubectlKustomizeOptions {
  /** The kubectl binary. @default 'kubectl' (from PATH) */
  readonly kubectl?: string;
  /** @default 60000 */
  readonly timeoutMs?: number;
  /** Why kubectl is needed, for the message when it is missing (e.g. 'field patches'). */
  readonly reason?: string;
}

/** `kubectl kustomize <dir>`: the objects in the order kubectl prints them. */
export function kubectlKustomize(dir: string, options: KubectlKustomizeOptions = {}): Promise<Manifest[]> {
  const kubectl = options.kubectl ?? 'kubectl';
  const overlay = path.resolve(dir);
  return new Promise((resolve, reject) => {
    execFile(
      kubectl,
      ['kustomize', overlay],
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          reject(
            new KustomizeError(
              `${overlay}: ${options.reason ? `${options.reason} needs` : 'building this overlay needs'} kubectl kustomize ` +
                `(the built-in renderer covers only ${[...kSupported].join(', ')}), and ${kubectl} was not found (not on PATH); ` +
                `install kubectl 1.27 or newer (kustomize v5), or reduce the overlay to resources, namespace and labels`,
            ),
          );
          return;
        }
        if (err) {
          const detail = String(stderr).trim() || err.message;
          reject(new KustomizeError(`${overlay}: kubectl kustomize failed: ${detail}`));
          return;
        }
        try {
          resolve(parseManifests(String(stdout), `kubectl kustomize ${overlay}`));
        } catch (parseErr) {
          reject(parseErr);
        }
      },
    );
  });
}

/**
 * The overlay's objects for deploying: built in when the overlay (and everything it includes) uses
 * only resources, namespace and labels, else `kubectl kustomize`.
 */
export async function renderOverlay(
  dir: string,
  options: Omit<KubectlKustomizeOptions, 'reason'> = {},
): Promise<Manifest[]> {
  try {
    return renderKustomization(dir);
  } catch (err) {
    if (!(err instanceof KustomizeError) || err.unsupported === undefined) throw err;
    return kubectlKustomize(dir, { ...options, reason: `field ${err.unsupported}` });
  }
}
