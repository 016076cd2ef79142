import { describe, expect, it } from 'vitest';
import { createActor, setup, spawnChild, type SnapshotFrom } from 'xstate';
import { flushMicrotasks } from '../../support/fake-server.js';
import { createRouter } from '../../../src/router/router.js';
import {
  NS_CARBONS,
  buildEnableCarbons,
  carbons,
  connectCarbons,
  createCarbonsLogic,
  parseCarbon,
  type CarbonsLogic,
} from '../../../src/xeps/carbons/index.js';
import { chat, connectChat, conversationId, createChatLogic, type ConversationLogic } from '../../../src/xeps/chat/index.js';
import { StanzaParseError } from '../../../src/xeps/iq-request.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, ok, routeContext } from './harness.js';

const ROMEO_HOME = routeContext('romeo@montague.example/home');
const ROMEO_GARDEN = routeContext('romeo@montague.example/garden');

// XEP-0280 Example 8: a received carbon.
const RECEIVED = `<message xmlns='jabber:client' from='romeo@montague.example' to='romeo@montague.example/home' type='chat'>
  <received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>
    <message xmlns='jabber:client' from='juliet@capulet.example/balcony' to='romeo@montague.example/garden' type='chat'>
      <body>What man art thou that, thus bescreen'd in night, so stumblest on my counsel?</body>
      <thread>0e3141cd80894871a68e6fe6b1ec56fa</thread>
    </message></forwarded></received></message>`;

// XEP-0280 Example 10: a sent carbon.
const SENT = `<message xmlns='jabber:client' from='romeo@montague.example' to='romeo@montague.example/garden' type='chat'>
  <sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>
    <message xmlns='jabber:client' to='juliet@capulet.example/balcony' from='romeo@montague.example/home' type='chat'>
      <body>Neither, fair saint, if either thee dislike.</body>
      <thread>0e3141cd80894871a68e6fe6b1ec56fa</thread>
    </message></forwarded></sent></message>`;

describe('carbons codec and route', () => {
  it('builds the XEP-0280 Example 3 enable IQ', () => {
    const iq = buildEnableCarbons();
    expect(iq.attrs.type).toBe('set');
    expect(iq.getChild('enable', NS_CARBONS)).toBeDefined();
  });

  it('unwraps a received carbon (Example 8)', () => {
    expect(ok(parseCarbon(parseXml(RECEIVED), ROMEO_HOME))).toEqual({
      type: 'carbons.copy',
      direction: 'received',
      message: {
        type: 'chat',
        from: 'juliet@capulet.example/balcony',
        to: 'romeo@montague.example/garden',
        body: "What man art thou that, thus bescreen'd in night, so stumblest on my counsel?",
        receiptRequested: false,
      },
    });
  });

  it('unwraps a sent carbon (Example 10) and takes the forwarded delay', () => {
    const copy = ok(parseCarbon(parseXml(SENT), ROMEO_GARDEN));
    expect(copy.direction).toBe('sent');
    expect(copy.message).toMatchObject({ from: 'romeo@montague.example/home', to: 'juliet@capulet.example/balcony' });
    const delayed = SENT.replace(
      `<forwarded xmlns='urn:xmpp:forward:0'>`,
      `<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>`,
    );
    expect(ok(parseCarbon(parseXml(delayed), ROMEO_GARDEN)).message.delay).toBe('2010-07-10T23:08:25Z');
  });

  it.each([
    ['from another user (§11)', RECEIVED.replace(`from='romeo@montague.example' to=`, `from='juliet@capulet.example' to=`)],
    ['from one of our full JIDs', RECEIVED.replace(`from='romeo@montague.example' to=`, `from='romeo@montague.example/home' to=`)],
    ['from the server domain', RECEIVED.replace(`from='romeo@montague.example' to=`, `from='montague.example' to=`)],
    ['without from', RECEIVED.replace(`from='romeo@montague.example' to=`, `to=`)],
    ['a sent carbon of someone else’s message', SENT.replace(`from='romeo@montague.example/home'`, `from='tybalt@capulet.example/x'`)],
    [
      'a received carbon of a message to someone else',
      RECEIVED.replace(`to='romeo@montague.example/garden'`, `to='tybalt@capulet.example'`),
    ],
    ['a carbon without forwarded', `<message from='romeo@montague.example'><sent xmlns='urn:xmpp:carbons:2'/></message>`],
  ])('ignores a carbon %s', (_what, text) => {
    expect(parseCarbon(parseXml(text), ROMEO_HOME)).toBeInstanceOf(StanzaParseError);
    expect(createRouter([chat, carbons]).route(parseXml(text), ROMEO_HOME)).toEqual([]);
  });

  it('routes only to carbons, never to chat (which would take the forged body at face value)', () => {
    const deliveries = createRouter([chat, carbons]).route(parseXml(SENT), ROMEO_GARDEN);
    expect(deliveries.map((d) => d.to)).toEqual(['carbons']);
  });
});

