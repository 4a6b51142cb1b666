/**
 * The three PATCH flavours (spec §1): JSON merge patch (RFC 7386), JSON patch (RFC 6902, the
 * client-node default) and the strategic-merge subset kubectl relies on. Each takes the current
 * object and returns a new one; the input is never mutated.
 */
import { ApiError, errors } from './errors.ts';
import { clone, isPlainObject, jsonEqual } from './json.ts';
import type { PatchType } from './types.ts';

type Json = unknown;
type JsonMap = Record<string, unknown>;

export function mergePatch(target: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return clone(patch);
  const result: JsonMap = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

function unprocessable(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) {
    throw errors.badRequest(
      `json patch: invalid path ${JSON.stringify(pointer)}: a JSON pointer starts with "/"`,
    );
  }
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Slot {
  parent: JsonMap | Json[];
  key: string;
}

/** Resolves the parent container of `tokens` (which must exist) inside `doc`. */
function slot(doc: Json, tokens: string[], op: string, pointer: string): Slot {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isPlainObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined)
      throw unprocessable(`jsonpatch ${op} operation does not apply: doc is missing path: "${pointer}"`);
  }
  if (!Array.isArray(cur) && !isPlainObject(cur))
    throw unprocessable(`jsonpatch ${op} operation does not apply: doc is missing path: "${pointer}"`);
  return { parent: cur, key: tokens[tokens.length - 1]! };
}

function arrayIndex(arr: Json[], key: string, forInsert: boolean, op: string, pointer: string): number {
  if (forInsert && key === '-') return arr.length;
  const i = /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : NaN;
  const max = forInsert ? arr.length : arr.length - 1;
  if (!Number.isInteger(i) || i > max)
    throw unprocessable(`jsonpatch ${op} operation does not apply: index out of range in "${pointer}"`);
  return i;
}

function getAt(doc: Json, pointer: string, op: string): Json {
  const tokens = parsePointer(pointer);
  if (!tokens.length) return doc;
  const s = slot(doc, tokens, op, pointer);
  const v = Array.isArray(s.parent)
    ? s.parent[arrayIndex(s.parent, s.key, false, op, pointer)]
    : s.parent[s.key];
  if (v === undefined)
    throw unprocessable(`jsonpatch ${op} operation does not apply: doc is missing path: "${pointer}"`);
  return v;
}

function removeAt(doc: Json, pointer: string, op: string): Json {
  const tokens = parsePointer(pointer);
  const s = slot(doc, tokens, op, pointer);
  if (Array.isArray(s.parent)) return s.parent.splice(arrayIndex(s.parent, s.key, false, op, pointer), 1)[0];
  if (!(s.key in s.parent))
    throw unprocessable(`jsonpatch ${op} operation does not apply: doc is missing key: "${pointer}"`);
  const v = s.parent[s.key];
  delete s.parent[s.key];
  return v;
}

function addAt(doc: Json, pointer: string, value: Json, op: string, replace: boolean): Json {
  const tokens = parsePointer(pointer);
  if (!tokens.length) return clone(value);
  const s = slot(doc, tokens, op, pointer);
  if (Array.isArray(s.parent)) {
    const i = arrayIndex(s.parent, s.key, !replace, op, pointer);
    s.parent.splice(i, replace ? 1 : 0, clone(value));
  } else {
    if (replace && !(s.key in s.parent))
      throw unprocessable(`jsonpatch replace operation does not apply: doc is missing key: "${pointer}"`);
    s.parent[s.key] = clone(value);
  }
  return doc;
}

export function jsonPatch(target: Json, patch: Json): Json {
  if (!Array.isArray(patch))
    throw errors.badRequest('json patch: the patch must be a JSON array of operations');
  let doc = clone(target);
  patch.forEach((operation, i) => {
    if (!isPlainObject(operation) || typeof operation.op !== 'string') {
      throw errors.badRequest(`json patch: operation ${i} must be an object with an "op" field`);
    }
    const { op, path } = operation as { op: string; path: string };
    switch (op) {
      case 'add':
      case 'replace':
        if (!('value' in operation))
          throw errors.badRequest(`json patch: operation ${i} (${op}) needs a "value"`);
        doc = addAt(doc, path, operation.value, op, op === 'replace');
        break;
      case 'remove':
        removeAt(doc, path, op);
        break;
      case 'move': {
        const v = removeAt(doc, operation.from as string, op);
        doc = addAt(doc, path, v, op, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, getAt(doc, operation.from as string, op), op, false);
        break;
      case 'test':
        if (!jsonEqual(getAt(doc, path, op), operation.value))
          throw unprocessable(`testing value ${path} failed: test failed`);
        break;
      default:
        throw errors.badRequest(`json patch: unknown operation "${op}" at index ${i}`);
    }
  });
  return doc;
}

/** List fields that merge element-wise by a key under strategic merge (the subset of spec §1). */
const kMergeKeys: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  conditions: 'type',
  ownerReferences: 'uid',
  addresses: 'type',
};

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  if (field === 'ports')
    return items.some((p) => isPlainObject(p) && 'containerPort' in p) ? 'containerPort' : 'port';
  return kMergeKeys[field];
}

function mergeList(field: string, current: Json, patch: Json[]): Json {
  if (patch.some((e) => isPlainObject(e) && e.$patch === 'replace')) {
    return patch
      .filter((e) => !(isPlainObject(e) && e.$patch === 'replace'))
      .map((e) => strategicMerge(undefined, e));
  }
  const key = mergeKeyFor(field, patch);
  if (!key || !patch.every(isPlainObject)) return clone(patch);
  const result: Json[] = Array.isArray(current) ? current.map((e) => clone(e)) : [];
  for (const elem of patch as JsonMap[]) {
    const idx = result.findIndex((e) => isPlainObject(e) && e[key] === elem[key]);
    if (elem.$patch === 'delete') {
      if (idx >= 0) result.splice(idx, 1);
    } else if (idx >= 0) result[idx] = strategicMerge(result[idx], elem);
    else result.push(strategicMerge(undefined, elem));
  }
  return result;
}

export function strategicMerge(target: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return clone(patch);
  if (patch.$patch === 'delete') return undefined;
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return strategicMerge(undefined, rest);
  }
  const result: JsonMap = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const drop = Array.isArray(v) ? v : [];
      if (Array.isArray(result[field]))
        result[field] = (result[field] as Json[]).filter((x) => !drop.includes(x));
      continue;
    }
    if (v === null) delete result[k];
    else if (Array.isArray(v)) result[k] = mergeList(k, result[k], v);
    else if (isPlainObject(v)) {
      const merged = strategicMerge(result[k], v);
      if (merged === undefined) delete result[k];
      else result[k] = merged;
    } else result[k] = v;
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(result)) if (!patch.$retainKeys.includes(k)) delete result[k];
  }
  return result;
}

export const kPatchContentTypes: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
};

export function applyPatch(type: PatchType, target: Json, patch: Json): Json {
  switch (type) {
    case 'merge':
      return mergePatch(target, patch);
    case 'json':
      return jsonPatch(target, patch);
    case 'strategic':
      return strategicMerge(target, patch);
  }
}
