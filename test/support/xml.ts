import { Parser, type Element } from '@xmpp/xml';

/** Parses one XML element written as a literal in a test. */
export function parseXml(text: string): Element {
  const parser = new Parser();
  let root: Element | undefined;
  // Wrapped in a jabber:client root like a real stream, so namespaces resolve as they do live.
  parser.on('element', (el) => {
    root ??= el;
  });
  parser.on('error', (err) => {
    throw err;
  });
  parser.write(`<stream xmlns="jabber:client">${text.trim()}</stream>`);
  if (!root) throw new Error(`not one complete element: ${text}`);
  return root;
}

/** An element as plain data for comparing stanzas: resolved namespaces, attributes, trimmed text. */
export interface XmlTree {
  name: string;
  ns: string | undefined;
  attrs: Record<string, string>;
  children: Array<XmlTree | string>;
}

/**
 * `el` as an {@link XmlTree}: `xmlns` attributes become each element's resolved `ns`, the root's
 * attributes named in `ignoreOnRoot` are left out (ids a tracker assigns, a sender's address),
 * and whitespace between elements is not content.
 */
export function xmlTree(el: Element, ignoreOnRoot: readonly string[] = [], parentNs: string | undefined = 'jabber:client'): XmlTree {
  const ns = el.attrs.xmlns ?? parentNs;
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(el.attrs)) {
    if (key === 'xmlns' || value === undefined || ignoreOnRoot.includes(key)) continue;
    attrs[key] = String(value);
  }
  const children: Array<XmlTree | string> = [];
  for (const child of el.children) {
    if (typeof child === 'string') {
      if (child.trim() !== '') children.push(child.trim());
    } else children.push(xmlTree(child, [], ns));
  }
  return { name: el.name, ns, attrs, children };
}
