/**
 * XEP-0153: the update child our own presence carries. A module of its own, without the vCard
 * codec, because the presence feature puts it into every presence it sends.
 */
import { xml, type Element } from '@xmpp/xml';
import type { OwnVCardState } from './profile.types.js';

/** XEP-0153: the presence extension carrying the vCard avatar's hash. */
export const NS_VCARD_UPDATE = 'vcard-temp:x:update';

/**
 * The hash our presence advertises: none while another resource of the account does not take part
 * (XEP-0153 §4.3 rule 1: "the client MUST stop advertising the avatar image hash"), else the one
 * learnt from the vCard (§4.2 rule 1: "A client MUST NOT advertise an avatar image without first
 * downloading the current vCard").
 */
export function advertisedVCardHash(state: OwnVCardState): string | null | undefined {
  return state.nonConforming.length > 0 ? undefined : state.hash;
}

/**
 * The update child of our own presence. XEP-0153 §4.1: "If a client is not yet ready to advertise
 * an image, it MUST send an empty update child element" (`undefined`); "If there is no avatar image
 * to be advertised, the photo element MUST be empty" (`null`); else the photo's SHA-1.
 */
export function buildVCardUpdate(hash: string | null | undefined): Element {
  if (hash === undefined) return xml('x', { xmlns: NS_VCARD_UPDATE });
  return xml('x', { xmlns: NS_VCARD_UPDATE }, xml('photo', {}, hash ?? undefined));
}
