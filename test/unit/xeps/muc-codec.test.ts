/**
 * The MUC codec against the examples of XEP-0045 (1.35.5 text; sections named with their anchors),
 * XEP-0249 and XEP-0421: stanzas the room sends parsed as the XEPs print them, and stanzas the
 * builders make compared element by element with the XEPs' client stanzas (the `from` a server
 * adds and the example `id` of the root are left out). Then hostile input.
 */
import type { Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { XmppAdapterError } from '../../../src/errors.js';
import { StanzaParseError } from '../../../src/xeps/iq-request.js';
import {
  MAX_STATUS_CODES,
  NS_CONFERENCE,
  NS_MUC,
  NS_MUC_USER,
  STATUS,
  buildAffiliationListRequest,
  buildAffiliationSet,
  buildConfigCancel,
  buildConfigRequest,
  buildConfigSubmit,
  buildDecline,
  buildDestroy,
  buildDirectInvite,
  buildGroupchat,
  buildInstantRoom,
  buildJoin,
  buildLeave,
  buildMediatedInvite,
  buildNickChange,
  buildPrivateMessage,
  buildRoleListRequest,
  buildRoleSet,
  buildSubjectChange,
  parseConfigForm,
  parseGroupchat,
  parseInvitation,
  parseItemList,
  parseOccupantPresence,
  parseRoomInfo,
  parseRoomPresenceError,
  roomFailureOf,
} from '../../../src/xeps/muc/muc.codec.js';
import { parseXml, xmlTree } from '../../support/xml.js';
import { ok } from './harness.js';

const ROOM = 'coven@chat.shakespeare.lit';

function built(value: Element | XmppAdapterError): Element {
  if (value instanceof XmppAdapterError) throw value;
  return value;
}

function expectSame(value: Element | XmppAdapterError, example: string): void {
  expect(xmlTree(built(value), ['from', 'id'])).toEqual(xmlTree(parseXml(example), ['from', 'id']));
}

function expectInvalid(value: Element | XmppAdapterError): void {
  expect(value).toBeInstanceOf(XmppAdapterError);
  expect((value as XmppAdapterError).code).toBe('invalid-argument');
}

const refused = (value: unknown) => expect(value).toBeInstanceOf(StanzaParseError);

describe('MUC codec: presence we send', () => {
  it('builds §7.2.1 (#enter-muc) "User Seeks to Enter a Room"', () => {
    expectSame(
      buildJoin(ROOM, 'thirdwitch'),
      `<presence from='hag66@shakespeare.lit/pda' id='n13mt3l' to='coven@chat.shakespeare.lit/thirdwitch'>
         <x xmlns='http://jabber.org/protocol/muc'/></presence>`,
    );
    expect(built(buildJoin(ROOM, 'thirdwitch')).attrs.type).toBeUndefined();
  });

  it('builds §7.2.5 (#enter-pw) "User Provides Password On Entering a Room"', () => {
    expectSame(
      buildJoin(ROOM, 'thirdwitch', { password: 'cauldronburn' }),
      `<presence from='hag66@shakespeare.lit/pda' id='djn4714' to='coven@chat.shakespeare.lit/thirdwitch'>
         <x xmlns='http://jabber.org/protocol/muc'><password>cauldronburn</password></x></presence>`,
    );
  });

  it.each([
    ['"User Requests Limit on Number of Characters in History"', { maxchars: 65000 }, `<history maxchars='65000'/>`],
    ['"User Requests Limit on Number of Messages in History"', { maxstanzas: 20 }, `<history maxstanzas='20'/>`],
    ['"User Requests History in Last 3 Minutes"', { seconds: 180 }, `<history seconds='180'/>`],
    [
      '"User Requests All History Since the Beginning of the Unix Era"',
      { since: '1970-01-01T00:00:00Z' },
      `<history since='1970-01-01T00:00:00Z'/>`,
    ],
    ['"User Requests No History"', { maxchars: 0 }, `<history maxchars='0'/>`],
  ])('builds §7.2.14 (#enter-managehistory) %s', (_caption, history, element) => {
    expectSame(
      buildJoin(ROOM, 'thirdwitch', { history }),
      `<presence to='coven@chat.shakespeare.lit/thirdwitch'><x xmlns='http://jabber.org/protocol/muc'>${element}</x></presence>`,
    );
  });

  it('puts <history/> before <password/> (§19.1 muc schema sequence) and normalises the room', () => {
    const x = built(buildJoin('Coven@Chat.Shakespeare.lit', 'Third Witch', { password: 'pw', history: { maxstanzas: 0 } })).getChild(
      'x',
      NS_MUC,
    )!;
    expect(x.getChildElements().map((c) => c.name)).toEqual(['history', 'password']);
    expect(x.parent?.attrs.to).toBe('coven@chat.shakespeare.lit/Third Witch');
  });

  it.each([
    ['a domain as the room', () => buildJoin('chat.shakespeare.lit', 'thirdwitch')],
    ['a full JID as the room', () => buildJoin(`${ROOM}/x`, 'thirdwitch')],
    ['an empty nick', () => buildJoin(ROOM, '')],
    ['a nick of spaces (§17.1 "empty or invisible Room Nicknames")', () => buildJoin(ROOM, '   ')],
    ['an oversized nick (over 1023 bytes)', () => buildJoin(ROOM, 'w'.repeat(1024))],
    ['a nick with a control character', () => buildJoin(ROOM, 'third\u0000witch')],
    ['a negative maxstanzas', () => buildJoin(ROOM, 'thirdwitch', { history: { maxstanzas: -1 } })],
    ['a fractional seconds', () => buildJoin(ROOM, 'thirdwitch', { history: { seconds: 1.5 } })],
    ['a maxchars beyond xs:int', () => buildJoin(ROOM, 'thirdwitch', { history: { maxchars: 2 ** 31 } })],
    ['a since that is not a XEP-0082 DateTime', () => buildJoin(ROOM, 'thirdwitch', { history: { since: 'yesterday' } })],
    ['an empty password', () => buildJoin(ROOM, 'thirdwitch', { password: '' })],
  ])('refuses to join with %s', (_what, make) => {
    expectInvalid(make());
  });

  it('builds §7.14 (#exit) "Occupant Exits a Room" and "Custom Exit Message"', () => {
    expectSame(
      buildLeave(ROOM, 'thirdwitch'),
      `<presence from='hag66@shakespeare.lit/pda' to='coven@chat.shakespeare.lit/thirdwitch' type='unavailable'/>`,
    );
    expectSame(
      buildLeave(ROOM, 'oldhag', 'gone where the goblins go'),
      `<presence from='wiccarocks@shakespeare.lit/laptop' to='coven@chat.shakespeare.lit/oldhag' type='unavailable'>
         <status>gone where the goblins go</status></presence>`,
    );
    expectInvalid(buildLeave(ROOM, 'oldhag', 's'.repeat(5000)));
  });

  it('builds §7.6 (#changenick) "Occupant Changes Nickname" without a muc <x/>', () => {
    expectSame(
      buildNickChange(ROOM, 'oldhag'),
      `<presence from='hag66@shakespeare.lit/pda' id='ifd1c35' to='coven@chat.shakespeare.lit/oldhag'/>`,
    );
    expectInvalid(buildNickChange(ROOM, ' '));
  });
});

describe('MUC codec: messages we send', () => {
  it('builds §7.4 (#message) "Occupant Sends a Message to All Occupants" with an origin-id', () => {
    const message = built(buildGroupchat(ROOM, "Harpier cries: 'tis time, 'tis time.", 'hysf1v37'));
    expect(message.attrs).toMatchObject({ to: ROOM, type: 'groupchat', id: 'hysf1v37' });
    expect(message.getChildText('body')).toBe("Harpier cries: 'tis time, 'tis time.");
    expect(message.getChild('origin-id', 'urn:xmpp:sid:0')?.attrs.id).toBe('hysf1v37');
    expectInvalid(buildGroupchat(ROOM, '', 'x'));
    expectInvalid(buildGroupchat(`${ROOM}/thirdwitch`, 'hi', 'x'));
    expectInvalid(buildGroupchat(ROOM, 'hi', ''));
  });

  it('builds §8.1 (#subject-mod) "Moderator Changes Subject" and "Moderator Sets Empty Subject"', () => {
    expectSame(
      buildSubjectChange(ROOM, 'Fire Burn and Cauldron Bubble!', 'lh2bs617'),
      `<message from='wiccarocks@shakespeare.lit/laptop' id='lh2bs617' to='coven@chat.shakespeare.lit' type='groupchat'>
         <subject>Fire Burn and Cauldron Bubble!</subject></message>`,
    );
    expectSame(
      buildSubjectChange(ROOM, '', 'uj3bs61g'),
      `<message from='wiccarocks@shakespeare.lit/laptop' id='uj3bs61g' to='coven@chat.shakespeare.lit' type='groupchat'><subject></subject></message>`,
    );
  });

  it('builds §7.5 (#privatemessage) "Occupant Sends Private Message" (plus an origin-id)', () => {
    const message = built(buildPrivateMessage(`${ROOM}/firstwitch`, "I'll give thee a wind.", 'hgn27af1'));
    expect(xmlTree(message, ['from', 'id']).attrs).toEqual({ to: 'coven@chat.shakespeare.lit/firstwitch', type: 'chat' });
    expect(message.getChildText('body')).toBe("I'll give thee a wind.");
    expect(message.getChild('x', NS_MUC_USER)?.children).toEqual([]);
    expect(message.getChild('origin-id', 'urn:xmpp:sid:0')?.attrs.id).toBe('hgn27af1');
    expectInvalid(buildPrivateMessage(ROOM, 'hi', 'x'));
    expectInvalid(buildPrivateMessage(`${ROOM}/ `, 'hi', 'x'));
  });
});

describe('MUC codec: occupant presence', () => {
  it('reads §7.2.2 (#enter-pres) "Service Sends Presence from Existing Occupants to New Occupant"', () => {
    expect(
      ok(
        parseOccupantPresence(
          parseXml(`<presence from='coven@chat.shakespeare.lit/firstwitch' id='3DCB0401-D7CF-4E31-BE05-EDF8D057BFBD' to='hag66@shakespeare.lit/pda'>
            <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator'/></x></presence>`),
        ),
      ),
    ).toEqual({ room: ROOM, nick: 'firstwitch', available: true, item: { affiliation: 'owner', role: 'moderator' }, statusCodes: [] });
  });

  it('reads §7.2.12 (#enter-logging) self-presence with status codes 100, 110, 170 and 210', () => {
    const presence = ok(
      parseOccupantPresence(
        parseXml(`<presence from='coven@chat.shakespeare.lit/thirdwitch' id='n13mt3l' to='hag66@shakespeare.lit/pda'>
          <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant'/>
            <status code='100'/><status code='110'/><status code='170'/><status code='210'/></x></presence>`),
      ),
    );
    expect(presence.statusCodes).toEqual([STATUS.NON_ANONYMOUS, STATUS.SELF, STATUS.LOGGING_ENABLED, STATUS.NICK_ASSIGNED]);
    expect(presence.item).toEqual({ affiliation: 'member', role: 'participant' });
  });

  it('reads §10.1.1 (#createroom-general) "Service Acknowledges Room Creation" (201)', () => {
    const presence = ok(
      parseOccupantPresence(
        parseXml(`<presence from='coven@chat.shakespeare.lit/firstwitch' to='crone1@shakespeare.lit/desktop'>
          <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator'/>
            <status code='110'/><status code='201'/></x></presence>`),
      ),
    );
    expect(presence.statusCodes).toEqual([110, 201]);
  });

  it('reads §7.6 (#changenick) "Service Updates Nick": unavailable with 303 and the new nick', () => {
    const presence = ok(
      parseOccupantPresence(
        parseXml(`<presence from='coven@chat.shakespeare.lit/thirdwitch' id='DC352437-C019-40EC-B590-AF29E879AF98' to='hag66@shakespeare.lit/pda' type='unavailable'>
          <x xmlns='http://jabber.org/protocol/muc#user'>
            <item affiliation='member' jid='hag66@shakespeare.lit/pda' nick='oldhag' role='participant'/>
            <status code='303'/><status code='110'/></x></presence>`),
      ),
    );
    expect(presence).toEqual({
      room: ROOM,
      nick: 'thirdwitch',
      available: false,
      item: { affiliation: 'member', jid: 'hag66@shakespeare.lit/pda', nick: 'oldhag', role: 'participant' },
      statusCodes: [303, 110],
    });
  });

  it('reads §8.2 (#kick) "Service Removes Kicked Occupant": actor, reason, 110 and 307', () => {
    const presence = ok(
      parseOccupantPresence(
        parseXml(`<presence from='harfleur@chat.shakespeare.lit/pistol' to='pistol@shakespeare.lit/harfleur' type='unavailable'>
          <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'>
            <actor nick='Fluellen'/><reason>Avaunt, you cullion!</reason></item>
            <status code='110'/><status code='307'/></x></presence>`),
      ),
    );
    expect(presence.item).toEqual({ affiliation: 'none', role: 'none', actor: { nick: 'Fluellen' }, reason: 'Avaunt, you cullion!' });
    expect(presence.statusCodes).toEqual([STATUS.SELF, STATUS.KICKED]);
  });

  it('reads §9.1 (#ban) "Service Removes Banned User" (a non-ASCII actor nick)', () => {
    const presence = ok(
      parseOccupantPresence(
        parseXml(`<presence from='southampton@chat.shakespeare.lit/cambridge' to='earlofcambridge@shakespeare.lit/stabber' type='unavailable'>
          <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='outcast' role='none'>
            <actor nick='The ♚'/><reason>Treason</reason></item><status code='301'/></x></presence>`),
      ),
    );
    expect(presence.item.actor).toEqual({ nick: 'The ♚' });
    expect(presence.statusCodes).toEqual([STATUS.BANNED]);
  });

  it('reads §10.9 (#destroyroom) "Service Removes Each Occupant" with the <destroy/>', () => {
    const presence = ok(
      parseOccupantPresence(
        parseXml(`<presence from='heath@chat.shakespeare.lit/firstwitch' to='crone1@shakespeare.lit/desktop' type='unavailable'>
          <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'/>
            <destroy jid='coven@chat.shakespeare.lit'><reason>Macbeth doth come.</reason></destroy></x></presence>`),
      ),
    );
    expect(presence.destroyed).toEqual({ jid: ROOM, reason: 'Macbeth doth come.' });
    expect(presence.available).toBe(false);
  });

  it('reads §11.2 (#service-shutdown-kick) "MUC service removes user because of service shutdown" (332)', () => {
    const presence = ok(
      parseOccupantPresence(
        parseXml(`<presence from='harfleur@chat.shakespeare.lit/pistol' to='pistol@shakespeare.lit/client' type='unavailable'>
          <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none' /><status code='110'/><status code='332'/></x></presence>`),
      ),
    );
    expect(presence.statusCodes).toEqual([STATUS.SELF, STATUS.SHUTDOWN]);
  });

  it('reads §7.7 (#changepres) "Service Passes Along Changed Presence to All Occupants": show and status', () => {
    const presence = ok(
      parseOccupantPresence(
        parseXml(`<presence from='coven@chat.shakespeare.lit/secondwitch' id='86E11ABF-26BC-46F1-AD3B-F5E54F3C1EE5' to='crone1@shakespeare.lit/desktop'>
          <show>xa</show><status>gone where the goblins go</status>
          <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='admin' jid='wiccarocks@shakespeare.lit/laptop' role='moderator'/></x></presence>`),
      ),
    );
    expect(presence).toMatchObject({ nick: 'secondwitch', show: 'xa', status: 'gone where the goblins go' });
    expect(presence.item.jid).toBe('wiccarocks@shakespeare.lit/laptop');
  });

  it('reads XEP-0421 §3.1 "Service sends new occupant\'s presence to all occupants" (occupant-id; no <item/>)', () => {
    const presence = ok(
      parseOccupantPresence(
        parseXml(`<presence from='coven@chat.shakespeare.lit/thirdwitch' id='27C55F89-1C6A-459A-9EB5-77690145D624' to='crone1@shakespeare.lit/desktop'>
          <x xmlns='http://jabber.org/protocol/muc#user' />
          <occupant-id xmlns="urn:xmpp:occupant-id:0" id="dd72603deec90a38ba552f7c68cbcc61bca202cd" /></presence>`),
      ),
    );
    expect(presence.occupantId).toBe('dd72603deec90a38ba552f7c68cbcc61bca202cd');
    expect(presence.item).toEqual({});
  });

  it('reads an unavailable presence without a muc#user <x/> as an exit', () => {
    expect(ok(parseOccupantPresence(parseXml(`<presence from='coven@chat.shakespeare.lit/oldhag' type='unavailable'/>`)))).toEqual({
      room: ROOM,
      nick: 'oldhag',
      available: false,
      item: {},
      statusCodes: [],
    });
  });
});

describe('MUC codec: hostile occupant presence', () => {
  const self = (from: string) =>
    parseXml(`<presence from='${from}'><x xmlns='http://jabber.org/protocol/muc#user'>
      <item affiliation='owner' role='moderator'/><status code='110'/></x></presence>`);

  it('refuses status 110 from the bare room JID (the room itself is no occupant)', () => {
    refused(parseOccupantPresence(self(ROOM)));
  });

  it('refuses status 110 from a domain with a resource (no room at all)', () => {
    refused(parseOccupantPresence(self('chat.shakespeare.lit/thirdwitch')));
    refused(parseOccupantPresence(self('evil.example/coven@chat.shakespeare.lit')));
  });

  it("attributes status 110 from another domain's occupant JID to that room, never to ours", () => {
    const presence = ok(parseOccupantPresence(self('coven@chat.evil.example/thirdwitch')));
    expect(presence.room).toBe('coven@chat.evil.example');
    expect(presence.room).not.toBe(ROOM);
  });

  it.each([
    ['an empty nick', `${ROOM}/`],
    ['a nick of spaces', `${ROOM}/   `],
    ['an oversized nick', `${ROOM}/${'n'.repeat(1024)}`],
    ['no from', undefined],
  ])('refuses a presence from %s', (_what, from) => {
    const stanza = parseXml(`<presence><x xmlns='http://jabber.org/protocol/muc#user'><item role='participant'/></x></presence>`);
    if (from !== undefined) stanza.attrs.from = from;
    refused(parseOccupantPresence(stanza));
  });

  it.each([
    ['an unknown role', `<item affiliation='member' role='overlord'/>`],
    ['an unknown affiliation', `<item affiliation='king' role='participant'/>`],
    ['seventeen items', `<item role='participant'/>`.repeat(17)],
  ])('refuses %s', (_what, item) => {
    refused(
      parseOccupantPresence(
        parseXml(`<presence from='${ROOM}/thirdwitch'><x xmlns='http://jabber.org/protocol/muc#user'>${item}</x></presence>`),
      ),
    );
  });

  it('reads a multi-session nick (one <item/> per real JID) by its first item', () => {
    const presence = parseOccupantPresence(
      parseXml(`<presence from='${ROOM}/thirdwitch'><x xmlns='http://jabber.org/protocol/muc#user'>
        <item affiliation='member' role='participant' jid='witch@shakespeare.lit/a'/><item affiliation='member' role='participant' jid='witch@shakespeare.lit/b'/></x></presence>`),
    );
    expect(presence).toMatchObject({
      nick: 'thirdwitch',
      item: { role: 'participant', affiliation: 'member', jid: 'witch@shakespeare.lit/a' },
    });
  });

  it('refuses two muc#user <x/> elements (§7.2.2 "MUST NOT include more than once instance")', () => {
    refused(
      parseOccupantPresence(
        parseXml(`<presence from='${ROOM}/thirdwitch'>
          <x xmlns='http://jabber.org/protocol/muc#user'><item role='participant'/></x>
          <x xmlns='http://jabber.org/protocol/muc#user'><item role='moderator'/><status code='110'/></x></presence>`),
      ),
    );
  });

  it('refuses an available presence without a muc#user <x/>, and other presence types', () => {
    refused(parseOccupantPresence(parseXml(`<presence from='${ROOM}/thirdwitch'/>`)));
    refused(parseOccupantPresence(parseXml(`<presence from='${ROOM}/thirdwitch' type='subscribe'/>`)));
    refused(parseOccupantPresence(parseXml(`<message from='${ROOM}/thirdwitch'/>`)));
  });

  it(`refuses more than ${MAX_STATUS_CODES} status codes, keeps ${MAX_STATUS_CODES} deduplicated, ignores codes outside 100..999`, () => {
    const statuses = (n: number) => Array.from({ length: n }, (_, i) => `<status code='${100 + i}'/>`).join('');
    const presence = (inner: string) =>
      parseXml(`<presence from='${ROOM}/thirdwitch'><x xmlns='http://jabber.org/protocol/muc#user'>${inner}</x></presence>`);
    refused(parseOccupantPresence(presence(statuses(MAX_STATUS_CODES + 1))));
    refused(parseOccupantPresence(presence(`<status code='110'/>`.repeat(10_000))));
    expect(ok(parseOccupantPresence(presence(statuses(MAX_STATUS_CODES)))).statusCodes).toHaveLength(MAX_STATUS_CODES);
    const odd = `<status code='110'/><status code='110'/><status code='99'/><status code='1000'/><status code='abc'/><status code='0110'/><status code='-110'/><status/>`;
    expect(ok(parseOccupantPresence(presence(odd))).statusCodes).toEqual([110]);
  });

  it('reads only the first occupant-id, and not one over 128 characters (XEP-0421 §4, §4.1)', () => {
    const withIds = (first: string) =>
      parseXml(`<presence from='${ROOM}/thirdwitch'><x xmlns='http://jabber.org/protocol/muc#user'/>
        <occupant-id xmlns='urn:xmpp:occupant-id:0' id='${first}'/><occupant-id xmlns='urn:xmpp:occupant-id:0' id='second'/></presence>`);
    expect(ok(parseOccupantPresence(withIds('first'))).occupantId).toBe('first');
    expect(ok(parseOccupantPresence(withIds('i'.repeat(129)))).occupantId).toBeUndefined();
  });

  it('leaves out an unusable real JID, 303 nick or actor instead of believing them', () => {
    const presence = ok(
      parseOccupantPresence(
        parseXml(`<presence from='${ROOM}/thirdwitch' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'>
          <item affiliation='member' role='none' jid='a@b@c' nick=' '><actor jid='@' nick=''/></item><status code='303'/></x></presence>`),
      ),
    );
    expect(presence.item).toEqual({ affiliation: 'member', role: 'none' });
  });
});

describe('MUC codec: join errors', () => {
  const error = (condition: string, type = 'cancel', from = `${ROOM}/thirdwitch`) =>
    parseXml(`<presence from='${from}' id='n13mt3l' to='hag66@shakespeare.lit/pda' type='error'>
      <x xmlns='http://jabber.org/protocol/muc'/>
      <error by='coven@chat.shakespeare.lit' type='${type}'><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`);

  it.each([
    ['§7.2.5 (#enter-pw) "Service Denies Access Because No Password Provided"', 'not-authorized', 'password-required'],
    ['§7.2.6 (#enter-members) "Service Denies Access Because User Is Not on Member List"', 'registration-required', 'not-a-member'],
    ['§7.2.7 (#enter-banned) "Service Denies Access Because User is Banned"', 'forbidden', 'banned'],
    ['§7.2.8 (#enter-conflict) "Service Denies Access Because of Nick Conflict"', 'conflict', 'nick-conflict'],
    [
      '§7.2.9 (#enter-maxusers) "Service Informs User that Room Occupant Limit Has Been Reached"',
      'service-unavailable',
      'service-unavailable',
    ],
    ['§7.2.10 (#enter-locked) "Service Denies Access Because Room Does Not (Yet) Exist"', 'item-not-found', 'not-found'],
    ['§10.1.1 (#createroom-general) "Service Informs User of Inability to Create a Room"', 'not-allowed', 'not-allowed'],
    ['§7.6 (#changenick) "Service Denies Nickname Change Because Roomnicks Are Locked Down"', 'not-acceptable', 'other'],
  ])('reads %s', (_caption, condition, reason) => {
    expect(ok(parseRoomPresenceError(error(condition)))).toEqual({ room: ROOM, nick: 'thirdwitch', condition, reason });
  });

  it('reads §7.2.1 (#enter-muc) "No Nickname Specified" from the bare room JID, with its text', () => {
    const stanza = parseXml(`<presence from='coven@chat.shakespeare.lit' id='273hs51g' to='hag66@shakespeare.lit/pda' type='error'>
      <error by='coven@chat.shakespeare.lit' type='modify'><jid-malformed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
      <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>No nick</text></error></presence>`);
    expect(ok(parseRoomPresenceError(stanza))).toEqual({ room: ROOM, condition: 'jid-malformed', text: 'No nick', reason: 'other' });
  });

  it('maps conditions with roomFailureOf, anything unknown to other', () => {
    expect(roomFailureOf('conflict')).toBe('nick-conflict');
    expect(roomFailureOf('undefined-condition')).toBe('other');
    expect(roomFailureOf('__proto__')).toBe('other');
    expect(roomFailureOf('toString')).toBe('other');
  });

  it('refuses presences that are not errors, and errors from something that is no room', () => {
    refused(parseRoomPresenceError(parseXml(`<presence from='${ROOM}/thirdwitch'/>`)));
    refused(parseRoomPresenceError(error('conflict', 'cancel', 'chat.shakespeare.lit/thirdwitch')));
    expect(ok(parseRoomPresenceError(parseXml(`<presence from='${ROOM}' type='error'/>`))).condition).toBe('undefined-condition');
  });
});

describe('MUC codec: room messages', () => {
  it('reads §7.4 (#message) "Service Reflects Message to All Occupants"', () => {
    expect(
      ok(
        parseGroupchat(
          parseXml(`<message from='coven@chat.shakespeare.lit/thirdwitch' id='hysf1v37' to='crone1@shakespeare.lit/desktop' type='groupchat'>
            <body>Harpier cries: 'tis time, 'tis time.</body></message>`),
        ),
      ),
    ).toEqual({ room: ROOM, nick: 'thirdwitch', body: "Harpier cries: 'tis time, 'tis time.", idAttr: 'hysf1v37' });
  });

  it('reads §7.2.13 (#enter-history) "Delivery of Discussion History" with the raw delay stamp', () => {
    const message = ok(
      parseGroupchat(
        parseXml(`<message from='coven@chat.shakespeare.lit/firstwitch' id='162BEBB1-F6DB-4D9A-9BD8-CFDCC801A0B2' to='hecate@shakespeare.lit/broom' type='groupchat'>
          <body>Thrice the brinded cat hath mew'd.</body>
          <delay xmlns='urn:xmpp:delay' from='coven@chat.shakespeare.lit' stamp='2002-10-13T23:58:37Z'/></message>`),
      ),
    );
    expect(message.delay).toBe('2002-10-13T23:58:37Z');
    expect(message.nick).toBe('firstwitch');
  });

  it('reads §7.2.15 (#enter-subject) "Service Informs New Occupant of Room Subject" and "No Subject"', () => {
    const subject = ok(
      parseGroupchat(
        parseXml(`<message from='coven@chat.shakespeare.lit/secondwitch' id='F437C672-D438-4BD3-9BFF-091050D32EE2' to='crone1@shakespeare.lit/desktop' type='groupchat'>
          <subject>Fire Burn and Cauldron Bubble!</subject>
          <delay xmlns='urn:xmpp:delay' from='coven@chat.shakespeare.lit' stamp='1610-04-20T00:00:00Z'/></message>`),
      ),
    );
    expect(subject).toMatchObject({ nick: 'secondwitch', subject: 'Fire Burn and Cauldron Bubble!', delay: '1610-04-20T00:00:00Z' });
    expect(subject.body).toBeUndefined();
    const cleared = ok(
      parseGroupchat(
        parseXml(`<message from='coven@chat.shakespeare.lit/secondwitch' id='F437C672-D438-4BD3-9BFF-091050D32EE2' to='crone1@shakespeare.lit/desktop' type='groupchat'>
          <subject></subject></message>`),
      ),
    );
    expect(cleared.subject).toBe('');
  });

  it('reads a message from the room itself (no nick), as in §7.9 "Invitee Accepts Invitation, Joins Room, and Receives Presence and History"', () => {
    const message = ok(
      parseGroupchat(
        parseXml(`<message from='coven@chat.shakespeare.lit' id='67268D36-100C-457D-A769-8A3663BD1949' to='wiccarocks@shakespeare.lit/laptop' type='groupchat'>
          <thread>e0ffe42b28561960c6b12b944a092794b9683a38</thread><body>Thrice the brinded cat hath mew'd.</body>
          <delay xmlns='urn:xmpp:delay' from='coven@chat.shakespeare.lit' stamp='2004-09-29T01:54:37Z'/></message>`),
      ),
    );
    expect(message.nick).toBeUndefined();
    expect(message.room).toBe(ROOM);
  });

  it('does not read a subject next to a body or a thread as a subject change (§8.1)', () => {
    const both = ok(parseGroupchat(parseXml(`<message from='${ROOM}/a' type='groupchat'><subject>s</subject><body>b</body></message>`)));
    expect(both.subject).toBeUndefined();
    expect(both.body).toBe('b');
    refused(parseGroupchat(parseXml(`<message from='${ROOM}/a' type='groupchat'><subject>s</subject><thread>t</thread></message>`)));
  });

  it('reads XEP-0421 §3.2 "Service reflects message to all occupants" (occupant-id)', () => {
    const message = ok(
      parseGroupchat(
        parseXml(`<message from='coven@chat.shakespeare.lit/thirdwitch' id='hysf1v37' to='crone1@shakespeare.lit/desktop' type='groupchat'>
          <body>Harpier cries: 'tis time, 'tis time.</body>
          <occupant-id xmlns="urn:xmpp:occupant-id:0" id="dd72603deec90a38ba552f7c68cbcc61bca202cd" /></message>`),
      ),
    );
    expect(message.occupantId).toBe('dd72603deec90a38ba552f7c68cbcc61bca202cd');
  });

  it('trusts a stanza-id only when `by` is the room, keeps the origin-id either way', () => {
    const withBy = (by: string) =>
      parseXml(`<message from='${ROOM}/thirdwitch' type='groupchat'><body>hi</body>
        <stanza-id xmlns='urn:xmpp:sid:0' id='room-archive-1' by='${by}'/><origin-id xmlns='urn:xmpp:sid:0' id='origin-1'/></message>`);
    expect(ok(parseGroupchat(withBy('Coven@chat.shakespeare.lit'))).stanzaId).toBe('room-archive-1');
    const spoofed = ok(parseGroupchat(withBy('hag66@shakespeare.lit')));
    expect(spoofed.stanzaId).toBeUndefined();
    expect(spoofed.originId).toBe('origin-1');
    expect(ok(parseGroupchat(withBy(`${ROOM}/thirdwitch`))).stanzaId).toBeUndefined();
  });

  it.each([
    [
      '§10.2.1 (#roomconfig-notify) "Configuration Status Code" (no body, no subject)',
      `<message from='${ROOM}' type='groupchat'><x xmlns='http://jabber.org/protocol/muc#user'><status code='170'/></x></message>`,
    ],
    ['an empty body', `<message from='${ROOM}/a' type='groupchat'><body/></message>`],
    ['a chat message', `<message from='${ROOM}/a' type='chat'><body>x</body></message>`],
    ['a body over the limit', `<message from='${ROOM}/a' type='groupchat'><body>${'x'.repeat(100_001)}</body></message>`],
    ['a domain as sender', `<message from='chat.shakespeare.lit/a' type='groupchat'><body>x</body></message>`],
    ['a nick of spaces', `<message from='${ROOM}/  ' type='groupchat'><body>x</body></message>`],
  ])('refuses %s', (_what, text) => {
    refused(parseGroupchat(parseXml(text)));
  });
});

describe('MUC codec: invitations', () => {
  it('builds §7.8.2 (#invite-mediated) "Occupant Sends a Mediated Invitation"', () => {
    expectSame(
      buildMediatedInvite(ROOM, 'hecate@shakespeare.lit', 'Hey Hecate, this is the place for all good witches!'),
      `<message from='crone1@shakespeare.lit/desktop' id='nzd143v8' to='coven@chat.shakespeare.lit'>
        <x xmlns='http://jabber.org/protocol/muc#user'><invite to='hecate@shakespeare.lit'>
          <reason>
            Hey Hecate, this is the place for all good witches!
          </reason></invite></x></message>`,
    );
    expectInvalid(buildMediatedInvite(ROOM, 'not a jid@@'));
  });

  it('builds §7.8.2 (#invite-mediated) "Invitee Declines Invitation"', () => {
    expectSame(
      buildDecline(ROOM, 'crone1@shakespeare.lit', "Sorry, I'm too busy right now."),
      `<message from='hecate@shakespeare.lit/broom' id='jk2vs61v' to='coven@chat.shakespeare.lit'>
        <x xmlns='http://jabber.org/protocol/muc#user'><decline to='crone1@shakespeare.lit'>
          <reason>Sorry, I'm too busy right now.</reason></decline></x></message>`,
    );
  });

  it('builds XEP-0249 §2 "A direct invitation"', () => {
    expectSame(
      buildDirectInvite('hecate@shakespeare.lit', 'darkcave@macbeth.shakespeare.lit', {
        reason: 'Hey Hecate, this is the place for all good witches!',
      }),
      `<message from='crone1@shakespeare.lit/desktop' to='hecate@shakespeare.lit'>
        <x xmlns='jabber:x:conference' jid='darkcave@macbeth.shakespeare.lit' reason='Hey Hecate, this is the place for all good witches!'/></message>`,
    );
    expect(
      built(buildDirectInvite('hecate@shakespeare.lit', ROOM, { password: 'cauldronburn' })).getChild('x', NS_CONFERENCE)?.attrs.password,
    ).toBe('cauldronburn');
    expectInvalid(buildDirectInvite('hecate@shakespeare.lit', 'macbeth.shakespeare.lit'));
  });

  it('reads §7.8.2 (#invite-mediated) "Room Sends Invitation to Invitee on Behalf of Invitor"', () => {
    expect(
      ok(
        parseInvitation(
          parseXml(`<message from='coven@chat.shakespeare.lit' id='nzd143v8' to='hecate@shakespeare.lit'>
            <x xmlns='http://jabber.org/protocol/muc#user'><invite from='crone1@shakespeare.lit/desktop'>
              <reason>
                Hey Hecate, this is the place for all good witches!
              </reason></invite><password>cauldronburn</password></x></message>`),
        ),
      ),
    ).toEqual({
      room: ROOM,
      from: 'crone1@shakespeare.lit/desktop',
      reason: 'Hey Hecate, this is the place for all good witches!',
      password: 'cauldronburn',
      direct: false,
    });
  });

  it('reads §9.5 (#modifymember) "Room Sends Invitation to New Member" (password, no reason)', () => {
    expect(
      ok(
        parseInvitation(
          parseXml(`<message from='coven@chat.shakespeare.lit' id='CA409450-5AAE-41C1-AAAD-5375CA738885' to='hecate@shakespeare.lit'>
            <x xmlns='http://jabber.org/protocol/muc#user'><invite from='bard@shakespeare.lit'/><password>cauldronburn</password></x></message>`),
        ),
      ),
    ).toEqual({ room: ROOM, from: 'bard@shakespeare.lit', password: 'cauldronburn', direct: false });
  });

  it('reads §7.8.2 (#invite-mediated) "Room Informs Invitor that Invitation Was Declined"', () => {
    expect(
      ok(
        parseInvitation(
          parseXml(`<message from='coven@chat.shakespeare.lit' id='jk2vs61v' to='crone1@shakespeare.lit/desktop'>
            <x xmlns='http://jabber.org/protocol/muc#user'><decline from='hecate@shakespeare.lit'>
              <reason>
                Sorry, I'm too busy right now.
              </reason></decline></x></message>`),
        ),
      ),
    ).toEqual({ room: ROOM, from: 'hecate@shakespeare.lit', reason: "Sorry, I'm too busy right now." });
  });

  it('reads XEP-0249 §2 "A direct invitation": the sender is the inviter', () => {
    expect(
      ok(
        parseInvitation(
          parseXml(`<message from='crone1@shakespeare.lit/desktop' to='hecate@shakespeare.lit'>
            <x xmlns='jabber:x:conference' jid='darkcave@macbeth.shakespeare.lit' reason='Hey Hecate, this is the place for all good witches!'/></message>`),
        ),
      ),
    ).toEqual({
      room: 'darkcave@macbeth.shakespeare.lit',
      from: 'crone1@shakespeare.lit/desktop',
      reason: 'Hey Hecate, this is the place for all good witches!',
      direct: true,
    });
  });

  it('prefers the mediated invitation when a room adds the legacy jabber:x:conference payload (§7.8.2 Implementation Note)', () => {
    const invitation = ok(
      parseInvitation(
        parseXml(`<message from='${ROOM}'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='crone1@shakespeare.lit'/></x>
          <x xmlns='jabber:x:conference' jid='${ROOM}'>legacy</x></message>`),
      ),
    );
    expect(invitation).toEqual({ room: ROOM, from: 'crone1@shakespeare.lit', direct: false });
  });

  it('refuses a mediated invitation from a full JID claiming to be the room (shape of §7.9 "Invitations Delivered")', () => {
    refused(
      parseInvitation(
        parseXml(`<message from='coven@chat.shakespeare.lit/firstwitch' id='DB0414CB-AFBA-407E-9DE3-0E014E84860F' to='wiccarocks@shakespeare.lit/laptop'>
          <x xmlns='http://jabber.org/protocol/muc#user'><invite from='crone1@shakespeare.lit'>
            <reason>This coven needs both wiccarocks and hag66.</reason></invite></x></message>`),
      ),
    );
  });

  it.each([
    ['a mediated invite without from', `<message from='${ROOM}'><x xmlns='http://jabber.org/protocol/muc#user'><invite/></x></message>`],
    [
      'a mediated invite from a domain',
      `<message from='chat.shakespeare.lit'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='a@b'/></x></message>`,
    ],
    [
      'an invite and a decline together',
      `<message from='${ROOM}'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='a@b'/><decline from='a@b'/></x></message>`,
    ],
    [
      'a direct invitation to a domain',
      `<message from='crone1@shakespeare.lit/desktop'><x xmlns='jabber:x:conference' jid='macbeth.shakespeare.lit'/></message>`,
    ],
    [
      'a direct invitation to a full JID',
      `<message from='crone1@shakespeare.lit/desktop'><x xmlns='jabber:x:conference' jid='${ROOM}/nick'/></message>`,
    ],
    ['a direct invitation without a room', `<message from='crone1@shakespeare.lit/desktop'><x xmlns='jabber:x:conference'/></message>`],
    ['a direct invitation without a sender', `<message><x xmlns='jabber:x:conference' jid='${ROOM}'/></message>`],
    [
      'an error message',
      `<message from='${ROOM}' type='error'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='a@b'/></x></message>`,
    ],
    ['a message without invitation', `<message from='${ROOM}'><body>hi</body></message>`],
  ])('refuses %s', (_what, text) => {
    refused(parseInvitation(parseXml(text)));
  });
});

describe('MUC codec: owner and admin requests', () => {
  it('builds §10.1.2 (#createroom-instant) "Owner Requests Instant Room"', () => {
    expectSame(
      buildInstantRoom(ROOM),
      `<iq from='crone1@shakespeare.lit/desktop' id='create1' to='coven@chat.shakespeare.lit' type='set'>
        <query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>`,
    );
  });

  it('builds §10.1.3 (#createroom-reserved) "Owner Requests Configuration Form" and "Owner Cancels Initial Configuration"', () => {
    expectSame(
      buildConfigRequest(ROOM),
      `<iq from='crone1@shakespeare.lit/desktop' id='create1' to='coven@chat.shakespeare.lit' type='get'><query xmlns='http://jabber.org/protocol/muc#owner'/></iq>`,
    );
    expectSame(
      buildConfigCancel(ROOM),
      `<iq from='crone1@shakespeare.lit/desktop' id='create2' to='coven@chat.shakespeare.lit' type='set'>
        <query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='cancel'/></query></iq>`,
    );
  });

  it('builds §10.1.3 (#createroom-reserved) "Owner Submits Configuration Form" (first fields of the example)', () => {
    expectSame(
      buildConfigSubmit(ROOM, [
        { var: 'FORM_TYPE', values: ['ignored: the builder adds its own'] },
        { var: 'muc#roomconfig_roomname', values: ['A Dark Cave'] },
        { var: 'muc#roomconfig_roomdesc', values: ['The place for all good witches!'] },
        { var: 'muc#roomconfig_roomadmins', values: ['wiccarocks@shakespeare.lit', 'hecate@shakespeare.lit'] },
      ]),
      `<iq from='crone1@shakespeare.lit/desktop' id='create2' to='coven@chat.shakespeare.lit' type='set'>
        <query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'>
          <field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>
          <field var='muc#roomconfig_roomname'><value>A Dark Cave</value></field>
          <field var='muc#roomconfig_roomdesc'><value>The place for all good witches!</value></field>
          <field var='muc#roomconfig_roomadmins'><value>wiccarocks@shakespeare.lit</value><value>hecate@shakespeare.lit</value></field>
        </x></query></iq>`,
    );
    expectInvalid(buildConfigSubmit(ROOM, [{ var: '', values: [] }]));
    expectInvalid(buildConfigSubmit(ROOM, [{ var: 'a', values: Array.from({ length: 101 }, () => 'v') }]));
    expectInvalid(
      buildConfigSubmit(
        ROOM,
        Array.from({ length: 501 }, (_, i) => ({ var: `f${i}`, values: [] })),
      ),
    );
    expectInvalid(
      buildConfigSubmit(ROOM, [
        { var: 'a', values: [] },
        { var: 'a', values: [] },
      ]),
    );
  });

  it('builds §10.9 (#destroyroom) "Owner Submits Room Destruction Request"', () => {
    expectSame(
      buildDestroy('heath@chat.shakespeare.lit', { alternate: ROOM, reason: 'Macbeth doth come.' }),
      `<iq from='crone1@shakespeare.lit/desktop' id='begone' to='heath@chat.shakespeare.lit' type='set'>
        <query xmlns='http://jabber.org/protocol/muc#owner'><destroy jid='coven@chat.shakespeare.lit'><reason>Macbeth doth come.</reason></destroy></query></iq>`,
    );
    const withPassword = built(buildDestroy('heath@chat.shakespeare.lit', { password: 'pw', reason: 'r' }));
    expect(
      withPassword
        .getChild('query')!
        .getChild('destroy')!
        .getChildElements()
        .map((c) => c.name),
    ).toEqual(['password', 'reason']);
    expectInvalid(buildDestroy('heath@chat.shakespeare.lit', { alternate: 'chat.shakespeare.lit' }));
  });

  it('builds §9.1 (#ban) "Admin Bans User (With a Reason)", sending the bare JID of a full one (§17.4 rule 6)', () => {
    expectSame(
      buildAffiliationSet('southampton@chat.shakespeare.lit', 'earlofcambridge@shakespeare.lit/stabber', 'outcast', 'Treason'),
      `<iq from='kinghenryv@shakespeare.lit/throne' id='ban1' to='southampton@chat.shakespeare.lit' type='set'>
        <query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='outcast' jid='earlofcambridge@shakespeare.lit'><reason>Treason</reason></item></query></iq>`,
    );
    expectInvalid(buildAffiliationSet(ROOM, 'hag66@shakespeare.lit', 'king' as never));
    expectInvalid(buildAffiliationSet(ROOM, '@', 'member'));
  });

  it('builds §8.2 (#kick) "Moderator Kicks Occupant"', () => {
    expectSame(
      buildRoleSet('harfleur@chat.shakespeare.lit', 'pistol', 'none', 'Avaunt, you cullion!'),
      `<iq from='fluellen@shakespeare.lit/pda' id='kick1' to='harfleur@chat.shakespeare.lit' type='set'>
        <query xmlns='http://jabber.org/protocol/muc#admin'><item nick='pistol' role='none'><reason>Avaunt, you cullion!</reason></item></query></iq>`,
    );
    expectInvalid(buildRoleSet(ROOM, '', 'participant'));
    expectInvalid(buildRoleSet(ROOM, 'pistol', 'overlord' as never));
  });

  it('builds §9.5 (#modifymember) "Admin Requests Member List" and §8.5 (#modifyvoice) "Moderator Requests Voice List"', () => {
    expectSame(
      buildAffiliationListRequest(ROOM, 'member'),
      `<iq from='crone1@shakespeare.lit/desktop' id='member3' to='coven@chat.shakespeare.lit' type='get'>
        <query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member'/></query></iq>`,
    );
    expectSame(
      buildRoleListRequest('goodfolk@chat.shakespeare.lit', 'participant'),
      `<iq from='bard@shakespeare.lit/globe' id='voice3' to='goodfolk@chat.shakespeare.lit' type='get'>
        <query xmlns='http://jabber.org/protocol/muc#admin'><item role='participant'/></query></iq>`,
    );
    expectInvalid(buildAffiliationListRequest(ROOM, 'none' as never));
    expectInvalid(buildRoleListRequest(ROOM, 'none' as never));
  });
});

describe('MUC codec: lists, forms and room information', () => {
  it('reads §8.5 (#modifyvoice) "Service Sends Voice List to Moderator"', () => {
    expect(
      ok(
        parseItemList(
          parseXml(`<iq from='goodfolk@chat.shakespeare.lit' id='voice3' to='bard@shakespeare.lit/globe' type='result'>
            <query xmlns='http://jabber.org/protocol/muc#admin'>
              <item affiliation='none' jid='polonius@hamlet/castle' nick='Polo' role='participant'/>
              <item affiliation='none' jid='horatio@hamlet/castle' nick='horotoro' role='participant'/>
              <item affiliation='member' jid='hecate@shakespeare.lit/broom' nick='Hecate' role='participant'/>
            </query></iq>`),
        ),
      ),
    ).toEqual([
      { affiliation: 'none', jid: 'polonius@hamlet/castle', nick: 'Polo', role: 'participant' },
      { affiliation: 'none', jid: 'horatio@hamlet/castle', nick: 'horotoro', role: 'participant' },
      { affiliation: 'member', jid: 'hecate@shakespeare.lit/broom', nick: 'Hecate', role: 'participant' },
    ]);
  });

  it('reads §9.2 (#modifyban) "Service Sends Ban List to Admin" and §9.5 "Service Sends Member List to Admin"', () => {
    expect(
      ok(
        parseItemList(
          parseXml(`<iq from='southampton@chat.shakespeare.lit' id='ban2' to='kinghenryv@shakespeare.lit/throne' type='result'>
            <query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='outcast' jid='earlofcambridge@shakespeare.lit'><reason>Treason</reason></item></query></iq>`),
        ),
      ),
    ).toEqual([{ affiliation: 'outcast', jid: 'earlofcambridge@shakespeare.lit', reason: 'Treason' }]);
    expect(
      ok(
        parseItemList(
          parseXml(`<iq from='coven@chat.shakespeare.lit' id='member3' to='crone1@shakespeare.lit/desktop' type='result'>
            <query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member' jid='hag66@shakespeare.lit' nick='thirdwitch' role='participant'/></query></iq>`),
        ),
      ),
    ).toEqual([{ affiliation: 'member', jid: 'hag66@shakespeare.lit', nick: 'thirdwitch', role: 'participant' }]);
  });

  it.each([
    ['an unknown affiliation', `<item affiliation='king' jid='a@b'/>`],
    ['an item with neither jid nor nick', `<item affiliation='member'/>`],
  ])('refuses a list with %s', (_what, item) => {
    refused(parseItemList(parseXml(`<iq type='result'><query xmlns='http://jabber.org/protocol/muc#admin'>${item}</query></iq>`)));
  });

  it('refuses a list that is not an IQ result', () => {
    refused(parseItemList(parseXml(`<iq type='error'><query xmlns='http://jabber.org/protocol/muc#admin'/></iq>`)));
  });

  const configForm = `<iq from='coven@chat.shakespeare.lit' id='config1' to='crone1@shakespeare.lit/desktop' type='result'>
    <query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='form'>
      <title>Configuration for "coven" Room</title>
      <instructions>Complete this form to modify the configuration of your room.</instructions>
      <field type='hidden' var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>
      <field label='Natural-Language Room Name' type='text-single' var='muc#roomconfig_roomname'><value>A Dark Cave</value></field>
      <field label='Enable Public Logging?' type='boolean' var='muc#roomconfig_enablelogging'><value>0</value></field>
      <field label='Who Can Send Private Messages?' type='list-single' var='muc#roomconfig_allowpm'>
        <value>anyone</value>
        <option label='Anyone'><value>anyone</value></option>
        <option label='Anyone with Voice'><value>participants</value></option>
        <option label='Moderators Only'><value>moderators</value></option>
        <option label='Nobody'><value>none</value></option>
      </field>
      <field type='fixed'><value>If a password is required to enter this room, you must specify the password below.</value></field>
      <field label='Password' type='text-private' var='muc#roomconfig_roomsecret'><value>cauldronburn</value></field>
      <field label='Room Admins' type='jid-multi' var='muc#roomconfig_roomadmins'>
        <value>wiccarocks@shakespeare.lit</value><value>hecate@shakespeare.lit</value></field>
      <field label='Room Owners' type='jid-multi' var='muc#roomconfig_roomowners'/>
    </x></query></iq>`;

  it('reads §10.2 (#roomconfig) "Service Sends Configuration Form to Owner" (an excerpt)', () => {
    const fields = ok(parseConfigForm(parseXml(configForm)));
    expect(fields.map((f) => f.var)).toEqual([
      'FORM_TYPE',
      'muc#roomconfig_roomname',
      'muc#roomconfig_enablelogging',
      'muc#roomconfig_allowpm',
      'muc#roomconfig_roomsecret',
      'muc#roomconfig_roomadmins',
      'muc#roomconfig_roomowners',
    ]);
    expect(fields[3]).toEqual({
      var: 'muc#roomconfig_allowpm',
      type: 'list-single',
      label: 'Who Can Send Private Messages?',
      values: ['anyone'],
      options: [
        { label: 'Anyone', value: 'anyone' },
        { label: 'Anyone with Voice', value: 'participants' },
        { label: 'Moderators Only', value: 'moderators' },
        { label: 'Nobody', value: 'none' },
      ],
    });
    expect(fields[5]).toEqual({
      var: 'muc#roomconfig_roomadmins',
      type: 'jid-multi',
      label: 'Room Admins',
      values: ['wiccarocks@shakespeare.lit', 'hecate@shakespeare.lit'],
    });
    expect(fields[6]!.values).toEqual([]);
  });

  it('reads §10.1.3 (#createroom-reserved) "Service Informs Owner that No Configuration is Possible" as no fields', () => {
    expect(
      ok(
        parseConfigForm(
          parseXml(`<iq from='coven@chat.shakespeare.lit' id='create1' to='crone1@shakespeare.lit/desktop' type='result'>
            <query xmlns='http://jabber.org/protocol/muc#owner'/></iq>`),
        ),
      ),
    ).toEqual([]);
  });

  it('refuses a configuration form with more than 500 fields or a field with more than 100 values', () => {
    const form = (inner: string) =>
      parseXml(
        `<iq type='result'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='form'>${inner}</x></query></iq>`,
      );
    refused(parseConfigForm(form(Array.from({ length: 501 }, (_, i) => `<field var='f${i}'/>`).join(''))));
    refused(parseConfigForm(form(`<field var='f' type='list-multi'>${'<value>v</value>'.repeat(101)}</field>`)));
    expect(ok(parseConfigForm(form(Array.from({ length: 500 }, (_, i) => `<field var='f${i}'/>`).join(''))))).toHaveLength(500);
    refused(
      parseConfigForm(
        parseXml(
          `<iq type='result'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>`,
        ),
      ),
    );
  });

  it('reads §6.4 (#disco-roominfo) "Room Returns Disco Info Result"', () => {
    const info = ok(
      parseRoomInfo(
        parseXml(`<iq from='coven@chat.shakespeare.lit' id='ik3vs715' to='hag66@shakespeare.lit/pda' type='result'>
          <query xmlns='http://jabber.org/protocol/disco#info'>
            <identity category='conference' name='A Dark Cave' type='text'/>
            <feature var='http://jabber.org/protocol/muc'/><feature var='http://jabber.org/protocol/muc#stable_id'/>
            <feature var='muc_passwordprotected'/><feature var='muc_hidden'/><feature var='muc_temporary'/>
            <feature var='muc_open'/><feature var='muc_unmoderated'/><feature var='muc_nonanonymous'/>
          </query></iq>`),
      ),
    );
    expect(info).toMatchObject({
      name: 'A Dark Cave',
      fields: {},
      passwordProtected: true,
      membersOnly: false,
      nonAnonymous: true,
      persistent: false,
      archived: false,
      occupantIds: false,
    });
    expect(info.features).toContain('muc_hidden');
  });

  it('reads §6.4 (#disco-roominfo) "Room Returns Extended Disco Info Result", plus MAM and XEP-0421 §2 features', () => {
    const info = ok(
      parseRoomInfo(
        parseXml(`<iq from='coven@chat.shakespeare.lit' id='ik3vs715' to='hag66@shakespeare.lit/pda' type='result'>
          <query xmlns='http://jabber.org/protocol/disco#info'>
            <identity category='conference' name='A Dark Cave' type='text'/>
            <feature var='http://jabber.org/protocol/muc'/><feature var='muc_membersonly'/><feature var='muc_persistent'/>
            <feature var='urn:xmpp:mam:2'/><feature var='urn:xmpp:occupant-id:0'/>
            <x xmlns='jabber:x:data' type='result'>
              <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#roominfo</value></field>
              <field var='muc#roominfo_description' label='Description'><value>The place for all good witches!</value></field>
              <field var='muc#roominfo_contactjid' label='Contact Addresses'><value>crone1@shakespeare.lit</value></field>
              <field var='muc#roominfo_subject' label='Current Discussion Topic'><value>Spells</value></field>
              <field var='muc#roomconfig_changesubject' label='Subject can be modified'><value>true</value></field>
              <field var='muc#roominfo_occupants' label='Number of occupants'><value>3</value></field>
              <field var='__proto__'><value>not a prototype</value></field>
            </x>
            <x xmlns='jabber:x:data' type='result'>
              <field var='FORM_TYPE' type='hidden'><value>urn:example:other</value></field>
              <field var='other'><value>x</value></field>
            </x>
          </query></iq>`),
      ),
    );
    expect(info).toMatchObject({ membersOnly: true, persistent: true, archived: true, occupantIds: true, passwordProtected: false });
    expect(info.fields['muc#roominfo_subject']).toEqual(['Spells']);
    expect(info.fields['muc#roominfo_occupants']).toEqual(['3']);
    expect(info.fields.other).toBeUndefined();
    expect(info.fields.FORM_TYPE).toBeUndefined();
    expect(Object.getPrototypeOf(info.fields)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(info.fields, '__proto__')?.value).toEqual(['not a prototype']);
  });

  it('refuses room information without a conference identity, and IQ errors', () => {
    refused(
      parseRoomInfo(
        parseXml(`<iq type='result'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='client' type='pc'/>
          <feature var='http://jabber.org/protocol/muc'/></query></iq>`),
      ),
    );
    refused(parseRoomInfo(parseXml(`<iq type='error'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`)));
  });
});
