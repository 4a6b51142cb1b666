/**
 * A strict little XML reader for tests: enough of XML 1.0 to prove a JUnit file is well formed
 * (balanced tags, quoted attributes, known entities only, no raw `<`/`&`, no characters XML 1.0
 * forbids) and to read back decoded attribute values and text. Throws on anything it does not accept.
 */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

// eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids
const forbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const nameRe = /^[A-Za-z_][\w.-]*/;

function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`raw '<' in ${where}`);
  return raw.replace(/&([^;]*);?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw new Error(`unterminated entity in ${where}: ${m}`);
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (body in named) return named[body] as string;
    const num = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.exec(body);
    if (!num) throw new Error(`unknown entity &${body}; in ${where}`);
    const code = num[1]!.startsWith('x') ? parseInt(num[1]!.slice(1), 16) : Number(num[1]);
    const ch = String.fromCodePoint(code);
    if (forbidden.test(ch)) throw new Error(`character reference to a forbidden character in ${where}`);
    return ch;
  });
}

export function parseXml(xml: string): XmlElement {
  if (forbidden.test(xml)) throw new Error('document contains a character XML 1.0 forbids');
  let i = 0;
  const decl = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (decl) i = decl[0].length;

  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? xml.length : lt;
    const text = xml.slice(i, textEnd);
    if (stack.length === 0) {
      if (text.trim() !== '') throw new Error(`text outside the root element: ${JSON.stringify(text)}`);
    } else {
      stack[stack.length - 1]!.text += decode(text, 'text');
    }
    if (lt === -1) break;
    const gt = xml.indexOf('>', lt);
    if (gt === -1) throw new Error('unterminated tag');
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;

    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) throw new Error(`mismatched </${tag.slice(1)}>`);
      if (stack.length === 0) root = open;
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const name = nameRe.exec(body)?.[0];
    if (!name) throw new Error(`bad tag <${tag}>`);
    if (root) throw new Error('more than one root element');
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    let rest = body.slice(name.length);
    while (rest.trim() !== '') {
      const m = /^\s+([A-Za-z_][\w.:-]*)="([^"]*)"/.exec(rest);
      if (!m) throw new Error(`bad attribute syntax in <${name}>: ${rest}`);
      if (m[1]! in el.attrs) throw new Error(`duplicate attribute ${m[1]} in <${name}>`);
      el.attrs[m[1]!] = decode(m[2]!, `attribute ${name}.${m[1]}`);
      rest = rest.slice(m[0].length);
    }
    stack[stack.length - 1]?.children.push(el);
    if (selfClosing) {
      if (stack.length === 0) root = el;
    } else {
      stack.push(el);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** All descendants (depth first) with the given tag name. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)]);
}
