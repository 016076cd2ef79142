import type { Element } from '@xmpp/xml';

export { parseXml } from '../../src/testing/xml.js';

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
