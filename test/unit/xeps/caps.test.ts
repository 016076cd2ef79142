import { xml } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { NS_STANZAS } from '../../../src/wire/namespaces.js';
import {
  CAPS_NODE,
  MAX_QUEUED_VERIFICATIONS,
  MAX_VERIFICATIONS_IN_FLIGHT,
  NS_CAPS,
  buildCaps,
  caps,
  capsHash,
  compareOctets,
  connectCaps,
  createCapsLogic,
  ownCapsElement,
  parseCaps,
  verOf,
  verificationString,
} from '../../../src/xeps/caps/index.js';
import { NS_DISCO_INFO, ownDiscoInfo, parseDiscoInfo } from '../../../src/xeps/disco/index.js';
import { StanzaParseError } from '../../../src/xeps/iq-request.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, ok, routeContext } from './harness.js';

// XEP-0115 §1.2: Romeo's disco#info answer behind ver QgayPKawpkPSDYmwT/WM94uAlu0= (§5.2).
const EXODUS_VER = 'QgayPKawpkPSDYmwT/WM94uAlu0=';
const EXODUS_NODE = 'http://code.google.com/p/exodus';
const EXODUS_QUERY = `
  <query xmlns='http://jabber.org/protocol/disco#info' node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='>
    <identity category='client' name='Exodus 0.9.1' type='pc'/>
    <feature var='http://jabber.org/protocol/caps'/>
    <feature var='http://jabber.org/protocol/disco#info'/>
    <feature var='http://jabber.org/protocol/disco#items'/>
    <feature var='http://jabber.org/protocol/muc'/>
  </query>`;

// XEP-0115 §5.3: the complex example (two identities in two languages and a XEP-0128 form).
const PSI_VER = 'q07IKJEyjvHSyhy//CH0CxmKi8w=';
const PSI_QUERY = `
  <query xmlns='http://jabber.org/protocol/disco#info' node='http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w='>
    <identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>
    <identity xml:lang='el' category='client' name='&#936; 0.11' type='pc'/>
    <feature var='http://jabber.org/protocol/caps'/>
    <feature var='http://jabber.org/protocol/disco#info'/>
    <feature var='http://jabber.org/protocol/disco#items'/>
    <feature var='http://jabber.org/protocol/muc'/>
    <x xmlns='jabber:x:data' type='result'>
      <field var='FORM_TYPE' type='hidden'>
        <value>urn:xmpp:dataforms:softwareinfo</value>
      </field>
      <field var='ip_version'>
        <value>ipv4</value>
        <value>ipv6</value>
      </field>
      <field var='os'>
        <value>Mac</value>
      </field>
      <field var='os_version'>
        <value>10.5.1</value>
      </field>
      <field var='software'>
        <value>Psi</value>
      </field>
      <field var='software_version'>
        <value>0.11</value>
      </field>
    </x>
  </query>`;

// XEP-0115 §1.2: presences that announce caps.
const ROMEO_PRESENCE = `
<presence from='romeo@montague.lit/orchard'>
  <c xmlns='http://jabber.org/protocol/caps'
     hash='sha-1'
     node='http://code.google.com/p/exodus'
     ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>
</presence>`;

const JULIET = routeContext('juliet@capulet.lit/chamber');

