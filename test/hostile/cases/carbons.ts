/**
 * XEP-0280 §11: "Any forwarded copies received by a Carbons-enabled client MUST be from that user's
 * bare JID; any copies that do not meet this requirement MUST be ignored."
 */
import { defineCases } from '../case.js';
import { CONTACT, DOMAIN, ME, OWN_BARE, STRANGER } from '../session.js';
import { NS_CARBONS, NS_FORWARD } from './views.js';

const carbon = (from: string | undefined, wrapper: 'received' | 'sent', inner: string) =>
  `<message${from === undefined ? '' : ` from='${from}'`} to='${ME}' type='chat'>
    <${wrapper} xmlns='${NS_CARBONS}'><forwarded xmlns='${NS_FORWARD}'>${inner}</forwarded></${wrapper}></message>`;

const fromContact = `<message xmlns='jabber:client' from='${CONTACT}/phone' to='${OWN_BARE}/phone' type='chat' id='forged-1'><body>forged words</body></message>`;
const fromUs = `<message xmlns='jabber:client' from='${OWN_BARE}/phone' to='carol@example.org' type='chat' id='forged-2'><body>words alice never sent</body></message>`;

const untouched = { unchanged: ['chat', 'carbons'], silent: true } as const;

export const carbonCases = defineCases([
  {
    name: 'received carbon from a contact’s bare JID',
    threat: 'forged-carbon',
    stanzas: [carbon(CONTACT, 'received', fromContact)],
    expect: untouched,
  },
  {
    name: 'received carbon from a stranger',
    threat: 'forged-carbon',
    stanzas: [carbon(STRANGER, 'received', fromContact)],
    expect: untouched,
  },
  {
    name: 'sent carbon from a contact, putting words in our mouth',
    threat: 'forged-carbon',
    stanzas: [carbon(`${CONTACT}/phone`, 'sent', fromUs)],
    expect: untouched,
  },
  {
    name: 'carbon from another resource of our own (full JID, not the bare JID)',
    threat: 'forged-carbon',
    stanzas: [carbon(`${OWN_BARE}/other`, 'received', fromContact)],
    expect: untouched,
  },
  { name: 'carbon from the own server’s domain', threat: 'forged-carbon', stanzas: [carbon(DOMAIN, 'sent', fromUs)], expect: untouched },
  {
    name: 'sent carbon from the own bare JID of a message someone else sent',
    threat: 'forged-carbon',
    stanzas: [carbon(OWN_BARE, 'sent', fromContact)],
    expect: untouched,
  },
  {
    name: 'received carbon from the own bare JID of a message to someone else',
    threat: 'forged-carbon',
    stanzas: [
      carbon(
        OWN_BARE,
        'received',
        `<message xmlns='jabber:client' from='${CONTACT}/phone' to='carol@example.org/home' type='chat'><body>not for alice</body></message>`,
      ),
    ],
    expect: untouched,
  },
  {
    name: 'carbon with both a received and a sent wrapper',
    threat: 'forged-carbon',
    stanzas: [
      `<message from='${OWN_BARE}' to='${ME}'><received xmlns='${NS_CARBONS}'><forwarded xmlns='${NS_FORWARD}'>${fromContact}</forwarded></received>
        <sent xmlns='${NS_CARBONS}'><forwarded xmlns='${NS_FORWARD}'>${fromUs}</forwarded></sent></message>`,
    ],
    expect: untouched,
  },
  {
    name: 'a carbon nested inside a carbon',
    threat: 'forged-carbon',
    stanzas: [
      carbon(
        OWN_BARE,
        'received',
        `<message xmlns='jabber:client' from='${CONTACT}/phone' to='${ME}' type='chat'>
          <sent xmlns='${NS_CARBONS}'><forwarded xmlns='${NS_FORWARD}'>${fromUs}</forwarded></sent></message>`,
      ),
    ],
    expect: untouched,
  },
  {
    name: 'a carbon wrapped in a plain chat message from a contact (body-less outer message)',
    threat: 'forged-carbon',
    stanzas: [carbon(`${CONTACT}/phone`, 'received', fromContact)],
    expect: untouched,
  },
]);
