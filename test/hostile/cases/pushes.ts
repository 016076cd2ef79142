/**
 * Roster, block-list and bookmark pushes are the own account's to send. RFC 6121 §2.1.6: "A
 * receiving client MUST ignore the stanza unless it has no 'from' attribute ... or it has a 'from'
 * attribute whose value matches the user's bare JID". A declined IQ set gets RFC 6120 §8.4's
 * service-unavailable from the session.
 */
import { defineCases } from '../case.js';
import { CONTACT, DOMAIN, ME, OWN_BARE, ROOM, STRANGER } from '../session.js';

const rosterPush = (id: string, from: string, item = `<item jid='${CONTACT}' subscription='remove'/>`) =>
  `<iq type='set' id='${id}' from='${from}' to='${ME}'><query xmlns='jabber:iq:roster' ver='v666'>${item}</query></iq>`;
const blockPush = (id: string, from: string, payload: string) => `<iq type='set' id='${id}' from='${from}' to='${ME}'>${payload}</iq>`;
const bookmarkEvent = (from: string, items: string) =>
  `<message from='${from}' to='${ME}' type='headline'><event xmlns='http://jabber.org/protocol/pubsub#event'>${items}</event></message>`;
const evilBookmark = `<items node='urn:xmpp:bookmarks:1'><item id='trap@conference.evil.example'>
  <conference xmlns='urn:xmpp:bookmarks:1' autojoin='true' name='Trap'><nick>alice</nick></conference></item></items>`;

const refused = (id: string, to: string, part: string) => ({
  unchanged: [part],
  errorReply: { id, to, condition: 'service-unavailable' },
});

export const pushCases = defineCases([
  {
    name: 'roster push from a contact',
    threat: 'forged-push',
    stanzas: [rosterPush('r1', `${CONTACT}/phone`)],
    expect: refused('r1', `${CONTACT}/phone`, 'roster'),
  },
  {
    name: 'roster push from a stranger adding himself',
    threat: 'forged-push',
    stanzas: [rosterPush('r2', STRANGER, `<item jid='${STRANGER}' subscription='both'/>`)],
    expect: refused('r2', STRANGER, 'roster'),
  },
  {
    name: 'roster push from another resource of our own (full JID)',
    threat: 'forged-push',
    stanzas: [rosterPush('r3', `${OWN_BARE}/other`)],
    expect: refused('r3', `${OWN_BARE}/other`, 'roster'),
  },
  {
    name: 'roster push from the own server’s domain',
    threat: 'forged-push',
    stanzas: [rosterPush('r4', DOMAIN)],
    expect: refused('r4', DOMAIN, 'roster'),
  },
  {
    name: 'roster push from a room occupant',
    threat: 'forged-push',
    stanzas: [rosterPush('r5', `${ROOM}/bob`)],
    expect: refused('r5', `${ROOM}/bob`, 'roster'),
  },
  {
    name: 'unsolicited subscription approval and revocation from a stranger',
    threat: 'forged-push',
    stanzas: [
      `<presence from='${STRANGER}' to='${ME}' type='subscribed'/>`,
      `<presence from='${STRANGER}' to='${ME}' type='unsubscribed'/>`,
    ],
    expect: { unchanged: ['roster'], silent: true },
  },
  {
    name: 'block push from a contact',
    threat: 'forged-push',
    stanzas: [blockPush('b1', `${CONTACT}/phone`, `<block xmlns='urn:xmpp:blocking'><item jid='carol@example.org'/></block>`)],
    expect: refused('b1', `${CONTACT}/phone`, 'blocking'),
  },
  {
    name: 'unblock-everyone push from the blocked spammer',
    threat: 'forged-push',
    stanzas: [blockPush('b2', 'spam@example.net', `<unblock xmlns='urn:xmpp:blocking'/>`)],
    expect: refused('b2', 'spam@example.net', 'blocking'),
  },
  {
    name: 'unblock push from another user on the own server',
    threat: 'forged-push',
    stanzas: [blockPush('b3', 'eve@example.org', `<unblock xmlns='urn:xmpp:blocking'><item jid='spam@example.net'/></unblock>`)],
    expect: refused('b3', 'eve@example.org', 'blocking'),
  },
  {
    name: 'bookmark notification from a contact adding an autojoin room',
    threat: 'forged-push',
    stanzas: [bookmarkEvent(CONTACT, evilBookmark)],
    expect: { unchanged: ['bookmarks', 'muc'], silent: true },
  },
  {
    name: 'bookmark retraction from a stranger',
    threat: 'forged-push',
    stanzas: [bookmarkEvent(STRANGER, `<items node='urn:xmpp:bookmarks:1'><retract id='${ROOM}'/></items>`)],
    expect: { unchanged: ['bookmarks', 'muc'], silent: true },
  },
  {
    name: 'bookmark purge from the own server’s domain',
    threat: 'forged-push',
    stanzas: [bookmarkEvent(DOMAIN, `<purge node='urn:xmpp:bookmarks:1'/>`)],
    expect: { unchanged: ['bookmarks', 'muc'], silent: true },
  },
  {
    name: 'legacy bookmark notification from another resource of our own',
    threat: 'forged-push',
    stanzas: [
      bookmarkEvent(
        `${OWN_BARE}/other`,
        `<items node='storage:bookmarks'><item id='current'><storage xmlns='storage:bookmarks'>
          <conference jid='trap@conference.evil.example' autojoin='true'><nick>alice</nick></conference></storage></item></items>`,
      ),
    ],
    expect: { unchanged: ['bookmarks', 'muc'], silent: true },
  },
]);
