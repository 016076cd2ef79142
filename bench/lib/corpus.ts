/**
 * A deterministic, realistic inbound stanza mix for the pipeline benchmark, as raw XML text cut
 * into socket-sized chunks: 70 % chat messages (body + XEP-0359 origin-id), 20 % presences with
 * XEP-0115 caps from a small roster using a handful of client versions, 10 % server pings.
 */
import { createHash } from 'node:crypto';
import { seededRandom } from '../../scripts/random.js';

export const OWN_JID = 'alice@example.org/bench';
export const OWN_DOMAIN = 'example.org';
export const CAPS_NS = 'http://jabber.org/protocol/caps';
export const STREAM_HEADER =
  '<?xml version="1.0"?><stream:stream xmlns="jabber:client" xmlns:stream="http://etherx.jabber.org/streams" from="example.org" to="alice@example.org" id="bench" version="1.0" xml:lang="en">';

export interface CapsProfile {
  node: string;
  identity: { category: string; type: string; name: string };
  features: string[];
  /** XEP-0115 §5.1 verification string hashed with SHA-1, base64. */
  ver: string;
}

const COMMON = [
  'http://jabber.org/protocol/caps',
  'http://jabber.org/protocol/disco#info',
  'http://jabber.org/protocol/disco#items',
  'urn:xmpp:ping',
  'urn:xmpp:time',
  'jabber:iq:version',
  'urn:xmpp:receipts',
  'http://jabber.org/protocol/chatstates',
  'urn:xmpp:message-correct:0',
];

function profile(node: string, category: string, type: string, name: string, extra: string[]): CapsProfile {
  const features = [...new Set([...COMMON, ...extra])];
  // §5.1: identities as category/type/lang/name<, then features, each sorted (i;octet; ASCII here).
  const s = `${category}/${type}//${name}<${[...features]
    .sort()
    .map((f) => `${f}<`)
    .join('')}`;
  const ver = createHash('sha1').update(s, 'utf8').digest('base64');
  return { node, identity: { category, type, name }, features, ver };
}

/** A handful of client versions, as the caps `ver`s seen on a typical roster. */
export const CAPS_PROFILES: readonly CapsProfile[] = [
  profile('http://conversations.im', 'client', 'phone', 'Conversations', [
    'urn:xmpp:omemo:2:devices+notify',
    'urn:xmpp:jingle:1',
    'urn:xmpp:avatar:metadata+notify',
  ]),
  profile('https://gajim.org', 'client', 'pc', 'Gajim', [
    'urn:xmpp:jingle:1',
    'urn:xmpp:jingle:apps:rtp:1',
    'http://jabber.org/protocol/nick+notify',
    'urn:xmpp:bookmarks:1+notify',
  ]),
  profile('https://dino.im', 'client', 'pc', 'Dino', ['urn:xmpp:jingle-message:0', 'eu.siacs.conversations.axolotl.devicelist+notify']),
  profile('http://monal-im.org/', 'client', 'phone', 'Monal', ['urn:xmpp:push:0', 'urn:xmpp:carbons:2']),
  profile('https://profanity-im.github.io', 'client', 'console', 'Profanity', [
    'urn:xmpp:carbons:2',
    'http://jabber.org/protocol/mood+notify',
  ]),
];

export interface Contact {
  jid: string;
  profile: CapsProfile;
}

export function makeContacts(count: number, random: () => number): Contact[] {
  return Array.from({ length: count }, (_, i) => ({
    jid: `contact${i}@example.net/${['phone', 'laptop', 'desktop', 'tablet'][i % 4]}-${(random() * 1e6).toFixed(0)}`,
    profile: CAPS_PROFILES[Math.floor(random() * CAPS_PROFILES.length)]!,
  }));
}

const WORDS =
  'the quick brown fox jumps over a lazy dog see you tomorrow at noon ok sounds good thanks lol did you get my last message where are we meeting tonight 🙂 ça va'.split(
    ' ',
  );

function sentence(random: () => number, min: number, max: number): string {
  const n = min + Math.floor(random() * (max - min + 1));
  return Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function hexId(random: () => number): string {
  let s = '';
  for (let i = 0; i < 4; i++)
    s += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20, 32)}`;
}

export interface Corpus {
  /** Socket-sized pieces of the stream, to be written to the parser one by one. */
  chunks: string[];
  stanzas: number;
  counts: { message: number; presence: number; iq: number };
  bytes: number;
  contacts: Contact[];
}

/**
 * `count` stanzas, concatenated and cut at stanza boundaries into chunks of about `chunkBytes`
 * (a TCP read delivers many stanzas at once; 64 KiB is Node's default read size).
 */
export interface Mix {
  message: number;
  presence: number;
  iq: number;
}

/** The issue's realistic mix. */
export const DEFAULT_MIX: Mix = { message: 0.7, presence: 0.2, iq: 0.1 };

export function buildCorpus(
  count: number,
  options: { seed?: number; contacts?: number | readonly Contact[]; chunkBytes?: number; mix?: Mix } = {},
): Corpus {
  const mix = options.mix ?? DEFAULT_MIX;
  const total = mix.message + mix.presence + mix.iq;
  const messageBelow = mix.message / total;
  const presenceBelow = (mix.message + mix.presence) / total;
  const random = seededRandom(options.seed ?? 0x5eed);
  // Pass the contacts of an earlier corpus to keep the roster (and the client's caps tables) the same size.
  const contacts = typeof options.contacts === 'object' ? [...options.contacts] : makeContacts(options.contacts ?? 40, random);
  const chunkBytes = options.chunkBytes ?? 65_536;
  const counts = { message: 0, presence: 0, iq: 0 };
  const chunks: string[] = [];
  let current = '';
  let bytes = 0;
  const shows = ['', '', '<show>away</show>', '<show>chat</show>', '<show>xa</show>', '<show>dnd</show>'];
  for (let i = 0; i < count; i++) {
    const r = random();
    const contact = contacts[Math.floor(random() * contacts.length)]!;
    let stanza: string;
    if (r < messageBelow) {
      counts.message++;
      const id = hexId(random);
      stanza =
        `<message type="chat" from="${contact.jid}" to="${OWN_JID}" id="${id}">` +
        `<body>${escapeText(sentence(random, 2, 30))}</body>` +
        `<origin-id xmlns="urn:xmpp:sid:0" id="${id}"/></message>`;
    } else if (r < presenceBelow) {
      counts.presence++;
      const p = contact.profile;
      stanza =
        `<presence from="${contact.jid}" to="${OWN_JID}">${shows[Math.floor(random() * shows.length)]}` +
        `<priority>${Math.floor(random() * 10)}</priority>` +
        `<c xmlns="${CAPS_NS}" hash="sha-1" node="${p.node}" ver="${p.ver}"/></presence>`;
    } else {
      counts.iq++;
      stanza = `<iq type="get" from="${OWN_DOMAIN}" to="${OWN_JID}" id="ping-${i}"><ping xmlns="urn:xmpp:ping"/></iq>`;
    }
    current += stanza;
    if (current.length >= chunkBytes) {
      chunks.push(current);
      bytes += Buffer.byteLength(current);
      current = '';
    }
  }
  if (current) {
    chunks.push(current);
    bytes += Buffer.byteLength(current);
  }
  return { chunks, stanzas: count, counts, bytes, contacts };
}