describe('carbons actor', () => {
  function harness() {
    const fake = fakeServices('romeo@montague.example/garden');
    const actor = createActor(createCarbonsLogic(fake.services), { input: featureInput() });
    actor.start();
    const view = () => connectCarbons(actor.getSnapshot() as SnapshotFrom<CarbonsLogic>);
    return { ...fake, actor, view };
  }

  it('enables carbons on a fresh session and records the outcome', async () => {
    const h = harness();
    expect(h.view().status).toBe('idle');
    h.actor.send({ type: 'session.online', jid: 'romeo@montague.example/garden', resumed: false });
    expect(h.view().status).toBe('enabling');
    const [iq] = h.take();
    expect(iq!.getChild('enable', NS_CARBONS)).toBeDefined();
    expect(h.reply(iq!)).toBe(true);
    await flushMicrotasks();
    expect(h.view()).toEqual({ status: 'enabled', enabled: true, error: undefined });
    // A resumed stream keeps the server's carbons state: nothing is sent.
    h.actor.send({ type: 'session.offline' });
    h.actor.send({ type: 'session.online', jid: 'romeo@montague.example/garden', resumed: true });
    expect(h.take()).toEqual([]);
    expect(h.view().status).toBe('enabled');
    // A fresh stream needs a new enable.
    h.actor.send({ type: 'session.offline' });
    h.actor.send({ type: 'session.online', jid: 'romeo@montague.example/garden', resumed: false });
    expect(h.take()).toHaveLength(1);
  });

  it('records a refusal (Example 5, forbidden) and retries on request', async () => {
    const h = harness();
    h.actor.send({ type: 'session.online', jid: 'romeo@montague.example/garden', resumed: false });
    const [iq] = h.take();
    h.reply(iq!, `<error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await flushMicrotasks();
    expect(h.view()).toEqual({ status: 'failed', enabled: false, error: 'forbidden' });
    h.actor.send({ type: 'carbons.enable' });
    expect(h.view().status).toBe('enabling');
    expect(h.take()).toHaveLength(1);
  });

  it('aborts an unanswered enable when the stream goes, and asks again on the next one', () => {
    const h = harness();
    h.actor.send({ type: 'session.online', jid: 'romeo@montague.example/garden', resumed: false });
    h.take();
    h.actor.send({ type: 'session.offline' });
    expect(h.view().status).toBe('idle');
    expect(h.iq.size).toBe(0);
    h.actor.send({ type: 'session.online', jid: 'romeo@montague.example/garden', resumed: true });
    expect(h.take()).toHaveLength(1);
  });
});

describe('carbons → chat', () => {
  function system(me = 'romeo@montague.example/garden') {
    const fake = fakeServices(me);
    let n = 0;
    const parent = setup({
      actors: { chat: createChatLogic(fake.services, { newId: () => `id-${++n}` }), carbons: createCarbonsLogic(fake.services) },
    }).createMachine({
      entry: [
        spawnChild('chat', { id: 'chat', systemId: 'chat', input: featureInput({ jid: me }) }),
        spawnChild('carbons', { id: 'carbons', systemId: 'carbons', input: featureInput({ jid: me }) }),
      ],
    });
    const actor = createActor(parent);
    actor.start();
    const router = createRouter([chat, carbons]);
    const deliver = (text: string) => {
      for (const d of router.route(parseXml(text), routeContext(me))) actor.system.get(d.to)!.send(d.event);
    };
    const conversation = (peer: string) => {
      const ref = actor.system.get(conversationId(peer));
      return ref ? connectChat(ref.getSnapshot() as SnapshotFrom<ConversationLogic>) : undefined;
    };
    return { ...fake, actor, deliver, conversation };
  }

  it('files a sent carbon as outgoing and a received carbon as incoming, deduplicated', () => {
    const s = system();
    const sent = SENT.replace('<body>', `<origin-id xmlns='urn:xmpp:sid:0' id='o-1'/><body>`);
    s.deliver(sent);
    s.deliver(RECEIVED);
    s.deliver(sent);
    expect(s.conversation('juliet@capulet.example')!.messages.map((m) => [m.direction, m.id, m.body.slice(0, 7)])).toEqual([
      ['out', 'o-1', 'Neither'],
      ['in', 'id-1', 'What ma'],
    ]);
    // Carbons are never auto-replied to (XEP-0280 §10.4).
    expect(s.take()).toEqual([]);
  });

  it('a forged carbon from another JID changes nothing', () => {
    const s = system();
    s.deliver(SENT.replace(`from='romeo@montague.example' to=`, `from='juliet@capulet.example/balcony' to=`));
    s.deliver(RECEIVED.replace(`from='romeo@montague.example' to=`, `from='tybalt@capulet.example' to=`));
    expect(s.conversation('juliet@capulet.example')).toBeUndefined();
    expect(s.take()).toEqual([]);
  });
});
