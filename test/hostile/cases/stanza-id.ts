/**
 * XEP-0359 §3 rule 7: "The value of the 'by' attribute MUST be the XMPP address of the entity
 * assigning the unique and stable stanza ID"; §4: a client "MUST NOT" trust a stanza-id unless it
 * comes from an entity it trusts to assign them (the own account; a room for its own messages).
 */
import { expect } from 'vitest';
import { defineCases } from '../case.js';
import { CONTACT, CONTACT_MESSAGE_ID, DOMAIN, ME, OWN_BARE, ROOM, STRANGER } from '../session.js';
import { NS_SID, conversation, roomMessages } from './views.js';

const chatWithSid = (id: string, sids: string, originId?: string) =>
  `<message from='${CONTACT}/phone' to='${ME}' type='chat' id='${id}'><body>sid test ${id}</body>${sids}${
    originId === undefined ? '' : `<origin-id xmlns='${NS_SID}' id='${originId}'/>`
  }</message>`;
const sid = (id: string, by: string) => `<stanza-id xmlns='${NS_SID}' id='${id}' by='${by}'/>`;

/** No stored message of the conversation carries a stanza-id that was not assigned by the own account. */
const noForgedSid = (forged: readonly string[]) => (s: Parameters<NonNullable<import('../case.js').Expectation['check']>>[0]) => {
  const messages = conversation(s, CONTACT);
  for (const m of messages) expect(forged).not.toContain(m.stanzaId);
  for (const m of messages) expect(forged).not.toContain(m.id);
};

export const stanzaIdCases = defineCases([
  {
    name: 'stanza-id assigned by the sender',
    threat: 'stanza-id-spoofing',
    stanzas: [chatWithSid('s1', sid('forged-sid-1', CONTACT))],
    expect: { check: noForgedSid(['forged-sid-1']) },
  },
  {
    name: 'stanza-id by our own full JID, by the server domain and by a stranger',
    threat: 'stanza-id-spoofing',
    stanzas: [
      chatWithSid('s2', sid('forged-sid-2', `${OWN_BARE}/test`)),
      chatWithSid('s3', sid('forged-sid-3', DOMAIN)),
      chatWithSid('s4', sid('forged-sid-4', STRANGER)),
    ],
    expect: { check: noForgedSid(['forged-sid-2', 'forged-sid-3', 'forged-sid-4']) },
  },
  {
    name: 'stanza-id without `by` before a trusted one',
    threat: 'stanza-id-spoofing',
    stanzas: [chatWithSid('s5', `<stanza-id xmlns='${NS_SID}' id='forged-sid-5'/>${sid('real-sid-5', OWN_BARE)}`)],
    expect: {
      check: (s) => {
        noForgedSid(['forged-sid-5'])(s);
        expect(conversation(s, CONTACT).find((m) => m.body === 'sid test s5')?.stanzaId).toBe('real-sid-5');
      },
    },
  },
  {
    name: 'a contact reusing our own message’s id as origin-id cannot overwrite it',
    threat: 'stanza-id-spoofing',
    stanzas: (s) => [chatWithSid('s6', '', s.ownMessageId), chatWithSid(s.ownMessageId, sid(s.ownMessageId, CONTACT))],
    expect: {
      check: (s) => {
        const own = conversation(s, CONTACT).filter((m) => m.direction === 'out');
        expect(own.map((m) => m.body)).toEqual(['hello bob']);
      },
    },
  },
  {
    name: 'a stranger reusing the contact’s message id cannot overwrite it',
    threat: 'stanza-id-spoofing',
    stanzas: [
      `<message from='${STRANGER}/x' to='${ME}' type='chat' id='${CONTACT_MESSAGE_ID}'><body>overwritten?</body>
        <origin-id xmlns='${NS_SID}' id='${CONTACT_MESSAGE_ID}'/>${sid(CONTACT_MESSAGE_ID, OWN_BARE)}</message>`,
    ],
    expect: { unchanged: [`chat:${CONTACT}`] },
  },
  {
    name: 'a stranger acknowledging, marking, correcting and retracting our message',
    threat: 'stanza-id-spoofing',
    stanzas: (s) => [
      `<message from='${STRANGER}/x' to='${ME}' id='x1'><received xmlns='urn:xmpp:receipts' id='${s.ownMessageId}'/></message>`,
      `<message from='${STRANGER}/x' to='${ME}' type='chat' id='x2'><displayed xmlns='urn:xmpp:chat-markers:0' id='${s.ownMessageId}'/></message>`,
      `<message from='${STRANGER}/x' to='${ME}' type='chat' id='x3'><body>changed</body><replace xmlns='urn:xmpp:message-correct:0' id='${s.ownMessageId}'/></message>`,
      `<message from='${STRANGER}/x' to='${ME}' type='chat' id='x4'><retract xmlns='urn:xmpp:message-retract:1' id='${s.ownMessageId}'/></message>`,
    ],
    expect: { unchanged: [`chat:${CONTACT}`] },
  },
  {
    name: 'the contact correcting and retracting our message instead of theirs',
    threat: 'stanza-id-spoofing',
    stanzas: (s) => [
      `<message from='${CONTACT}/phone' to='${ME}' type='chat' id='x5'><body>you said this</body><replace xmlns='urn:xmpp:message-correct:0' id='${s.ownMessageId}'/></message>`,
      `<message from='${CONTACT}/phone' to='${ME}' type='chat' id='x6'><retract xmlns='urn:xmpp:message-retract:1' id='${s.ownMessageId}'/></message>`,
    ],
    expect: {
      check: (s) => {
        const own = conversation(s, CONTACT).filter((m) => m.direction === 'out');
        expect(own.map((m) => [m.body, m.retracted === true])).toEqual([['hello bob', false]]);
      },
    },
  },
  {
    name: 'groupchat stanza-id assigned by an occupant or the own account instead of the room',
    threat: 'stanza-id-spoofing',
    stanzas: [
      `<message from='${ROOM}/bob' to='${ME}' type='groupchat' id='g2'><body>room sid test</body>${sid('forged-room-sid', `${ROOM}/bob`)}${sid(
        'forged-room-sid-2',
        OWN_BARE,
      )}</message>`,
    ],
    expect: {
      check: (s) => {
        const stored = roomMessages(s, ROOM).find((m) => m.body === 'room sid test');
        expect(stored).toBeDefined();
        expect(stored!.stanzaId).toBeUndefined();
        expect(stored!.id).not.toMatch(/forged/);
      },
    },
  },
]);
