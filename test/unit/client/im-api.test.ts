import { describe, expect, it } from 'vitest';
import { SimulatedClock, type AnyActorRef } from 'xstate';
import { createXmppClient } from '../../../src/client/create-client.js';
import type { AppNotification } from '../../../src/client/notifications.js';
import { XmppAdapterError } from '../../../src/errors.js';
import { NS_BLOCKING } from '../../../src/xeps/blocking/index.js';
import { chat, createChatFeature } from '../../../src/xeps/chat/index.js';
import { NS_ROSTER, connectRoster, roster } from '../../../src/xeps/roster/index.js';
import { defaultFeatures, withFeatures } from '../../../src/xeps/registry.js';
import { presence } from '../../../src/xeps/presence/index.js';
import { createFakeServer } from '../../support/fake-server.js';
import { parseXml } from '../../support/xml.js';

const OPTIONS = { service: 'wss://example.org/ws', username: 'alice', password: 'x', domain: 'example.org' };

function onlineClient() {
  const server = createFakeServer({ jid: 'alice@example.org/test' });
  const client = createXmppClient(OPTIONS, { transport: server.logic, clock: new SimulatedClock() });
  const notifications: AppNotification[] = [];
  client.on('message', (n) => notifications.push(n));
  client.on('contact.request', (n) => notifications.push(n));
  void client.start().catch(() => {});
  server.acceptConnection();
  return { server, client, notifications };
}

const isInvalidArgument = (error: unknown) => error instanceof XmppAdapterError && error.code === 'invalid-argument';

describe('client.messages', () => {
  it('sends a chat message and resolves with it as stored, announcing it as a message notification', async () => {
    const { server, client, notifications } = onlineClient();
    const message = await client.messages.send('bob@example.org', 'hello');
    expect(message).toMatchObject({ direction: 'out', to: 'bob@example.org', body: 'hello', state: 'sending' });
    const stanza = server.expectOutgoing({ name: 'message', to: 'bob@example.org' });
    expect(stanza.attrs.id).toBe(message.id);
    expect(stanza.getChildText('body')).toBe('hello');
    expect(notifications).toContainEqual({ type: 'message', conversation: 'bob@example.org', message });
    await client.stop();
  });

  it('answers from inside a message listener (a bot replying) and still resolves with the stored message', async () => {
    const { server, client } = onlineClient();
    const replies: Promise<unknown>[] = [];
    client.on('message', ({ conversation, message }) => {
      if (message.direction === 'in') replies.push(client.messages.send(conversation, `echo: ${message.body}`));
    });
    server.pushIncoming(`<message type='chat' from='bob@example.org/x' id='b1'><body>hi</body></message>`);
    expect(replies).toHaveLength(1);
    await expect(replies[0]).resolves.toMatchObject({ direction: 'out', body: 'echo: hi', state: 'sending' });
    expect(server.expectOutgoing({ name: 'message', to: 'bob@example.org' }).getChildText('body')).toBe('echo: hi');
    await client.stop();
  });

  it('marks a private message so that it is not carbon-copied (XEP-0280 §6)', async () => {
    const { server, client } = onlineClient();
    await client.messages.send('bob@example.org/phone', 'just here', { private: true });
    const stanza = server.expectOutgoing({ name: 'message', to: 'bob@example.org/phone' });
    expect(stanza.getChild('private', 'urn:xmpp:carbons:2')).toBeDefined();
    await client.stop();
  });

  it('rejects unusable arguments without sending, and refuses before start()', async () => {
    const { server, client } = onlineClient();
    const before = server.outgoing.length;
    await expect(client.messages.send('not a jid@', 'x')).rejects.toSatisfy(isInvalidArgument);
    await expect(client.messages.send('bob@example.org', '')).rejects.toSatisfy(isInvalidArgument);
    expect(server.outgoing).toHaveLength(before);
    await client.stop();

    const idle = createXmppClient(OPTIONS, { transport: createFakeServer().logic });
    await expect(idle.messages.send('bob@example.org', 'x')).rejects.toMatchObject({ code: 'stopped' });
    expect(() => idle.presence.set('away')).toThrow(XmppAdapterError);
  });

  it('sends chat states, corrections and retractions through the chat feature', async () => {
    const { server, client } = onlineClient();
    const sent = await client.messages.send('bob@example.org', 'helo');
    server.outgoing.length = 0;
    client.messages.correct('bob@example.org', sent.id, 'hello');
    const correction = server.expectOutgoing({ name: 'message', to: 'bob@example.org' });
    expect(correction.getChild('replace', 'urn:xmpp:message-correct:0')!.attrs.id).toBe(sent.id);
    client.messages.retract('bob@example.org', sent.id);
    expect(
      server.expectOutgoing({ name: 'message', to: 'bob@example.org' }).getChild('retract', 'urn:xmpp:message-retract:1'),
    ).toBeDefined();
    expect(() => client.messages.compose('bob@example.org', 'dancing' as never)).toThrow(/state must be one of/);
    expect(() => client.messages.correct('bob@example.org', sent.id, '')).toThrow(XmppAdapterError);
    await client.stop();
  });

  it('asks for receipts by default, not with createChatFeature({ requestReceipts: false })', async () => {
    const { server, client } = onlineClient();
    await client.messages.send('bob@example.org', 'with');
    expect(server.expectOutgoing({ name: 'message' }).getChild('request', 'urn:xmpp:receipts')).toBeDefined();
    await client.stop();

    const quiet = createFakeServer();
    const bulk = createXmppClient(OPTIONS, {
      transport: quiet.logic,
      features: withFeatures(defaultFeatures, createChatFeature({ requestReceipts: false })),
    });
    void bulk.start().catch(() => {});
    quiet.acceptConnection();
    await bulk.messages.send('bob@example.org', 'without');
    const stanza = quiet.expectOutgoing({ name: 'message' });
    expect(stanza.getChild('request', 'urn:xmpp:receipts')).toBeUndefined();
    expect(stanza.getChild('origin-id', 'urn:xmpp:sid:0')).toBeDefined();
    await bulk.stop();
  });

  it('tells which feature is missing when the app left it out', async () => {
    const server = createFakeServer();
    const client = createXmppClient(OPTIONS, { transport: server.logic, features: defaultFeatures.filter((f) => f.id !== 'chat') });
    void client.start().catch(() => {});
    server.acceptConnection();
    await expect(client.messages.send('bob@example.org', 'x')).rejects.toMatchObject({ code: 'feature-failed' });
    await client.stop();
  });
});

