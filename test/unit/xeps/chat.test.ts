import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { createRouter } from '../../../src/router/router.js';
import {
  MAX_FUTURE_SKEW_MS,
  NS_MARKERS,
  NS_RECEIPTS,
  NS_SID,
  buildChatMessage,
  buildReceipt,
  chat,
  connectChat,
  connectChats,
  conversationId,
  createChatLogic,
  parseChatMessage,
  resolveStamp,
  sendMessage,
  toChatMessage,
  type ChatEvent,
  type ConversationLogic,
} from '../../../src/xeps/chat/index.js';
import { StanzaParseError } from '../../../src/xeps/iq-request.js';
import { CHUNK_SIZE } from '../../../src/store/message-store.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, ok, routeContext } from './harness.js';

const ROMEO = routeContext('romeo@montague.example/garden');
const NOW = Date.parse('2026-01-01T12:00:00Z');

describe('chat codec', () => {
  it('reads a chat message with a body (XEP-0280 Example 8 style)', () => {
    const message = ok(
      parseChatMessage(
        parseXml(`<message from='juliet@capulet.example/balcony' to='romeo@montague.example/garden' type='chat'>
          <body>What man art thou?</body><thread>0e3141cd80894871a68e6fe6b1ec56fa</thread></message>`),
        ROMEO.ownBare,
      ),
    );
    expect(message).toEqual({
      type: 'chat',
      from: 'juliet@capulet.example/balcony',
      to: 'romeo@montague.example/garden',
      body: 'What man art thou?',
      receiptRequested: false,
    });
  });

  it('reads XEP-0359 Example 3: origin-id kept, stanza-id by a room not trusted', () => {
    const message = ok(
      parseChatMessage(
        parseXml(`<message from='juliet@capulet.example/balcony' to='room@muc.example.org'>
          <body>Typical body text</body>
          <stanza-id xmlns='urn:xmpp:sid:0' id='5f3dbc5e-e1d3-4077-a492-693f3769c7ad' by='room@muc.example.org'/>
          <origin-id xmlns='urn:xmpp:sid:0' id='de305d54-75b4-431b-adb2-eb6b9e546013'/></message>`),
        ROMEO.ownBare,
      ),
    );
    expect(message.originId).toBe('de305d54-75b4-431b-adb2-eb6b9e546013');
    expect(message.stanzaId).toBeUndefined();
    expect(message.type).toBe('normal');
  });

  it('trusts a stanza-id only when `by` is the own bare JID', () => {
    const text = (by: string) =>
      parseXml(`<message from='juliet@capulet.example/balcony' type='chat'><body>hi</body>
        <stanza-id xmlns='urn:xmpp:sid:0' id='archive-1' by='${by}'/></message>`);
    expect(ok(parseChatMessage(text('Romeo@Montague.example'), ROMEO.ownBare)).stanzaId).toBe('archive-1');
    expect(ok(parseChatMessage(text('juliet@capulet.example'), ROMEO.ownBare)).stanzaId).toBeUndefined();
    expect(ok(parseChatMessage(text('romeo@montague.example/garden'), ROMEO.ownBare)).stanzaId).toBeUndefined();
  });

  it.each([
    ['a groupchat', `<message from='a@b/c' type='groupchat'><body>x</body></message>`],
    ['a headline', `<message from='a@b/c' type='headline'><body>x</body></message>`],
    ['no body', `<message from='a@b/c' type='chat'><thread>t</thread></message>`],
    ['an empty body', `<message from='a@b/c' type='chat'><body/></message>`],
    ['no from', `<message type='chat'><body>x</body></message>`],
    ['a broken from', `<message from='a@b@c' type='chat'><body>x</body></message>`],
  ])('refuses %s', (_what, text) => {
    expect(parseChatMessage(parseXml(text), ROMEO.ownBare)).toBeInstanceOf(StanzaParseError);
  });

  it('uses XEP-0203 Example 1 stamps, and arrival time for bad or far-future stamps', () => {
    const stanza = parseXml(`<message from='romeo@montague.net/orchard' to='juliet@capulet.com' type='chat'>
      <body>O blessed, blessed night!</body>
      <delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:25Z'>Offline Storage</delay></message>`);
    const parsed = ok(parseChatMessage(stanza, 'juliet@capulet.com'));
    expect(parsed.delay).toBe('2002-09-10T23:08:25Z');
    expect(resolveStamp(parsed.delay, NOW)).toBe('2002-09-10T23:08:25.000Z');
    expect(resolveStamp('2002-09-10T23:08:25.123+02:00', NOW)).toBe('2002-09-10T21:08:25.123Z');
    const arrival = new Date(NOW).toISOString();
    expect(resolveStamp('yesterday', NOW)).toBe(arrival);
    expect(resolveStamp('2002-13-45T99:08:25Z', NOW)).toBe(arrival);
    expect(resolveStamp('2002-09-10 23:08:25', NOW)).toBe(arrival);
    expect(resolveStamp(new Date(NOW + MAX_FUTURE_SKEW_MS + 1000).toISOString(), NOW)).toBe(arrival);
    expect(resolveStamp(new Date(NOW + 1000).toISOString(), NOW)).toBe(new Date(NOW + 1000).toISOString());
    expect(resolveStamp(undefined, NOW)).toBe(arrival);
  });

  it('keys messages by origin-id, else the trusted stanza-id, else the stanza id, else a new id (in both directions)', () => {
    const base = { type: 'chat' as const, from: 'a@b/c', body: 'x', receiptRequested: false };
    const newId = () => 'generated';
    // A resent copy gets a new stanza-id from our server; the origin-id is what every copy shares.
    expect(toChatMessage({ ...base, stanzaId: 's', originId: 'o', idAttr: 'i' }, 'in', NOW, newId, undefined).id).toBe('o');
    expect(toChatMessage({ ...base, stanzaId: 's', idAttr: 'i' }, 'in', NOW, newId, undefined).id).toBe('s');
    expect(toChatMessage({ ...base, originId: 'o', idAttr: 'i' }, 'in', NOW, newId, undefined).id).toBe('o');
    expect(toChatMessage({ ...base, idAttr: 'i' }, 'in', NOW, newId, undefined).id).toBe('i');
    // Outgoing copies (sent carbons, archive) share the origin-id the sending device keyed by.
    expect(toChatMessage({ ...base, stanzaId: 's', originId: 'o', idAttr: 'i' }, 'out', NOW, newId, undefined).id).toBe('o');
    expect(toChatMessage({ ...base, stanzaId: 's', idAttr: 'i' }, 'out', NOW, newId, undefined).id).toBe('s');
    expect(toChatMessage(base, 'in', NOW, newId, 'me@x/y')).toMatchObject({ id: 'generated', to: 'me@x/y', state: 'delivered' });
  });

  it('builds an outgoing message with origin-id = id and a receipt request (XEP-0184 §7)', () => {
    const el = buildChatMessage({ to: 'juliet@capulet.example', body: 'Neither, fair saint', id: 'abc' });
    expect(el.attrs).toMatchObject({ type: 'chat', to: 'juliet@capulet.example', id: 'abc' });
    expect(el.getChildText('body')).toBe('Neither, fair saint');
    expect(el.getChild('request', NS_RECEIPTS)).toBeDefined();
    expect(el.getChild('origin-id', NS_SID)?.attrs.id).toBe('abc');
  });

  it('builds the XEP-0184 Example 2 ack: one <received/> echoing the id, no request', () => {
    const el = buildReceipt('northumberland@shakespeare.lit/westminster', 'richard2-4.1.247', 'normal', 'bi29sg183b4v');
    expect(el.toString()).toBe(
      parseXml(
        `<message to='northumberland@shakespeare.lit/westminster' id='bi29sg183b4v'>
        <received xmlns='urn:xmpp:receipts' id='richard2-4.1.247'/></message>`.replace(/>\s+</g, '><'),
      ).toString(),
    );
  });
});

