/**
 * Per-kind write rules, the way upstream registry strategies work: defaulting and server-owned
 * fields on create/update, and validation returning field causes (→ 422 Invalid). They run on
 * every write, whether it comes over HTTP or from a controller calling the store directly, so
 * controller-created pods get the same defaults as kubectl-created ones.
 */
import type { StatusCause } from '../errors.ts';
import type { StorageName } from '../registry.ts';
import type { KubeObject, StoredObject } from '../types.ts';

export interface StrategyContext {
  now: Date;
  /** Current objects of a storage, for allocators (cluster IPs, node ports). */
  list(storage: StorageName): readonly StoredObject[];
}

export interface Strategy {
  /** Mutates a draft that is about to be created (defaults, reset status, server-set fields). */
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void;
  /** Mutates a draft about to replace `old` (main resource writes only, not `/status`). */
  prepareForUpdate?(obj: KubeObject, old: StoredObject, ctx: StrategyContext): void;
  /** Field problems; an empty list means valid. `old` is set on updates. */
  validate?(obj: KubeObject, old: StoredObject | undefined): StatusCause[];
  /** Reset `status` on create, as upstream does for kinds with a status subresource. */
  initialStatus?(obj: KubeObject): unknown;
}

export function invalid(field: string, message: string, reason = 'FieldValueInvalid'): StatusCause {
  return { reason, field, message };
}

export function required(field: string): StatusCause {
  return { reason: 'FieldValueRequired', field, message: 'Required value' };
}
