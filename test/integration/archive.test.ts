import { xml } from '@xmpp/xml';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type SnapshotFrom } from 'xstate';
import { MUC_DOMAIN, TCP_URL, WS_URL, killProsody, startProsody, uniqueUsers, type TestUser } from '../../scripts/prosody.js';
import { XmppAdapterError } from '../../src/errors.js';
import { selectConnection } from '../../src/client/select-connection.js';
import { toArray } from '../../src/store/message-store.js';
import { connectHistory, type ArchiveLogic } from '../../src/xeps/archive/index.js';
import { connectChat, conversationId, type ChatMessage, type ConversationLogic } from '../../src/xeps/chat/index.js';
import { observedClient, type ObservedClient } from '../support/client.js';

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

type Online = ObservedClient & { bare: string };

async function online(user: TestUser, service = TCP_URL, options = {}): Promise<Online> {
  const c = observedClient(user, service, options);
  running.push(c);
  await c.client.start();
  return { ...c, bare: `${user.username}@${user.domain}` };
}

function messagesWith(c: ObservedClient, peer: string): ChatMessage[] {
  const ref = c.client.feature(conversationId(peer));
  return ref ? toArray((ref.getSnapshot() as SnapshotFrom<ConversationLogic>).context.messages) : [];
}

const archiveOf = (c: ObservedClient) => c.client.feature('archive')!.getSnapshot() as SnapshotFrom<ArchiveLogic>;

/** Sends `count` numbered messages and waits until the server has handled them all (an IQ round trip after them). */
async function sendNumbered(from: ObservedClient, to: string, count: number, prefix: string): Promise<string[]> {
  const bodies = Array.from({ length: count }, (_, i) => `${prefix} ${String(i + 1).padStart(3, '0')}`);
  for (const body of bodies) await from.client.messages.send(to, body);
  await from.client.ping();
  return bodies;
}

