import { describe, expect, it } from 'vitest';
import {
  NS_CHATSTATES,
  NS_CORRECT,
  NS_FALLBACK,
  NS_HINTS,
  NS_RETRACT,
  NS_SID,
  RETRACTION_FALLBACK,
  buildChatMessage,
  buildChatState,
  buildRetraction,
  chat,
  connectChats,
  parseChatMessage,
} from '../../../src/xeps/chat/index.js';
import { StanzaParseError } from '../../../src/xeps/iq-request.js';
import { parseXml } from '../../support/xml.js';
import { ok, routeContext } from './harness.js';
import { JULIET, ME, chatSystem } from './chat-harness.js';

const parse = (text: string) => parseChatMessage(parseXml(text), 'romeo@montague.example');
const system = chatSystem;

const fromJuliet = (id: string, inner: string, resource = 'balcony') =>
  `<message from='${JULIET}/${resource}' to='${ME}' id='${id}' type='chat'>${inner}</message>`;

describe('chat states codec (XEP-0085)', () => {
  it('reads §8 Example 3 (a standalone composing) and a content message with <active/>', () => {
    const standalone = ok(
      parse(`<message from='bernardo@shakespeare.lit/pda' to='francisco@shakespeare.lit/elsinore' type='chat'>
        <composing xmlns='http://jabber.org/protocol/chatstates'/></message>`),
    );
    expect(standalone).toMatchObject({ chatState: 'composing' });
    expect(standalone.body).toBeUndefined();
    const content = ok(
      parse(`<message from='bernardo@shakespeare.lit/pda' to='francisco@shakespeare.lit' type='chat'>
        <body>Who's there?</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>`),
    );
    expect(content).toMatchObject({ body: "Who's there?", chatState: 'active' });
  });

  it('believes no state from a stanza with two (§5.6 rule 1) or an unknown one, and refuses a stanza with nothing else', () => {
    const two = `<message from='a@b/c' type='chat'><body>x</body><composing xmlns='${NS_CHATSTATES}'/><paused xmlns='${NS_CHATSTATES}'/></message>`;
    expect(ok(parse(two)).chatState).toBeUndefined();
    expect(parse(`<message from='a@b/c' type='chat'><typing xmlns='${NS_CHATSTATES}'/></message>`)).toBeInstanceOf(StanzaParseError);
    expect(parse(`<message from='a@b/c' type='chat'><thread>t</thread></message>`)).toBeInstanceOf(StanzaParseError);
    expect(parse(`<message from='a@b/c' type='chat'><body>${'x'.repeat(100_001)}</body></message>`)).toBeInstanceOf(StanzaParseError);
  });

  it('builds a standalone notification with nothing but the state (§5.6 rule 3)', () => {
    const el = buildChatState('juliet@capulet.example', 'paused');
    expect(el.attrs).toEqual({ to: 'juliet@capulet.example', type: 'chat' });
    expect(el.getChildElements().map((c) => [c.name, c.getNS()])).toEqual([['paused', NS_CHATSTATES]]);
  });
});

