/**
 * IQ handling: RFC 6120 §8.4 service-unavailable for requests nobody understands, exactly once;
 * §8.2.3: no answer to results and errors; replies count only from the entity asked; ids that a
 * third party cannot guess.
 */
import { xml } from '@xmpp/xml';
import { expect } from 'vitest';
import { defineCases } from '../case.js';
import { CONTACT, DOMAIN, ME, OWN_BARE, STRANGER, type HostileSession } from '../session.js';

const NS_PING = 'urn:xmpp:ping';

/** Sends a ping to the server and leaves it unanswered. */
function pendingPing(session: HostileSession): void {
  session.client.ping(DOMAIN).catch(() => {});
}

/** Sends a request without `to` (to the own account) and leaves it unanswered. */
function pendingAccountRequest(session: HostileSession): void {
  session.client
    .iq(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:private' }, xml('prefs', { xmlns: 'urn:example:prefs' }))))
    .catch(() => {});
}

const lastRequestId = (s: HostileSession) =>
  s.server.outgoing.filter((el) => el.name === 'iq' && el.attrs.type === 'get').at(-1)!.attrs.id as string;

const forgedReplies = (s: HostileSession, froms: readonly string[], type: 'result' | 'error' = 'result') =>
  froms.map(
    (from) =>
      `<iq type='${type}' id='${lastRequestId(s)}' from='${from}' to='${ME}'>${
        type === 'error' ? `<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>` : ''
      }</iq>`,
  );

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const iqCases = defineCases([
  {
    name: 'unknown IQ get from a contact',
    threat: 'iq-spoofing',
    stanzas: [`<iq type='get' id='u1' from='${CONTACT}/phone' to='${ME}'><query xmlns='urn:example:unknown'/></iq>`],
    expect: { errorReply: { id: 'u1', to: `${CONTACT}/phone`, condition: 'service-unavailable' }, unchanged: ['iq'] },
  },
  {
    name: 'unknown IQ set from a stranger',
    threat: 'iq-spoofing',
    stanzas: [
      `<iq type='set' id='u2' from='${STRANGER}' to='${ME}'><command xmlns='http://jabber.org/protocol/commands' node='shutdown'/></iq>`,
    ],
    expect: { errorReply: { id: 'u2', to: STRANGER, condition: 'service-unavailable' } },
  },
  {
    name: 'IQ get without a payload, and with two (RFC 6120 §8.2.3: exactly one child)',
    threat: 'iq-spoofing',
    stanzas: [
      `<iq type='get' id='u3' from='${STRANGER}' to='${ME}'/>`,
      `<iq type='get' id='u4' from='${STRANGER}' to='${ME}'><ping xmlns='${NS_PING}'/><query xmlns='jabber:iq:version'/></iq>`,
    ],
    expect: {
      errorReply: { id: 'u3', to: STRANGER, condition: 'service-unavailable' },
      check: (s) => {
        const replies = s.sinceMark().filter((el) => el.attrs.id === 'u4');
        expect(replies.map((el) => el.attrs.type)).toEqual(['error']);
      },
    },
  },
  {
    name: 'version request as a set instead of a get',
    threat: 'iq-spoofing',
    stanzas: [`<iq type='set' id='u5' from='${STRANGER}' to='${ME}'><query xmlns='jabber:iq:version'/></iq>`],
    expect: { errorReply: { id: 'u5', to: STRANGER, condition: 'service-unavailable' }, unchanged: ['version'] },
  },
  {
    name: 'IQ get without an id (unanswerable)',
    threat: 'iq-spoofing',
    stanzas: [
      `<iq type='get' from='${STRANGER}' to='${ME}'><ping xmlns='${NS_PING}'/></iq>`,
      `<iq type='get' from='${STRANGER}' id='' to='${ME}'><query xmlns='urn:x'/></iq>`,
    ],
    expect: { silent: true },
  },
  {
    name: 'unsolicited results and errors',
    threat: 'iq-spoofing',
    stanzas: [
      `<iq type='result' id='never-asked' from='${STRANGER}' to='${ME}'/>`,
      `<iq type='error' id='never-asked-2' from='${DOMAIN}' to='${ME}'><error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
      `<iq type='result' to='${ME}'/>`,
    ],
    expect: { silent: true, unchanged: ['iq', 'roster', 'disco'] },
  },
  {
    name: 'result for a request to the server from anyone else',
    threat: 'iq-spoofing',
    setup: pendingPing,
    stanzas: (s) => forgedReplies(s, [CONTACT, `${DOMAIN}/evil`, OWN_BARE, ME, STRANGER, `evil.${DOMAIN}`]),
    expect: { silent: true, unchanged: ['iq', 'ping'] },
  },
  {
    name: 'error for a request to the server from anyone else',
    threat: 'iq-spoofing',
    setup: pendingPing,
    stanzas: (s) => forgedReplies(s, [CONTACT, `${OWN_BARE}/other`], 'error'),
    expect: { silent: true, unchanged: ['iq', 'ping'] },
  },
  {
    name: 'result for a request to the own account from a contact or another resource of ours',
    threat: 'iq-spoofing',
    setup: pendingAccountRequest,
    stanzas: (s) => forgedReplies(s, [CONTACT, `${CONTACT}/phone`, `${OWN_BARE}/other`, `sub.${DOMAIN}`]),
    expect: { silent: true, unchanged: ['iq'] },
  },
  {
    name: 'IQ ids are random (UUID v4, 122 bits), never sequential',
    threat: 'iq-spoofing',
    setup: async (s) => {
      for (let i = 0; i < 50; i++) s.client.ping(DOMAIN).catch(() => {});
      await s.settle();
    },
    stanzas: [],
    expect: {
      check: (s) => {
        const ids = s.server.outgoing.filter((el) => el.name === 'iq' && el.getChild('ping', NS_PING)).map((el) => el.attrs.id as string);
        expect(ids.length).toBeGreaterThanOrEqual(50);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) expect(id).toMatch(UUID_V4);
        // No two consecutive ids share their first 8 hex digits (a counter or timestamp would).
        for (let i = 1; i < ids.length; i++) expect(ids[i]!.slice(0, 8)).not.toBe(ids[i - 1]!.slice(0, 8));
        const numeric = ids.map((id) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16));
        const steps = new Set(numeric.slice(1).map((n, i) => n - numeric[i]!));
        expect(steps.size).toBeGreaterThan(ids.length / 2);
      },
    },
  },
]);
