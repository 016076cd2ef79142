/**
 * JIDs that RFC 7622 rejects, in `from` and `to`: never a crash, never a conversation, contact,
 * presence or room keyed by garbage; an unanswerable IQ gets at most one error.
 */
import { expect } from 'vitest';
import { defineCases } from '../case.js';
import { CONTACT, ME } from '../session.js';
import { conversations } from './views.js';

const INVALID = [
  'a@b@c',
  '@example.org',
  'alice@',
  '/resource',
  '',
  ' ',
  'a b@example.org',
  'x'.repeat(3100),
  `${'l'.repeat(1024)}@example.org`,
  'bob@exa mple.org',
  'bob@example.org/' + 'r'.repeat(1024),
  'bob@&quot;example.org',
  'bob@example.org\\',
  '.',
];

const protectedParts = ['chat', 'presence', 'roster', 'muc', 'caps', 'blocking', 'bookmarks', 'archive', 'iq'];

export const jidCases = defineCases([
  {
    name: 'chat messages from invalid JIDs',
    threat: 'invalid-jid',
    stanzas: INVALID.map((from, i) => `<message from='${from}' to='${ME}' type='chat' id='j${i}'><body>from garbage</body></message>`),
    expect: { unchanged: protectedParts, check: (s) => expect(conversations(s)).toEqual([`chat:${CONTACT}`]) },
  },
  {
    name: 'chat messages to invalid JIDs',
    threat: 'invalid-jid',
    stanzas: INVALID.map((to, i) => `<message from='${CONTACT}/phone' to='${to}' type='chat' id='k${i}'><body>to garbage</body></message>`),
    expect: { check: (s) => expect(conversations(s)).toEqual([`chat:${CONTACT}`]) },
  },
  {
    name: 'presences (available, subscription, caps) from invalid JIDs',
    threat: 'invalid-jid',
    stanzas: INVALID.flatMap((from) => [
      `<presence from='${from}' to='${ME}'><show>chat</show><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>`,
      `<presence from='${from}' to='${ME}' type='subscribe'/>`,
      `<presence from='${from}' to='${ME}' type='unavailable'/>`,
    ]),
    expect: { unchanged: protectedParts, silent: true },
  },
  {
    name: 'IQ results and pushes from invalid JIDs',
    threat: 'invalid-jid',
    stanzas: INVALID.flatMap((from, i) => [
      `<iq type='result' id='r${i}' from='${from}' to='${ME}'/>`,
      `<iq type='set' id='p${i}' from='${from}' to='${ME}'><query xmlns='jabber:iq:roster'><item jid='${CONTACT}' subscription='remove'/></query></iq>`,
      `<iq type='set' id='q${i}' from='${from}' to='${ME}'><block xmlns='urn:xmpp:blocking'><item jid='${CONTACT}'/></block></iq>`,
    ]),
    expect: {
      unchanged: protectedParts,
      check: (s) => {
        // Never more than one reply per request, and never a result.
        const replies = s.sinceMark().filter((el) => el.name === 'iq');
        expect(new Set(replies.map((el) => el.attrs.id)).size).toBe(replies.length);
        expect(replies.filter((el) => el.attrs.type !== 'error')).toEqual([]);
      },
    },
  },
  {
    name: 'roster items, block items and invitations naming invalid JIDs',
    threat: 'invalid-jid',
    stanzas: INVALID.flatMap((jid, i) => [
      `<iq type='set' id='ri${i}' to='${ME}'><query xmlns='jabber:iq:roster'><item jid='${jid}' subscription='both'/></query></iq>`,
      `<iq type='set' id='bi${i}' to='${ME}'><block xmlns='urn:xmpp:blocking'><item jid='${jid}'/></block></iq>`,
      `<message from='${CONTACT}/phone' to='${ME}'><x xmlns='jabber:x:conference' jid='${jid}'/></message>`,
    ]),
    expect: {
      unchanged: ['roster', 'blocking', 'muc', 'chat'],
      check: (s) => {
        for (let i = 0; i < INVALID.length; i++) {
          for (const id of [`ri${i}`, `bi${i}`]) {
            expect(
              s
                .sinceMark()
                .filter((el) => el.attrs.id === id)
                .map((el) => el.attrs.type),
            ).toEqual(['error']);
          }
        }
      },
    },
  },
]);
