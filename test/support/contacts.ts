import { expect } from 'vitest';
import type { XmppClient } from '../../src/client/create-client.js';

interface Party {
  client: XmppClient;
  /** The account's bare JID. */
  bare: string;
}

/** Makes `a` and `b` subscribed to each other's presence (subscription `both`), the way two users would. */
export async function befriend(a: Party, b: Party): Promise<void> {
  const requests = { a: [] as string[], b: [] as string[] };
  a.client.on('contact.request', (n) => requests.a.push(n.jid));
  b.client.on('contact.request', (n) => requests.b.push(n.jid));
  await a.client.contacts.add(b.bare);
  await expect.poll(() => requests.b, { timeout: 5000 }).toContain(a.bare);
  b.client.contacts.approve(a.bare);
  await b.client.contacts.add(a.bare);
  await expect.poll(() => requests.a, { timeout: 5000 }).toContain(b.bare);
  a.client.contacts.approve(b.bare);
}
