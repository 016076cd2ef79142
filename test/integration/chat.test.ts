import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type AnyActorRef, type SnapshotFrom } from 'xstate';
import { defaultFeatures } from '../../src/xeps/registry.js';
import { connectCarbons, type CarbonsLogic } from '../../src/xeps/carbons/index.js';
import { connectCaps, type CapsLogic } from '../../src/xeps/caps/index.js';
import { connectChat, conversationId, sendMessage, type ChatMessage, type ConversationLogic } from '../../src/xeps/chat/index.js';
import { TCP_URL, WS_URL, uniqueUsers, type TestUser } from '../../scripts/prosody.js';
import { observedClient, type ObservedClient } from '../support/client.js';

// chat and carbons are part of the default features.
const features = defaultFeatures;
const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

async function online(user: TestUser, service = TCP_URL, options = {}) {
  const c = observedClient(user, service, options, { features });
  running.push(c);
  const view = await c.client.start();
  const system = c.client.actor.system;
  // Available once the presence feature has sent our presence with caps (after the caps hash),
  // and carbons enabled: only then does the server deliver to this resource's bare JID.
  await waitFor(system.get('caps')!, (s) => connectCaps(s as SnapshotFrom<CapsLogic>).ownVer !== undefined, { timeout: 5000 });
  await waitFor(system.get('carbons')!, (s) => connectCarbons(s as SnapshotFrom<CarbonsLogic>).status !== 'enabling', {
    timeout: 5000,
  });
  return { ...c, jid: view.jid!, chat: system.get('chat')! as AnyActorRef };
}

type Online = Awaited<ReturnType<typeof online>>;

