/**
 * Seeds the MAM benchmark's archive: two fresh accounts A and B, both logged in through the raw
 * client with presence, send each other chat messages (two thirds from A, one third from B), every
 * stanza written at once (pipelined), as a real client would send them: a stanza `id`, a body of
 * 40–120 characters and a XEP-0359 `<origin-id/>`. Only A's archive is measured, so B's archiving
 * is switched off first (XEP-0441 prefs `never`): Prosody's SQLite archive commits once per stored
 * message, and that halves the commits.
 *
 * Done when both sides have received every message sent to them (Prosody archives before it
 * routes) and A's archive `with` B counts them all (an RSM `<max>0</max>` query).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Element } from '@xmpp/xml';
import type { TestUser } from '../../scripts/prosody.js';
import { disableArchiving } from './archive-prefs.js';
import { sleep } from './env.js';
import { escapeXml, rawLoginAs, type RawSession } from './raw-xmpp.js';
import { seededRandom } from '../../scripts/random.js';

export const NS_MAM = 'urn:xmpp:mam:2';
export const NS_RSM = 'http://jabber.org/protocol/rsm';
const NS_SID = 'urn:xmpp:sid:0';

export interface SeededMessage {
  /** Stanza id and origin-id (the same value, as Conversations and Dino send). */
  originId: string;
  from: 'a' | 'b';
  body: string;
}

export interface SeedResult {
  messages: SeededMessage[];
  /** ms from the first write until A's archive counted every message. */
  seedMs: number;
  /** ms of that spent after both sides had received everything (waiting for the count). */
  countWaitMs: number;
}

const WORDS = (
  'the a to and of in is it you that for on was with he be at by this had not are but from or have an they which one ' +
  'meeting tomorrow afternoon lunch coffee station train late sorry thanks great sounds good see later call phone ' +
  'message picture document draft review release build server client update weekend holiday dinner tonight office ' +
  'remember forgot almost finished started working again maybe probably definitely quick question answer problem'
).split(' ');

/** `count` messages: bodies of 40–120 characters (a sentence of common words), one sender per message. */
export function seedMessages(count: number): SeededMessage[] {
  const random = seededRandom(0x4d414d);
  return Array.from({ length: count }, (_, i) => {
    const length = 40 + Math.floor(random() * 81);
    let body = '';
    while (body.length < length) body += (body ? ' ' : '') + WORDS[Math.floor(random() * WORDS.length)];
    body = `${body.slice(0, length - 1).trimEnd()}${random() < 0.2 ? '?' : '.'}`;
    body = body[0]!.toUpperCase() + body.slice(1);
    return { originId: randomUUID(), from: i % 3 === 2 ? 'b' : 'a', body };
  });
}

const chatStanza = (to: string, m: SeededMessage) =>
  `<message type='chat' to='${to}' id='${m.originId}'><body>${escapeXml(m.body)}</body><origin-id xmlns='${NS_SID}' id='${m.originId}'/></message>`;

/**
 * The XEP-0313 query as the floor and the count query send it: forward (after `cursor` when given),
 * or backward (before `cursor`; `''` asks for the last page, XEP-0059 §2.5).
 */
export function mamQueryIq(
  id: string,
  queryId: string,
  withJid: string,
  max: number,
  cursor?: string,
  direction: 'forward' | 'backward' = 'forward',
): string {
  const form =
    `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>${NS_MAM}</value></field>` +
    `<field var='with'><value>${escapeXml(withJid)}</value></field></x>`;
  const position =
    direction === 'backward'
      ? `<before>${escapeXml(cursor ?? '')}</before>`
      : cursor !== undefined
        ? `<after>${escapeXml(cursor)}</after>`
        : '';
  const rsm = `<set xmlns='${NS_RSM}'><max>${max}</max>${position}</set>`;
  return `<iq type='set' id='${id}'><query xmlns='${NS_MAM}' queryid='${queryId}'>${form}${rsm}</query></iq>`;
}

/** Waits for the element that `match` accepts (the session's single listener meanwhile). */
function nextMatching(session: RawSession, match: (el: Element) => boolean): Promise<Element> {
  return new Promise((resolve) => session.onElement((el) => match(el) && resolve(el)));
}

/** The number of messages in the session's own archive `with` a JID (RSM `<count/>` of a `<max>0</max>` query). */
export async function archiveCount(session: RawSession, withJid: string): Promise<number> {
  const id = `count-${randomUUID()}`;
  const reply = nextMatching(session, (el) => el.name === 'iq' && el.attrs.id === id);
  await session.write(mamQueryIq(id, id, withJid, 0));
  const iq = await reply;
  if (iq.attrs.type !== 'result') throw new Error(`MAM count query failed: ${iq.toString().slice(0, 300)}`);
  const count = iq.getChild('fin', NS_MAM)?.getChild('set', NS_RSM)?.getChildText('count');
  if (count == null) throw new Error(`MAM count query: no <count/> in ${iq.toString().slice(0, 300)}`);
  return Number(count);
}

/** Counts the chat messages reaching the session; `done` resolves once there are `expected`. */
function receiveChats(session: RawSession, expected: number): { done: Promise<void>; received(): number } {
  let received = 0;
  const done = new Promise<void>((resolve) => {
    if (expected === 0) resolve();
    session.onElement((el) => {
      if (el.name === 'message' && el.attrs.type === 'chat' && el.getChild('body') && ++received === expected) resolve();
    });
  });
  return { done, received: () => received };
}

/**
 * Fills A's archive with `count` messages with B and waits until it holds them all. Progress is
 * logged every `logEveryMs`.
 */
export async function seedArchive(a: TestUser, b: TestUser, count: number, logEveryMs = 15_000): Promise<SeedResult> {
  await disableArchiving(b);
  const messages = seedMessages(count);
  const fromA = messages.filter((m) => m.from === 'a');
  const fromB = messages.filter((m) => m.from === 'b');
  const [sa, sb] = await Promise.all([rawLoginAs(a, true), rawLoginAs(b, true)]);
  try {
    const atB = receiveChats(sb, fromA.length);
    const atA = receiveChats(sa, fromB.length);
    const t0 = performance.now();
    const progress = setInterval(() => {
      const delivered = atA.received() + atB.received();
      const elapsed = (performance.now() - t0) / 1000;
      console.log(`  seeding… ${elapsed.toFixed(0)} s, ${delivered}/${count} delivered (${(delivered / elapsed).toFixed(0)} msg/s)`);
    }, logEveryMs);
    try {
      // Every stanza of each side in one write: Prosody reads them as fast as it archives them.
      await Promise.all([
        sa.write(fromA.map((m) => chatStanza(b.jid, m)).join('')),
        sb.write(fromB.map((m) => chatStanza(a.jid, m)).join('')),
      ]);
      await Promise.all([atA.done, atB.done]);
    } finally {
      clearInterval(progress);
    }
    const delivered = performance.now();
    for (let attempt = 0; ; attempt++) {
      const archived = await archiveCount(sa, b.jid);
      if (archived === count) break;
      if (archived > count) throw new Error(`A's archive with B holds ${archived} messages, expected ${count} (not a fresh account?)`);
      if (attempt >= 50) throw new Error(`A's archive with B holds ${archived} of ${count} messages after every message was delivered`);
      await sleep(200);
    }
    const end = performance.now();
    return { messages, seedMs: end - t0, countWaitMs: end - delivered };
  } finally {
    await Promise.all([sa.close(), sb.close()]);
  }
}