describe('chat route', () => {
  const router = createRouter([chat]);
  const route = (text: string) => router.route(parseXml(text), ROMEO).map((d) => d.event);

  it('reaches the chat feature through jabber:client (<body/>) and urn:xmpp:receipts, once per stanza', () => {
    const events = route(`<message from='juliet@capulet.example/balcony' id='m1' type='chat'>
      <body>hi</body><request xmlns='urn:xmpp:receipts'/></message>`);
    expect(events).toEqual([
      {
        type: 'chat.message',
        message: { type: 'chat', from: 'juliet@capulet.example/balcony', body: 'hi', idAttr: 'm1', receiptRequested: true },
      },
    ]);
  });

  it('leaves room private messages and mediated invitations (muc#user) to the muc feature', () => {
    expect(
      route(
        `<message from='garden@rooms.example/juliet' type='chat' id='p1'><body>psst</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>`,
      ),
    ).toEqual([]);
    expect(
      route(
        `<message from='garden@rooms.example'><body>You are invited</body><x xmlns='http://jabber.org/protocol/muc#user'><invite from='juliet@capulet.example'/></x></message>`,
      ),
    ).toEqual([]);
  });

  it('routes XEP-0184 Example 2 (a receipt) and message errors', () => {
    expect(
      route(`<message from='kingrichard@royalty.england.lit/throne' id='bi29sg183b4v' to='northumberland@shakespeare.lit/westminster'>
        <received xmlns='urn:xmpp:receipts' id='richard2-4.1.247'/></message>`),
    ).toEqual([
      {
        type: 'chat.message',
        message: {
          type: 'normal',
          from: 'kingrichard@royalty.england.lit/throne',
          to: 'northumberland@shakespeare.lit/westminster',
          idAttr: 'bi29sg183b4v',
          receipt: 'richard2-4.1.247',
          receiptRequested: false,
        },
      },
    ]);
    expect(
      route(`<message from='juliet@capulet.example' id='out-1' type='error'><body>hi</body>
        <error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`),
    ).toEqual([
      { type: 'chat.bounce', from: 'juliet@capulet.example', id: 'out-1', error: { condition: 'service-unavailable', type: 'cancel' } },
    ]);
  });

  it('leaves carbons, groupchat and bodiless messages alone', () => {
    expect(
      route(`<message from='romeo@montague.example' type='chat'><received xmlns='urn:xmpp:carbons:2'/><body>forged</body></message>`),
    ).toEqual([]);
    expect(route(`<message from='room@muc/nick' type='groupchat'><body>x</body></message>`)).toEqual([]);
    expect(route(`<message from='a@b/c' type='chat'><thread>t</thread></message>`)).toEqual([]);
    expect(route(`<message from='a@b/c' type='error'><error type='cancel'/></message>`)).toEqual([]);
  });
});

