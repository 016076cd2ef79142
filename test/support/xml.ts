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
