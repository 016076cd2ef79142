import { describe, expect, it } from 'vitest';
import { parseCarbon } from '../../../src/xeps/carbons/index.js';
import { NS_CHATSTATES, NS_CORRECT, NS_MARKERS, NS_RETRACT } from '../../../src/xeps/chat/index.js';
import { StanzaParseError } from '../../../src/xeps/iq-request.js';
import { parseXml } from '../../support/xml.js';
import { ok, routeContext } from './harness.js';
import { JULIET, ME, chatSystem } from './chat-harness.js';

/** A sent carbon (XEP-0280 §8) of `inner`, which another of our devices sent; `outer` forges the wrapper's from. */
const sentCarbon = (inner: string, outer = 'romeo@montague.example', id = '') =>
  `<message from='${outer}' to='${ME}' type='chat'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>
    <message xmlns='jabber:client' from='romeo@montague.example/home' to='${JULIET}/balcony' type='chat'${id && ` id='${id}'`}>${inner}</message>
  </forwarded></sent></message>`;

/** A received carbon (XEP-0280 §7) of what juliet sent to another of our devices. */
const receivedCarbon = (inner: string, outer = 'romeo@montague.example', id = '') =>
  `<message from='${outer}' to='${ME}' type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>
    <message xmlns='jabber:client' from='${JULIET}/balcony' to='romeo@montague.example/home' type='chat'${id && ` id='${id}'`}>${inner}</message>
  </forwarded></received></message>`;

function system() {
  const s = chatSystem();
  const markable = (id: string) =>
    s.deliver(
      `<message from='${JULIET}/balcony' to='${ME}' id='${id}' type='chat'><body>${id}</body><markable xmlns='${NS_MARKERS}'/></message>`,
    );
  return { ...s, markable };
}

describe('carbons of non-content messages', () => {
  it('unwraps markers, receipts, chat states, corrections and retractions with the chat parser', () => {
    const ctx = routeContext(ME);
    expect(ok(parseCarbon(parseXml(sentCarbon(`<displayed xmlns='${NS_MARKERS}' id='m1'/>`)), ctx)).message.marker).toEqual({
      marker: 'displayed',
      id: 'm1',
    });
    expect(ok(parseCarbon(parseXml(receivedCarbon(`<composing xmlns='${NS_CHATSTATES}'/>`)), ctx)).message.chatState).toBe('composing');
    expect(ok(parseCarbon(parseXml(sentCarbon(`<received xmlns='urn:xmpp:receipts' id='x'/>`)), ctx)).message.receipt).toBe('x');
    expect(ok(parseCarbon(parseXml(sentCarbon(`<retract xmlns='${NS_RETRACT}' id='x'/>`)), ctx)).message.retract).toBe('x');
    // Still refused: nothing for the chat feature, or an error.
    expect(parseCarbon(parseXml(sentCarbon(`<thread>t</thread>`)), ctx)).toBeInstanceOf(StanzaParseError);
    expect(
      parseCarbon(parseXml(sentCarbon(`<body>x</body>`).replace(`to='${JULIET}/balcony' type='chat'`, `type='error'`)), ctx),
    ).toBeInstanceOf(StanzaParseError);
  });
});

