/**
 * Room stanzas are taken only from rooms we are in, and occupant presence only from occupant JIDs
 * (XEP-0045 §7.2.2: presence comes from `room@service/nick`; the bare room JID has no occupant).
 */
import { defineCases } from '../case.js';
import { CONTACT, ME, OTHER_ROOM, ROOM, STRANGER } from '../session.js';
import { NS_MUC_USER } from './views.js';

const selfPresence = (from: string, extra = '') =>
  `<presence from='${from}' to='${ME}'${extra}><x xmlns='${NS_MUC_USER}'><item affiliation='owner' role='moderator'/><status code='110'/></x></presence>`;

const untouched = { unchanged: ['muc', 'chat'], silent: true } as const;

export const mucCases = defineCases([
  { name: 'self-presence from the bare room JID', threat: 'muc-spoofing', stanzas: [selfPresence(ROOM)], expect: untouched },
  {
    name: 'unavailable presence from the bare room JID claiming we were kicked',
    threat: 'muc-spoofing',
    stanzas: [
      `<presence from='${ROOM}' to='${ME}' type='unavailable'><x xmlns='${NS_MUC_USER}'><item affiliation='none' role='none'/>
        <status code='307'/><status code='110'/></x></presence>`,
    ],
    expect: untouched,
  },
  {
    name: 'self-presence from a room we never joined',
    threat: 'muc-spoofing',
    stanzas: [selfPresence(`${OTHER_ROOM}/alice`), selfPresence(`${OTHER_ROOM}/alice`, ` type='unavailable'`)],
    expect: untouched,
  },
  {
    name: 'occupant presence from a room we never joined',
    threat: 'muc-spoofing',
    stanzas: [
      `<presence from='${OTHER_ROOM}/bob' to='${ME}'><x xmlns='${NS_MUC_USER}'><item affiliation='none' role='participant'/></x></presence>`,
    ],
    expect: untouched,
  },
  {
    name: 'groupchat message and subject change from a room we never joined',
    threat: 'muc-spoofing',
    stanzas: [
      `<message from='${OTHER_ROOM}/bob' to='${ME}' type='groupchat'><body>come in</body></message>`,
      `<message from='${OTHER_ROOM}' to='${ME}' type='groupchat'><subject>Free stuff</subject></message>`,
    ],
    expect: untouched,
  },
  {
    name: 'groupchat message from a user’s JID, not a room',
    threat: 'muc-spoofing',
    stanzas: [
      `<message from='${STRANGER}/laptop' to='${ME}' type='groupchat'><body>I am a room</body></message>`,
      `<message from='${CONTACT}' to='${ME}' type='groupchat'><subject>I am a room too</subject></message>`,
    ],
    expect: untouched,
  },
  {
    name: 'private message from a room we never joined',
    threat: 'muc-spoofing',
    stanzas: [`<message from='${OTHER_ROOM}/bob' to='${ME}' type='chat'><body>psst</body><x xmlns='${NS_MUC_USER}'/></message>`],
    expect: untouched,
  },
  {
    name: 'presence error from a room we never joined',
    threat: 'muc-spoofing',
    stanzas: [
      `<presence from='${OTHER_ROOM}/alice' to='${ME}' type='error'><x xmlns='http://jabber.org/protocol/muc'/>
        <error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`,
    ],
    expect: untouched,
  },
  {
    name: 'presence with two muc#user payloads claiming two roles',
    threat: 'muc-spoofing',
    stanzas: [
      `<presence from='${ROOM}/bob' to='${ME}'><x xmlns='${NS_MUC_USER}'><item affiliation='member' role='participant'/></x>
        <x xmlns='${NS_MUC_USER}'><item affiliation='owner' role='moderator'/></x></presence>`,
    ],
    expect: untouched,
  },
]);
