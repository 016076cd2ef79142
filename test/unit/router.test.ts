import { fromCallback } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/router/router.js';
import { ANY_NAMESPACE, defineFeature, type RouteContext, type StanzaKey } from '../../src/xeps/feature.js';
import { parseXml } from '../support/xml.js';

const context: RouteContext = { me: 'alice@example.org/r', ownBare: 'alice@example.org', domain: 'example.org' };

function feature(id: string, handles: StanzaKey[]) {
  const calls: string[] = [];
  const module = defineFeature({
    id,
    spec: [],
    discoFeatures: [],
    handles,
    route(stanza) {
      calls.push(stanza.attrs.id ?? '');
      return [{ type: `${id}.seen` }];
    },
    logic: () => fromCallback(() => {}),
    lifetime: 'session',
  });
  return { module, calls };
}

describe('router', () => {
  it('asks only the features indexed under the stanza name and its children namespaces', () => {
    const ping = feature('ping', [{ stanza: 'iq', ns: 'urn:xmpp:ping' }]);
    const time = feature('time', [{ stanza: 'iq', ns: 'urn:xmpp:time' }]);
    const router = createRouter([ping.module, time.module]);
    expect(router.route(parseXml(`<iq type="get" id="p1"><ping xmlns="urn:xmpp:ping"/></iq>`), context)).toEqual([
      { to: 'ping', event: { type: 'ping.seen' } },
    ]);
    expect(time.calls).toEqual([]);
    // Same namespace, other stanza name: not indexed.
    expect(router.route(parseXml(`<message id="m1"><ping xmlns="urn:xmpp:ping"/></message>`), context)).toEqual([]);
  });

  it('asks a feature once even when several children match it', () => {
    const chat = feature('chat', [
      { stanza: 'message', ns: 'jabber:client' },
      { stanza: 'message', ns: 'urn:xmpp:receipts' },
    ]);
    const router = createRouter([chat.module]);
    router.route(parseXml(`<message id="m2"><body>hi</body><thread>t</thread><request xmlns="urn:xmpp:receipts"/></message>`), context);
    expect(chat.calls).toEqual(['m2']);
  });

  it("delivers childless stanzas to features keyed with '*', once, alongside namespace keys", () => {
    const presence = feature('presence', [{ stanza: 'presence', ns: ANY_NAMESPACE }]);
    const caps = feature('caps', [{ stanza: 'presence', ns: 'http://jabber.org/protocol/caps' }]);
    const router = createRouter([presence.module, caps.module]);
    expect(router.route(parseXml(`<presence id="u1" type="unavailable" from="bob@example.org/pc"/>`), context).map((d) => d.to)).toEqual([
      'presence',
    ]);
    const withCaps = parseXml(
      `<presence id="a1" from="bob@example.org/pc"><c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="n" ver="v"/></presence>`,
    );
    expect(router.route(withCaps, context).map((d) => d.to)).toEqual(['presence', 'caps']);
    expect(presence.calls).toEqual(['u1', 'a1']);
  });
});
