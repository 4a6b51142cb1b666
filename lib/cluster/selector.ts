/**
 * metav1.LabelSelector helpers: the string form the API takes as `labelSelector=`, and matching
 * a selector against an object's labels (for Services, PDBs and "find the deployment by selector"
 * done client-side, with the API's semantics).
 */
import type { V1LabelSelector } from '@kubernetes/client-node';

export type Labels = Readonly<Record<string, string>>;

/** `{matchLabels:{app:'web'}, matchExpressions:[{key:'tier',operator:'In',values:['a','b']}]}` → `app=web,tier in (a,b)`. */
export function selectorToString(selector: V1LabelSelector): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    parts.push(`${k}=${v}`);
  }
  for (const e of selector.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    switch (e.operator) {
      case 'In':
        parts.push(`${e.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${e.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(e.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${e.key}`);
        break;
      default:
        throw new Error(`label selector: unknown operator "${e.operator}" for key "${e.key}"`);
    }
  }
  return parts.join(',');
}

/** Selector semantics of the API: an empty selector matches everything. */
export function selectorMatches(selector: V1LabelSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's `spec.selector` (a plain map) selects the labels when every pair is present; empty selects nothing. */
export function mapSelectorMatches(selector: Labels | undefined, labels: Labels): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/**
 * Parses the string form users write (`app=web`, `tier!=db`, `env in (a,b)`, `env notin (c)`,
 * `canary`, `!legacy`) into a LabelSelector; `!=` becomes NotIn, as the API treats it.
 * Throws with the offending term when the text is not a selector.
 */
export function parseLabelSelector(text: string): V1LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<V1LabelSelector['matchExpressions']> = [];
  const key = '([A-Za-z0-9][A-Za-z0-9._/-]*)';
  const value = '([A-Za-z0-9._-]*)';
  for (const term of splitTerms(text)) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^${key}\\s*!=\\s*${value}$`).exec(term))) {
      matchExpressions.push({ key: m[1]!, operator: 'NotIn', values: [m[2]!] });
    } else if ((m = new RegExp(`^${key}\\s*==?\\s*${value}$`).exec(term))) {
      if (m[1]! in matchLabels && matchLabels[m[1]!] !== m[2]) {
        matchExpressions.push({ key: m[1]!, operator: 'In', values: [m[2]!] });
      } else matchLabels[m[1]!] = m[2]!;
    } else if ((m = new RegExp(`^${key}\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(term))) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      matchExpressions.push({ key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = new RegExp(`^!\\s*${key}$`).exec(term))) {
      matchExpressions.push({ key: m[1]!, operator: 'DoesNotExist' });
    } else if ((m = new RegExp(`^${key}$`).exec(term))) {
      matchExpressions.push({ key: m[1]!, operator: 'Exists' });
    } else {
      throw new Error(
        `"${term}" is not a label selector term (use key=value, key!=value, key in (a,b), key or !key)`,
      );
    }
  }
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

/** Splits on commas outside parentheses: `tier in (a,b)` stays one term. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let term = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(term);
      term = '';
    } else term += ch;
  }
  terms.push(term);
  return terms.map((t) => t.trim()).filter(Boolean);
}
