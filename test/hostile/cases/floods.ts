/**
 * Floods: many stanzas in quick succession must cost bounded memory and bounded outgoing traffic.
 * XEP-0115 §8.4 warns that an attacker can announce many bogus hashes to make clients query
 * them; verification is rate-limited (a few in flight, a bounded queue, the rest dropped).
 */
import { xml } from '@xmpp/xml';
import type { SnapshotFrom } from 'xstate';
import { expect } from 'vitest';
import { MAX_QUEUED_VERIFICATIONS, MAX_VERIFICATIONS_IN_FLIGHT } from '../../../src/xeps/caps/index.js';
import { MAX_INVITATIONS } from '../../../src/xeps/muc/index.js';
import { MAX_STRANGER_CONVERSATIONS } from '../../../src/xeps/chat/chat.tools.js';
import { MAX_PENDING_REQUESTS, MAX_TRACKED_ENTITIES, type PresenceLogic } from '../../../src/xeps/presence/index.js';
import { defineCases } from '../case.js';
import { CONTACT, ME, ROOM, STRANGER, capsPresence, type HostileSession } from '../session.js';
import { conversation, conversations, roomMessages } from './views.js';

const N = 5000;
/** Distinct senders one read each: every read costs a copy of the per-JID records (a few in a read cost one). */
const DISTINCT = 1000;
const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';

/** A distinct, well-formed (28-character base64) caps ver per index. */
const ver = (i: number) =>
  Buffer.from(`bogus-ver-${String(i).padStart(10, '0')}`)
    .toString('base64')
    .slice(0, 27) + '=';

const capsQueries = (s: HostileSession) =>
  s.sinceMark().filter((el) => el.name === 'iq' && el.getChild('query', NS_DISCO_INFO)?.attrs.node !== undefined);

const presenceContext = (s: HostileSession) =>
  (s.client.feature('presence')!.getSnapshot() as SnapshotFrom<PresenceLogic>).context as unknown as {
    resources: Record<string, unknown>;
    pending: Record<string, unknown>;
  };

const many = (make: (i: number) => string) => Array.from({ length: N }, (_, i) => make(i));

