/**
 * XML payloads as plain data: events and context hold no ltx `Element`s, so a pubsub item's
 * payload (or a XEP-0402 `<extensions/>` child) is copied into an {@link XmlNode} tree within a
 * budget, and built back into an `Element` when it goes out again. Pure and synchronous.
 */
import { xml, type Element } from '@xmpp/xml';

/** An XML element kept as plain data. */
export interface XmlNode {
  name: string;
  /** Attributes, `xmlns` included. */
  attrs: Record<string, string>;
  /** Child elements and text, in order. */
  children: Array<XmlNode | string>;
}

/** What one copy may use up; both counters are decremented as the copy goes. */
export interface XmlBudget {
  /** Elements left. */
  nodes: number;
  /** Characters of text and attribute values left. */
  text: number;
  /** Deepest element allowed (the root is at the depth the copy starts with). */
  maxDepth: number;
}

/**
 * `el` as plain data, or `undefined` when it does not fit `budget` (which is then partly spent).
 * The root gets its namespace spelled out as `xmlns`; a descendant only where it differs from its
 * parent's, so that the tree builds back into the same XML on its own.
 */
export function toXmlNode(el: Element, budget: XmlBudget, depth = 1, parentNs?: string): XmlNode | undefined {
  if (depth > budget.maxDepth || --budget.nodes < 0) return undefined;
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(el.attrs)) {
    if (typeof value !== 'string') continue;
    attrs[key] = value;
    budget.text -= value.length;
  }
  // A child inherits its namespace from the stream while parsed; written alone it needs it spelled out.
  const ns = el.getNS();
  if (attrs.xmlns === undefined && typeof ns === 'string' && ns !== parentNs) attrs.xmlns = ns;
  const children: Array<XmlNode | string> = [];
  for (const child of el.children) {
    if (typeof child === 'string') {
      budget.text -= child.length;
      children.push(child);
    } else {
      const node = toXmlNode(child, budget, depth + 1, typeof ns === 'string' ? ns : undefined);
      if (!node) return undefined;
      children.push(node);
    }
    if (budget.text < 0) return undefined;
  }
  if (budget.text < 0) return undefined;
  return { name: el.name, attrs, children };
}

/** The `Element` of a plain-data tree. */
export function fromXmlNode(node: XmlNode): Element {
  return xml(node.name, node.attrs, ...node.children.map((c) => (typeof c === 'string' ? c : fromXmlNode(c))));
}

/** The text content of a plain-data element (its direct text children, joined). */
export function xmlNodeText(node: XmlNode): string {
  return node.children.filter((c): c is string => typeof c === 'string').join('');
}

/** The first child element of `node` named `name` in namespace `ns` (inherited from `node` when unset). */
export function xmlNodeChild(node: XmlNode, name: string, ns?: string): XmlNode | undefined {
  const parentNs = node.attrs.xmlns;
  for (const child of node.children) {
    if (typeof child === 'string' || child.name !== name) continue;
    if (ns === undefined || (child.attrs.xmlns ?? parentNs) === ns) return child;
  }
  return undefined;
}
