/** Text into HTML, and data into a `<script>` block, without letting either break out. */

/** Control characters have no business in a report; they are shown instead of dropped. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const controlChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(controlChars, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * JSON for `<script type="application/json">`. Escaping `<` keeps a string such as
 * `</script>` from ending the block; JSON.parse reads `\u003c` back as `<`.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * JavaScript source for an inline `<script>`: it must not contain `</script` (which would end
 * the element early) or `<!--` (which switches the parser's script state).
 */
export function scriptSource(js: string, what: string): string {
  if (/<\/script|<!--/i.test(js)) {
    throw new Error(`${what} contains '</script' or '<!--' and cannot be inlined into the HTML report`);
  }
  return js;
}
