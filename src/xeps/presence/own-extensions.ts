import type { Element } from '@xmpp/xml';
import type { ActorSystem, AnyActorRef } from 'xstate';
import { ownCapsElement } from '../caps/caps.machine.js';
import type { ProfileContext } from '../profile/profile.types.js';
import { advertisedVCardHash, buildVCardUpdate } from '../profile/vcard-update.js';

/**
 * What other features put into each presence of ours, broadcast, directed or entering a room: our
 * caps `<c/>` once the caps actor has hashed our ver (XEP-0115 §6.1), and, with the profile feature,
 * the XEP-0153 update child (§4.1: "it MUST include the update child element in every presence
 * broadcast it sends and SHOULD also include the update child in directed presence stanzas (e.g.,
 * directed presence sent when joining XEP-0045 rooms)"). Read from the actors when the presence is
 * built, so it is always the current value.
 */
export function ownPresenceExtensions(system: ActorSystem<any>): Element[] {
  const extensions: Element[] = [];
  const caps = system.get('caps') as AnyActorRef | undefined;
  const capsElement = ownCapsElement(caps?.getSnapshot().context?.ownVer);
  if (capsElement) extensions.push(capsElement);
  const profile = system.get('profile') as AnyActorRef | undefined;
  const ownVCard = (profile?.getSnapshot().context as ProfileContext | undefined)?.ownVCard;
  if (ownVCard) extensions.push(buildVCardUpdate(advertisedVCardHash(ownVCard)));
  return extensions;
}