describe('client.contacts', () => {
  it('adds a contact with a roster set, then asks for a subscription', async () => {
    const { server, client } = onlineClient();
    const added = client.contacts.add('Bob@Example.org/phone', 'Bob', { groups: ['Friends'] });
    const set = server.expectOutgoing((el) => el.name === 'iq' && el.attrs.type === 'set' && el.getChild('query', NS_ROSTER) !== undefined);
    const item = set.getChild('query', NS_ROSTER)!.getChild('item')!;
    expect(item.attrs).toMatchObject({ jid: 'bob@example.org', name: 'Bob' });
    expect(item.getChildText('group')).toBe('Friends');
    expect(server.sent({ name: 'presence', type: 'subscribe' })).toHaveLength(0);
    server.replyResult(set);
    await added;
    expect(server.expectOutgoing({ name: 'presence', type: 'subscribe' }).attrs.to).toBe('bob@example.org');
    await client.stop();
  });

  it('rejects with the server error and sends no subscription when the roster set fails', async () => {
    const { server, client } = onlineClient();
    const added = client.contacts.add('bob@example.org');
    const set = server.expectOutgoing((el) => el.name === 'iq' && el.attrs.type === 'set' && el.getChild('query', NS_ROSTER) !== undefined);
    server.replyError(set, 'not-allowed');
    await expect(added).rejects.toMatchObject({ condition: 'not-allowed' });
    expect(server.sent({ name: 'presence', type: 'subscribe' })).toHaveLength(0);
    await client.stop();
  });

  it('blocks and unblocks through XEP-0191 IQs', async () => {
    const { server, client } = onlineClient();
    const blocked = client.contacts.block('spam@example.net');
    const request = server.expectOutgoing((el) => el.name === 'iq' && el.getChild('block', NS_BLOCKING) !== undefined);
    expect(request.getChild('block', NS_BLOCKING)!.getChild('item')!.attrs.jid).toBe('spam@example.net');
    server.replyResult(request);
    await blocked;
    const unblocked = client.contacts.unblock('spam@example.net');
    const undo = server.expectOutgoing((el) => el.name === 'iq' && el.getChild('unblock', NS_BLOCKING) !== undefined);
    expect(undo.getChild('unblock', NS_BLOCKING)!.getChild('item')!.attrs.jid).toBe('spam@example.net');
    server.replyResult(undo);
    await unblocked;
    await expect(client.contacts.block('')).rejects.toSatisfy(isInvalidArgument);
    await client.stop();
  });

  it('regroups a roster contact keeping its name, unsubscribes, and pre-approves only where the server offers it', async () => {
    const { server, client } = onlineClient();
    const get = server.expectOutgoing((el) => el.name === 'iq' && el.attrs.type === 'get' && el.getChild('query', NS_ROSTER) !== undefined);
    server.replyResult(
      get,
      parseXml(
        `<query xmlns='jabber:iq:roster'><item jid='bob@example.org' name='Bob' subscription='both'><group>Old</group></item></query>`,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    const regrouped = client.contacts.setGroups('bob@example.org', ['Friends', 'Work']);
    const set = server.expectOutgoing((el) => el.name === 'iq' && el.attrs.type === 'set' && el.getChild('query', NS_ROSTER) !== undefined);
    const item = set.getChild('query', NS_ROSTER)!.getChild('item')!;
    expect(item.attrs).toMatchObject({ jid: 'bob@example.org', name: 'Bob' });
    expect(item.getChildren('group').map((g) => g.text())).toEqual(['Friends', 'Work']);
    server.replyResult(set);
    await regrouped;
    await expect(client.contacts.setGroups('nobody@example.org', ['x'])).rejects.toSatisfy(isInvalidArgument);

    client.contacts.unsubscribe('bob@example.org/phone');
    expect(server.expectOutgoing({ name: 'presence', type: 'unsubscribe' }).attrs.to).toBe('bob@example.org');
    // The fake server offered no stream features: no pre-approval.
    expect(() => client.contacts.preApprove('carol@example.org')).toThrow(/pre-approval/);
    await client.stop();

    const offering = createFakeServer({ jid: 'alice@example.org/test' });
    const other = createXmppClient(OPTIONS, { transport: offering.logic, clock: new SimulatedClock() });
    void other.start().catch(() => {});
    offering.acceptConnection({ streamFeatures: ['urn:xmpp:features:pre-approval'] });
    other.contacts.preApprove('carol@example.org');
    expect(offering.expectOutgoing({ name: 'presence', type: 'subscribed' }).attrs.to).toBe('carol@example.org');
    await other.stop();
  });

  it('hears of a subscription request once, and answers it', async () => {
    const { server, client, notifications } = onlineClient();
    server.pushIncoming(`<presence from='carol@example.net' type='subscribe'><status>hi, it is Carol</status></presence>`);
    server.pushIncoming(`<presence from='carol@example.net' type='subscribe'/>`);
    expect(notifications).toEqual([{ type: 'contact.request', jid: 'carol@example.net', status: 'hi, it is Carol' }]);
    client.contacts.approve('carol@example.net');
    expect(server.expectOutgoing({ name: 'presence', type: 'subscribed' }).attrs.to).toBe('carol@example.net');
    await client.stop();
  });
});

describe('client.presence and app intents', () => {
  it('sets our presence; the same intent sent as an event reaches the presence feature', async () => {
    const { server, client } = onlineClient();
    server.outgoing.length = 0;
    client.presence.set('away', 'back soon');
    expect(String(server.expectOutgoing({ name: 'presence' }))).toContain('<show>away</show><status>back soon</status>');
    client.send({ type: 'presence.set', show: 'dnd' });
    expect(String(server.expectOutgoing({ name: 'presence' }))).toContain('<show>dnd</show>');
    expect(() => client.presence.set('invisible' as never)).toThrow(/show must be one of/);
    await client.stop();
  });

  it('forwards roster intents and records a failed command in the roster snapshot', async () => {
    const { server, client } = onlineClient();
    client.send({ type: 'roster.add', jid: 'dave@example.org', name: 'Dave' });
    const set = server.expectOutgoing((el) => el.name === 'iq' && el.attrs.type === 'set' && el.getChild('query', NS_ROSTER) !== undefined);
    server.replyError(set, 'not-acceptable');
    const rosterActor = client.feature('roster') as AnyActorRef;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(rosterActor.getSnapshot().context.commandError).toMatch(/not-acceptable/);
    await client.stop();
  });

  it('joins roster, presence, blocking and conversations in one contact list', async () => {
    const { server, client } = onlineClient();
    const get = server.expectOutgoing((el) => el.name === 'iq' && el.attrs.type === 'get' && el.getChild('query', NS_ROSTER) !== undefined);
    server.replyResult(
      get,
      parseXml(
        `<query xmlns='jabber:iq:roster'><item jid='bob@example.org' subscription='both'/><item jid='eve@example.org' subscription='to' ask='subscribe'/></query>`,
      ),
    );
    const blocklist = server.expectOutgoing((el) => el.name === 'iq' && el.getChild('blocklist', NS_BLOCKING) !== undefined);
    server.replyResult(
      blocklist,
      parseXml(`<blocklist xmlns='urn:xmpp:blocking'><item jid='eve@example.org'/><item jid='troll@example.net'/></blocklist>`),
    );
    server.pushIncoming(`<presence from='bob@example.org/phone'><show>away</show></presence>`);
    server.pushIncoming(`<presence from='carol@example.net' type='subscribe'/>`);
    server.pushIncoming(`<message type='chat' id='m1' from='stranger@example.net/x'><body>hi</body></message>`);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const view = connectRoster(client.feature('roster')!.getSnapshot(), {
      presence: client.feature('presence')!.getSnapshot(),
      blocking: client.feature('blocking')!.getSnapshot(),
      chats: client.feature('chat')!.getSnapshot(),
    });
    expect(view.contacts.map((c) => [c.jid, c.presence?.show, c.blocked])).toEqual([
      ['bob@example.org', 'away', false],
      ['eve@example.org', undefined, true],
    ]);
    expect(view.pendingOut.map((c) => c.jid)).toEqual(['eve@example.org']);
    expect(view.requests).toEqual([{ jid: 'carol@example.net' }]);
    expect(view.blocked).toEqual(['eve@example.org', 'troll@example.net']);
    expect(view.strangers).toEqual(['stranger@example.net']);
    await client.stop();
  });
});

describe('socket reads', () => {
  it("hands a read's chat messages to the chat manager as one batch, in wire order with other features' events", async () => {
    const server = createFakeServer({ jid: 'alice@example.org/test' });
    const toChat: string[] = [];
    const client = createXmppClient(
      {
        ...OPTIONS,
        inspect: (e) => {
          if (e.type === '@xstate.event' && (e.actorRef as { id?: string }).id === 'chat') toChat.push(e.event.type);
        },
      },
      { transport: server.logic, clock: new SimulatedClock() },
    );
    void client.start().catch(() => {});
    server.acceptConnection();
    const message = (id: string) => parseXml(`<message type='chat' from='bob@example.org/x' id='${id}'><body>${id}</body></message>`);
    toChat.length = 0;
    server.emit({
      type: 'transport.stanzas',
      stanzas: [message('a'), parseXml(`<presence from='bob@example.org/x'/>`), message('b')],
    });
    // Presence batches too: it does not split the chat's batch.
    expect(toChat).toEqual(['chat.batch']);
    toChat.length = 0;
    // A roster push (a feature that does not batch) must see the world as the messages before it left it.
    const push = parseXml(`<iq type='set' id='push-1'><query xmlns='jabber:iq:roster'><item jid='carol@example.org'/></query></iq>`);
    server.emit({ type: 'transport.stanzas', stanzas: [message('c'), message('d'), push, message('e')] });
    expect(toChat).toEqual(['chat.batch', 'chat.message']);
    const conversation = client.feature('chat:bob@example.org')!.getSnapshot().context;
    expect(conversation.messages.size).toBe(5);
    await client.stop();
  });
});

describe('feature lists', () => {
  it('refuses two features with one id, and withFeatures replaces by id', () => {
    expect(() => createXmppClient(OPTIONS, { features: [...defaultFeatures, roster] })).toThrow(/two features share the id 'roster'/);
    const custom = { ...presence };
    const list = withFeatures(defaultFeatures, custom, { ...chat, id: 'chat-extra' });
    expect(list).toHaveLength(defaultFeatures.length + 1);
    expect(list.find((f) => f.id === 'presence')).toBe(custom);
    expect(list.at(-1)!.id).toBe('chat-extra');
  });
});