describe('message archive (XEP-0313) against Prosody', () => {
  it('scrolls back page by page to the very first message, then says there is no more history', async () => {
    const [aliceUser, bobUser] = await uniqueUsers(['salice', 'sbob']);
    const alice = await online(aliceUser!);
    const bob = `${bobUser!.username}@${bobUser!.domain}`;
    const sent = await sendNumbered(alice, bob, 120, 'old');
    await alice.client.stop();

    // A fresh device of alice's knows nothing of that conversation: everything comes from her archive.
    const device = await online(aliceUser!, WS_URL, { resource: 'second-device' });
    const pages: number[] = [];
    for (let call = 0; call < 10; call++) {
      const result = await device.client.archive.loadOlder(bob, { max: 50 });
      pages.push(result.added);
      if (result.complete) break;
    }
    const messages = messagesWith(device, bob);
    expect(pages).toEqual([50, 50, 20]);
    expect(messages.map((m) => m.body)).toEqual(sent);
    expect(messages.every((m) => m.direction === 'out' && m.stanzaId !== undefined)).toBe(true);
    expect(new Set(messages.map((m) => m.id)).size).toBe(120);
    const view = connectChat(
      device.client.feature(conversationId(bob))!.getSnapshot() as SnapshotFrom<ConversationLogic>,
      archiveOf(device),
    );
    expect(view.history).toEqual({ loading: false, complete: true, error: undefined });
    // History is not unread, and asking again sends nothing.
    expect(view.unread).toBe(0);
    expect(await device.client.archive.loadOlder(bob)).toEqual({ added: 0, pages: 0, complete: true });
  });

  it('after a reconnect that could not resume, catches up every message sent meanwhile, in order, once', async () => {
    const [aliceUser, bobUser] = await uniqueUsers(['calice', 'cbob']);
    const fast = { reconnect: { minDelay: 100, maxDelay: 500 } };
    const alice = await online(aliceUser!, TCP_URL, fast);
    // Bob comes back only after the server has lost his session (15 s), so he cannot resume it.
    const bob = await online(bobUser!, WS_URL, { reconnect: { minDelay: 15_000, maxDelay: 15_000 } });
    await alice.client.messages.send(bob.bare, 'before the drop');
    await expect.poll(() => messagesWith(bob, alice.bare).length, { timeout: 5000 }).toBe(1);
    expect(bob.client.feature('chat')!.getSnapshot().context.archivedUpTo).toBeDefined();

    bob.client.actor.system.get('transport')!.send({ type: 'transport.abort', reason: { kind: 'network', message: 'test cut' } });
    await bob.waitFor('reconnecting');
    // Prosody holds bob's session for resumption and queues these for it; they are archived too.
    const missed = await sendNumbered(alice, bob.bare, 300, 'missed');
    // The restart drops the held session and its queue: the archive is all that is left.
    await killProsody();
    await startProsody();
    await bob.waitFor('online', 40_000);
    expect(selectConnection(bob.client.getSnapshot()).resumed).toBe(false);

    await waitFor(bob.client.feature('archive')!, (s) => (s as SnapshotFrom<ArchiveLogic>).context.catchUp.status === 'complete', {
      timeout: 20_000,
    });
    const catchUp = archiveOf(bob).context.catchUp;
    expect(catchUp.pages).toBeGreaterThanOrEqual(3);
    expect(catchUp.messages).toBeGreaterThanOrEqual(300);
    const bodies = messagesWith(bob, alice.bare).map((m) => m.body);
    expect(bodies).toEqual(['before the drop', ...missed]);
    expect(connectChat(bob.client.feature(conversationId(alice.bare))!.getSnapshot() as SnapshotFrom<ConversationLogic>).unread).toBe(301);
  }, 90_000);

  it('finishes a query that a dropped connection interrupted, without gaps or duplicates', async () => {
    const [aliceUser, bobUser] = await uniqueUsers(['ialice', 'ibob']);
    const alice = await online(aliceUser!);
    const bob = `${bobUser!.username}@${bobUser!.domain}`;
    const sent = await sendNumbered(alice, bob, 200, 'paged');
    await alice.client.stop();

    const device = await online(aliceUser!, TCP_URL, { resource: 'reader', reconnect: { minDelay: 100, maxDelay: 500 } });
    const all = device.client.archive.loadAll(bob, { max: 20 });
    // Cut the wire once the first pages are in.
    await expect.poll(() => messagesWith(device, bob).length, { timeout: 5000, interval: 5 }).toBeGreaterThan(0);
    device.client.actor.system.get('transport')!.send({ type: 'transport.abort', reason: { kind: 'network', message: 'test cut' } });
    const result = await all;
    expect(result.complete).toBe(true);
    expect(messagesWith(device, bob).map((m) => m.body)).toEqual(sent);
    expect(result.added).toBe(200);
  });

  it('pages a room archive backwards, addressed to the room', async () => {
    const [ownerUser] = await uniqueUsers(['rowner']);
    const owner = await online(ownerUser!);
    const room = `archive-${ownerUser!.username}@${MUC_DOMAIN}`;
    // Create the room (an instant room, XEP-0045 §10.1.2) and say 25 things in it.
    owner.client.sendStanza(
      (await import('@xmpp/xml')).xml(
        'presence',
        { to: `${room}/owner` },
        (await import('@xmpp/xml')).xml('x', { xmlns: 'http://jabber.org/protocol/muc' }),
      ),
    );
    await expect
      .poll(() => owner.inbound.some((s) => s.includes(`from="${room}/owner"`) && s.includes('status code="110"')), { timeout: 5000 })
      .toBe(true);
    await owner.client.iq(
      xml(
        'iq',
        { type: 'set', to: room },
        xml('query', { xmlns: 'http://jabber.org/protocol/muc#owner' }, xml('x', { xmlns: 'jabber:x:data', type: 'submit' })),
      ),
    );
    const said = Array.from({ length: 25 }, (_, i) => `room line ${i + 1}`);
    for (const body of said) owner.client.sendStanza(xml('message', { to: room, type: 'groupchat' }, xml('body', {}, body)));
    // An IQ to the room is handled after the messages before it: the archive has them all.
    await owner.client.disco.info(room);

    const result = await owner.client.archive.loadAll(room, { room: true, max: 10 });
    expect(result.complete).toBe(true);
    expect(result.pages).toBe(3);
    const lines = (result.results ?? []).map((r) => (r.entry.kind === 'groupchat' ? r.entry.message.body : undefined)).filter(Boolean);
    expect(lines).toEqual(said);
    expect(connectHistory(archiveOf(owner), room)).toMatchObject({ loading: false, complete: true });
  });

  it('reads and sets the archiving preferences, searches by time, and says when full-text search is not offered', async () => {
    const [aliceUser, bobUser] = await uniqueUsers(['palice', 'pbob']);
    const alice = await online(aliceUser!);
    const bob = `${bobUser!.username}@${bobUser!.domain}`;
    const before = await alice.client.archive.prefs();
    expect(before.default).toMatch(/always|never|roster/);
    const updated = await alice.client.archive.setPrefs({ default: 'always', always: [bob], never: [] });
    expect(updated).toEqual({ default: 'always', always: [bob], never: [] });

    await sendNumbered(alice, bob, 3, 'early');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const since = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await sendNumbered(alice, bob, 2, 'late');
    const found = await alice.client.archive.search(bob, { start: since });
    expect(found.map((r) => (r.entry.kind === 'chat' ? r.entry.message.body : ''))).toEqual(['late 001', 'late 002']);
    // Search results are returned, not merged: the conversation holds what was sent live only.
    expect(messagesWith(alice, bob)).toHaveLength(5);

    const refused = await alice.client.archive.search(bob, { text: 'late' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(XmppAdapterError);
    expect((refused as XmppAdapterError).code).toBe('feature-failed');
  });
});
