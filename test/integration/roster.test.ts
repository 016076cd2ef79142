import { xml } from '@xmpp/xml';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type AnyActorRef, type SnapshotFrom } from 'xstate';
import type { FeatureModule } from '../../src/xeps/feature.js';
import type { AppNotification } from '../../src/client/notifications.js';
import { defaultFeatures, withFeatures } from '../../src/xeps/registry.js';
import { block, connectBlocking, type BlockingLogic } from '../../src/xeps/blocking/index.js';
import type { ConversationLogic } from '../../src/xeps/chat/index.js';
import { connectPresence, subscribe, type PresenceLogic } from '../../src/xeps/presence/index.js';
import {
  NS_ROSTER,
  addContact,
  connectRoster,
  createRosterFeature,
  type RosterLogic,
  type RosterView,
} from '../../src/xeps/roster/index.js';
import { TCP_URL, WS_URL, killProsody, startProsody, uniqueUser, type TestUser } from '../../scripts/prosody.js';
import { selectConnection } from '../../src/client/select-connection.js';
import { connectChat } from '../../src/xeps/chat/index.js';
import { observedClient, type ObservedClient } from '../support/client.js';
import { befriend } from '../support/contacts.js';

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

type Online = ObservedClient & { jid: string; bare: string };

async function online(user: TestUser, features: readonly FeatureModule[] = [], service = TCP_URL): Promise<Online> {
  const c = observedClient(user, service, {}, { features: withFeatures(defaultFeatures, ...features) });
  running.push(c);
  const view = await c.client.start();
  return { ...c, jid: view.jid!, bare: `${user.username}@${user.domain}` };
}

const ref = (c: ObservedClient, id: string) => c.client.actor.system.get(id) as AnyActorRef;

async function rosterWhere(c: ObservedClient, check: (view: RosterView) => boolean): Promise<RosterView> {
  const snapshot = await waitFor(ref(c, 'roster'), (s) => check(connectRoster(s as SnapshotFrom<RosterLogic>)), { timeout: 5000 });
  return connectRoster(snapshot as SnapshotFrom<RosterLogic>);
}

