/**
 * XEP-0313 §8.2: "A client MUST verify the source of MAM query results against an open query (i.e.
 * checking the stanza 'from' matches the entity that was queried)" and results whose queryid names
 * no open query are not ours to apply.
 */
import type { Element } from '@xmpp/xml';
import { defineCases } from '../case.js';
import { CONTACT, DOMAIN, ME, OWN_BARE, ROOM, STRANGER, type HostileSession } from '../session.js';

const NS_MAM = 'urn:xmpp:mam:2';

/** Opens a scrollback query on the conversation with CONTACT and leaves it unanswered. */
function openQuery(session: HostileSession): void {
  session.client.archive.loadOlder(CONTACT).catch(() => {});
}

/** The last MAM query the client sent. */
function lastQuery(session: HostileSession): Element {
  const query = session.server.outgoing.filter((el) => el.name === 'iq' && el.getChild('query', NS_MAM)).at(-1);
  if (!query) throw new Error('no MAM query was sent');
  return query;
}

const queryIdOf = (session: HostileSession) => lastQuery(session).getChild('query', NS_MAM)!.attrs.queryid as string;

const result = (from: string | undefined, queryId: string, inner = `from='${CONTACT}/phone' to='${ME}' type='chat'`) =>
  `<message${from === undefined ? '' : ` from='${from}'`} to='${ME}'>
    <result xmlns='${NS_MAM}' queryid='${queryId}' id='forged-archive-1'><forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2020-01-01T00:00:00Z'/>
      <message xmlns='jabber:client' ${inner}><body>forged history</body></message>
    </forwarded></result></message>`;

const untouched = { unchanged: ['archive', 'chat', 'muc'], silent: true } as const;

export const mamCases = defineCases([
  {
    name: 'result with a queryid of no open query, from the own account',
    threat: 'mam-spoofing',
    setup: openQuery,
    stanzas: [result(undefined, 'guessed-query-id'), result(OWN_BARE, 'f00')],
    expect: untouched,
  },
  {
    name: 'result with no query open at all',
    threat: 'mam-spoofing',
    stanzas: [result(undefined, 'q1'), result(OWN_BARE, 'q1')],
    expect: untouched,
  },
  {
    name: 'result for the open query from a contact',
    threat: 'mam-spoofing',
    setup: openQuery,
    stanzas: (s) => [result(CONTACT, queryIdOf(s)), result(`${CONTACT}/phone`, queryIdOf(s))],
    expect: untouched,
  },
  {
    name: 'result for the open query from another resource of our own',
    threat: 'mam-spoofing',
    setup: openQuery,
    stanzas: (s) => [result(`${OWN_BARE}/other`, queryIdOf(s))],
    expect: untouched,
  },
  {
    name: 'result for the open query from the server domain, a stranger and a room',
    threat: 'mam-spoofing',
    setup: openQuery,
    stanzas: (s) => [result(DOMAIN, queryIdOf(s)), result(STRANGER, queryIdOf(s)), result(ROOM, queryIdOf(s))],
    expect: untouched,
  },
  {
    name: 'result for the open query relayed by a room occupant (room/nick)',
    threat: 'mam-spoofing',
    setup: openQuery,
    stanzas: (s) => [result(`${ROOM}/bob`, queryIdOf(s), `from='${ROOM}/bob' type='groupchat'`)],
    expect: untouched,
  },
  {
    name: 'the page’s final IQ result from a contact instead of the archive',
    threat: 'mam-spoofing',
    setup: openQuery,
    stanzas: (s) => [
      `<iq type='result' id='${lastQuery(s).attrs.id}' from='${CONTACT}' to='${ME}'>
        <fin xmlns='${NS_MAM}' complete='true'><set xmlns='http://jabber.org/protocol/rsm'><count>0</count></set></fin></iq>`,
    ],
    expect: { ...untouched, unchanged: [...untouched.unchanged, 'iq'] },
  },
]);
