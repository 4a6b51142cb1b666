/**
 * What the API server does with a custom resource's `openAPIV3Schema` on every write, in the
 * order upstream does it: drop `null`s of non-nullable fields, prune fields the schema does not
 * know (unless `x-kubernetes-preserve-unknown-fields`), apply `default`s, then validate types,
 * `required`, `enum`, bounds and patterns into field causes (→ 422 Invalid).
 *
 * `apiVersion`, `kind` and `metadata` at the root are the server's business, never pruned.
 * Unsupported keywords (`oneOf`, `x-kubernetes-validations`, …) are accepted and not enforced.
 */
import type { StatusCause } from './errors.ts';
import { clone, isPlainObject } from './json.ts';

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

const kRootFields = new Set(['apiVersion', 'kind', 'metadata']);

/** Prunes and defaults `value` in place (objects and arrays); returns the value to keep. */
export function pruneAndDefault(schema: Schema | undefined, value: unknown, root = false): unknown {
  if (!schema) return value;
  if (Array.isArray(value)) {
    if (schema.items) {
      for (let i = 0; i < value.length; i++) value[i] = pruneAndDefault(schema.items, value[i]);
    }
    return value;
  }
  if (!isPlainObject(value)) return value;
  const props = schema.properties ?? {};
  const extra = schema.additionalProperties;
  const keepUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true || extra === true;
  for (const key of Object.keys(value)) {
    if (root && kRootFields.has(key)) continue;
    const sub = props[key] ?? (typeof extra === 'object' ? extra : undefined);
    if (!sub) {
      if (!keepUnknown) delete value[key];
      continue;
    }
    if (value[key] === null && !sub.nullable) {
      delete value[key];
      continue;
    }
    value[key] = pruneAndDefault(sub, value[key]);
  }
  for (const [key, sub] of Object.entries(props)) {
    if (value[key] === undefined && sub.default !== undefined) value[key] = clone(sub.default);
  }
  return value;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(schema: Schema, v: unknown): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof v === 'string' || Number.isInteger(v);
  switch (schema.type) {
    case undefined:
      return true;
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Field causes of `value` against `schema`; `path` is the field path so far (e.g. `spec`). */
export function validateSchema(schema: Schema | undefined, value: unknown, path = ''): StatusCause[] {
  if (!schema) return [];
  const at = (key: string | number) =>
    typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
  if (value === null) {
    if (schema.nullable) return [];
    return [
      {
        reason: 'FieldValueTypeInvalid',
        field: path,
        message: `Invalid value: "null": ${path} in body must be of type ${schema.type ?? 'object'}: "null"`,
      },
    ];
  }
  if (!typeMatches(schema, value)) {
    const want = schema['x-kubernetes-int-or-string'] ? 'integer or string' : schema.type;
    return [
      {
        reason: 'FieldValueTypeInvalid',
        field: path,
        message: `Invalid value: "${typeName(value)}": ${path} in body must be of type ${want}: "${typeName(value)}"`,
      },
    ];
  }
  const causes: StatusCause[] = [];
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: path,
      message: `Unsupported value: ${show(value)}: supported values: ${schema.enum.map(show).join(', ')}`,
    });
  }
  const bound = (ok: boolean, message: string) =>
    ok ||
    causes.push({
      reason: 'FieldValueInvalid',
      field: path,
      message: `Invalid value: ${show(value)}: ${path} in body ${message}`,
    });
  if (typeof value === 'number') {
    if (schema.minimum !== undefined)
      bound(value >= schema.minimum, `should be greater than or equal to ${schema.minimum}`);
    if (schema.maximum !== undefined)
      bound(value <= schema.maximum, `should be less than or equal to ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined)
      bound(value.length >= schema.minLength, `should be at least ${schema.minLength} chars long`);
    if (schema.maxLength !== undefined)
      bound(value.length <= schema.maxLength, `may not be longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(schema.pattern, 'u');
      } catch {
        re = undefined;
      }
      if (re) bound(re.test(value), `should match '${schema.pattern}'`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined)
      bound(value.length >= schema.minItems, `should have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined)
      bound(value.length <= schema.maxItems, `should have at most ${schema.maxItems} items`);
    if (schema.items) value.forEach((item, i) => causes.push(...validateSchema(schema.items, item, at(i))));
  }
  if (isPlainObject(value)) {
    for (const key of schema.required ?? []) {
      if (value[key] === undefined)
        causes.push({ reason: 'FieldValueRequired', field: at(key), message: 'Required value' });
    }
    const extra = schema.additionalProperties;
    for (const [key, v] of Object.entries(value)) {
      if (!path && kRootFields.has(key)) continue;
      const sub = schema.properties?.[key] ?? (typeof extra === 'object' ? extra : undefined);
      causes.push(...validateSchema(sub, v, at(key)));
    }
  }
  return causes;
}

/** The schema itself must be usable: a root of type object, every `type` one upstream knows. */
export function schemaProblems(schema: unknown, path: string): StatusCause[] {
  if (!isPlainObject(schema))
    return [{ reason: 'FieldValueRequired', field: path, message: 'Required value: schemas are required' }];
  const causes: StatusCause[] = [];
  const walk = (s: unknown, p: string): void => {
    if (!isPlainObject(s)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: p,
        message: 'Invalid value: must be a schema object',
      });
      return;
    }
    const t = s.type;
    if (t !== undefined && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(String(t)))
      causes.push({
        reason: 'FieldValueNotSupported',
        field: `${p}.type`,
        message: `Unsupported value: ${show(t)}: supported values: "array", "boolean", "integer", "number", "object", "string"`,
      });
    if (isPlainObject(s.properties))
      for (const [k, v] of Object.entries(s.properties)) walk(v, `${p}.properties[${k}]`);
    if (s.items !== undefined) walk(s.items, `${p}.items`);
    if (isPlainObject(s.additionalProperties)) walk(s.additionalProperties, `${p}.additionalProperties`);
  };
  walk(schema, path);
  if (schema.type !== 'object')
    causes.push({
      reason: 'FieldValueInvalid',
      field: `${path}.type`,
      message: `Invalid value: ${show(schema.type)}: must be object at the root`,
    });
  return causes;
}
