/** Write-path helpers: input normalization, preconditions, identity preservation and validation. */
import { errors } from './errors.ts';
import { clone, isPlainObject } from './json.ts';
import { apiVersionOf, type ResourceType, type StorageName } from './registry.ts';
import { strategyFor, validateMetadata, type Strategy } from './strategies/index.ts';
import type { KubeObject, StoredObject } from './types.ts';

/** A private copy with this type's apiVersion/kind; a different kind or a non-object is a 400. */
export function normalizeInput(type: ResourceType, input: KubeObject): KubeObject {
  if (!isPlainObject(input)) throw errors.badRequest(`a ${type.kind} must be a JSON object`);
  const obj = clone(input);
  if (obj.kind !== undefined && obj.kind !== type.kind) {
    throw errors.badRequest(
      `the kind in the data (${String(obj.kind)}) does not match the expected kind (${type.kind})`,
    );
  }
  obj.apiVersion = apiVersionOf(type);
  obj.kind = type.kind;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (!isPlainObject(obj.metadata)) throw errors.badRequest('metadata must be a JSON object');
  return obj;
}

/** A resourceVersion or uid in the incoming object must match the stored one (409 otherwise). */
export function checkPreconditions(
  type: ResourceType,
  storage: StorageName,
  obj: KubeObject,
  old: StoredObject,
): StoredObject {
  const meta = obj.metadata;
  if (meta.resourceVersion && meta.resourceVersion !== old.metadata.resourceVersion) {
    throw errors.conflict(storage, old.metadata.name, type.group);
  }
  if (meta.uid && meta.uid !== old.metadata.uid) {
    throw errors.conflict(
      storage,
      old.metadata.name,
      type.group,
      `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.metadata.uid}`,
    );
  }
  return old;
}

const kServerOwned = [
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'namespace',
] as const;

/** Fields a client cannot change through an update keep their stored values. */
export function preserveIdentity(obj: KubeObject, old: StoredObject): void {
  const m = obj.metadata as Record<string, unknown>;
  for (const k of kServerOwned) {
    if (old.metadata[k] === undefined) delete m[k];
    else m[k] = old.metadata[k];
  }
  delete m.managedFields;
  delete m.selfLink;
}

/** A type's own write rules (custom resources), else those of its built-in storage. */
export function strategyOf(type: ResourceType, storage: StorageName): Strategy {
  return type.strategy ?? strategyFor(storage);
}

export function validateObject(
  type: ResourceType,
  storage: StorageName,
  obj: KubeObject,
  old: StoredObject | undefined,
): void {
  const causes = [
    ...validateMetadata(storage, obj),
    ...(strategyOf(type, storage).validate?.(obj, old) ?? []),
  ];
  if (causes.length) throw errors.invalid(type.kind, obj.metadata.name ?? '', causes, type.group);
}