describe('correction, retraction and hints codec', () => {
  it('reads XEP-0308 Example 2 and XEP-0424 Example 2', () => {
    const correction = ok(
      parse(`<message from='romeo@montague.net/orchard' to='juliet@capulet.net/balcony' id='good1'>
        <body>But soft, what light through yonder window breaks?</body><replace id='bad1' xmlns='urn:xmpp:message-correct:0'/></message>`),
    );
    expect(correction).toMatchObject({ replace: 'bad1', idAttr: 'good1' });
    const retraction = ok(
      parse(`<message type='chat' from='romeo@montague.example/orchard' to='lord@capulet.example' id='retract-message-1'>
        <retract id="wrong-recipient-1" xmlns='urn:xmpp:message-retract:1'/>
        <fallback xmlns="urn:xmpp:fallback:0" for='urn:xmpp:message-retract:1'/>
        <body>/me retracted a previous message, but it's unsupported by your client.</body>
        <store xmlns="urn:xmpp:hints"/></message>`),
    );
    expect(retraction.retract).toBe('wrong-recipient-1');
  });

  it('builds a retraction with the fallback body and the store hint', () => {
    const el = buildRetraction({ to: 'lord@capulet.example', id: 'r1', retracts: 'wrong-recipient-1' });
    expect(el.attrs).toEqual({ type: 'chat', to: 'lord@capulet.example', id: 'r1' });
    expect(el.getChild('retract', NS_RETRACT)?.attrs.id).toBe('wrong-recipient-1');
    expect(el.getChild('fallback', NS_FALLBACK)?.attrs.for).toBe(NS_RETRACT);
    expect(el.getChildText('body')).toBe(RETRACTION_FALLBACK);
    expect(el.getChild('store', NS_HINTS)).toBeDefined();
    expect(el.getChild('origin-id', NS_SID)?.attrs.id).toBe('r1');
  });

  it('builds private messages: <private/> always, <no-copy/> only to a full JID (XEP-0334 §4.3)', () => {
    const bare = buildChatMessage({ to: 'juliet@capulet.example', body: 'x', id: 'i', private: true });
    expect(bare.getChild('private', 'urn:xmpp:carbons:2')).toBeDefined();
    expect(bare.getChild('no-copy', NS_HINTS)).toBeUndefined();
    const full = buildChatMessage({ to: 'juliet@capulet.example/balcony', body: 'x', id: 'i', private: true });
    expect(full.getChild('private', 'urn:xmpp:carbons:2')).toBeDefined();
    expect(full.getChild('no-copy', NS_HINTS)).toBeDefined();
    const plain = buildChatMessage({ to: 'juliet@capulet.example', body: 'x', id: 'i', active: true, replace: 'old' });
    expect(plain.getChild('private', 'urn:xmpp:carbons:2')).toBeUndefined();
    expect(plain.getChild('active', NS_CHATSTATES)).toBeDefined();
    expect(plain.getChild('replace', NS_CORRECT)?.attrs.id).toBe('old');
  });
});

describe('chat states in conversations', () => {
  it('shows the partner’s state; a content message without one means active', () => {
    const s = system();
    s.deliver(fromJuliet('j1', `<body>hi</body>`));
    expect(s.view()!.typing).toBe('active');
    s.deliver(`<message from='${JULIET}/balcony' type='chat'><composing xmlns='${NS_CHATSTATES}'/></message>`);
    expect(s.view()!.typing).toBe('composing');
    s.deliver(`<message from='${JULIET}/balcony' type='chat'><paused xmlns='${NS_CHATSTATES}'/></message>`);
    expect(s.view()!.typing).toBe('paused');
    s.deliver(fromJuliet('j2', `<body>there</body><gone xmlns='${NS_CHATSTATES}'/>`));
    expect(s.view()!.typing).toBe('gone');
    s.deliver(fromJuliet('j3', `<body>back</body>`));
    expect(s.view()!.typing).toBe('active');
    // States are not messages.
    expect(s.view()!.messages.map((m) => m.body)).toEqual(['hi', 'there', 'back']);
  });

  it('a standalone state starts no conversation, and someone else’s state changes nothing here', () => {
    const s = system();
    s.deliver(`<message from='mallory@evil.example/x' type='chat'><composing xmlns='${NS_CHATSTATES}'/></message>`);
    expect(s.view('mallory@evil.example')).toBeUndefined();
    s.deliver(fromJuliet('j1', `<body>hi</body><active xmlns='${NS_CHATSTATES}'/>`));
    s.deliver(`<message from='tybalt@capulet.example/x' type='chat'><composing xmlns='${NS_CHATSTATES}'/></message>`);
    s.deliver(`<message from='capulet.example' type='chat'><composing xmlns='${NS_CHATSTATES}'/></message>`);
    expect(s.view()!.typing).toBe('active');
  });

  it('sends composing once, paused after the pause delay, and <active/> with the next message', () => {
    const s = system();
    const compose = (state: 'composing' | 'paused' | 'active' | 'inactive' | 'gone') =>
      s.send({ type: 'chat.compose', jid: JULIET, state });
    // §5.1 rule 2: nothing before the partner has answered with chat states.
    compose('composing');
    expect(s.take()).toEqual([]);
    s.deliver(fromJuliet('j1', `<body>hi</body><active xmlns='${NS_CHATSTATES}'/>`));
    compose('composing');
    compose('composing');
    const states = () =>
      s.take().map((el) => el.getChildElements().find((c) => c.getNS() === NS_CHATSTATES)?.name ?? `body:${el.getChildText('body')}`);
    expect(states()).toEqual(['composing']);
    s.clock.increment(9_999);
    compose('composing'); // typing again restarts the delay
    s.clock.increment(9_999);
    expect(states()).toEqual([]);
    s.clock.increment(1);
    expect(states()).toEqual(['paused']);
    s.clock.increment(60_000);
    expect(states()).toEqual([]);
    compose('composing');
    s.send({ type: 'chat.send', to: JULIET, body: 'reply' });
    const [composing, message] = s.take();
    expect(composing!.getChild('composing', NS_CHATSTATES)).toBeDefined();
    expect(message!.getChild('active', NS_CHATSTATES)).toBeDefined();
    // The message reset the state: no paused later, and composing goes out again.
    s.clock.increment(20_000);
    expect(states()).toEqual([]);
    compose('active');
    compose('inactive');
    compose('inactive');
    compose('composing');
    expect(states()).toEqual(['inactive', 'composing']);
  });

  it('stops sending states to a partner whose reply carried none (§5.1 rule 3)', () => {
    const s = system();
    s.deliver(fromJuliet('j1', `<body>hi</body>`));
    s.send({ type: 'chat.compose', jid: JULIET, state: 'composing' });
    s.send({ type: 'chat.send', to: JULIET, body: 'reply' });
    const sent = s.take();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.getChild('active', NS_CHATSTATES)).toBeUndefined();
  });
});

