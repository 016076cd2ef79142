/**
 * fast-check arbitraries for hostile stanzas: valid seeds mutated (children dropped, duplicated,
 * renamed, grafted from other seeds; attributes removed, added, given hostile values; text replaced;
 * namespaces swapped) and random element trees. The result is an ltx Element whose parent is a
 * jabber:client stream root, as stanzas are when they come off the wire.
 */
import { xml, type Element } from '@xmpp/xml';
import fc from 'fast-check';
import { parseXml } from '../support/xml.js';
import { ALL_SEEDS, ME, OWN, ROOM } from './seeds.js';

interface Node {
  name: string;
  attrs: Array<[string, string]>;
  children: Array<Node | string>;
}

function toNode(el: Element): Node {
  return {
    name: el.name,
    attrs: Object.entries(el.attrs).filter((e): e is [string, string] => typeof e[1] === 'string'),
    children: el.children.map((c) => (typeof c === 'string' ? c : toNode(c))),
  };
}

function clone(node: Node): Node {
  return {
    name: node.name,
    attrs: node.attrs.map(([k, v]) => [k, v]),
    children: node.children.map((c) => (typeof c === 'string' ? c : clone(c))),
  };
}

function toElement(node: Node): Element {
  // Attributes are defined one by one so that a key such as `__proto__` lands the way ltx's parser puts it.
  const attrs: Record<string, string> = {};
  for (const [k, v] of node.attrs) attrs[k] = v;
  return xml(node.name, attrs, ...node.children.map((c) => (typeof c === 'string' ? c : toElement(c))));
}

/** Every element of the tree, in document order. */
function nodesOf(node: Node, into: Node[] = []): Node[] {
  into.push(node);
  for (const c of node.children) if (typeof c !== 'string') nodesOf(c, into);
  return into;
}

const seedCache = new Map<string, Node>();
function seedNode(text: string): Node {
  let node = seedCache.get(text);
  if (!node) {
    node = toNode(parseXml(text));
    seedCache.set(text, node);
  }
  return node;
}

export const NAMES = [
  'iq',
  'message',
  'presence',
  'body',
  'subject',
  'thread',
  'query',
  'item',
  'items',
  'event',
  'result',
  'forwarded',
  'delay',
  'received',
  'sent',
  'x',
  'c',
  'error',
  'status',
  'show',
  'priority',
  'conference',
  'nick',
  'password',
  'stanza-id',
  'origin-id',
  'fin',
  'set',
  'first',
  'last',
  'count',
  'field',
  'value',
  'option',
  'identity',
  'feature',
  'group',
  'block',
  'unblock',
  'blocklist',
  'invite',
  'decline',
  'reason',
  'destroy',
  'actor',
  'slot',
  'put',
  'get',
  'header',
  'time',
  'tzo',
  'utc',
  'name',
  'version',
  'os',
  'ping',
  'enabled',
  'a',
  'retract',
  'purge',
  'storage',
  'url',
  'subscription',
  'subscriptions',
  'prefs',
  'always',
  'never',
  'jid',
  'replace',
  'displayed',
  'markable',
  'composing',
  'request',
  'occupant-id',
  'pubsub',
  'extensions',
  'file-too-large',
  'max-file-size',
];

