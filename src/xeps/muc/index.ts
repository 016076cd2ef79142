/**
 * XEP-0045 Multi-User Chat: the `muc` manager with one `room:<bareJid>` actor per room. See README.md.
 */
import { ANY_NAMESPACE, defineFeature, type FeatureModule } from '../feature.js';
import { NS_CONFERENCE, NS_MUC, NS_MUC_USER } from './muc.codec.js';
import type { MucRoutedEvent } from './muc.events.js';
import { createMucLogic } from './muc.machine.js';
import { routeMucStanza } from './muc.route.js';
import type { RoomLogicOptions } from './room.machine.js';

/** Intents the session forwards to the `muc` actor. */
export const MUC_INTENTS = ['muc.join', 'muc.leave', 'muc.send', 'muc.setSubject', 'muc.changeNick', 'muc.markRead'] as const;

export function createMucFeature(options: RoomLogicOptions = {}): FeatureModule<MucRoutedEvent> {
  return defineFeature<MucRoutedEvent>({
    id: 'muc',
    spec: [
      { xep: 'XEP-0045', version: '1.35.5', url: 'https://xmpp.org/extensions/xep-0045.html' },
      { xep: 'XEP-0249', version: '1.2', url: 'https://xmpp.org/extensions/xep-0249.html' },
      { xep: 'XEP-0410', version: '1.1.0', url: 'https://xmpp.org/extensions/xep-0410.html' },
    ],
    // XEP-0045 §6.1 / XEP-0249 §3: clients that support them advertise these.
    discoFeatures: [NS_MUC, NS_CONFERENCE],
    handles: [
      { stanza: 'presence', ns: ANY_NAMESPACE },
      { stanza: 'message', ns: 'jabber:client' },
      { stanza: 'message', ns: NS_MUC_USER },
      { stanza: 'message', ns: NS_CONFERENCE },
      // ejabberd MucSub events (other PubSub events are declined by the route).
      { stanza: 'message', ns: 'http://jabber.org/protocol/pubsub#event' },
    ],
    route: routeMucStanza,
    logic: (services) => createMucLogic(services, options),
    lifetime: 'session',
    // A room's presences on joining and a burst of messages come many to a socket read: one manager step each.
    batches: true,
    intents: MUC_INTENTS,
  });
}

/** The `muc` feature with default options. */
export const muc = /*#__PURE__*/ createMucFeature();

export { createMucLogic, roomId, MAX_INVITATIONS, type MucLogic, type MucActor } from './muc.machine.js';
export { createRoomLogic, ROOM_ANSWER_TIMEOUT, type RoomLogic, type RoomActor, type RoomLogicOptions } from './room.machine.js';
export { connectRoom, roomStatus, type RoomView, type RoomStatus } from './muc.connect.js';
export { routeMucStanza } from './muc.route.js';
export * from './muc.codec.js';
export * from './mucsub.codec.js';
export type * from './muc.types.js';
export type * from './room.types.js';
export type * from './muc.events.js';