describe('corrections (XEP-0308)', () => {
  it('replaces the body of the partner’s message, from any of the partner’s resources, without adding one', () => {
    const s = system();
    s.deliver(fromJuliet('bad1', `<body>airlock</body><stanza-id xmlns='${NS_SID}' id='archive-1' by='romeo@montague.example'/>`));
    s.deliver(fromJuliet('good1', `<body>window</body><replace id='bad1' xmlns='${NS_CORRECT}'/>`, 'phone'));
    expect(s.view()!.messages).toMatchObject([{ id: 'archive-1', body: 'window', corrected: true }]);
    // A second correction names the original id again (§4).
    s.deliver(fromJuliet('good2', `<body>casement</body><replace id='bad1' xmlns='${NS_CORRECT}'/>`));
    expect(s.view()!.messages.map((m) => m.body)).toEqual(['casement']);
    expect(s.notes).toHaveLength(1);
  });

  it('changes nothing when the correction comes from someone else or names our message or an unknown one', () => {
    const s = system();
    s.deliver(fromJuliet('j1', `<body>original</body>`));
    s.send({ type: 'chat.send', to: JULIET, body: 'mine' });
    s.deliver(
      `<message from='tybalt@capulet.example/x' id='t1' type='chat'><body>forged</body><replace id='j1' xmlns='${NS_CORRECT}'/></message>`,
    );
    s.deliver(`<message from='tybalt@capulet.example/x' id='t2' type='chat'><body>hello</body></message>`);
    s.deliver(
      `<message from='tybalt@capulet.example/x' id='t3' type='chat'><body>forged</body><replace id='j1' xmlns='${NS_CORRECT}'/></message>`,
    );
    s.deliver(fromJuliet('j2', `<body>forged</body><replace id='id-1' xmlns='${NS_CORRECT}'/>`));
    s.deliver(fromJuliet('j3', `<body>forged</body><replace id='nope' xmlns='${NS_CORRECT}'/>`));
    expect(s.view()!.messages.map((m) => [m.body, m.corrected])).toEqual([
      ['original', undefined],
      ['mine', undefined],
    ]);
    expect(s.view('tybalt@capulet.example')!.messages.map((m) => m.body)).toEqual(['hello']);
  });

  it('chat.correct corrects only our last outgoing message, naming the original id each time', () => {
    const s = system();
    s.send({ type: 'chat.send', to: `${JULIET}/balcony`, body: 'one' });
    s.send({ type: 'chat.send', to: JULIET, body: 'tow' });
    s.deliver(fromJuliet('j1', `<body>?</body>`));
    s.take();
    s.send({ type: 'chat.correct', jid: JULIET, id: 'id-1', body: 'uno' });
    s.send({ type: 'chat.correct', jid: JULIET, id: 'j1', body: 'not mine' });
    expect(s.take()).toEqual([]);
    s.send({ type: 'chat.correct', jid: JULIET, id: 'id-2', body: 'two' });
    s.send({ type: 'chat.correct', jid: JULIET, id: 'id-2', body: 'two!' });
    const [first, second] = s.take();
    expect(first!.attrs).toMatchObject({ to: JULIET, id: 'id-3' });
    expect(first!.getChildText('body')).toBe('two');
    expect([first, second].map((el) => el!.getChild('replace', NS_CORRECT)?.attrs.id)).toEqual(['id-2', 'id-2']);
    expect(s.view()!.messages.map((m) => [m.id, m.body, m.corrected])).toEqual([
      ['id-1', 'one', undefined],
      ['id-2', 'two!', true],
      ['j1', '?', undefined],
    ]);
  });
});