describe('caps verification string (§5.1)', () => {
  it('builds S and the ver of the simple example (§5.2)', async () => {
    const info = ok(parseDiscoInfo(parseXml(EXODUS_QUERY)));
    const s = verificationString(info);
    expect(s).toBe(
      'client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<',
    );
    await expect(capsHash(s as string)).resolves.toBe(EXODUS_VER);
  });

  it('builds S and the ver of the complex example (§5.3): identities by lang, forms by FORM_TYPE, fields by var', async () => {
    const info = ok(parseDiscoInfo(parseXml(PSI_QUERY)));
    expect(verificationString(info)).toBe(
      'client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<' +
        'http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<' +
        'ip_version<ipv4<ipv6<os<Mac<os_version<10.5.1<software<Psi<software_version<0.11<',
    );
    await expect(verOf(info)).resolves.toBe(PSI_VER);
  });

  it('does not depend on the order the answer lists things in', async () => {
    const info = ok(parseDiscoInfo(parseXml(PSI_QUERY)));
    const shuffled = {
      identities: [...info.identities].reverse(),
      features: [...info.features].reverse(),
      forms: info.forms.map((f) => ({ ...f, fields: [...f.fields].reverse().map((x) => ({ ...x, values: [...x.values].reverse() })) })),
    };
    await expect(verOf(shuffled)).resolves.toBe(PSI_VER);
  });

  it('ignores forms without a hidden FORM_TYPE (§5.4 3.6)', async () => {
    const info = ok(parseDiscoInfo(parseXml(EXODUS_QUERY)));
    const withJunk = {
      ...info,
      forms: [
        {
          type: 'result',
          fields: [
            { var: 'FORM_TYPE', values: ['urn:example:not-hidden'] },
            { var: 'a', values: ['b'] },
          ],
        },
        { type: 'result', fields: [{ var: 'a', values: ['b'] }] },
      ],
    };
    await expect(verOf(withJunk)).resolves.toBe(EXODUS_VER);
  });

  it.each([
    [
      'a duplicate identity',
      {
        identities: [
          { category: 'client', type: 'pc' },
          { category: 'client', type: 'pc' },
        ],
        features: [],
        forms: [],
      },
    ],
    ['a duplicate feature', { identities: [], features: ['a', 'a'], forms: [] }],
    [
      'two forms with one FORM_TYPE',
      {
        identities: [],
        features: [],
        forms: [
          { fields: [{ var: 'FORM_TYPE', type: 'hidden', values: ['urn:x'] }] },
          { fields: [{ var: 'FORM_TYPE', type: 'hidden', values: ['urn:x'] }] },
        ],
      },
    ],
    [
      'a FORM_TYPE with two values',
      { identities: [], features: [], forms: [{ fields: [{ var: 'FORM_TYPE', type: 'hidden', values: ['urn:x', 'urn:y'] }] }] },
    ],
  ])('calls an answer with %s ill-formed (§5.4)', (_what, info) => {
    expect(verificationString(info)).toBeInstanceOf(StanzaParseError);
  });

  it('keeps a literal "&lt;" as four characters (§5 note)', () => {
    const info = ok(
      parseDiscoInfo(
        parseXml(
          `<query xmlns='${NS_DISCO_INFO}'><identity category='client' type='pc' name='SomeClient&amp;lt;http://jabber.org/protocol/muc'/></query>`,
        ),
      ),
    );
    expect(verificationString(info)).toBe('client/pc//SomeClient&lt;http://jabber.org/protocol/muc<');
  });

  it('sorts with i;octet collation: code points, not UTF-16 units', () => {
    // U+FF5E (a BMP character) sorts before U+1F600, whose UTF-16 form starts with 0xD83D.
    expect(compareOctets('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect(['\u{1f600}', '\uff5e', 'a'].sort(compareOctets)).toEqual(['a', '\uff5e', '\u{1f600}']);
    expect(compareOctets('ab', 'a')).toBeGreaterThan(0);
  });

  it('supports sha-256 as well', async () => {
    // Expected value from `printf '<S>' | openssl dgst -binary -sha256 | openssl enc -base64`.
    const info = ok(parseDiscoInfo(parseXml(EXODUS_QUERY)));
    await expect(verOf(info, 'sha-256')).resolves.toBe('Wr6IGEKhx6b9627gBmi/cCmpxXBc/GYq5zWuYfWGWoc=');
  });
});

describe('caps codec', () => {
  it('round-trips the <c/> of §6.1', () => {
    const c = ok(parseCaps(parseXml(ROMEO_PRESENCE)));
    expect(c).toEqual({ hash: 'sha-1', node: EXODUS_NODE, ver: EXODUS_VER });
    expect(parseCaps(buildCaps({ hash: 'sha-1', node: c.node, ver: c.ver }))).toEqual(c);
  });

  it('refuses a <c/> without node or ver', () => {
    expect(parseCaps(parseXml(`<c xmlns='${NS_CAPS}' hash='sha-1' ver='x'/>`))).toBeInstanceOf(StanzaParseError);
    expect(parseCaps(parseXml(`<c xmlns='${NS_CAPS}' hash='sha-1' node='x'/>`))).toBeInstanceOf(StanzaParseError);
    expect(parseCaps(parseXml(`<presence/>`))).toBeInstanceOf(StanzaParseError);
  });
});

describe('caps route', () => {
  it('routes the §1.2 presence as plain data', () => {
    expect(caps.route(parseXml(ROMEO_PRESENCE), JULIET)).toEqual([
      { type: 'caps.announced', from: 'romeo@montague.lit/orchard', hash: 'sha-1', node: EXODUS_NODE, ver: EXODUS_VER },
    ]);
  });

  it("routes an unavailable presence, with or without <c/>, as the end of that resource's caps", () => {
    expect(caps.route(parseXml(`<presence type='unavailable' from='romeo@montague.lit/orchard'/>`), JULIET)).toEqual([
      { type: 'caps.gone', from: 'romeo@montague.lit/orchard' },
    ]);
  });

  it.each([
    ['our own presence', `<presence from='juliet@capulet.lit/chamber'><c xmlns='${NS_CAPS}' hash='sha-1' node='n' ver='v'/></presence>`],
    ['a presence without from', `<presence><c xmlns='${NS_CAPS}' hash='sha-1' node='n' ver='v'/></presence>`],
    ['a presence from a non-JID', `<presence from='a@b@c'><c xmlns='${NS_CAPS}' hash='sha-1' node='n' ver='v'/></presence>`],
    ['our own unavailable presence', `<presence type='unavailable' from='juliet@capulet.lit/chamber'/>`],
    [
      'a subscription request',
      `<presence type='subscribe' from='romeo@montague.lit'><c xmlns='${NS_CAPS}' hash='sha-1' node='n' ver='v'/></presence>`,
    ],
    [
      'the legacy format (no hash)',
      `<presence from='romeo@montague.lit/orchard'><c xmlns='${NS_CAPS}' node='http://exodus.jabberstudio.org/caps' ver='0.9'/></presence>`,
    ],
    ['a <c/> without ver', `<presence from='romeo@montague.lit/orchard'><c xmlns='${NS_CAPS}' hash='sha-1' node='n'/></presence>`],
    [
      'an absurdly long ver',
      `<presence from='romeo@montague.lit/orchard'><c xmlns='${NS_CAPS}' hash='sha-1' node='n' ver='${'x'.repeat(300)}'/></presence>`,
    ],
  ])('declines %s', (_what, text) => {
    expect(caps.route(parseXml(text), JULIET)).toEqual([]);
  });
});

describe('caps machine', () => {
  const discoFeatures = [NS_CAPS, 'urn:xmpp:ping'];

  function startCaps(overrides: Parameters<typeof featureInput>[0] = {}) {
    const fake = fakeServices('juliet@capulet.lit/chamber');
    const actor = createActor(createCapsLogic(fake.services, 'node'), {
      input: featureInput({ discoFeatures, ...overrides }),
      clock: fake.clock,
    });
    actor.start();
    return { ...fake, actor };
  }

  const announce = (from: string, ver: string, hash = 'sha-1', node = EXODUS_NODE) => ({
    type: 'caps.announced' as const,
    from,
    hash,
    node,
    ver,
  });

  it("hashes our own ver for the presence feature's <c/> and sends no presence itself", async () => {
    const { actor, take } = startCaps();
    actor.send({ type: 'session.online', jid: 'juliet@capulet.lit/chamber', resumed: false });
    await waitFor(actor, (s) => s.matches('ready'));
    const expected = ok(await verOf(ownDiscoInfo('xmpp-adapter', discoFeatures, 'node')));
    expect(connectCaps(actor.getSnapshot()).ownVer).toBe(expected);
    expect(ownCapsElement(expected)!.attrs).toMatchObject({ hash: 'sha-1', node: CAPS_NODE, ver: expected });
    expect(ok(parseCaps(xml('presence', {}, ownCapsElement(expected))))).toEqual({ hash: 'sha-1', node: CAPS_NODE, ver: expected });
    expect(ownCapsElement(undefined)).toBeUndefined();
    expect(take()).toHaveLength(0);
  });

  it('forgets which ver a resource used once it goes offline', () => {
    const { actor } = startCaps();
    actor.send(announce('romeo@montague.lit/orchard', EXODUS_VER));
    expect(actor.getSnapshot().context.jidToVer).toEqual({ 'romeo@montague.lit/orchard': EXODUS_VER });
    actor.send({ type: 'caps.gone', from: 'romeo@montague.lit/orchard' });
    expect(actor.getSnapshot().context.jidToVer).toEqual({});
  });

  it('verifies an unknown ver by asking the sender for node#ver, then trusts it for everyone using it', async () => {
    const { actor, take, reply } = startCaps();
    actor.send(announce('romeo@montague.lit/orchard', EXODUS_VER));
    const [request] = take();
    expect(request!.attrs).toMatchObject({ type: 'get', to: 'romeo@montague.lit/orchard' });
    expect(request!.getChild('query', NS_DISCO_INFO)!.attrs.node).toBe(`${EXODUS_NODE}#${EXODUS_VER}`);
    expect(connectCaps(actor.getSnapshot()).featuresOf('romeo@montague.lit/orchard')).toBeUndefined();

    reply(request!, EXODUS_QUERY);
    await waitFor(actor, (s) => Object.hasOwn(s.context.known, EXODUS_VER));
    const view = connectCaps(actor.getSnapshot());
    expect(view.featuresOf('romeo@montague.lit/orchard')).toContain('http://jabber.org/protocol/muc');
    expect(view.supports('Romeo@Montague.lit/orchard', 'http://jabber.org/protocol/muc')).toBe(true);

    // §1.2: the Nurse announces the same ver; no second query is needed.
    actor.send(announce('nurse@capulet.lit/chamber', EXODUS_VER));
    expect(take()).toHaveLength(0);
    expect(connectCaps(actor.getSnapshot()).featuresOf('nurse@capulet.lit/chamber')).toEqual(view.featuresOf('romeo@montague.lit/orchard'));
  });

  it('never trusts a ver whose answer hashes to something else (§5.4 3.9), and does not ask again', async () => {
    const { actor, take, reply } = startCaps();
    actor.send(announce('mallory@evil.lit/x', EXODUS_VER));
    // The §6.2 example answer (no name, no caps feature) does not hash to the advertised ver.
    reply(
      take()[0]!,
      `
      <query xmlns='http://jabber.org/protocol/disco#info' node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='>
        <identity category='client' type='pc'/>
        <feature var='http://jabber.org/protocol/disco#info'/>
        <feature var='http://jabber.org/protocol/disco#items'/>
        <feature var='http://jabber.org/protocol/muc'/>
      </query>`,
    );
    await waitFor(actor, (s) => Object.hasOwn(s.context.failed, EXODUS_VER));
    expect(actor.getSnapshot().context.known).toEqual({});
    expect(connectCaps(actor.getSnapshot()).featuresOf('mallory@evil.lit/x')).toBeUndefined();
    actor.send(announce('romeo@montague.lit/orchard', EXODUS_VER));
    expect(take()).toHaveLength(0);
  });

  it('forgets an unanswered verification so that a later presence may try again', async () => {
    const { actor, take, reply } = startCaps();
    actor.send(announce('romeo@montague.lit/orchard', EXODUS_VER));
    reply(take()[0]!, `<error type='cancel'><service-unavailable xmlns='${NS_STANZAS}'/></error>`, 'error');
    await waitFor(actor, (s) => Object.keys(s.context.inFlight).length === 0);
    expect(actor.getSnapshot().context.failed).toEqual({});
    actor.send(announce('nurse@capulet.lit/chamber', EXODUS_VER));
    expect(take()[0]!.attrs.to).toBe('nurse@capulet.lit/chamber');
  });

  it(`keeps at most ${MAX_VERIFICATIONS_IN_FLIGHT} verifications in flight and a bounded queue`, async () => {
    const { actor, take, reply } = startCaps();
    const total = MAX_VERIFICATIONS_IN_FLIGHT + MAX_QUEUED_VERIFICATIONS + 10;
    for (let i = 0; i < total; i++) actor.send(announce(`user${i}@flood.lit/r`, `ver-${i}`));
    const requests = take();
    expect(requests).toHaveLength(MAX_VERIFICATIONS_IN_FLIGHT);
    expect(actor.getSnapshot().context.queue).toHaveLength(MAX_QUEUED_VERIFICATIONS);
    // The same ver again is neither asked nor queued twice.
    actor.send(announce('other@flood.lit/r', 'ver-0'));
    actor.send(announce('other@flood.lit/r', `ver-${MAX_VERIFICATIONS_IN_FLIGHT}`));
    expect(take()).toHaveLength(0);
    expect(actor.getSnapshot().context.queue).toHaveLength(MAX_QUEUED_VERIFICATIONS);

    // An answer frees a slot: the oldest queued ver is verified next.
    reply(requests[0]!, `<query xmlns='${NS_DISCO_INFO}'/>`);
    await waitFor(actor, (s) => s.context.queue.length === MAX_QUEUED_VERIFICATIONS - 1);
    const [next] = take();
    expect(next!.attrs.to).toBe(`user${MAX_VERIFICATIONS_IN_FLIGHT}@flood.lit/r`);
    expect(Object.keys(actor.getSnapshot().context.inFlight)).toHaveLength(MAX_VERIFICATIONS_IN_FLIGHT);
    expect(Object.hasOwn(actor.getSnapshot().context.failed, 'ver-0')).toBe(true);
  });

  it('abandons verifications when the session goes offline', async () => {
    const { actor, take, iq } = startCaps();
    for (let i = 0; i < 6; i++) actor.send(announce(`user${i}@flood.lit/r`, `ver-${i}`));
    expect(take()).toHaveLength(4);
    expect(iq.size).toBe(4);
    actor.send({ type: 'session.offline' });
    expect(actor.getSnapshot().context.inFlight).toEqual({});
    expect(actor.getSnapshot().context.queue).toEqual([]);
    expect(iq.size).toBe(0);
  });

  it('ignores hashes it cannot check and forgets that JID’s older ver', async () => {
    const { actor, take, reply } = startCaps();
    actor.send(announce('romeo@montague.lit/orchard', EXODUS_VER));
    reply(take()[0]!, EXODUS_QUERY);
    await waitFor(actor, (s) => Object.hasOwn(s.context.known, EXODUS_VER));
    actor.send(announce('romeo@montague.lit/orchard', 'abc', 'md5'));
    expect(take()).toHaveLength(0);
    expect(connectCaps(actor.getSnapshot()).featuresOf('romeo@montague.lit/orchard')).toBeUndefined();
  });

  it('treats hostile keys such as __proto__ as ordinary data', () => {
    const { actor, take } = startCaps();
    actor.send(announce('__proto__', '__proto__'));
    actor.send(announce('constructor@x.lit/r', 'constructor'));
    expect(take()).toHaveLength(2);
    const { jidToVer, inFlight } = actor.getSnapshot().context;
    expect(Object.keys(jidToVer)).toEqual(['__proto__', 'constructor@x.lit/r']);
    expect(Object.keys(inFlight)).toEqual(['__proto__', 'constructor']);
    expect(connectCaps(actor.getSnapshot()).featuresOf('toString@x.lit/r')).toBeUndefined();
  });
});
