/**
 * The HPA's view of its scale target, as the scale subresource would show it: the stored object,
 * `spec.replicas` and the label selector of its pods. Lookup failures carry the messages the real
 * scale client reports (`no matches for kind …`, `deployments.apps "web" not found`), because they
 * end up verbatim in FailedGetScale events and conditions.
 */
import { ApiError } from '../../store/errors.ts';
import type { StorageName } from '../../store/registry.ts';
import { formatLabelSelector, matchesLabelSelector } from '../../store/selectors.ts';
import type { Store } from '../../store/store.ts';
import type { KubeObject, LabelSelector, StoredObject } from '../../store/types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export class ScaleTargetError extends Error {}

export interface ScaleTarget {
  storage: StorageName;
  object: StoredObject;
  /** `spec.replicas` as the Scale reports it. */
  replicas: number;
  selector: LabelSelector | undefined;
  /** The Scale's `status.selector`; empty when the target has none. */
  selectorText: string;
}

/** `schema.ParseGroupVersion`: '' and 'v1' are core, 'apps/v1' is group apps, more slashes are an error. */
function groupOf(apiVersion: string): string {
  const parts = apiVersion.split('/');
  if (parts.length > 2) throw new ScaleTargetError(`unexpected GroupVersion string: ${apiVersion}`);
  return parts.length === 2 ? parts[0]! : '';
}

export function getScaleTarget(store: Store, namespace: string, ref: any): ScaleTarget {
  const kind = String(ref?.kind ?? '');
  const name = String(ref?.name ?? '');
  const group = groupOf(String(ref?.apiVersion ?? ''));
  const types = store.registry.types.filter(
    (t) => t.kind === kind && t.group === group && t.storage && !t.view,
  );
  if (!types.length) throw new ScaleTargetError(`no matches for kind "${kind}" in group "${group}"`);
  const type = types[0]!;
  if (!type.subresources.some((s) => s.name === 'scale'))
    throw new ScaleTargetError('the server could not find the requested resource');
  const storage = type.storage!;
  let object: StoredObject;
  try {
    object = store.get(storage, namespace, name);
  } catch (err) {
    if (err instanceof ApiError) throw new ScaleTargetError(err.message);
    throw err;
  }
  const selector = object.spec?.selector as LabelSelector | undefined;
  const text = formatLabelSelector(selector);
  return {
    storage,
    object,
    replicas: Number.isInteger(object.spec?.replicas) ? object.spec.replicas : 1,
    selector,
    selectorText: text === '<none>' ? '' : text,
  };
}

export function selectPods(
  store: Store,
  namespace: string,
  selector: LabelSelector | undefined,
): StoredObject[] {
  return store
    .list('pods', { namespace })
    .items.filter((p) => matchesLabelSelector(selector, p.metadata.labels));
}

/** Keys (`ns/name`) of every HPA whose target selects at least one of `pods`, this one included. */
export function hpasSelecting(store: Store, self: KubeObject, pods: readonly StoredObject[]): string[] {
  const namespace = self.metadata.namespace ?? '';
  const keys = new Set<string>([`${namespace}/${self.metadata.name}`]);
  if (!pods.length) return [...keys];
  for (const other of store.list('horizontalpodautoscalers', { namespace }).items) {
    if (other.metadata.name === self.metadata.name) continue;
    let target: ScaleTarget;
    try {
      target = getScaleTarget(store, namespace, other.spec?.scaleTargetRef);
    } catch (err) {
      if (err instanceof ScaleTargetError) continue;
      throw err;
    }
    if (pods.some((p) => matchesLabelSelector(target.selector, p.metadata.labels)))
      keys.add(`${namespace}/${other.metadata.name}`);
  }
  return [...keys].sort();
}
