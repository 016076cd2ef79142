/**
 * Fills a fresh account's roster with `count` contacts, through the account itself: one raw
 * session writes every roster set IQ at once (pipelined) and waits for all the results.
 */
import { performance } from 'node:perf_hooks';
import type { TestUser } from '../../scripts/prosody.js';
import { escapeXml, rawLoginAs } from './raw-xmpp.js';

export interface RosterContact {
  jid: string;
  name: string;
  group: string;
}

/** The contacts of a benchmark roster: distinct JIDs, a name each, spread over 10 groups. */
export function rosterContacts(count: number, domain: string): RosterContact[] {
  return Array.from({ length: count }, (_, i) => ({
    jid: `contact-${String(i).padStart(5, '0')}@${domain}`,
    name: `Contact ${i}`,
    group: `Group ${i % 10}`,
  }));
}

const rosterSet = (id: string, c: RosterContact) =>
  `<iq type='set' id='${id}'><query xmlns='jabber:iq:roster'><item jid='${escapeXml(c.jid)}' name='${escapeXml(c.name)}'><group>${escapeXml(c.group)}</group></item></query></iq>`;

/** Resolves with the time it took, once the server has answered every set (rejects on an error reply). */
export async function fillRoster(user: TestUser, contacts: readonly RosterContact[]): Promise<number> {
  const t0 = performance.now();
  const session = await rawLoginAs(user);
  try {
    let answered = 0;
    const done = new Promise<void>((resolve, reject) => {
      session.onElement((el) => {
        if (el.name !== 'iq' || !el.attrs.id?.startsWith('rs-')) return;
        if (el.attrs.type !== 'result') return reject(new Error(`roster set ${el.attrs.id} failed: ${el.toString().slice(0, 300)}`));
        if (++answered === contacts.length) resolve();
      });
    });
    await session.write(contacts.map((c, i) => rosterSet(`rs-${i}`, c)).join(''));
    await done;
    return performance.now() - t0;
  } finally {
    await session.close();
  }
}
