/**
 * XEP-0203 stamps are the sender's claim: a stamp that is malformed or in the future must not date a
 * message (the stored time is the arrival time then), so that nobody can pin a message to the
 * top of a conversation or the room.
 */
import { expect } from 'vitest';
import { parseXml } from '../../support/xml.js';
import { MAX_FUTURE_SKEW_MS } from '../../../src/xeps/chat/index.js';
import { defineCases } from '../case.js';
import { CONTACT, ME, OWN_BARE, ROOM, type HostileSession } from '../session.js';
import { NS_CARBONS, NS_DELAY, NS_FORWARD, conversation, roomMessages } from './views.js';

const FAR_FUTURE = '9999-12-31T23:59:59Z';
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();

const delayed = (id: string, stamp: string, from = `${CONTACT}/phone`) =>
  `<message from='${from}' to='${ME}' type='chat' id='${id}'><body>delayed ${id}</body><delay xmlns='${NS_DELAY}' from='example.org' stamp='${stamp}'/></message>`;

/** Every stored message of the conversation and the room is dated no later than now (plus the allowed skew). */
function notInFuture(session: HostileSession, bodies: readonly string[]): void {
  const limit = Date.now() + MAX_FUTURE_SKEW_MS;
  const stored = [...conversation(session, CONTACT), ...roomMessages(session, ROOM)];
  for (const body of bodies) expect(stored.map((m) => m.body)).toContain(body);
  for (const m of stored) expect({ body: m.body, future: Date.parse(m.stamp) > limit }).toEqual({ body: m.body, future: false });
  for (const m of stored) expect(Number.isFinite(Date.parse(m.stamp))).toBe(true);
}

export const delayCases = defineCases([
  {
    name: 'chat message dated in the year 9999',
    threat: 'forged-delay',
    stanzas: [delayed('d1', FAR_FUTURE)],
    expect: { check: (s) => notInFuture(s, ['delayed d1']) },
  },
  {
    name: 'chat message dated tomorrow, and with a far-future time-zone offset',
    threat: 'forged-delay',
    stanzas: () => [
      delayed('d2', tomorrow()),
      delayed('d3', '2026-01-01T00:00:00-14:00'.replace('2026', String(new Date().getUTCFullYear() + 1))),
    ],
    expect: { check: (s) => notInFuture(s, ['delayed d2', 'delayed d3']) },
  },
  {
    name: 'malformed stamps (not XEP-0082, out of range, huge)',
    threat: 'forged-delay',
    stanzas: [
      delayed('d4', 'yesterday'),
      delayed('d5', '2002-13-45T99:08:25Z'),
      delayed('d6', '+275760-09-13T00:00:00.000Z'),
      delayed('d7', `2002-09-10T23:08:25.${'9'.repeat(5000)}Z`),
      delayed('d8', ''),
    ],
    expect: { check: (s) => notInFuture(s, ['delayed d4', 'delayed d5', 'delayed d6', 'delayed d7', 'delayed d8']) },
  },
  {
    name: 'groupchat message dated in the future',
    threat: 'forged-delay',
    stanzas: [
      `<message from='${ROOM}/bob' to='${ME}' type='groupchat' id='gd1'><body>from the future</body><delay xmlns='${NS_DELAY}' from='${ROOM}' stamp='${FAR_FUTURE}'/></message>`,
    ],
    expect: { check: (s) => notInFuture(s, ['from the future']) },
  },
  {
    name: 'carbon dated in the future on the forwarded wrapper',
    threat: 'forged-delay',
    stanzas: [
      `<message from='${OWN_BARE}' to='${ME}' type='chat'><received xmlns='${NS_CARBONS}'><forwarded xmlns='${NS_FORWARD}'>
        <delay xmlns='${NS_DELAY}' stamp='${FAR_FUTURE}'/>
        <message xmlns='jabber:client' from='${CONTACT}/phone' to='${OWN_BARE}/phone' type='chat' id='cd1'><body>carbon from the future</body></message>
      </forwarded></received></message>`,
    ],
    expect: { check: (s) => notInFuture(s, ['carbon from the future']) },
  },
  {
    name: 'archived message dated in the future by the archive',
    threat: 'forged-delay',
    setup: (s) => {
      s.client.archive.loadOlder(CONTACT).catch(() => {});
    },
    stanzas: (s) => {
      const query = s.server.outgoing.filter((el) => el.name === 'iq' && el.getChild('query', 'urn:xmpp:mam:2')).at(-1)!;
      const queryId = query.getChild('query', 'urn:xmpp:mam:2')!.attrs.queryid;
      return [
        `<message to='${ME}'><result xmlns='urn:xmpp:mam:2' queryid='${queryId}' id='future-archive-1'><forwarded xmlns='${NS_FORWARD}'>
          <delay xmlns='${NS_DELAY}' stamp='${FAR_FUTURE}'/>
          <message xmlns='jabber:client' from='${CONTACT}/phone' to='${OWN_BARE}' type='chat'><body>archived from the future</body></message>
        </forwarded></result></message>`,
      ];
    },
    expect: {
      check: async (s) => {
        const query = s.server.outgoing.filter((el) => el.name === 'iq' && el.getChild('query', 'urn:xmpp:mam:2')).at(-1)!;
        s.server.replyResult(
          query,
          parseXml(`<fin xmlns='urn:xmpp:mam:2' complete='true'><set xmlns='http://jabber.org/protocol/rsm'>
            <first>future-archive-1</first><last>future-archive-1</last><count>1</count></set></fin>`),
        );
        await s.settle();
        notInFuture(s, ['archived from the future']);
      },
    },
  },
  {
    name: 'two delay elements, the first one forged',
    threat: 'forged-delay',
    stanzas: [
      `<message from='${CONTACT}/phone' to='${ME}' type='chat' id='d9'><body>two delays</body><delay xmlns='${NS_DELAY}' stamp='${FAR_FUTURE}'/><delay xmlns='${NS_DELAY}' stamp='2020-01-01T00:00:00Z'/></message>`,
    ],
    expect: { check: (s) => notInFuture(s, ['two delays']) },
  },
]);