export const floodCases = defineCases([
  {
    name: `${N} presences with distinct caps hashes from 50 senders`,
    threat: 'flood',
    stanzas: many((i) => capsPresence(`user${i % 50}@evil.example/res`, ver(i)).toString()),
    expect: {
      check: async (s) => {
        expect(capsQueries(s).length).toBeLessThanOrEqual(MAX_VERIFICATIONS_IN_FLIGHT);
        // Even once every query has timed out, no more than the queue's worth follows.
        for (let i = 0; i < 40; i++) {
          s.clock.increment(20_000);
          await s.settle();
        }
        expect(capsQueries(s).length).toBeLessThanOrEqual(MAX_VERIFICATIONS_IN_FLIGHT + MAX_QUEUED_VERIFICATIONS);
      },
    },
  },
  {
    name: `${DISTINCT} presences from distinct JIDs, each with its own caps hash`,
    threat: 'flood',
    stanzas: Array.from({ length: DISTINCT }, (_, i) => capsPresence(`user${i}@evil.example/res`, ver(i)).toString()),
    expect: {
      check: (s) => {
        expect(capsQueries(s).length).toBeLessThanOrEqual(MAX_VERIFICATIONS_IN_FLIGHT);
        expect(Object.keys(presenceContext(s).resources).length).toBeLessThanOrEqual(MAX_TRACKED_ENTITIES + 10);
      },
    },
  },
  {
    name: `${N} presences from distinct JIDs, each with its own caps hash`,
    threat: 'flood',
    stanzas: many((i) => capsPresence(`user${i}@evil.example/res`, ver(i)).toString()),
    // A roster's worth of presences arrives in few reads: presence and caps each take a read in one step.
    perRead: 100,
    expect: {
      check: (s) => {
        expect(capsQueries(s).length).toBeLessThanOrEqual(MAX_VERIFICATIONS_IN_FLIGHT);
        expect(Object.keys(presenceContext(s).resources).length).toBeLessThanOrEqual(MAX_TRACKED_ENTITIES);
      },
    },
  },
  {
    name: `${N} caps hashes announced by one contact`,
    threat: 'flood',
    stanzas: many((i) => capsPresence(`${CONTACT}/phone`, ver(i)).toString()),
    expect: { check: (s) => expect(capsQueries(s).length).toBeLessThanOrEqual(MAX_VERIFICATIONS_IN_FLIGHT) },
  },
  {
    name: `${DISTINCT} subscription requests from distinct strangers`,
    threat: 'flood',
    stanzas: Array.from({ length: DISTINCT }, (_, i) => `<presence from='spammer${i}@evil.example' to='${ME}' type='subscribe'/>`),
    expect: {
      unchanged: ['roster'],
      check: (s) => {
        expect(Object.keys(presenceContext(s).pending).length).toBeLessThanOrEqual(MAX_PENDING_REQUESTS);
        // Nothing is approved on the user's behalf.
        expect(s.sinceMark().filter((el) => el.name === 'presence' && el.attrs.type === 'subscribed')).toEqual([]);
      },
    },
  },
  {
    name: `${N} chat messages from one contact`,
    threat: 'flood',
    stanzas: many((i) => `<message from='${CONTACT}/phone' to='${ME}' type='chat' id='f${i}'><body>flood ${i}</body></message>`),
    expect: {
      check: (s) => {
        expect(conversations(s)).toEqual([`chat:${CONTACT}`]);
        expect(conversation(s, CONTACT).length).toBe(N + 2);
      },
    },
  },
  {
    name: `${N} chat messages from distinct strangers`,
    threat: 'flood',
    stanzas: many((i) => `<message from='stranger${i}@evil.example/x' to='${ME}' type='chat' id='s${i}'><body>hi ${i}</body></message>`),
    perRead: 100,
    expect: {
      check: (s) => {
        // The contact's conversation plus at most the strangers' allowance.
        expect(conversations(s).length).toBeLessThanOrEqual(MAX_STRANGER_CONVERSATIONS + 1);
        expect(conversations(s)).toContain(`chat:${CONTACT}`);
      },
    },
  },
  {
    name: `${N} groupchat messages in the joined room`,
    threat: 'flood',
    stanzas: many((i) => `<message from='${ROOM}/bob' to='${ME}' type='groupchat' id='gf${i}'><body>room flood ${i}</body></message>`),
    expect: { check: (s) => expect(roomMessages(s, ROOM).length).toBeGreaterThanOrEqual(N) },
  },
  {
    name: `${N} invitations to rooms`,
    threat: 'flood',
    stanzas: many(
      (i) => `<message from='${STRANGER}/x' to='${ME}'><x xmlns='jabber:x:conference' jid='trap${i}@conference.evil.example'/></message>`,
    ),
    expect: {
      check: (s) => {
        const muc = s.client.feature('muc')!.getSnapshot() as { context: { invitations: unknown[]; rooms: string[] } };
        expect(muc.context.invitations.length).toBeLessThanOrEqual(MAX_INVITATIONS);
        expect(muc.context.rooms).toEqual([ROOM]);
      },
    },
  },
  {
    name: `${N} pings from a stranger are each answered once`,
    threat: 'flood',
    stanzas: many((i) =>
      xml('iq', { type: 'get', id: `ping${i}`, from: STRANGER, to: ME }, xml('ping', { xmlns: 'urn:xmpp:ping' })).toString(),
    ),
    expect: {
      unchanged: ['iq'],
      check: (s) => {
        const replies = s.sinceMark().filter((el) => el.name === 'iq' && el.attrs.type === 'result');
        expect(replies.length).toBe(N);
        expect(new Set(replies.map((el) => el.attrs.id)).size).toBe(N);
      },
    },
  },
]);
