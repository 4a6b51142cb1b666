/**
 * `--stack`: the Novel Engine stack (infra-fixtures/k8s/overlays/local, or another overlay such as
 * overlays/broken/*) applied straight into the store, the way `kubectl apply -k` would create it,
 * then a wait until every Deployment of it is available and the ingress answers.
 */
import path from 'node:path';
import { repoRoot } from '../runtime.ts';
import { apiVersionOf, type StorageName } from '../store/registry.ts';
import type { Store } from '../store/store.ts';
import type { KubeObject } from '../store/types.ts';
import { renderOverlay, type Manifest } from './kustomize.ts';

export const kStackOverlay = path.join(repoRoot, 'infra-fixtures', 'k8s', 'overlays', 'local');

function storageFor(store: Store, m: Manifest): { storage: StorageName; obj: KubeObject } {
  const type = store.registry.types.find((t) => apiVersionOf(t) === m.apiVersion && t.kind === m.kind);
  if (!type?.storage)
    throw new Error(`stack: ${m.apiVersion} ${m.kind} ${m.metadata.name} is not served by the local cluster`);
  return { storage: type.storage, obj: type.view ? type.view.toStorage(m as KubeObject) : (m as KubeObject) };
}

/** Creates each object, or replaces the spec of one that already exists; returns what was applied. */
export function applyManifests(store: Store, manifests: readonly Manifest[]): Manifest[] {
  for (const m of manifests) {
    const { storage, obj } = storageFor(store, structuredClone(m));
    const existing = store.tryGet(storage, obj.metadata.namespace, obj.metadata.name!);
    if (!existing) {
      store.create(storage, obj);
      continue;
    }
    const next = structuredClone(obj);
    next.metadata = {
      ...existing.metadata,
      labels: obj.metadata.labels,
      annotations: obj.metadata.annotations,
    };
    store.update(storage, next);
  }
  return [...manifests];
}

/** Renders the overlay (kubectl kustomize when it has patches; see kustomize.ts) and applies it. */
export async function deployStack(store: Store, overlay: string = kStackOverlay): Promise<Manifest[]> {
  return applyManifests(store, await renderOverlay(overlay));
}

function deploymentAvailable(store: Store, ns: string, name: string): boolean {
  const d = store.tryGet('deployments', ns, name);
  if (!d) return false;
  const s = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  const available = (s.conditions ?? []).some(
    (c: { type: string; status: string }) => c.type === 'Available' && c.status === 'True',
  );
  return (
    available &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
    (s.updatedReplicas ?? 0) >= want &&
    (s.availableReplicas ?? 0) >= want
  );
}

/** Resolves when every Deployment is available and `probeUrl` answers 200; throws at the deadline. */
export async function waitForStack(
  store: Store,
  manifests: readonly Manifest[],
  options: { probeUrl?: string; timeoutMs: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const deployments = manifests.filter((m) => m.kind === 'Deployment');
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (;;) {
    const pending = deployments.filter(
      (d) => !deploymentAvailable(store, d.metadata.namespace ?? 'default', d.metadata.name),
    );
    if (!pending.length) break;
    if (Date.now() > deadline) {
      const names = pending.map((d) => `${d.metadata.namespace}/${d.metadata.name}`).join(', ');
      throw new Error(`stack: deployment ${names} not available within ${options.timeoutMs} ms`);
    }
    await sleep(100);
  }
  if (!options.probeUrl) return;
  let last = '';
  for (;;) {
    try {
      const res = await fetch(options.probeUrl, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline)
      throw new Error(
        `stack: ${options.probeUrl} did not answer 200 within ${options.timeoutMs} ms (last: ${last})`,
      );
    await sleep(200);
  }
}