/** Waits until the conversation with `peer` satisfies `check`, and returns its messages. */
async function conversationOf(c: Online, peer: string, check: (messages: ChatMessage[]) => boolean): Promise<ChatMessage[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ref = c.client.actor.system.get(conversationId(peer));
    if (ref) {
      const snapshot = (await waitFor(ref, (s) => check(connectChat(s as SnapshotFrom<ConversationLogic>).messages), {
        timeout: Math.max(1, deadline - Date.now()),
      })) as SnapshotFrom<ConversationLogic>;
      return connectChat(snapshot).messages;
    }
    if (Date.now() > deadline) throw new Error(`no conversation with ${peer}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('chat and carbons against the local Prosody', () => {
  it('exchanges messages both ways, in order, with receipts', async () => {
    const [aliceUser, bobUser] = await uniqueUsers(['alice', 'bob']);
    const [alice, bob] = await Promise.all([online(aliceUser!), online(bobUser!, WS_URL)]);

    sendMessage(alice.chat, bobUser!.jid, 'hello bob');
    await conversationOf(bob, aliceUser!.jid, (m) => m.length === 1);
    sendMessage(bob.chat, aliceUser!.jid, 'hello alice');
    await conversationOf(alice, bobUser!.jid, (m) => m.length === 2);
    sendMessage(alice.chat, bobUser!.jid, 'how are you?');

    const bobSees = await conversationOf(bob, aliceUser!.jid, (m) => m.length === 3);
    expect(bobSees.map((m) => [m.direction, m.body])).toEqual([
      ['in', 'hello bob'],
      ['out', 'hello alice'],
      ['in', 'how are you?'],
    ]);
    // Bob's server archives (mod_mam) and stamps a stanza-id by bob's bare JID, which is kept; the
    // message is keyed by the origin-id alice's client sent (what every copy of it shares).
    expect(bobSees[0]!.stanzaId).toBeDefined();
    expect(bobSees[0]!.id).toBe(bobSees[0]!.originId);

    // Bob's client acked both of alice's messages (XEP-0184): they end up delivered.
    const aliceSees = await conversationOf(alice, bobUser!.jid, (m) => m.length === 3 && m.every((x) => x.state === 'delivered'));
    expect(aliceSees.map((m) => [m.direction, m.body, m.state])).toEqual([
      ['out', 'hello bob', 'delivered'],
      ['in', 'hello alice', 'delivered'],
      ['out', 'how are you?', 'delivered'],
    ]);
    expect(aliceSees[0]!.id).toBe(aliceSees[0]!.originId);

    // Bob reads the conversation: a XEP-0333 displayed marker moves alice's messages to displayed.
    bob.chat.send({ type: 'chat.markRead', jid: aliceUser!.jid });
    const aliceAfterRead = await conversationOf(alice, bobUser!.jid, (m) =>
      m.filter((x) => x.direction === 'out').every((x) => x.state === 'displayed'),
    );
    expect(aliceAfterRead.map((m) => m.state)).toEqual(['displayed', 'delivered', 'displayed']);
  });

  it("a second resource receives the sent carbon of the first resource's message as outgoing", async () => {
    const [aliceUser, bobUser] = await uniqueUsers(['alice', 'bob']);
    const [phone, laptop, bob] = await Promise.all([
      online(aliceUser!, TCP_URL, { resource: 'phone' }),
      online(aliceUser!, WS_URL, { resource: 'laptop' }),
      online(bobUser!),
    ]);
    const carbonsOf = (c: Online) =>
      connectCarbons(c.client.actor.system.get('carbons')!.getSnapshot() as SnapshotFrom<CarbonsLogic>).status;
    expect([carbonsOf(phone), carbonsOf(laptop)]).toEqual(['enabled', 'enabled']);

    sendMessage(phone.chat, bobUser!.jid, 'sent from the phone');
    const onLaptop = await conversationOf(laptop, bobUser!.jid, (m) => m.length === 1);
    const onPhone = await conversationOf(phone, bobUser!.jid, (m) => m.length === 1);
    // Bob's receipt to the phone reaches the laptop as a carbon too, so the copy may already be delivered.
    expect(onLaptop[0]).toMatchObject({ direction: 'out', body: 'sent from the phone', id: onPhone[0]!.id });
    expect(['sent', 'delivered']).toContain(onLaptop[0]!.state);
    expect(onLaptop[0]!.from).toBe(phone.jid);
    // The server's archive id comes with the carbon; the key stays the origin-id both devices share.
    expect(onLaptop[0]!.originId).toBe(onPhone[0]!.originId);

    // Bob answers alice's bare JID: both resources show it once, as incoming.
    sendMessage(bob.chat, aliceUser!.jid, 'hi both');
    for (const c of [phone, laptop]) {
      const messages = await conversationOf(c, bobUser!.jid, (m) => m.length === 2);
      expect(messages.map((m) => [m.direction, m.body])).toEqual([
        ['out', 'sent from the phone'],
        ['in', 'hi both'],
      ]);
    }
  });

  it('shows the partner typing (XEP-0085) and applies a correction and a retraction from the sender', async () => {
    const [aliceUser, bobUser] = await uniqueUsers(['alice', 'bob']);
    const [alice, bob] = await Promise.all([online(aliceUser!), online(bobUser!, WS_URL)]);
    const typingOn = async (c: Online, peer: string, state: string) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const ref = c.client.actor.system.get(conversationId(peer));
        if (ref) {
          await waitFor(ref, (s) => connectChat(s as SnapshotFrom<ConversationLogic>).typing === state, {
            timeout: Math.max(1, deadline - Date.now()),
          });
          return;
        }
        if (Date.now() > deadline) throw new Error(`no conversation with ${peer}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    // Bob writes first (with <active/>): alice's client learns that bob's takes part in chat states (§5.1).
    sendMessage(bob.chat, aliceUser!.jid, 'hi alice');
    await conversationOf(alice, bobUser!.jid, (m) => m.length === 1);
    await typingOn(alice, bobUser!.jid, 'active');

    alice.chat.send({ type: 'chat.compose', jid: bobUser!.jid, state: 'composing' });
    await typingOn(bob, aliceUser!.jid, 'composing');

    sendMessage(alice.chat, bobUser!.jid, 'helo bob', { id: 'alice-msg-1' });
    await typingOn(bob, aliceUser!.jid, 'active');
    await conversationOf(bob, aliceUser!.jid, (m) => m.some((x) => x.body === 'helo bob'));
    alice.chat.send({ type: 'chat.correct', jid: bobUser!.jid, id: 'alice-msg-1', body: 'hello bob' });
    const corrected = await conversationOf(bob, aliceUser!.jid, (m) => m.some((x) => x.corrected));
    expect(corrected.map((m) => [m.direction, m.body, m.corrected])).toEqual([
      ['out', 'hi alice', undefined],
      ['in', 'hello bob', true],
    ]);

    alice.chat.send({ type: 'chat.retract', jid: bobUser!.jid, id: 'alice-msg-1' });
    const retracted = await conversationOf(bob, aliceUser!.jid, (m) => m.some((x) => x.retracted));
    expect(retracted.map((m) => [m.body, m.retracted])).toEqual([
      ['hi alice', undefined],
      ['', true],
    ]);
  });

  it('a burst of 150 messages sent in one tick arrives complete and in order, over TCP and over WebSocket', async () => {
    // Writes of one tick leave together: joined into one socket write over TCP, one message each over WebSocket.
    for (const service of [TCP_URL, WS_URL]) {
      const [aliceUser, bobUser] = await uniqueUsers(['burst-alice', 'burst-bob']);
      const [alice, bob] = await Promise.all([online(aliceUser!, service), online(bobUser!, service)]);
      const bodies = Array.from({ length: 150 }, (_, i) => `burst ${i}`);
      for (const body of bodies) sendMessage(alice.chat, bobUser!.jid, body);
      const received = await conversationOf(bob, aliceUser!.jid, (m) => m.length === bodies.length);
      expect(received.map((m) => m.body)).toEqual(bodies);
      // Delivered on the first stream: no drop and resend (a server refusing a malformed write would cause one).
      expect([...alice.statuses, ...bob.statuses]).not.toContain('reconnecting');
    }
  });
});