const JULIET_BARE = 'juliet@capulet.example';
/** One of our messages to Juliet as the transport reports it. */
const sent = (id: string) => ({ id, to: JULIET_BARE });

function harness({ messagesInMemory = 10_000 } = {}) {
  const fake = fakeServices('romeo@montague.example/garden');
  let n = 0;
  let now = NOW;
  const logic = createChatLogic(fake.services, { now: () => now, newId: () => `id-${++n}` });
  const actor = createActor(logic, { input: featureInput({ jid: 'romeo@montague.example/garden', messagesInMemory }) });
  actor.start();
  actor.send({ type: 'session.online', jid: 'romeo@montague.example/garden', resumed: false });
  const conversation = (peer: string) => {
    const ref = actor.system.get(conversationId(peer));
    return ref ? connectChat(ref.getSnapshot() as SnapshotFrom<ConversationLogic>) : undefined;
  };
  const deliver = (text: string) => {
    for (const d of createRouter([chat]).route(parseXml(text), routeContext('romeo@montague.example/garden'))) {
      actor.send(d.event as ChatEvent);
    }
  };
  return { ...fake, actor, conversation, deliver, tick: (ms: number) => (now += ms) };
}

describe('chat manager', () => {
  it('spawns chat:<bare> on the first outgoing message and sends it with origin-id and a receipt request', () => {
    const h = harness();
    sendMessage(h.actor, 'Juliet@Capulet.example/balcony', 'Neither, fair saint');
    const [stanza] = h.take();
    expect(stanza!.attrs).toMatchObject({ to: 'juliet@capulet.example/balcony', id: 'id-1', type: 'chat' });
    expect(stanza!.getChild('origin-id', NS_SID)?.attrs.id).toBe('id-1');
    expect(connectChats(h.actor.getSnapshot()).conversations).toEqual(['juliet@capulet.example']);
    expect(h.conversation('juliet@capulet.example')!.messages).toEqual([
      {
        id: 'id-1',
        direction: 'out',
        from: 'romeo@montague.example/garden',
        to: 'juliet@capulet.example/balcony',
        body: 'Neither, fair saint',
        stamp: new Date(NOW).toISOString(),
        originId: 'id-1',
        state: 'sending',
      },
    ]);
  });

  it('keeps both directions in order, answers receipt requests once, and dedupes', () => {
    const h = harness();
    sendMessage(h.actor, 'juliet@capulet.example', 'one');
    h.take();
    const incoming = `<message from='juliet@capulet.example/balcony' to='romeo@montague.example/garden' id='j1' type='chat'>
      <body>two</body><request xmlns='urn:xmpp:receipts'/><origin-id xmlns='urn:xmpp:sid:0' id='o-j1'/></message>`;
    h.deliver(incoming);
    const [ack] = h.take();
    expect(ack!.attrs).toMatchObject({ to: 'juliet@capulet.example/balcony', type: 'chat' });
    expect(ack!.getChild('received', NS_RECEIPTS)?.attrs.id).toBe('j1');
    expect(ack!.getChild('request', NS_RECEIPTS)).toBeUndefined();
    // The same message again (a retransmission): stored once, not acked twice (XEP-0184 §5.5).
    h.deliver(incoming);
    expect(h.take()).toEqual([]);
    const view = h.conversation('juliet@capulet.example')!;
    expect(view.messages.map((m) => [m.direction, m.body, m.id])).toEqual([
      ['out', 'one', 'id-1'],
      ['in', 'two', 'o-j1'],
    ]);
    expect(view.unread).toBe(1);
  });

  it('does not ack messages from its own account, nor ones without id', () => {
    const h = harness();
    h.deliver(
      `<message from='romeo@montague.example/home' id='x' type='chat'><body>self</body><request xmlns='urn:xmpp:receipts'/></message>`,
    );
    h.deliver(
      `<message from='juliet@capulet.example/balcony' type='chat'><body>no id</body><request xmlns='urn:xmpp:receipts'/></message>`,
    );
    expect(h.take()).toEqual([]);
    expect(h.conversation('juliet@capulet.example')!.messages[0]!.id).toBe('id-1');
  });

  it('moves a message to delivered on the partner’s receipt only', () => {
    const h = harness();
    sendMessage(h.actor, 'juliet@capulet.example', 'one');
    sendMessage(h.actor, 'tybalt@capulet.example', 'hello');
    // Tybalt (a third party) acks Juliet's message id: nothing changes.
    h.deliver(`<message from='tybalt@capulet.example/sword'><received xmlns='urn:xmpp:receipts' id='id-1'/></message>`);
    expect(h.conversation('juliet@capulet.example')!.messages[0]!.state).toBe('sending');
    // Mallory, who has no conversation: no conversation is created for a receipt.
    h.deliver(`<message from='mallory@evil.example/x'><received xmlns='urn:xmpp:receipts' id='id-1'/></message>`);
    expect(h.conversation('mallory@evil.example')).toBeUndefined();
    h.deliver(`<message from='juliet@capulet.example/balcony'><received xmlns='urn:xmpp:receipts' id='id-1'/></message>`);
    expect(h.conversation('juliet@capulet.example')!.messages[0]!.state).toBe('delivered');
    expect(h.conversation('tybalt@capulet.example')!.messages[0]!.state).toBe('sending');
  });

  it('a receipt does not touch incoming messages', () => {
    const h = harness();
    h.deliver(`<message from='juliet@capulet.example/balcony' id='j1' type='chat'><body>mine</body></message>`);
    h.deliver(`<message from='juliet@capulet.example/balcony'><received xmlns='urn:xmpp:receipts' id='j1'/></message>`);
    expect(h.conversation('juliet@capulet.example')!.messages[0]!.state).toBe('delivered');
    expect(h.conversation('juliet@capulet.example')!.messages[0]!.direction).toBe('in');
  });

  it('attaches a bounced error to the outgoing message it answers', () => {
    const h = harness();
    sendMessage(h.actor, 'juliet@capulet.example', 'one');
    h.deliver(`<message from='juliet@capulet.example' id='id-1' type='error'>
      <error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`);
    expect(h.conversation('juliet@capulet.example')!.messages[0]).toMatchObject({
      state: 'error',
      error: { condition: 'service-unavailable', type: 'cancel' },
    });
  });

  it('counts unread incoming messages after chat.markRead', () => {
    const h = harness();
    h.deliver(`<message from='juliet@capulet.example/balcony' id='a' type='chat'><body>1</body></message>`);
    h.deliver(`<message from='juliet@capulet.example/balcony' id='b' type='chat'><body>2</body></message>`);
    expect(h.conversation('juliet@capulet.example')!.unread).toBe(2);
    h.actor.send({ type: 'chat.markRead', jid: 'juliet@capulet.example' });
    expect(h.conversation('juliet@capulet.example')!.unread).toBe(0);
    sendMessage(h.actor, 'juliet@capulet.example', 'reply');
    h.deliver(`<message from='juliet@capulet.example/balcony' id='c' type='chat'><body>3</body></message>`);
    expect(h.conversation('juliet@capulet.example')!.unread).toBe(1);
    h.actor.send({ type: 'chat.markRead', jid: 'juliet@capulet.example', id: 'a' });
    expect(h.conversation('juliet@capulet.example')!.unread).toBe(2);
    h.actor.send({ type: 'chat.markRead', jid: 'juliet@capulet.example', id: 'unknown' });
    expect(h.conversation('juliet@capulet.example')!.unread).toBe(2);
  });

  it('files carbons by direction without acking them', () => {
    const h = harness();
    const message = {
      type: 'chat' as const,
      from: 'romeo@montague.example/home',
      to: 'juliet@capulet.example/balcony',
      body: 'from my other device',
      originId: 'o1',
      idAttr: 'o1',
      receiptRequested: true,
    };
    h.actor.send({ type: 'chat.carbon', direction: 'out', message });
    h.actor.send({
      type: 'chat.carbon',
      direction: 'in',
      message: {
        ...message,
        from: 'juliet@capulet.example/balcony',
        to: 'romeo@montague.example/home',
        body: 'back',
        originId: 'o2',
        idAttr: 'o2',
      },
    });
    h.actor.send({ type: 'chat.carbon', direction: 'out', message });
    expect(h.take()).toEqual([]);
    expect(h.conversation('juliet@capulet.example')!.messages.map((m) => [m.direction, m.state, m.body])).toEqual([
      ['out', 'sent', 'from my other device'],
      ['in', 'delivered', 'back'],
    ]);
  });

  it('ignores a chat.send without a JID or body', () => {
    const h = harness();
    h.actor.send({ type: 'chat.send', to: 'not a jid@@', body: 'x' });
    h.actor.send({ type: 'chat.send', to: 'juliet@capulet.example', body: '' });
    expect(h.take()).toEqual([]);
    expect(connectChats(h.actor.getSnapshot()).conversations).toEqual([]);
  });

  it('keeps its context plain data', () => {
    const h = harness();
    sendMessage(h.actor, 'juliet@capulet.example', 'one');
    const ref = h.actor.system.get(conversationId('juliet@capulet.example'))!;
    const snapshot = JSON.parse(JSON.stringify(ref.getSnapshot().context));
    expect(snapshot.messages.tail[0].body).toBe('one');
    expect(JSON.parse(JSON.stringify(h.actor.getSnapshot().context))).toEqual({
      me: 'romeo@montague.example/garden',
      conversations: ['juliet@capulet.example'],
      unread: {},
      sessionStart: { 'juliet@capulet.example': 'id-1' },
      messagesInMemory: 10_000,
    });
  });
});