describe('roster, presence and blocking against the local Prosody', () => {
  it('adds a contact and sees the push in the roster actor', async () => {
    const [aliceUser, bobUser] = await Promise.all([uniqueUser('ralice'), uniqueUser('rbob')]);
    const alice = await online(aliceUser);
    await rosterWhere(alice, (v) => v.status === 'ready');
    await addContact(alice.client.services, bobUser.username + '@' + bobUser.domain, 'Bob', ['Friends']);
    const view = await rosterWhere(alice, (v) => v.contacts.length === 1);
    expect(view.contacts[0]).toMatchObject({ name: 'Bob', subscription: 'none', groups: ['Friends'] });
    expect(view.ver).toBeDefined();
  });

  it('re-fetches by version after a restart: unchanged from a cache, complete from ver=""', async () => {
    const [aliceUser, bobUser] = await Promise.all([uniqueUser('valice'), uniqueUser('vbob')]);
    const bobBare = `${bobUser.username}@${bobUser.domain}`;
    const first = await online(aliceUser);
    await rosterWhere(first, (v) => v.status === 'ready');
    await addContact(first.client.services, bobBare, 'Bob');
    const before = await rosterWhere(first, (v) => v.contacts.length === 1);
    await first.client.stop();

    // A new client with the roster cached by the app: the server answers "unchanged" (an empty result).
    const cached = createRosterFeature({
      cache: { ver: before.ver!, items: Object.fromEntries(before.contacts.map((c) => [c.jid, c])) },
    });
    const second = await online(aliceUser, [cached], WS_URL);
    const again = await rosterWhere(second, (v) => v.status === 'ready');
    expect(again.contacts.map((c) => c.jid)).toEqual([bobBare]);
    // No `<query xmlns='jabber:iq:roster'>` came back: the result was empty.
    expect(second.inbound.some((s) => s.includes(`<query xmlns="${NS_ROSTER}"`))).toBe(false);
    await second.client.stop();

    // A new client without a cache bootstraps versioning with ver='' and gets the complete roster.
    const third = await online(aliceUser, [createRosterFeature({ versioning: true })]);
    const complete = await rosterWhere(third, (v) => v.status === 'ready');
    expect(complete.contacts).toEqual([expect.objectContaining({ jid: bobBare, name: 'Bob' })]);
    expect(complete.ver).toBe(before.ver);
  });

  it('blocks a contact and the block list shows him', async () => {
    const [aliceUser, bobUser] = await Promise.all([uniqueUser('balice'), uniqueUser('bbob')]);
    const bobBare = `${bobUser.username}@${bobUser.domain}`;
    const alice = await online(aliceUser);
    const blockingRef = ref(alice, 'blocking');
    await waitFor(blockingRef, (s) => connectBlocking(s as SnapshotFrom<BlockingLogic>).status === 'ready', { timeout: 5000 });
    await block(alice.client.services, [bobBare]);
    const snapshot = await waitFor(blockingRef, (s) => (s as SnapshotFrom<BlockingLogic>).context.blocked.length > 0, { timeout: 5000 });
    const view = connectBlocking(snapshot as SnapshotFrom<BlockingLogic>);
    expect(view.blocked).toEqual([bobBare]);
    expect(view.isBlocked(`${bobBare}/phone`)).toBe(true);
  });

  it('ignores a roster push forged by another user, who gets an error', async () => {
    const [aliceUser, bobUser] = await Promise.all([uniqueUser('falice'), uniqueUser('fbob')]);
    const [alice, bob] = await Promise.all([online(aliceUser), online(bobUser)]);
    await rosterWhere(alice, (v) => v.status === 'ready');
    const forged = xml(
      'iq',
      { type: 'set', to: alice.jid },
      xml('query', { xmlns: NS_ROSTER }, xml('item', { jid: 'mallory@localhost', name: 'Mallory' })),
    );
    // `client.iq` writes the stanza like `sendStanza` and waits for alice's answer.
    await expect(bob.client.iq(forged)).rejects.toMatchObject({ condition: 'service-unavailable' });
    const view = connectRoster(ref(alice, 'roster').getSnapshot() as SnapshotFrom<RosterLogic>);
    expect(view.contacts).toEqual([]);
  });

  it("sees a plain subscription request, the contact's presence once approved, and its going offline", async () => {
    const [aliceUser, bobUser] = await Promise.all([uniqueUser('palice'), uniqueUser('pbob')]);
    const [alice, bob] = await Promise.all([online(aliceUser), online(bobUser)]);
    await rosterWhere(alice, (v) => v.status === 'ready');
    // A bare <presence type='subscribe'/>: no child at all.
    subscribe(alice.client.services, bob.bare);
    const pending = await waitFor(ref(bob, 'presence'), (s) => connectPresence(s as SnapshotFrom<PresenceLogic>).pending.length > 0, {
      timeout: 5000,
    });
    expect(connectPresence(pending as SnapshotFrom<PresenceLogic>).pending).toEqual([{ jid: alice.bare }]);
    ref(bob, 'presence').send({ type: 'presence.approve', jid: alice.bare });
    const seen = await waitFor(
      ref(alice, 'presence'),
      (s) => connectPresence(s as SnapshotFrom<PresenceLogic>).of(bob.bare) !== undefined,
      {
        timeout: 5000,
      },
    );
    expect(connectPresence(seen as SnapshotFrom<PresenceLogic>).of(bob.bare)).toMatchObject({ resource: bob.jid, show: 'available' });
    expect(connectPresence(ref(bob, 'presence').getSnapshot() as SnapshotFrom<PresenceLogic>).pending).toEqual([]);
    await rosterWhere(alice, (v) => v.get(bob.bare)?.subscription === 'to');

    // Bob's client stops: its <presence type='unavailable'/> has no children either.
    await bob.client.stop();
    await waitFor(ref(alice, 'presence'), (s) => connectPresence(s as SnapshotFrom<PresenceLogic>).of(bob.bare) === undefined, {
      timeout: 5000,
    });
  });

  it('two users subscribe to each other with client.contacts and see presence changes both ways', async () => {
    const [aliceUser, bobUser] = await Promise.all([uniqueUser('salice'), uniqueUser('sbob')]);
    const [alice, bob] = await Promise.all([online(aliceUser), online(bobUser)]);
    const requests = { alice: [] as AppNotification[], bob: [] as AppNotification[] };
    alice.client.on('contact.request', (n) => requests.alice.push(n));
    bob.client.on('contact.request', (n) => requests.bob.push(n));
    await Promise.all([rosterWhere(alice, (v) => v.status === 'ready'), rosterWhere(bob, (v) => v.status === 'ready')]);

    await alice.client.contacts.add(bob.bare, 'Bob');
    await expect.poll(() => requests.bob, { timeout: 5000 }).toEqual([{ type: 'contact.request', jid: alice.bare }]);
    bob.client.contacts.approve(alice.bare);
    await bob.client.contacts.add(alice.bare, 'Alice');
    await expect.poll(() => requests.alice, { timeout: 5000 }).toEqual([{ type: 'contact.request', jid: bob.bare }]);
    alice.client.contacts.approve(bob.bare);

    await rosterWhere(alice, (v) => v.get(bob.bare)?.subscription === 'both');
    await rosterWhere(bob, (v) => v.get(alice.bare)?.subscription === 'both');
    const presenceOf = (watcher: Online, jid: string) =>
      connectPresence(ref(watcher, 'presence').getSnapshot() as SnapshotFrom<PresenceLogic>).of(jid);
    await expect.poll(() => presenceOf(alice, bob.bare)?.show, { timeout: 5000 }).toBe('available');
    await expect.poll(() => presenceOf(bob, alice.bare)?.show, { timeout: 5000 }).toBe('available');

    alice.client.presence.set('away', 'lunch');
    await expect.poll(() => presenceOf(bob, alice.bare), { timeout: 5000 }).toMatchObject({ show: 'away', status: 'lunch' });
    bob.client.presence.set('dnd');
    await expect.poll(() => presenceOf(alice, bob.bare)?.show, { timeout: 5000 }).toBe('dnd');
    // Our own presence as the server reflects it.
    await expect
      .poll(() => connectPresence(ref(alice, 'presence').getSnapshot() as SnapshotFrom<PresenceLogic>).own, { timeout: 5000 })
      .toMatchObject({ show: 'away', status: 'lunch' });

    const view = connectRoster(ref(alice, 'roster').getSnapshot() as SnapshotFrom<RosterLogic>, {
      presence: ref(alice, 'presence').getSnapshot() as SnapshotFrom<PresenceLogic>,
    });
    expect(view.get(bob.bare)).toMatchObject({ name: 'Bob', subscription: 'both', presence: { show: 'dnd' } });
  });

  it('still shows the contacts available after a dropped stream is resumed: the server does not send their presence again', async () => {
    const [aliceUser, bobUser] = await Promise.all([uniqueUser('ralice'), uniqueUser('rbob')]);
    const alice = observedClient(aliceUser, TCP_URL, { reconnect: { minDelay: 50, maxDelay: 200 } });
    running.push(alice);
    await alice.client.start();
    const bob = await online(bobUser);
    const aliceParty = { client: alice.client, bare: `${aliceUser.username}@${aliceUser.domain}` };
    await befriend(aliceParty, bob);
    const presenceOfBob = () => connectPresence(ref(alice, 'presence').getSnapshot() as SnapshotFrom<PresenceLogic>).of(bob.bare);
    await expect.poll(() => presenceOfBob()?.show, { timeout: 5000 }).toBe('available');
    // Long enough for the XEP-0198 acks to settle: nothing of bob's is left to resend on resumption.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    ref(alice, 'transport').send({ type: 'transport.abort', reason: { kind: 'network', message: 'test cut' } });
    await alice.waitFor('reconnecting');
    await alice.waitFor('online');
    expect(selectConnection(alice.client.getSnapshot()).resumed).toBe(true);
    // Nothing comes from bob again: what alice knew before the drop still holds.
    expect(presenceOfBob()?.show).toBe('available');
  });

  it('blocking stops delivery: a blocked contact’s message never reaches the conversation, and arrives again once unblocked', async () => {
    const [aliceUser, bobUser] = await Promise.all([uniqueUser('kalice'), uniqueUser('kbob')]);
    const [alice, bob] = await Promise.all([online(aliceUser), online(bobUser)]);
    await waitFor(ref(bob, 'blocking'), (s) => connectBlocking(s as SnapshotFrom<BlockingLogic>).status === 'ready', { timeout: 5000 });
    await bob.client.contacts.block(alice.bare);

    const blocked = await alice.client.messages.send(bob.bare, 'can you hear me?');
    const conversation = () => alice.client.feature(`chat:${bob.bare}`) as AnyActorRef;
    // XEP-0191 §5.3, a message from a blocked contact: "the server SHOULD return an error, which SHOULD be &unavailable;".
    await expect
      .poll(() => (conversation().getSnapshot() as SnapshotFrom<ConversationLogic>).context.messages.tail.at(-1)?.state, { timeout: 5000 })
      .toBe('error');
    expect(bob.client.feature(`chat:${alice.bare}`)).toBeUndefined();

    await bob.client.contacts.unblock(alice.bare);
    await alice.client.messages.send(bob.bare, 'and now?');
    await expect.poll(() => bob.client.feature(`chat:${alice.bare}`), { timeout: 5000 }).toBeDefined();
    const bodies = (bob.client.feature(`chat:${alice.bare}`)!.getSnapshot() as SnapshotFrom<ConversationLogic>).context.messages.tail.map(
      (m) => m.body,
    );
    expect(bodies).toEqual(['and now?']);
    expect(bodies).not.toContain(blocked.body);
  });

  it('after the server restarts (a fresh session, not resumed) the roster is fetched by version and nothing is resent; unread counts carry over', async () => {
    const [aliceUser, bobUser] = await Promise.all([uniqueUser('ralice'), uniqueUser('rbob')]);
    const fast = { reconnect: { minDelay: 100, maxDelay: 500 } };
    const alice = observedClient(aliceUser, TCP_URL, fast);
    const bob = observedClient(bobUser, WS_URL, fast);
    running.push(alice, bob);
    await Promise.all([alice.client.start(), bob.client.start()]);
    const aliceBare = `${aliceUser.username}@${aliceUser.domain}`;
    const bobBare = `${bobUser.username}@${bobUser.domain}`;
    await rosterWhere(alice, (v) => v.status === 'ready');
    await alice.client.contacts.add(bobBare, 'Bob', { subscribe: false });
    const before = await rosterWhere(alice, (v) => v.contacts.length === 1 && v.ver !== undefined);

    await bob.client.messages.send(aliceBare, 'one');
    await bob.client.messages.send(aliceBare, 'two');
    const unread = () => {
      const conversation = alice.client.feature(`chat:${bobBare}`);
      return conversation ? connectChat(conversation.getSnapshot() as SnapshotFrom<ConversationLogic>).unread : 0;
    };
    await expect.poll(unread, { timeout: 5000 }).toBe(2);

    // No waiting for the server's acks: what it never acknowledged is resent on the new session,
    // except answered IQs (the roster set above must not be applied twice, bumping the version).
    await killProsody();
    await alice.waitFor('reconnecting');
    const rosterQueriesBefore = alice.inbound.filter((s) => s.includes(`<query xmlns="${NS_ROSTER}"`)).length;
    await startProsody();
    await Promise.all([alice.waitFor('online', 30_000), bob.waitFor('online', 30_000)]);
    expect(selectConnection(alice.client.getSnapshot()).resumed).toBe(false);

    // RFC 6121 §2.6: asked with the version it holds, the server answers "unchanged" (no <query/>).
    const after = await rosterWhere(alice, (v) => v.status === 'ready');
    expect(after.ver).toBe(before.ver);
    expect(after.contacts.map((c) => c.jid)).toEqual([bobBare]);
    expect(alice.inbound.filter((s) => s.includes(`<query xmlns="${NS_ROSTER}"`)).length).toBe(rosterQueriesBefore);

    // The conversation lives for the client's life: the count is what it was, and grows from there.
    expect(unread()).toBe(2);
    await bob.client.messages.send(aliceBare, 'three');
    await expect.poll(unread, { timeout: 5000 }).toBe(3);
    const bodies = connectChat(alice.client.feature(`chat:${bobBare}`)!.getSnapshot() as SnapshotFrom<ConversationLogic>).messages.map(
      (m) => m.body,
    );
    expect(bodies).toEqual(['one', 'two', 'three']);
  });

  it('pre-approves a contact (RFC 6121 §3.4): its later request is granted without asking us', async () => {
    const [aliceUser, bobUser] = await Promise.all([uniqueUser('aalice'), uniqueUser('abob')]);
    const [alice, bob] = await Promise.all([online(aliceUser), online(bobUser)]);
    const requests: AppNotification[] = [];
    alice.client.on('contact.request', (n) => requests.push(n));
    await Promise.all([rosterWhere(alice, (v) => v.status === 'ready'), rosterWhere(bob, (v) => v.status === 'ready')]);

    alice.client.contacts.preApprove(bob.bare);
    // Round trip to alice's server so the pre-approval is in place before bob asks.
    await alice.client.ping();
    await bob.client.contacts.add(alice.bare);
    await rosterWhere(bob, (v) => v.get(alice.bare)?.subscription === 'to');
    await expect
      .poll(() => connectPresence(ref(bob, 'presence').getSnapshot() as SnapshotFrom<PresenceLogic>).of(alice.bare)?.show, {
        timeout: 5000,
      })
      .toBe('available');
    expect(requests).toEqual([]);
  });
});
