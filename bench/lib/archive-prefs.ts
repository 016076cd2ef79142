/**
 * Turns off server-side archiving (XEP-0313 preferences, default='never') for benchmark accounts.
 * Prosody's MAM archive is SQLite with a synchronous commit per message: on this machine's disk
 * that alone held every client to ~100–200 messages/s, hiding the clients under test.
 */
import type { TestUser } from '../../scripts/prosody.js';
import { rawLoginAs } from './raw-xmpp.js';

const NS_MAM = 'urn:xmpp:mam:2';

export async function disableArchiving(user: TestUser): Promise<void> {
  const session = await rawLoginAs(user);
  try {
    const reply = new Promise<string>((resolve) => session.onElement((el) => el.attrs.id === 'mam-prefs' && resolve(el.attrs.type ?? '')));
    await session.write(`<iq type='set' id='mam-prefs'><prefs xmlns='${NS_MAM}' default='never'/></iq>`);
    const type = await reply;
    if (type !== 'result') throw new Error(`MAM prefs for ${user.jid}: ${type}`);
  } finally {
    await session.close();
  }
}