export const NAMESPACES = [
  'jabber:client',
  'urn:xmpp:carbons:2',
  'urn:xmpp:forward:0',
  'urn:xmpp:mam:2',
  'urn:xmpp:sid:0',
  'urn:xmpp:delay',
  'jabber:iq:roster',
  'urn:xmpp:blocking',
  'http://jabber.org/protocol/pubsub#event',
  'http://jabber.org/protocol/pubsub',
  'urn:xmpp:bookmarks:1',
  'storage:bookmarks',
  'http://jabber.org/protocol/caps',
  'http://jabber.org/protocol/disco#info',
  'http://jabber.org/protocol/disco#items',
  'http://jabber.org/protocol/muc',
  'http://jabber.org/protocol/muc#user',
  'http://jabber.org/protocol/muc#admin',
  'http://jabber.org/protocol/muc#owner',
  'jabber:x:conference',
  'jabber:x:data',
  'urn:xmpp:mucsub:0',
  'urn:xmpp:ping',
  'urn:xmpp:time',
  'jabber:iq:version',
  'urn:xmpp:http:upload:0',
  'urn:xmpp:sm:3',
  'urn:xmpp:receipts',
  'urn:xmpp:chat-markers:0',
  'http://jabber.org/protocol/chatstates',
  'urn:xmpp:message-correct:0',
  'urn:xmpp:message-retract:1',
  'http://jabber.org/protocol/rsm',
  'urn:ietf:params:xml:ns:xmpp-stanzas',
  'urn:xmpp:occupant-id:0',
  '',
  'urn:evil',
];

const ATTR_NAMES = [
  'from',
  'to',
  'id',
  'type',
  'xmlns',
  'by',
  'queryid',
  'stamp',
  'jid',
  'node',
  'ver',
  'hash',
  'h',
  'resume',
  'affiliation',
  'role',
  'code',
  'subscription',
  'ask',
  'approved',
  'name',
  'autojoin',
  'var',
  'category',
  'complete',
  'index',
  'url',
  'for',
  'default',
  'password',
  'reason',
  'nick',
  'location',
  'previd',
  'size',
  'filename',
  'xml:lang',
  '__proto__',
  'constructor',
  'toString',
];

const HUGE = 'x'.repeat(120_000);

/** Values that tend to break parsers and trust checks. */
const INTERESTING = [
  '',
  ' ',
  '\t\n',
  ME,
  OWN,
  `${OWN}/other`,
  'example.org',
  ROOM,
  `${ROOM}/bob`,
  `${ROOM}/`,
  'bob@example.org',
  'bob@example.org/phone',
  'a@b@c',
  '@',
  '/',
  'x@',
  '@x',
  'ALICE@EXAMPLE.ORG',
  'alice@example.org.',
  'mallory@evil.example',
  'conference.example.org',
  '0',
  '-1',
  '1',
  '01',
  '4294967295',
  '4294967296',
  '99999999999999999999',
  '1e309',
  'NaN',
  'Infinity',
  '-0',
  '0x10',
  'true',
  'false',
  'get',
  'set',
  'result',
  'error',
  'chat',
  'groupchat',
  'headline',
  'normal',
  'unavailable',
  'subscribe',
  'subscribed',
  'remove',
  'both',
  'none',
  'owner',
  'moderator',
  'outcast',
  'sha-1',
  'sha-256',
  'md5',
  'urn:xmpp:bookmarks:1',
  'storage:bookmarks',
  'urn:xmpp:mucsub:nodes:messages',
  '2002-09-10T23:08:25Z',
  '9999-12-31T23:59:59Z',
  '2002-09-10T23:08:25.123+02:00',
  '1970-01-01T00:00:00Z',
  '2002-13-45T99:08:25Z',
  '+275760-09-13T00:00:00.000Z',
  '-06:00',
  '+14:00',
  'Z',
  'QgayPKawpkPSDYmwT/WM94uAlu0=',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  '&amp;',
  '<',
  '\u0000',
  '\uFFFF',
  '\uD800',
  '😀'.repeat(100),
  'é'.repeat(2000),
  'x'.repeat(1024),
  'x'.repeat(5000),
  HUGE,
  'https://example.org/file',
  'javascript:alert(1)',
  'http://[::1',
  '110',
  '201',
  '307',
  '303',
];

const valueArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...INTERESTING) },
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
);

const nameArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9:-]{0,8}$/) },
);

interface Mutation {
  op: number;
  at: number;
  a: number;
  b: number;
  value: string;
  name: string;
  ns: string;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.nat({ max: 12 }),
  at: fc.nat(),
  a: fc.nat(),
  b: fc.nat(),
  value: valueArb,
  name: nameArb,
  ns: fc.constantFrom(...NAMESPACES),
});