describe('what the server confirmed', () => {
  it('moves our message from sending to sent when the server acknowledges its id, and only then', () => {
    const h = harness();
    sendMessage(h.actor, JULIET_BARE, 'one');
    sendMessage(h.actor, JULIET_BARE, 'two');
    const states = () => h.conversation(JULIET_BARE)!.messages.map((m) => m.state);
    expect(states()).toEqual(['sending', 'sending']);
    // Messages the chat never sent (another feature's, an unknown id, someone else's conversation) change nothing.
    h.actor.send({
      type: 'outbound.acked',
      messages: [sent('id-2'), sent('not-ours'), { id: 'id-1', to: 'tybalt@capulet.example' }, { id: 'x', to: 'not a jid@' }],
    });
    expect(states()).toEqual(['sending', 'sent']);
    // A second ack for the same message is ignored.
    h.actor.send({ type: 'outbound.acked', messages: [sent('id-2')] });
    expect(states()).toEqual(['sending', 'sent']);
  });

  it('a receipt that overtakes the ack is not undone by it', () => {
    const h = harness();
    sendMessage(h.actor, JULIET_BARE, 'one');
    h.deliver(`<message from='juliet@capulet.example/balcony'><received xmlns='urn:xmpp:receipts' id='id-1'/></message>`);
    h.actor.send({ type: 'outbound.acked', messages: [sent('id-1')] });
    expect(h.conversation(JULIET_BARE)!.messages[0]!.state).toBe('delivered');
  });

  it('shows a message the client stopped before the server confirmed as an error, never as silently gone', () => {
    const h = harness();
    sendMessage(h.actor, JULIET_BARE, 'confirmed');
    sendMessage(h.actor, JULIET_BARE, 'in flight');
    h.actor.send({ type: 'outbound.acked', messages: [sent('id-1')] });
    h.actor.send({ type: 'outbound.unsent', messages: [sent('id-1'), sent('id-2')] });
    expect(h.conversation(JULIET_BARE)!.messages.map((m) => [m.body, m.state, m.error?.condition])).toEqual([
      ['confirmed', 'sent', undefined],
      ['in flight', 'error', 'not-sent'],
    ]);
  });
});

