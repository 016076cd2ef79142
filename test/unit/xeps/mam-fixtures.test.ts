/**
 * The MAM codec against the examples of XEP-0313 (0.8.0) and XEP-0441 (0.2.0): results, `<fin/>`s
 * and prefs exactly as the XEPs print them, and the queries this code builds compared element by
 * element with the XEPs' queries. Where an example query is adapted (the builder always sends a
 * `queryid` and an RSM `<set/>` with `<max/>`), the comment says what was added.
 */
import type { Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { XmppAdapterError } from '../../../src/errors.js';
import { parseStanzaError } from '../../../src/iq/iq-tracker.js';
import { StanzaParseError } from '../../../src/xeps/iq-request.js';
import { NS_DATA, NS_RSM } from '../../../src/xeps/forms.js';
import { NS_MAM, buildMamQuery, parseMamFin, parseMamResult } from '../../../src/xeps/archive/mam.codec.js';
import type { MamQueryParams } from '../../../src/xeps/archive/mam.types.js';
import { failureOf } from '../../../src/xeps/archive/pager.machine.js';
import { buildPrefsGet, buildPrefsSet, parsePrefs } from '../../../src/xeps/archive/prefs.codec.js';
import { parseXml, xmlTree } from '../../support/xml.js';
import { ok } from './harness.js';

const NS_CLIENT = 'jabber:client';
const JULIET = { ownBare: 'juliet@capulet.lit' };
const ROOM = 'coven@chat.shakespeare.lit';

function built(params: MamQueryParams): Element {
  const iq = buildMamQuery(params);
  if (iq instanceof XmppAdapterError) throw iq;
  return iq;
}

/** Asserts a built query has the XEP example's structure, and the order XEP-0313 §4.1 and §4.3 ask for. */
function expectSameQuery(iq: Element, example: string): void {
  expect(xmlTree(iq, ['id'])).toEqual(xmlTree(parseXml(example), ['id']));
  const query = iq.getChild('query', NS_MAM)!;
  const children = query.getChildElements();
  // RSM <set/> last, after the form when there is one.
  expect(children.at(-1)!.name).toBe('set');
  expect(children.at(-1)!.attrs.xmlns).toBe(NS_RSM);
  const form = query.getChild('x', NS_DATA);
  if (form !== undefined) {
    expect(children[0]).toBe(form);
    expect(form.attrs.type).toBe('submit');
    // §4.1: "The hidden FORM_TYPE field MUST be set to this protocol's namespace".
    const [formType] = form.getChildElements();
    expect(formType!.attrs).toEqual({ var: 'FORM_TYPE', type: 'hidden' });
    expect(formType!.getChildText('value')).toBe(NS_MAM);
  }
}

describe('XEP-0313 queries built like the examples', () => {
  it('§4 "A user queries their archive for messages" (adapted: an RSM <set/> with <max/> added)', () => {
    expectSameQuery(
      built({ queryId: 'f27', max: 10 }),
      `<iq type='set' id='juliet1'>
  <query xmlns='urn:xmpp:mam:2' queryid='f27'>
    <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>
  </query>
</iq>`,
    );
  });

  it('§4 "A user queries an archive for messages", addressed to another archive (adapted: <set/> added)', () => {
    expectSameQuery(
      built({ queryId: 'f28', to: 'pubsub.shakespeare.lit', max: 10 }),
      `<iq to='pubsub.shakespeare.lit' type='set' id='juliet1'>
  <query xmlns='urn:xmpp:mam:2' queryid='f28'>
    <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>
  </query>
</iq>`,
    );
  });

  it('§4.1.1 "Querying for all messages to/from a particular JID" (adapted: queryid and <set/> added)', () => {
    expectSameQuery(
      built({ queryId: 'f27', with: 'juliet@capulet.lit', max: 10 }),
      `<iq type='set' id='juliet1'>
  <query xmlns='urn:xmpp:mam:2' queryid='f27'>
    <x xmlns='jabber:x:data' type='submit'>
      <field var='FORM_TYPE' type='hidden'>
        <value>urn:xmpp:mam:2</value>
      </field>
      <field var='with'>
        <value>juliet@capulet.lit</value>
      </field>
    </x>
    <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>
  </query>
</iq>`,
    );
  });

  it('§4.1.2 "… in a certain timespan" and "… after a certain time" (adapted: queryid and <set/> added)', () => {
    expectSameQuery(
      built({ queryId: 'f27', start: '2010-06-07T00:00:00Z', end: '2010-07-07T13:23:54Z', max: 10 }),
      `<iq type='set' id='juliet1'>
  <query xmlns='urn:xmpp:mam:2' queryid='f27'>
    <x xmlns='jabber:x:data' type='submit'>
      <field var='FORM_TYPE' type='hidden'>
        <value>urn:xmpp:mam:2</value>
      </field>
      <field var='start'>
        <value>2010-06-07T00:00:00Z</value>
      </field>
      <field var='end'>
        <value>2010-07-07T13:23:54Z</value>
      </field>
    </x>
    <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>
  </query>
</iq>`,
    );
    expectSameQuery(
      built({ queryId: 'f27', start: '2010-08-07T00:00:00Z', max: 10 }),
      `<iq type='set' id='juliet1'>
  <query xmlns='urn:xmpp:mam:2' queryid='f27'>
    <x xmlns='jabber:x:data' type='submit'>
      <field var='FORM_TYPE' type='hidden'>
        <value>urn:xmpp:mam:2</value>
      </field>
      <field var='start'>
        <value>2010-08-07T00:00:00Z</value>
      </field>
    </x>
    <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>
  </query>
</iq>`,
    );
  });

  it('§4.1.3 "… after a certain message" and "… between two known messages" (adapted: queryid and <set/> added)', () => {
    expectSameQuery(
      built({ queryId: 'f27', afterId: '09af3-cc343-b409f', max: 10 }),
      `<iq type='set' id='juliet1'>
  <query xmlns='urn:xmpp:mam:2' queryid='f27'>
    <x xmlns='jabber:x:data' type='submit'>
      <field var='FORM_TYPE' type='hidden'>
        <value>urn:xmpp:mam:2</value>
      </field>
      <field var='after-id'>
        <value>09af3-cc343-b409f</value>
      </field>
    </x>
    <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>
  </query>
</iq>`,
    );
    expectSameQuery(
      built({ queryId: 'f27', afterId: '28482-98726-73623', beforeId: '09af3-cc343-b409f', max: 10 }),
      `<iq type='set' id='juliet1'>
  <query xmlns='urn:xmpp:mam:2' queryid='f27'>
    <x xmlns='jabber:x:data' type='submit'>
      <field var='FORM_TYPE' type='hidden'>
        <value>urn:xmpp:mam:2</value>
      </field>
      <field var='after-id'>
        <value>28482-98726-73623</value>
      </field>
      <field var='before-id'>
        <value>09af3-cc343-b409f</value>
      </field>
    </x>
    <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>
  </query>
</iq>`,
    );
  });

  it('§4.3.1 "A query using Result Set Management" (adapted: queryid added)', () => {
    expectSameQuery(
      built({ queryId: 'q29302', start: '2010-08-07T00:00:00Z', max: 10 }),
      `<iq type='set' id='q29302'>
  <query xmlns='urn:xmpp:mam:2' queryid='q29302'>
    <x xmlns='jabber:x:data' type='submit'>
      <field var='FORM_TYPE' type='hidden'>
        <value>urn:xmpp:mam:2</value>
      </field>
      <field var='start'>
        <value>2010-08-07T00:00:00Z</value>
      </field>
    </x>
    <set xmlns='http://jabber.org/protocol/rsm'>
      <max>10</max>
    </set>
  </query>
</iq>`,
    );
  });

  it('§4.3.2 "A page query using Result Set Management": the next page after a known id (adapted: queryid added)', () => {
    expectSameQuery(
      built({ queryId: 'q29303', start: '2010-08-07T00:00:00Z', after: '09af3-cc343-b409f', max: 10 }),
      `<iq type='set' id='q29303'>
  <query xmlns='urn:xmpp:mam:2' queryid='q29303'>
      <x xmlns='jabber:x:data' type='submit'>
        <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>
        <field var='start'><value>2010-08-07T00:00:00Z</value></field>
      </x>
      <set xmlns='http://jabber.org/protocol/rsm'>
         <max>10</max>
         <after>09af3-cc343-b409f</after>
      </set>
  </query>
</iq>`,
    );
  });

  it('§4.3.3 "A request for the last page in an archive": an empty <before/> (adapted: queryid added)', () => {
    const iq = built({ queryId: 'q29303', start: '2010-08-07T00:00:00Z', before: '', max: 10 });
    expectSameQuery(
      iq,
      `<iq type='set' id='q29303'>
  <query xmlns='urn:xmpp:mam:2' queryid='q29303'>
      <x xmlns='jabber:x:data' type='submit'>
        <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>
        <field var='start'><value>2010-08-07T00:00:00Z</value></field>
      </x>
      <set xmlns='http://jabber.org/protocol/rsm'>
         <max>10</max>
         <before/>
      </set>
  </query>
</iq>`,
    );
    // Empty, not absent: XEP-0059 §2.5 reads a missing <before/> as the first page.
    const before = iq.getChild('query', NS_MAM)!.getChild('set', NS_RSM)!.getChild('before');
    expect(before).toBeDefined();
    expect(before!.children).toEqual([]);
  });

  it('§4.3.2 refuses <before/> and <after/> together, which RSM leaves undefined', () => {
    const result = buildMamQuery({ queryId: 'q29303', before: '28482-98726-73623', after: '09af3-cc343-b409f', max: 10 });
    expect(result).toBeInstanceOf(XmppAdapterError);
    expect((result as XmppAdapterError).code).toBe('invalid-argument');
  });
});

describe('XEP-0313 results and fins as the examples print them', () => {
  // §4 "Their server sends the matching messages".
  const HAIL = `<message id='aeb213' to='juliet@capulet.lit/chamber'>
  <result xmlns='urn:xmpp:mam:2' queryid='f27' id='28482-98726-73623'>
    <forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>
      <message xmlns='jabber:client' from="witch@shakespeare.lit" to="macbeth@shakespeare.lit">
        <body>Hail to thee</body>
      </message>
    </forwarded>
  </result>
</message>`;

  it('§4 "Their server sends the matching messages": a result from the own archive (no from)', () => {
    const result = ok(parseMamResult(parseXml(HAIL), JULIET));
    expect(result.queryId).toBe('f27');
    expect(result.archiveId).toBe('28482-98726-73623');
    expect(result.stamp).toBe('2010-07-10T23:08:25.000Z');
    expect(result.message.name).toBe('message');
    expect(result.message.attrs).toMatchObject({ from: 'witch@shakespeare.lit', to: 'macbeth@shakespeare.lit' });
    expect(result.message.getChildText('body')).toBe('Hail to thee');
    // §8.2: the same stanza is not a result of a room archive query (it does not come from the room).
    expect(parseMamResult(parseXml(HAIL), { ...JULIET, archive: ROOM })).toBeInstanceOf(StanzaParseError);
  });

  it('§4 "Server returns the result IQ to signal the end": first and last, no complete, no count', () => {
    const fin = parseXml(`<iq type='result' id='juliet1'>
  <fin xmlns='urn:xmpp:mam:2'>
    <set xmlns='http://jabber.org/protocol/rsm'>
      <first index='0'>28482-98726-73623</first>
      <last>09af3-cc343-b409f</last>
    </set>
  </fin>
</iq>`);
    expect(parseMamFin(fin)).toEqual({ complete: false, stable: true, first: '28482-98726-73623', last: '09af3-cc343-b409f' });
  });

  it('§4.2 "Server returns two matching messages": each with its id, stamp and forwarded message', () => {
    const messages = [
      `<message id='aeb213' to='juliet@capulet.lit/chamber'>
  <result xmlns='urn:xmpp:mam:2' queryid='f27' id='28482-98726-73623'>
    <forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>
      <message xmlns='jabber:client'
        to='juliet@capulet.lit/balcony'
        from='romeo@montague.lit/orchard'
        type='chat'>
        <body>Call me but love, and I'll be new baptized; Henceforth I never will be Romeo.</body>
      </message>
    </forwarded>
  </result>
</message>`,
      `<message id='aeb214' to='juliet@capulet.lit/chamber'>
  <result xmlns='urn:xmpp:mam:2' queryid='f27' id='5d398-28273-f7382'>
    <forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:09:32Z'/>
      <message xmlns='jabber:client'
         to='romeo@montague.lit/orchard'
         from='juliet@capulet.lit/balcony'
         type='chat' id='8a54s'>
        <body>What man art thou that thus bescreen'd in night so stumblest on my counsel?</body>
      </message>
    </forwarded>
  </result>
</message>`,
    ].map((xml) => ok(parseMamResult(parseXml(xml), JULIET)));
    expect(messages.map((r) => [r.queryId, r.archiveId, r.stamp])).toEqual([
      ['f27', '28482-98726-73623', '2010-07-10T23:08:25.000Z'],
      ['f27', '5d398-28273-f7382', '2010-07-10T23:09:32.000Z'],
    ]);
    expect(messages.map((r) => r.message.attrs)).toEqual([
      { xmlns: NS_CLIENT, to: 'juliet@capulet.lit/balcony', from: 'romeo@montague.lit/orchard', type: 'chat' },
      { xmlns: NS_CLIENT, to: 'romeo@montague.lit/orchard', from: 'juliet@capulet.lit/balcony', type: 'chat', id: '8a54s' },
    ]);
    expect(messages[1]!.message.getChildText('body')).toBe("What man art thou that thus bescreen'd in night so stumblest on my counsel?");
  });

  it('§4.3.1 "Server responds to client with limited results": first, last and count', () => {
    const fin = parseXml(`<iq type='result' id='q29302'>
  <fin xmlns='urn:xmpp:mam:2'>
    <set xmlns='http://jabber.org/protocol/rsm'>
      <first index='0'>28482-98726-73623</first>
      <last>09af3-cc343-b409f</last>
      <count>20</count>
    </set>
  </fin>
</iq>`);
    expect(parseMamFin(fin)).toEqual({
      complete: false,
      stable: true,
      first: '28482-98726-73623',
      last: '09af3-cc343-b409f',
      count: 20,
    });
  });

  it('§4.3.2 "Server completes a result with the last page of messages": complete=true', () => {
    const fin = parseXml(`<iq type='result' id='u29303'>
  <fin xmlns='urn:xmpp:mam:2' complete='true'>
    <set xmlns='http://jabber.org/protocol/rsm'>
      <first index='0'>23452-4534-1</first>
      <last>390-2342-22</last>
      <count>16</count>
    </set>
  </fin>
</iq>`);
    expect(parseMamFin(fin)).toEqual({ complete: true, stable: true, first: '23452-4534-1', last: '390-2342-22', count: 16 });
  });

  it('§4.3.2 "Message id not found in archive": no fin, and the stanza error the pager reports', () => {
    const error = parseXml(`<iq type='error' id='q29303'>
  <error type='cancel'>
    <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
   </error>
</iq>`);
    expect(parseMamFin(error)).toBeInstanceOf(StanzaParseError);
    expect(failureOf(parseStanzaError(error))).toMatchObject({ code: 'stanza-error', condition: 'item-not-found' });
  });

  it('§6.1.2 "Server returns MUC messages": results from a room archive, only for a query to that room', () => {
    const witches = [
      `<message id='iasd207' from='coven@chat.shakespeare.lit' to='hag66@shakespeare.lit/pda'>
  <result xmlns='urn:xmpp:mam:2' queryid='g27' id='34482-21985-73620'>
    <forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2002-10-13T23:58:37Z'/>
      <message xmlns="jabber:client"
        from='coven@chat.shakespeare.lit/firstwitch'
        id='162BEBB1-F6DB-4D9A-9BD8-CFDCC801A0B2'
        type='groupchat'>
        <body>Thrice the brinded cat hath mew'd.</body>
        <x xmlns='http://jabber.org/protocol/muc#user'>
          <item affiliation='none'
                jid='witch1@shakespeare.lit'
                role='participant' />
        </x>
      </message>
    </forwarded>
  </result>
</message>`,
      `<message id='iasd207' from='coven@chat.shakespeare.lit' to='hag66@shakespeare.lit/pda'>
  <result xmlns='urn:xmpp:mam:2' queryid='g27' id='34482-21985-73620'>
    <forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2002-10-13T23:58:43Z'/>
      <message xmlns="jabber:client"
        from='coven@chat.shakespeare.lit/secondwitch'
        id='90057840-30FD-4141-AA44-103EEDF218FC'
        type='groupchat'>
        <body>Thrice and once the hedge-pig whined.</body>
        <x xmlns='http://jabber.org/protocol/muc#user'>
          <item affiliation='none'
                jid='witch2@shakespeare.lit'
                role='participant' />
        </x>
      </message>
    </forwarded>
  </result>
</message>`,
    ].map((xml) => parseXml(xml));
    const hag = { ownBare: 'hag66@shakespeare.lit', archive: ROOM };
    const results = witches.map((m) => ok(parseMamResult(m, hag)));
    expect(results.map((r) => [r.queryId, r.archiveId, r.stamp, r.message.attrs.from, r.message.attrs.type])).toEqual([
      ['g27', '34482-21985-73620', '2002-10-13T23:58:37.000Z', 'coven@chat.shakespeare.lit/firstwitch', 'groupchat'],
      ['g27', '34482-21985-73620', '2002-10-13T23:58:43.000Z', 'coven@chat.shakespeare.lit/secondwitch', 'groupchat'],
    ]);
    expect(results[0]!.message.getChild('x', 'http://jabber.org/protocol/muc#user')!.getChild('item')!.attrs.jid).toBe(
      'witch1@shakespeare.lit',
    );
    // §8.2: the room's results do not pass for the own archive's.
    for (const m of witches) expect(parseMamResult(m, { ownBare: 'hag66@shakespeare.lit' })).toBeInstanceOf(StanzaParseError);
  });
});

describe('XEP-0441 preferences as the examples print them', () => {
  it('§2.1 "Retrieving archiving preferences": the get is built as printed', () => {
    expect(xmlTree(buildPrefsGet(), ['id'])).toEqual(
      xmlTree(
        parseXml(`<iq type='get' id='juliet2'>
  <prefs xmlns='urn:xmpp:mam:2'/>
</iq>`),
        ['id'],
      ),
    );
  });

  it('§2.1 "Server responds with current preferences": both lists empty', () => {
    const answer = parseXml(`<iq type='result' id='juliet2'>
  <prefs xmlns='urn:xmpp:mam:2' default='roster'>
    <always/>
    <never/>
  </prefs>
</iq>`);
    expect(parsePrefs(answer)).toEqual({ default: 'roster', always: [], never: [] });
  });

  it('§2.1 "Server does not support archive configuration": an error carries no preferences', () => {
    const error = parseXml(`<iq type='error' id='juliet2'>
  <error type='cancel'>
    <feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
  </error>
</iq>`);
    expect(parsePrefs(error)).toBeInstanceOf(StanzaParseError);
  });

  it('§2.1 "Updating archiving preferences": the set is built as printed', () => {
    const set = buildPrefsSet({ default: 'roster', always: ['romeo@montague.lit'], never: ['montague@montague.lit'] });
    if (set instanceof XmppAdapterError) throw set;
    expect(xmlTree(set, ['id'])).toEqual(
      xmlTree(
        parseXml(`<iq type='set' id='juliet3'>
  <prefs xmlns='urn:xmpp:mam:2' default='roster'>
    <always>
      <jid>romeo@montague.lit</jid>
    </always>
    <never>
      <jid>montague@montague.lit</jid>
    </never>
  </prefs>
</iq>`),
        ['id'],
      ),
    );
  });

  it('§2.1 "Server responds with updated preferences"', () => {
    const answer = parseXml(`<iq type='result' id='juliet3'>
  <prefs xmlns='urn:xmpp:mam:2' default='roster'>
    <always>
      <jid>romeo@montague.lit</jid>
    </always>
    <never>
      <jid>montague@montague.lit</jid>
    </never>
  </prefs>
</iq>`);
    expect(parsePrefs(answer)).toEqual({ default: 'roster', always: ['romeo@montague.lit'], never: ['montague@montague.lit'] });
  });
});