function mutate(root: Node, m: Mutation): Node {
  const nodes = nodesOf(root);
  const node = nodes[m.at % nodes.length]!;
  const { children, attrs } = node;
  switch (m.op) {
    case 0: // drop a child
      if (children.length > 0) children.splice(m.a % children.length, 1);
      break;
    case 1: {
      // duplicate a child
      if (children.length === 0) break;
      const child = children[m.a % children.length]!;
      children.splice(m.a % children.length, 0, typeof child === 'string' ? child : clone(child));
      break;
    }
    case 2: // rename
      node.name = m.name;
      break;
    case 3: // wrong or missing namespace
      node.attrs = [...attrs.filter(([k]) => k !== 'xmlns'), ...(m.ns === '' ? [] : ([['xmlns', m.ns]] as Array<[string, string]>))];
      break;
    case 4: // drop an attribute
      if (attrs.length > 0) attrs.splice(m.a % attrs.length, 1);
      break;
    case 5: // hostile value for an existing attribute
      if (attrs.length > 0) attrs[m.a % attrs.length]![1] = m.value;
      break;
    case 6: // a new attribute
      attrs.push([ATTR_NAMES[m.a % ATTR_NAMES.length]!, m.value]);
      break;
    case 7: // text replaced
      node.children = [...children.filter((c) => typeof c !== 'string'), m.value];
      break;
    case 8: {
      // graft a subtree of another seed
      const donor = nodesOf(seedNode(ALL_SEEDS[m.a % ALL_SEEDS.length]!));
      children.splice(m.b % (children.length + 1), 0, clone(donor[m.b % donor.length]!));
      break;
    }
    case 9: // reorder
      children.reverse();
      break;
    case 10: // wrap the children in a new element
      node.children = [{ name: m.name, attrs: [['xmlns', m.ns]], children }];
      break;
    case 11: {
      // a deep chain
      let inner: Node = { name: m.name, attrs: [], children: [m.value] };
      for (let i = 0; i < 1 + (m.a % 200); i++) inner = { name: m.name, attrs: [], children: [inner] };
      children.push(inner);
      break;
    }
    default: {
      // many copies of a child (a wide element)
      if (children.length === 0) break;
      const child = children[m.a % children.length]!;
      for (let i = 0; i < m.b % 120; i++) children.push(typeof child === 'string' ? child : clone(child));
    }
  }
  return root;
}

const STREAM_ROOT = xml('stream:stream', { xmlns: 'jabber:client', 'xmlns:stream': 'http://etherx.jabber.org/streams' });

function attach(node: Node): Element {
  const el = toElement(node);
  el.parent = STREAM_ROOT;
  return el;
}

/** A seed from `seeds`, with 0–6 mutations. */
export function mutatedStanza(seeds: readonly string[]): fc.Arbitrary<Element> {
  return fc
    .tuple(fc.nat({ max: seeds.length - 1 }), fc.array(mutationArb, { maxLength: 6 }))
    .map(([index, mutations]) => attach(mutations.reduce(mutate, clone(seedNode(seeds[index]!)))));
}

/** A random element tree built from the names, namespaces and values above. */
export const randomStanza: fc.Arbitrary<Element> = fc
  .letrec<{ node: Node }>((tie) => ({
    node: fc.record({
      name: nameArb,
      attrs: fc.array(fc.tuple(fc.constantFrom(...ATTR_NAMES), valueArb), { maxLength: 4 }),
      children: fc.array(fc.oneof({ depthSize: 'small', withCrossShrink: true }, valueArb, tie('node')), { maxLength: 4 }),
    }),
  }))
  .node.map((node) => {
    if (!['iq', 'message', 'presence'].includes(node.name)) node.name = ['iq', 'message', 'presence'][node.attrs.length % 3]!;
    return attach(node);
  });