describe('file links (XEP-0066)', () => {
  it('sends a link with the message and keeps it with the stored copy', () => {
    const h = harness();
    h.actor.send({ type: 'chat.send', to: JULIET_BARE, body: 'https://files.example/a.png', oob: { url: 'https://files.example/a.png' } });
    const [stanza] = h.take();
    expect(stanza!.getChild('x', 'jabber:x:oob')?.getChildText('url')).toBe('https://files.example/a.png');
    expect(h.conversation(JULIET_BARE)!.messages[0]!.oob).toEqual({ url: 'https://files.example/a.png' });
    // A link that is not http(s) is refused with the message: nothing goes out.
    h.actor.send({ type: 'chat.send', to: JULIET_BARE, body: 'x', oob: { url: 'javascript:alert(1)' } });
    expect(h.take()).toEqual([]);
  });

  it('shows a received link only when it is an http(s) URL', () => {
    const h = harness();
    const withLink = (id: string, url: string) =>
      `<message from='juliet@capulet.example/balcony' id='${id}' type='chat'><body>look</body><x xmlns='jabber:x:oob'><url>${url}</url><desc>a rose</desc></x></message>`;
    h.deliver(withLink('j1', 'https://files.capulet.example/rose.jpg'));
    h.deliver(withLink('j2', 'javascript:alert(document.cookie)'));
    h.deliver(withLink('j3', 'data:text/html;base64,PHNjcmlwdD4='));
    expect(h.conversation(JULIET_BARE)!.messages.map((m) => m.oob)).toEqual([
      { url: 'https://files.capulet.example/rose.jpg', desc: 'a rose' },
      undefined,
      undefined,
    ]);
  });
});