describe('read position synced from our other devices', () => {
  it('a sent carbon of our displayed marker moves readUpTo forward only, and this device does not mark it again', () => {
    const s = system();
    for (const id of ['m1', 'm2', 'm3']) s.markable(id);
    expect(s.view()!.unread).toBe(3);
    s.deliver(sentCarbon(`<displayed xmlns='${NS_MARKERS}' id='m2'/>`));
    expect(s.view()!.unread).toBe(1);
    // An older marker does not move it back; a received marker does not count as read.
    s.deliver(sentCarbon(`<displayed xmlns='${NS_MARKERS}' id='m1'/>`));
    s.deliver(sentCarbon(`<received xmlns='${NS_MARKERS}' id='m3'/>`));
    expect(s.view()!.unread).toBe(1);
    // No auto-reply to a carbon (XEP-0280 §10.4).
    expect(s.take()).toEqual([]);
    // Marking read here sends a marker only for what the other device did not mark.
    s.chat.send({ type: 'chat.markRead', jid: JULIET, id: 'm2' });
    expect(s.take()).toEqual([]);
    s.chat.send({ type: 'chat.markRead', jid: JULIET });
    expect(s.take().map((el) => el.getChild('displayed', NS_MARKERS)?.attrs.id)).toEqual(['m3']);
    expect(s.view()!.unread).toBe(0);
  });

  it('finds the marked message by its stanza id when our server keyed it by stanza-id', () => {
    const s = system();
    s.deliver(`<message from='${JULIET}/balcony' id='m1' type='chat'><body>hi</body><markable xmlns='${NS_MARKERS}'/>
      <stanza-id xmlns='urn:xmpp:sid:0' id='archive-1' by='romeo@montague.example'/></message>`);
    s.deliver(sentCarbon(`<displayed xmlns='${NS_MARKERS}' id='m1'/>`));
    expect(s.view()!.unread).toBe(0);
  });

  it('a marker carbon not from our own bare JID changes nothing', () => {
    const s = system();
    s.markable('m1');
    s.deliver(sentCarbon(`<displayed xmlns='${NS_MARKERS}' id='m1'/>`, `${JULIET}`));
    s.deliver(sentCarbon(`<displayed xmlns='${NS_MARKERS}' id='m1'/>`, 'romeo@montague.example/home'));
    s.deliver(sentCarbon(`<displayed xmlns='${NS_MARKERS}' id='m1'/>`, 'montague.example'));
    expect(s.view()!.unread).toBe(1);
  });

  it('a received carbon of the partner’s marker marks our message displayed, with no reply', () => {
    const s = system();
    s.chat.send({ type: 'chat.send', to: JULIET, body: 'hi' });
    s.take();
    s.deliver(receivedCarbon(`<displayed xmlns='${NS_MARKERS}' id='id-1'/>`));
    s.deliver(receivedCarbon(`<body>receipt?</body><request xmlns='urn:xmpp:receipts'/>`, undefined, 'r1'));
    expect(s.view()!.messages.map((m) => m.state)).toEqual(['displayed', 'delivered']);
    expect(s.take()).toEqual([]);
  });
});

describe('corrections, retractions and chat states through carbons', () => {
  it('applies our other device’s correction and retraction of its own message', () => {
    const s = system();
    s.deliver(sentCarbon(`<body>helo</body>`, undefined, 'h1'));
    s.deliver(sentCarbon(`<body>hello</body><replace id='h1' xmlns='${NS_CORRECT}'/>`, undefined, 'h2'));
    expect(s.view()!.messages).toMatchObject([{ direction: 'out', body: 'hello', corrected: true }]);
    s.deliver(sentCarbon(`<retract id='h1' xmlns='${NS_RETRACT}'/><body>fallback</body>`));
    expect(s.view()!.messages).toMatchObject([{ direction: 'out', body: '', retracted: true }]);
    expect(s.view()!.messages).toHaveLength(1);
  });

  it('our device cannot correct the partner’s message, and a forged carbon changes nothing', () => {
    const s = system();
    s.deliver(`<message from='${JULIET}/balcony' id='j1' type='chat'><body>original</body></message>`);
    s.deliver(sentCarbon(`<body>forged</body><replace id='j1' xmlns='${NS_CORRECT}'/>`));
    s.deliver(receivedCarbon(`<body>forged</body><replace id='j1' xmlns='${NS_CORRECT}'/>`, 'tybalt@capulet.example'));
    s.deliver(receivedCarbon(`<retract id='j1' xmlns='${NS_RETRACT}'/>`, 'tybalt@capulet.example'));
    expect(s.view()!.messages.map((m) => [m.body, m.corrected, m.retracted])).toEqual([['original', undefined, undefined]]);
    // The partner's own correction, copied to us, applies.
    s.deliver(receivedCarbon(`<body>fixed</body><replace id='j1' xmlns='${NS_CORRECT}'/>`));
    expect(s.view()!.messages[0]!.body).toBe('fixed');
  });

  it('shows the partner typing from a received carbon; our own states copied from another device do not', () => {
    const s = system();
    s.deliver(`<message from='${JULIET}/balcony' id='j1' type='chat'><body>hi</body></message>`);
    s.deliver(receivedCarbon(`<composing xmlns='${NS_CHATSTATES}'/>`));
    expect(s.view()!.typing).toBe('composing');
    s.deliver(sentCarbon(`<paused xmlns='${NS_CHATSTATES}'/>`));
    expect(s.view()!.typing).toBe('composing');
    s.deliver(receivedCarbon(`<paused xmlns='${NS_CHATSTATES}'/>`, 'juliet@capulet.example'));
    expect(s.view()!.typing).toBe('composing');
  });
});
