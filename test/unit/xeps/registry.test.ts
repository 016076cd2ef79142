import { describe, expect, it } from 'vitest';
import { parseXml } from '../../support/xml.js';
import { createRouter } from '../../../src/router/router.js';
import { defaultFeatures, xepTable } from '../../../src/xeps/registry.js';
import { routeContext } from './harness.js';

describe('default feature registry', () => {
  it('lists the five features with unique ids and their lifetimes', () => {
    expect(defaultFeatures.map((f) => [f.id, f.lifetime])).toEqual([
      ['disco', 'session'],
      ['caps', 'session'],
      ['ping', 'online'],
      ['time', 'session'],
      ['version', 'session'],
    ]);
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
    const cases: Array<[string, string]> = [
      [`<iq type='get' id='1' from='capulet.lit'><ping xmlns='urn:xmpp:ping'/></iq>`, 'ping'],
      [`<iq type='get' id='2' from='romeo@montague.lit/orchard'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`, 'disco'],
      [`<iq type='get' id='3' from='romeo@montague.lit/orchard'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`, 'disco'],
      [`<iq type='get' id='4' from='romeo@montague.lit/orchard'><time xmlns='urn:xmpp:time'/></iq>`, 'time'],
      [`<iq type='get' id='5' from='romeo@montague.lit/orchard'><query xmlns='jabber:iq:version'/></iq>`, 'version'],
      [
        `<presence from='romeo@montague.lit/orchard'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/></presence>`,
        'caps',
      ],
    ];
    for (const [text, feature] of cases) {
      expect(router.route(parseXml(text), context).map((d) => d.to)).toEqual([feature]);
    }
    // Two payloads in one get: nobody claims it, so the session answers service-unavailable once.
    expect(
      router.route(parseXml(`<iq type='get' id='6'><ping xmlns='urn:xmpp:ping'/><time xmlns='urn:xmpp:time'/></iq>`), context),
    ).toEqual([]);
  });

  it('builds the XEP table ordered by number', () => {
    expect(xepTable()).toEqual([
      { feature: 'disco', xep: 'XEP-0030', version: '2.5rc3', url: 'https://xmpp.org/extensions/xep-0030.html' },
      { feature: 'version', xep: 'XEP-0092', version: '1.1', url: 'https://xmpp.org/extensions/xep-0092.html' },
      { feature: 'caps', xep: 'XEP-0115', version: '1.6.0', url: 'https://xmpp.org/extensions/xep-0115.html' },
      { feature: 'ping', xep: 'XEP-0199', version: '2.0.1', url: 'https://xmpp.org/extensions/xep-0199.html' },
      { feature: 'time', xep: 'XEP-0202', version: '2.0', url: 'https://xmpp.org/extensions/xep-0202.html' },
    ]);
  });
});