describe('messages kept in memory', () => {
  it('forgets the oldest messages of a conversation past the limit, a chunk at a time', () => {
    const h = harness({ messagesInMemory: CHUNK_SIZE });
    for (let n = 0; n < 3 * CHUNK_SIZE; n++) {
      h.deliver(`<message from='juliet@capulet.example/balcony' id='j${n}' type='chat'><body>${n}</body></message>`);
    }
    const kept = h.conversation(JULIET_BARE)!.messages;
    expect(kept.length).toBeGreaterThanOrEqual(CHUNK_SIZE);
    expect(kept.length).toBeLessThan(2 * CHUNK_SIZE);
    expect(kept.at(-1)!.body).toBe(String(3 * CHUNK_SIZE - 1));
    expect(Number(kept[0]!.body)).toBe(3 * CHUNK_SIZE - kept.length);
    // The unread count still counts what arrived: the messages are in the archive, not gone.
    expect(h.conversation(JULIET_BARE)!.unread).toBe(3 * CHUNK_SIZE);
  });
});

describe('chat markers (XEP-0333)', () => {
  it('routes XEP-0333 Example 4 (a received marker) and reads <markable/> (Example 3)', () => {
    const router = createRouter([chat]);
    const marker = router.route(
      parseXml(`<message from='kingrichard@royalty.england.lit/throne' id='message-2' to='northumberland@shakespeare.lit/westminster'>
        <thread>sleeping</thread><received xmlns='urn:xmpp:chat-markers:0' id='message-1'/></message>`),
      routeContext('northumberland@shakespeare.lit/westminster'),
    );
    expect(marker.map((d) => d.event)).toEqual([
      {
        type: 'chat.message',
        message: {
          type: 'normal',
          from: 'kingrichard@royalty.england.lit/throne',
          to: 'northumberland@shakespeare.lit/westminster',
          idAttr: 'message-2',
          marker: { marker: 'received', id: 'message-1' },
          receiptRequested: false,
        },
      },
    ]);
    const markable = ok(
      parseChatMessage(
        parseXml(`<message from='northumberland@shakespeare.lit/westminster' id='message-1' to='kingrichard@royalty.england.lit/throne'>
          <thread>sleeping</thread><body>My lord, dispatch; read o'er these articles.</body>
          <markable xmlns='urn:xmpp:chat-markers:0'/></message>`),
        'kingrichard@royalty.england.lit',
      ),
    );
    expect(markable.markable).toBe(true);
    expect(toChatMessage(markable, 'in', NOW, () => 'x', undefined).markableId).toBe('message-1');
    expect(buildChatMessage({ to: 'a@b', body: 'x', id: 'i' }).getChild('markable', NS_MARKERS)).toBeDefined();
  });

  it('a displayed marker from the partner marks that message and every earlier one, forward only', () => {
    const h = harness();
    for (const body of ['1', '2', '3']) sendMessage(h.actor, 'juliet@capulet.example', body);
    h.deliver(`<message from='juliet@capulet.example/balcony'><received xmlns='urn:xmpp:receipts' id='id-3'/></message>`);
    // A third party's marker does nothing.
    h.deliver(`<message from='tybalt@capulet.example/x'><displayed xmlns='urn:xmpp:chat-markers:0' id='id-2'/></message>`);
    const states = () => h.conversation('juliet@capulet.example')!.messages.map((m) => m.state);
    expect(states()).toEqual(['sending', 'sending', 'delivered']);
    h.deliver(`<message from='juliet@capulet.example/balcony'><displayed xmlns='urn:xmpp:chat-markers:0' id='id-2'/></message>`);
    expect(states()).toEqual(['displayed', 'displayed', 'delivered']);
    // An older marker, a weaker marker and an unknown id change nothing.
    h.deliver(`<message from='juliet@capulet.example/balcony'><received xmlns='urn:xmpp:chat-markers:0' id='id-1'/></message>`);
    h.deliver(`<message from='juliet@capulet.example/balcony'><displayed xmlns='urn:xmpp:chat-markers:0' id='nope'/></message>`);
    expect(states()).toEqual(['displayed', 'displayed', 'delivered']);
    h.deliver(`<message from='juliet@capulet.example/balcony'><displayed xmlns='urn:xmpp:chat-markers:0' id='id-3'/></message>`);
    expect(states()).toEqual(['displayed', 'displayed', 'displayed']);
  });

  it('chat.markRead sends one displayed marker for the newest markable incoming message', () => {
    const h = harness();
    const markable = (id: string) =>
      `<message from='juliet@capulet.example/balcony' id='${id}' type='chat'><body>${id}</body><markable xmlns='urn:xmpp:chat-markers:0'/></message>`;
    h.deliver(markable('m1'));
    h.deliver(markable('m2'));
    h.deliver(`<message from='juliet@capulet.example/balcony' id='plain' type='chat'><body>not markable</body></message>`);
    h.actor.send({ type: 'chat.markRead', jid: 'juliet@capulet.example' });
    const [marker] = h.take();
    expect(marker!.attrs).toMatchObject({ to: 'juliet@capulet.example', type: 'chat' });
    expect(marker!.getChild('displayed', NS_MARKERS)?.attrs.id).toBe('m2');
    expect(marker!.getChildElements()).toHaveLength(1);
    // Nothing new read: no second marker.
    h.actor.send({ type: 'chat.markRead', jid: 'juliet@capulet.example' });
    expect(h.take()).toEqual([]);
    h.deliver(markable('m3'));
    h.actor.send({ type: 'chat.markRead', jid: 'juliet@capulet.example', id: 'm3' });
    expect(h.take()[0]!.getChild('displayed', NS_MARKERS)?.attrs.id).toBe('m3');
    expect(h.conversation('juliet@capulet.example')!.unread).toBe(0);
  });
});
