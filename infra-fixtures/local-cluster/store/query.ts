/** Selection and paging for list and watch: selector parsing into one predicate, and continue tokens. */
import { errors } from './errors.ts';
import type { ResourceType } from './registry.ts';
import {
  labelSelectorRequirements,
  matchesFields,
  matchesRequirements,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.ts';
import type { LabelSelector, StoredObject } from './types.ts';

export interface SelectorOptions {
  namespace?: string;
  labelSelector?: string | LabelSelector;
  fieldSelector?: string;
}

export interface ListOptions extends SelectorOptions {
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: StoredObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** One predicate for namespace + label + field selection; unsupported fields are a 400 up front. */
export function buildMatcher(type: ResourceType, options: SelectorOptions): (obj: StoredObject) => boolean {
  const labels =
    typeof options.labelSelector === 'object'
      ? labelSelectorRequirements(options.labelSelector)
      : parseLabelSelector(options.labelSelector);
  const fields = parseFieldSelector(options.fieldSelector);
  const getters = {
    'metadata.name': (o: { metadata: { name?: string } }) => o.metadata.name ?? '',
    'metadata.namespace': (o: { metadata: { namespace?: string } }) => o.metadata.namespace ?? '',
    ...type.fieldSelectors,
  };
  for (const f of fields) {
    if (!(f.field in getters)) throw errors.badRequest(`field label not supported: ${f.field}`);
  }
  const ns = type.namespaced ? options.namespace || undefined : undefined;
  return (obj) =>
    (ns === undefined || obj.metadata.namespace === ns) &&
    matchesRequirements(labels, obj.metadata.labels) &&
    matchesFields(fields, obj as unknown as Parameters<typeof matchesFields>[1], getters);
}

function decodeContinue(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof parsed.k === 'string') return parsed.k;
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest('continue key is not valid: expected a token from a previous list response');
}

/**
 * Items in key order (namespace/name, like etcd), at most `limit` of them, resuming after the key
 * carried by a continue token. Tokens name a position, not a snapshot: pages see current data.
 */
export function paginate(
  entries: Array<[string, StoredObject]>,
  match: (obj: StoredObject) => boolean,
  options: ListOptions,
  rv: number,
): ListResult {
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let start = 0;
  if (options.continue) {
    const after = decodeContinue(options.continue);
    start = entries.findIndex(([k]) => k > after);
    if (start < 0) start = entries.length;
  }
  const items: StoredObject[] = [];
  let lastKey = '';
  let i = start;
  for (; i < entries.length; i++) {
    const [key, obj] = entries[i]!;
    if (!match(obj)) continue;
    if (options.limit && options.limit > 0 && items.length >= options.limit) break;
    items.push(obj);
    lastKey = key;
  }
  const result: ListResult = { items, resourceVersion: String(rv) };
  const remaining = entries.slice(i).filter(([, o]) => match(o)).length;
  if (remaining > 0) {
    result.continue = Buffer.from(JSON.stringify({ k: lastKey, rv })).toString('base64url');
    result.remainingItemCount = remaining;
  }
  return result;
}
