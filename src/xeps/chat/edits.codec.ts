/**
 * XEP-0308 Last Message Correction and XEP-0424 Message Retraction (with the XEP-0428 fallback
 * and XEP-0334 hints they use). Pure and synchronous; never throws on hostile input.
 */
import { xml, type Element } from '@xmpp/xml';

export const NS_CORRECT = 'urn:xmpp:message-correct:0';
export const NS_RETRACT = 'urn:xmpp:message-retract:1';
export const NS_FALLBACK = 'urn:xmpp:fallback:0';
export const NS_HINTS = 'urn:xmpp:hints';
const NS_SID = 'urn:xmpp:sid:0';

/** What a client without XEP-0424 shows for a retraction (XEP-0428 fallback body). */
export const RETRACTION_FALLBACK = '/me retracted a message; this client cannot show that.';

const MAX_ID_LENGTH = 1024;

function idOf(el: Element | undefined): string | undefined {
  const id = el?.attrs.id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH ? id : undefined;
}

/** The stanza id a XEP-0308 correction names (`<replace id/>`), if exactly one usable one. */
export function replaceIdOf(message: Element): string | undefined {
  const replace = message.getChildren('replace', NS_CORRECT);
  return replace.length === 1 ? idOf(replace[0]) : undefined;
}

/** The stanza id a XEP-0424 retraction names (`<retract id/>`), if exactly one usable one. */
export function retractIdOf(message: Element): string | undefined {
  const retract = message.getChildren('retract', NS_RETRACT);
  return retract.length === 1 ? idOf(retract[0]) : undefined;
}

export interface OutgoingRetraction {
  to: string;
  /** Stanza id (and origin-id) of the retraction itself. */
  id: string;
  /** The stanza `id` of the message retracted. */
  retracts: string;
}

/**
 * A retraction as in XEP-0424 §3 Example 2: `<retract id/>`, a XEP-0428 fallback body and a
 * XEP-0334 `<store/>` hint.
 * §3: "It's RECOMMENDED that you include a XEP-0428 tag with fallback text in the <body/>, so that
 * servers will archive the retraction" and "you MAY include a XEP-0334 <store/> hint".
 * §5: "Supporting clients MUST set a unique 'id' on the <message> element in outgoing stanzas".
 */
export function buildRetraction({ to, id, retracts }: OutgoingRetraction): Element {
  return xml(
    'message',
    { type: 'chat', to, id },
    xml('retract', { xmlns: NS_RETRACT, id: retracts }),
    xml('fallback', { xmlns: NS_FALLBACK, for: NS_RETRACT }),
    xml('body', {}, RETRACTION_FALLBACK),
    xml('store', { xmlns: NS_HINTS }),
    xml('origin-id', { xmlns: NS_SID, id }),
  );
}
