/**
 * JavaScript source for plain data, in the house style of the generated scripts: single quotes,
 * bare keys where they are identifiers, trailing commas, short flat values on one line. Values
 * that must stay code (a call such as `http.expectedStatuses(200)`) are wrapped in `code()`.
 */

const kCode = Symbol('code');
export interface Code {
  readonly [kCode]: string;
}

/** Source text inserted as is. */
export function code(source: string): Code {
  return { [kCode]: source };
}

function isCode(v: unknown): v is Code {
  return typeof v === 'object' && v !== null && kCode in v;
}

/** A single-quoted JS string literal; control and line-separator characters are escaped. */
export function str(s: string): string {
  let out = "'";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029)
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + "'";
}

const identifier = /^[A-Za-z_$][\w$]*$/;
const key = (k: string) => (identifier.test(k) ? k : str(k));

/** One-line form when the value is flat (no nested objects) and fits this width with its indent. */
const kInlineWidth = 96;

export type Literal =
  string | number | boolean | null | Code | readonly Literal[] | { readonly [k: string]: Literal };

function inline(v: Literal): string | null {
  if (isCode(v)) return v[kCode];
  if (v === null) return 'null';
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const nestedOk = (x: Literal) => x === null || typeof x !== 'object' || isCode(x) || Array.isArray(x);
  if (Array.isArray(v)) {
    const parts = v.map((x: Literal) => (nestedOk(x) ? inline(x) : null));
    return parts.includes(null) ? null : `[${parts.join(', ')}]`;
  }
  const entries = Object.entries(v as { readonly [k: string]: Literal });
  if (entries.length === 0) return '{}';
  const parts = entries.map(([k, x]) => {
    const flat = nestedOk(x) ? inline(x) : null;
    return flat === null ? null : `${key(k)}: ${flat}`;
  });
  return parts.includes(null) ? null : `{ ${parts.join(', ')} }`;
}

/** Source of `v` at indentation `depth` (two spaces a level); the first line is not indented. */
export function literal(v: Literal, depth = 0): string {
  const flat = inline(v);
  if (flat !== null && flat.length + depth * 2 <= kInlineWidth) return flat;
  const pad = '  '.repeat(depth + 1);
  const close = '  '.repeat(depth);
  if (Array.isArray(v)) {
    const items = v.map((x: Literal) => `${pad}${literal(x, depth + 1)},\n`);
    return `[\n${items.join('')}${close}]`;
  }
  if (typeof v !== 'object' || v === null || isCode(v)) return flat ?? String(v);
  const lines = Object.entries(v as { readonly [k: string]: Literal }).map(
    ([k, x]) => `${pad}${key(k)}: ${literal(x, depth + 1)},\n`,
  );
  return `{\n${lines.join('')}${close}}`;
}