describe('retractions (XEP-0424)', () => {
  it('clears the partner’s message on the partner’s retraction only; the fallback body is not a message', () => {
    const s = system();
    s.deliver(fromJuliet('j1', `<body>secret</body>`));
    s.send({ type: 'chat.send', to: JULIET, body: 'mine' });
    const retraction = (from: string, id: string) =>
      `<message from='${from}' id='r-${id}' type='chat'><retract id='${id}' xmlns='${NS_RETRACT}'/>
        <fallback xmlns='${NS_FALLBACK}' for='${NS_RETRACT}'/><body>fallback</body><store xmlns='${NS_HINTS}'/></message>`;
    s.deliver(retraction('tybalt@capulet.example/x', 'j1'));
    s.deliver(retraction(`${JULIET}/balcony`, 'id-1'));
    expect(s.view()!.messages.map((m) => [m.body, m.retracted])).toEqual([
      ['secret', undefined],
      ['mine', undefined],
    ]);
    expect(s.view('tybalt@capulet.example')).toBeUndefined();
    s.deliver(retraction(`${JULIET}/phone`, 'j1'));
    expect(s.view()!.messages.map((m) => [m.body, m.retracted])).toEqual([
      ['', true],
      ['mine', undefined],
    ]);
    // A retracted message cannot be corrected back.
    s.deliver(fromJuliet('j2', `<body>back</body><replace id='j1' xmlns='${NS_CORRECT}'/>`));
    expect(s.view()!.messages[0]!.body).toBe('');
  });

  it('chat.retract sends the retraction for our own message and clears it here', () => {
    const s = system();
    s.send({ type: 'chat.send', to: JULIET, body: 'wrong recipient' });
    s.deliver(fromJuliet('j1', `<body>hm</body>`));
    s.take();
    s.send({ type: 'chat.retract', jid: JULIET, id: 'j1' });
    expect(s.take()).toEqual([]);
    s.send({ type: 'chat.retract', jid: JULIET, id: 'id-1' });
    const [el] = s.take();
    expect(el!.getChild('retract', NS_RETRACT)?.attrs.id).toBe('id-1');
    expect(el!.getChild('store', NS_HINTS)).toBeDefined();
    expect(el!.getChild('fallback', NS_FALLBACK)?.attrs.for).toBe(NS_RETRACT);
    expect(s.view()!.messages[0]).toMatchObject({ id: 'id-1', body: '', retracted: true });
    s.send({ type: 'chat.retract', jid: JULIET, id: 'id-1' });
    expect(s.take()).toEqual([]);
  });
});

