import { describe, expect, it } from 'vitest';
import { parseXml } from '../../support/xml.js';
import { createRouter } from '../../../src/router/router.js';
import { blocking } from '../../../src/xeps/blocking/index.js';
import { caps } from '../../../src/xeps/caps/index.js';
import { disco } from '../../../src/xeps/disco/index.js';
import { ping } from '../../../src/xeps/ping/index.js';
import { presence } from '../../../src/xeps/presence/index.js';
import { defaultFeatures, xepTable } from '../../../src/xeps/registry.js';
import { roster } from '../../../src/xeps/roster/index.js';
import { time } from '../../../src/xeps/time/index.js';
import { version } from '../../../src/xeps/version/index.js';
import { routeContext } from './harness.js';

describe('default feature registry', () => {
  it('lists the default features with unique ids and their lifetimes', () => {
    expect(defaultFeatures.map((f) => [f.id, f.lifetime])).toEqual([
      ['disco', 'session'],
      ['caps', 'session'],
      ['ping', 'online'],
      ['time', 'session'],
      ['version', 'session'],
      ['roster', 'session'],
      ['presence', 'session'],
      ['blocking', 'session'],
      ['chat', 'session'],
      ['carbons', 'session'],
      ['archive', 'session'],
      ['muc', 'session'],
      ['bookmarks', 'session'],
      ['pubsub', 'session'],
      ['profile', 'session'],
      ['upload', 'session'],
      ['csi', 'session'],
      ['push', 'session'],
    ]);
    expect(new Set(defaultFeatures.map((f) => f.id)).size).toBe(defaultFeatures.length);
  });

  it('declares each app intent once, prefixed with its feature id', () => {
    const intents = defaultFeatures.flatMap((f) => (f.intents ?? []).map((intent) => [f.id, intent] as const));
    expect(new Set(intents.map(([, intent]) => intent)).size).toBe(intents.length);
    for (const [id, intent] of intents) expect(intent.startsWith(`${id}.`)).toBe(true);
    expect(intents.map(([, intent]) => intent)).toEqual(
      expect.arrayContaining(['chat.send', 'roster.add', 'presence.set', 'blocking.block', 'archive.loadOlder']),
    );
  });

  it('advertises every namespace it answers', () => {
    const advertised = new Set(defaultFeatures.flatMap((f) => f.discoFeatures));
    for (const ns of [
      'http://jabber.org/protocol/disco#info',
      'http://jabber.org/protocol/disco#items',
      'http://jabber.org/protocol/caps',
      'urn:xmpp:ping',
      'urn:xmpp:time',
      'jabber:iq:version',
    ]) {
      expect(advertised).toContain(ns);
    }
  });

  it('routes each request to exactly one feature through the real router', () => {
    const router = createRouter(defaultFeatures);
    const context = routeContext('juliet@capulet.lit/balcony');
    // Each stanza with the features (space-separated) that claim it.
    const cases: Array<[string, string]> = [
      [`<iq type='get' id='1' from='capulet.lit'><ping xmlns='urn:xmpp:ping'/></iq>`, 'ping'],
      [`<iq type='get' id='2' from='romeo@montague.lit/orchard'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`, 'disco'],
      [`<iq type='get' id='3' from='romeo@montague.lit/orchard'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`, 'disco'],
      [`<iq type='get' id='4' from='romeo@montague.lit/orchard'><time xmlns='urn:xmpp:time'/></iq>`, 'time'],
      [`<iq type='get' id='5' from='romeo@montague.lit/orchard'><query xmlns='jabber:iq:version'/></iq>`, 'version'],
      [
        `<presence from='romeo@montague.lit/orchard'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/></presence>`,
        'caps presence',
      ],
      [`<iq type='set' id='7'><query xmlns='jabber:iq:roster'><item jid='romeo@montague.lit'/></query></iq>`, 'roster'],
      [`<iq type='set' id='8'><block xmlns='urn:xmpp:blocking'><item jid='romeo@montague.lit'/></block></iq>`, 'blocking'],
      [`<message type='chat' from='romeo@montague.lit/orchard'><body>hi</body></message>`, 'chat'],
      [`<presence from='romeo@montague.lit' type='subscribe'/>`, 'presence'],
    ];
    for (const [text, claimants] of cases) {
      expect(router.route(parseXml(text), context).map((d) => d.to)).toEqual(claimants.split(' '));
    }
    // Two payloads in one get: nobody claims it, so the session answers service-unavailable once.
    expect(
      router.route(parseXml(`<iq type='get' id='6'><ping xmlns='urn:xmpp:ping'/><time xmlns='urn:xmpp:time'/></iq>`), context),
    ).toEqual([]);
  });

  it('builds the XEP table ordered by number', () => {
    const five = [disco, caps, ping, time, version];
    expect(xepTable(five)).toEqual([
      { feature: 'disco', xep: 'XEP-0030', version: '2.5rc3', url: 'https://xmpp.org/extensions/xep-0030.html' },
      { feature: 'version', xep: 'XEP-0092', version: '1.1', url: 'https://xmpp.org/extensions/xep-0092.html' },
      { feature: 'caps', xep: 'XEP-0115', version: '1.6.0', url: 'https://xmpp.org/extensions/xep-0115.html' },
      { feature: 'ping', xep: 'XEP-0199', version: '2.0.1', url: 'https://xmpp.org/extensions/xep-0199.html' },
      { feature: 'time', xep: 'XEP-0202', version: '2.0', url: 'https://xmpp.org/extensions/xep-0202.html' },
    ]);
    // RFCs sort before XEPs; ties (one RFC, several sections) by feature id.
    expect(xepTable([roster, presence, blocking]).map((row) => `${row.xep} ${row.feature}`)).toEqual([
      'RFC 6121 presence',
      'RFC 6121 roster',
      'XEP-0191 blocking',
      'XEP-0237 roster',
    ]);
    expect(xepTable()).toHaveLength(defaultFeatures.reduce((n, f) => n + f.spec.length, 0));
  });
});
