/** Public surface of the object store; see the API notes in README.md beside it. */
export { Store, type StoreOptions, type WatchOptions, type WriteOptions } from './store.ts';
export type { DeleteResult } from './deletion.ts';
export type { ListOptions, ListResult, SelectorOptions } from './query.ts';
export { ApiError, errors, type StatusCause, type StatusDetails } from './errors.ts';
export { Registry, apiVersionOf, storageNames, type ResourceType, type StorageName } from './registry.ts';
export { defaultRegistry, resourceTypes } from './resources.ts';
export {
  formatLabelSelector,
  labelSelectorRequirements,
  matchesLabelSelector,
  parseLabelSelector,
} from './selectors.ts';
export { applyPatch } from './patch.ts';
export { bindPod } from './podOps.ts';
export { randomSuffix, rfc3339, rfc3339Micro } from './util.ts';
export type * from './types.ts';