describe('chat.send options', () => {
  it('uses a usable caller id as stanza id and origin-id, else generates one', () => {
    const s = system();
    const sendWith = (id: string) => {
      s.send({ type: 'chat.send', to: JULIET, body: 'x', id });
      return s.take()[0]!;
    };
    const el = sendWith('app-1');
    expect(el.attrs.id).toBe('app-1');
    expect(el.getChild('origin-id', NS_SID)?.attrs.id).toBe('app-1');
    expect(sendWith('app-1').attrs.id).toBe('id-1');
    expect(sendWith('').attrs.id).toBe('id-2');
    expect(sendWith('x'.repeat(1025)).attrs.id).toBe('id-3');
    expect(s.view()!.messages.map((m) => m.id)).toEqual(['app-1', 'id-1', 'id-2', 'id-3']);
  });

  it('private: true adds <private/> (and <no-copy/> to a full JID)', () => {
    const s = system();
    s.send({ type: 'chat.send', to: `${JULIET}/balcony`, body: 'x', private: true });
    s.send({ type: 'chat.send', to: JULIET, body: 'y' });
    const [secret, plain] = s.take();
    expect(secret!.getChild('private', 'urn:xmpp:carbons:2')).toBeDefined();
    expect(secret!.getChild('no-copy', NS_HINTS)).toBeDefined();
    expect(plain!.getChild('private', 'urn:xmpp:carbons:2')).toBeUndefined();
  });
});

describe('app notifications', () => {
  it('one per new message (received, sent, carbon); none for duplicates, corrections, states or receipts', () => {
    const s = system();
    s.deliver(fromJuliet('j1', `<body>hi</body>`));
    s.deliver(fromJuliet('j1', `<body>hi</body>`));
    s.send({ type: 'chat.send', to: JULIET, body: 'hello' });
    s.deliver(fromJuliet('j2', `<body>hi!</body><replace id='j1' xmlns='${NS_CORRECT}'/>`));
    s.deliver(`<message from='${JULIET}/balcony' type='chat'><composing xmlns='${NS_CHATSTATES}'/></message>`);
    s.deliver(`<message from='${JULIET}/balcony'><received xmlns='urn:xmpp:receipts' id='id-1'/></message>`);
    s.deliver(`<message from='romeo@montague.example' to='${ME}' type='chat'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>
      <message xmlns='jabber:client' from='romeo@montague.example/home' to='${JULIET}' id='h1' type='chat'><body>from home</body></message>
      </forwarded></sent></message>`);
    expect(s.notes.map((n) => n.type === 'message' && [n.conversation, n.message.direction, n.message.body])).toEqual([
      [JULIET, 'in', 'hi'],
      [JULIET, 'out', 'hello'],
      [JULIET, 'out', 'from home'],
    ]);
  });
});

describe('blocked contacts', () => {
  it('drops content, receipts, markers and chat states from a blocked JID, as the blocking actor says at the time', () => {
    const s = system({ blocked: ['mallory@evil.example', 'capulet.example'] });
    s.deliver(`<message from='mallory@evil.example/x' id='m1' type='chat'><body>spam</body><request xmlns='urn:xmpp:receipts'/></message>`);
    s.deliver(`<message from='mallory@evil.example/x' type='chat'><composing xmlns='${NS_CHATSTATES}'/></message>`);
    expect(s.view('mallory@evil.example')).toBeUndefined();
    expect(s.take()).toEqual([]);
    // juliet's domain is blocked (XEP-0191 §4 domain match); our message to her goes out.
    s.send({ type: 'chat.send', to: JULIET, body: 'hi' });
    s.take();
    s.deliver(`<message from='${JULIET}/balcony'><received xmlns='urn:xmpp:receipts' id='id-1'/></message>`);
    s.deliver(`<message from='${JULIET}/balcony'><displayed xmlns='urn:xmpp:chat-markers:0' id='id-1'/></message>`);
    s.deliver(fromJuliet('j1', `<body>blocked</body><composing xmlns='${NS_CHATSTATES}'/>`));
    expect(s.view()!.messages.map((m) => [m.body, m.state])).toEqual([['hi', 'sending']]);
    expect(s.view()!.typing).toBeUndefined();
    s.block([]);
    s.deliver(`<message from='${JULIET}/balcony'><displayed xmlns='urn:xmpp:chat-markers:0' id='id-1'/></message>`);
    s.deliver(fromJuliet('j1', `<body>unblocked</body>`));
    expect(s.view()!.messages.map((m) => [m.body, m.state])).toEqual([
      ['hi', 'displayed'],
      ['unblocked', 'delivered'],
    ]);
  });
});

