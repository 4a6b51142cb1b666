/**
 * Label and field selectors with upstream semantics (spec §1). Parsing happens once per request;
 * a nonsense selector is a 400 BadRequest naming the offending part, never a match-everything.
 */
import { errors } from './errors.ts';
import type { LabelSelector } from './types.ts';

export type LabelOp = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | '!exists';
export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

const kKeyPart =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const kValuePart = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(key: string, whole: string): string {
  if (!kKeyPart.test(key) || key.length > 316) {
    throw errors.badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${whole}"`);
  }
  return key;
}

function checkValue(value: string, whole: string): string {
  if (!kValuePart.test(value) || value.length > 63) {
    throw errors.badRequest(
      `unable to parse requirement: invalid label value "${value}" in selector "${whole}"`,
    );
  }
  return value;
}

/** Splits on commas that are not inside `( … )` set literals. */
function splitTopLevel(text: string, whole: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0 || depth > 1)
      throw errors.badRequest(`unable to parse requirement: unbalanced parentheses in "${whole}"`);
  }
  if (depth !== 0)
    throw errors.badRequest(`unable to parse requirement: unbalanced parentheses in "${whole}"`);
  parts.push(text.slice(start));
  return parts;
}

export function parseLabelSelector(text: string | undefined): LabelRequirement[] {
  if (!text || !text.trim()) return [];
  const reqs: LabelRequirement[] = [];
  for (const raw of splitTopLevel(text, text)) {
    const part = raw.trim();
    if (!part)
      throw errors.badRequest(`unable to parse requirement: empty requirement in selector "${text}"`);
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (set) {
      const values = set[3]!.split(',').map((v) => checkValue(v.trim(), text));
      reqs.push({ key: checkKey(set[1]!, text), op: set[2] as 'in' | 'notin', values });
      continue;
    }
    const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (cmp) {
      reqs.push({
        key: checkKey(cmp[1]!, text),
        op: cmp[2] === '!=' ? 'neq' : 'eq',
        values: [checkValue(cmp[3]!, text)],
      });
      continue;
    }
    if (part.startsWith('!')) {
      reqs.push({ key: checkKey(part.slice(1).trim(), text), op: '!exists', values: [] });
      continue;
    }
    if (/^\S+$/.test(part)) {
      reqs.push({ key: checkKey(part, text), op: 'exists', values: [] });
      continue;
    }
    throw errors.badRequest(`unable to parse requirement: "${part}" in selector "${text}"`);
  }
  return reqs;
}

export function matchesRequirements(
  reqs: readonly LabelRequirement[],
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        if (!has || v !== r.values[0]) return false;
        break;
      case 'neq':
        if (has && v === r.values[0]) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** metav1.LabelSelector → requirements. An empty selector object matches everything, as upstream. */
export function labelSelectorRequirements(sel: LabelSelector | undefined | null): LabelRequirement[] {
  if (!sel) return [];
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {}))
    reqs.push({ key, op: 'eq', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' } as const)[
      e.operator as 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
    ];
    if (!op)
      throw errors.badRequest(`unsupported label selector operator "${e.operator}" for key "${e.key}"`);
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return reqs;
}

/** True when `labels` match a metav1.LabelSelector. A null selector matches nothing (upstream). */
export function matchesLabelSelector(
  sel: LabelSelector | undefined | null,
  labels: Record<string, string> | undefined,
): boolean {
  if (!sel) return false;
  return matchesRequirements(labelSelectorRequirements(sel), labels);
}

/** `metav1.FormatLabelSelector`: the string form used in Scale status and `-o wide` columns. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  if (!sel) return '<none>';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)))
    parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'In' || e.operator === 'NotIn') {
      parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`);
    } else parts.push(e.operator === 'Exists' ? e.key : `!${e.key}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

/** Parses `a=b,c!=d,e==` (empty values are legal). Field support is checked by the caller. */
export function parseFieldSelector(text: string | undefined): FieldRequirement[] {
  if (!text || !text.trim()) return [];
  const reqs: FieldRequirement[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m)
      throw errors.badRequest(`invalid field selector: "${part}": expected field=value or field!=value`);
    reqs.push({ field: m[1]!.trim(), negate: m[2] === '!=', value: m[3]!.trim() });
  }
  return reqs;
}

export type FieldGetter = (
  obj: { metadata: { name?: string; namespace?: string } } & Record<string, unknown>,
) => string;

export function matchesFields(
  reqs: readonly FieldRequirement[],
  obj: Parameters<FieldGetter>[0],
  getters: Readonly<Record<string, FieldGetter>>,
): boolean {
  for (const r of reqs) {
    const getter = getters[r.field];
    const actual = getter ? getter(obj) : '';
    if ((actual === r.value) === r.negate) return false;
  }
  return true;
}
