/** zod issues as one line each, naming the field path the way a user would write it. */
export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** `['verdicts', 2, 'window', 'end']` → `verdicts[2].window.end`; the root is `(root)`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(root)';
}

export function describeIssues(issues: readonly SchemaIssue[], max = 5): string[] {
  const lines = issues.slice(0, max).map((i) => `${fieldPath(i.path)}: ${plain(i.message)}`);
  if (issues.length > max) lines.push(`… and ${issues.length - max} more`);
  return lines;
}

/** zod says "expected string, received undefined" for a field that is simply not there. */
function plain(message: string): string {
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(message);
  return missing ? `missing (expected ${missing[1]})` : message;
}