describe('unread counts', () => {
  const NURSE = 'nurse@capulet.example';
  const markerCarbon = (to: string, id: string) =>
    `<message from='romeo@montague.example' to='${ME}' type='chat'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>
      <message xmlns='jabber:client' from='romeo@montague.example/home' to='${to}' id='mk-${id}' type='chat'><displayed xmlns='urn:xmpp:chat-markers:0' id='${id}'/></message>
      </forwarded></sent></message>`;

  it('per conversation and in total: incoming messages count, our own do not, reads and other devices’ markers move them', () => {
    const s = system();
    const chats = () => connectChats(s.actor.system.get('chat')!.getSnapshot() as never);
    s.deliver(fromJuliet('j1', `<body>one</body><markable xmlns='urn:xmpp:chat-markers:0'/>`));
    s.deliver(fromJuliet('j2', `<body>two</body><markable xmlns='urn:xmpp:chat-markers:0'/>`));
    s.deliver(fromJuliet('j2', `<body>two</body><markable xmlns='urn:xmpp:chat-markers:0'/>`));
    s.deliver(`<message from='${NURSE}/kitchen' id='n1' type='chat'><body>hello</body></message>`);
    s.send({ type: 'chat.send', to: JULIET, body: 'mine' });
    expect(s.view()!.unread).toBe(2);
    expect(chats()).toMatchObject({ unreadTotal: 3 });
    expect(chats().unread(NURSE)).toBe(1);

    // Read on another of our devices up to j1: one left here too.
    s.deliver(markerCarbon(JULIET, 'j1'));
    expect(s.view()!.unread).toBe(1);
    expect(chats().unreadTotal).toBe(2);
    // A forged marker carbon (not from our bare JID) moves nothing.
    s.deliver(markerCarbon(JULIET, 'j2').replace(`from='romeo@montague.example' to`, `from='mallory@evil.example' to`));
    expect(s.view()!.unread).toBe(1);

    s.send({ type: 'chat.markRead', jid: NURSE });
    expect(chats()).toMatchObject({ unreadTotal: 1 });
    expect(chats().unread(NURSE)).toBe(0);
    s.send({ type: 'chat.markRead', jid: JULIET });
    expect(chats().unreadTotal).toBe(0);
    expect(s.view()!.unread).toBe(0);
  });
});

describe('batches (the routed events of one socket read)', () => {
  it('sees its own earlier events: a duplicate, a correction and a receipt in the same batch as their message', () => {
    const s = system();
    s.send({ type: 'chat.send', to: JULIET, body: 'ours' });
    const ours = s.view()!.messages[0]!;
    s.take();
    const events = [
      fromJuliet('j1', `<body>helo</body><markable xmlns='urn:xmpp:chat-markers:0'/>`),
      fromJuliet('j1', `<body>helo</body>`),
      fromJuliet('j2', `<body>hello</body><replace id='j1' xmlns='${NS_CORRECT}'/>`),
      `<message from='${JULIET}/balcony'><received xmlns='urn:xmpp:receipts' id='${ours.id}'/></message>`,
    ].flatMap((text) => chat.route(parseXml(text), routeContext(ME)));
    s.chat.send({ type: 'chat.batch', events });
    const view = s.view()!;
    expect(view.messages.map((m) => [m.direction, m.body, m.state, m.corrected ?? false])).toEqual([
      ['out', 'ours', 'delivered', false],
      ['in', 'hello', 'delivered', true],
    ]);
    expect(view.unread).toBe(1);
    expect(connectChats(s.actor.system.get('chat')!.getSnapshot() as never).unreadTotal).toBe(1);
    expect(s.notes.filter((n) => n.type === 'message')).toHaveLength(2);
  });
});
