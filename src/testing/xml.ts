import { Parser, type Element } from '@xmpp/xml';

/**
 * Parses one XML element written as text, e.g. a stanza a test plays as the server's. It is read
 * inside a `jabber:client` root like a real stream, so namespaces resolve as they do live.
 * Throws on malformed XML or when the text is not one complete element.
 */
export function parseXml(text: string): Element {
  const parser = new Parser();
  let root: Element | undefined;
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
