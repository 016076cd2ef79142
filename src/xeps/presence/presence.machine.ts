import type { Element } from '@xmpp/xml';
import { assign, enqueueActions, setup } from 'xstate';
import { bareJid, normalizeJid } from '../../jid.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { buildPresence, buildSubscribe, buildSubscribed, buildUnsubscribe, buildUnsubscribed } from './presence.codec.js';
import { ownPresenceExtensions } from './own-extensions.js';
import { applyPresences } from './presence.inbound.js';
import type { OwnPresence, PresenceContext, PresenceEvent, PresenceRoutedEvent, ResourcePresence, Show } from './presence.types.js';
import { without } from '../keyed-record.js';

const SHOWS: readonly string[] = ['available', 'chat', 'away', 'xa', 'dnd'];
const MAX_OWN_STATUS = 1024;

/** `presence.set` input checked: a known show, a bounded status, an integer priority in range. */
export function checkOwnPresence(input: { show: unknown; status?: unknown; priority?: unknown }): OwnPresence | string {
  if (typeof input.show !== 'string' || !SHOWS.includes(input.show)) return `show must be one of ${SHOWS.join(', ')}`;
  const own: OwnPresence = { show: input.show as Show };
  if (input.status !== undefined) {
    if (typeof input.status !== 'string' || input.status.length > MAX_OWN_STATUS)
      return `status must be a string of at most ${MAX_OWN_STATUS} characters`;
    if (input.status.length > 0) own.status = input.status;
  }
  if (input.priority !== undefined) {
    // RFC 6121 §4.7.2.3: "The value MUST be an integer between -128 and +127."
    if (!Number.isInteger(input.priority) || (input.priority as number) < -128 || (input.priority as number) > 127) {
      return 'priority must be an integer between -128 and 127';
    }
    own.priority = input.priority as number;
  }
  return own;
}

const samePresence = (a: OwnPresence | undefined, b: OwnPresence | undefined) =>
  a !== undefined && b !== undefined && a.show === b.show && a.status === b.status && a.priority === b.priority;

/** Flood guards: entities and resources tracked, and pending requests kept (oldest dropped). */
export { MAX_PENDING_REQUESTS, MAX_RESOURCES_PER_ENTITY, MAX_TRACKED_ENTITIES } from './presence.inbound.js';

const ROUTED = new Set(['presence.available', 'presence.unavailable', 'presence.subscriptionRequest', 'presence.subscriptionWithdrawn']);
const isRouted = (event: PresenceEvent): event is PresenceRoutedEvent => ROUTED.has(event.type);

type Sender = Pick<FeatureServices, 'send'>;

/** Asks `jid` to let us see its presence. */
export function subscribe(services: Sender, jid: string, status?: string): void {
  services.send(buildSubscribe(jid, status));
}
/** Approves `jid`'s subscription request (or pre-approves one, RFC 6121 §3.4). */
export function approve(services: Sender, jid: string): void {
  services.send(buildSubscribed(jid));
}
/** Denies `jid`'s subscription request, or cancels a subscription it has to us. */
export function deny(services: Sender, jid: string): void {
  services.send(buildUnsubscribed(jid));
}
/** Stops seeing `jid`'s presence. */
export function unsubscribe(services: Sender, jid: string): void {
  services.send(buildUnsubscribe(jid));
}
/** Broadcasts our presence; `extensions` such as a caps `<c/>` are appended (XEP-0115 §6.1). */
export function setPresence(
  services: Sender,
  show: Show | 'unavailable',
  status?: string,
  options: { priority?: number; extensions?: readonly Element[] } = {},
): void {
  services.send(buildPresence(show, status, options.priority, options.extensions));
}

const SHOW_RANK: Record<Show, number> = { chat: 5, available: 4, away: 3, xa: 2, dnd: 1 };

/**
 * The presence to show for a contact: its available resource with the highest priority, the
 * more available show breaking ties (RFC 6121 §4.7.2.3 and §8 use priority for delivery; here for display).
 */
export function aggregate(resources: Record<string, ResourcePresence> | undefined): (ResourcePresence & { jid: string }) | undefined {
  let best: (ResourcePresence & { jid: string }) | undefined;
  for (const [jid, p] of Object.entries(resources ?? {})) {
    if (!best || p.priority > best.priority || (p.priority === best.priority && SHOW_RANK[p.show] > SHOW_RANK[best.show])) {
      best = { jid, ...p };
    }
  }
  return best;
}

/**
 * The presence actor: announces our own presence (every presence we broadcast goes out here, with
 * our caps), tracks who is available with which show/status/priority, our own reflected presence,
 * and the subscription requests waiting for an answer.
 */
export function createPresenceLogic(services: FeatureServices) {
  return setup({
    types: {
      context: {} as PresenceContext,
      events: {} as PresenceEvent,
      input: {} as FeatureInput,
    },
    actions: {
      // Presences from the network, one or a socket read's worth (`presence.batch`): one step each way.
      notePresences: enqueueActions(({ context, event, enqueue }) => {
        const events = event.type === 'presence.batch' ? event.events : isRouted(event) ? [event] : [];
        const { changes, notifications } = applyPresences(context, events);
        for (const notification of notifications) enqueue(() => services.notify(notification));
        if (Object.keys(changes).length > 0) enqueue.assign(changes);
      }),
      /** Sends `intended` (or the presence being set) when the stream should carry it. */
      announce: enqueueActions(({ context, event, enqueue, system }) => {
        let intended = context.intended;
        if (event.type === 'presence.set') {
          const checked = checkOwnPresence(event);
          if (typeof checked === 'string') {
            enqueue(() => services.logger.warn(`presence.set ignored: ${checked}`));
            return;
          }
          intended = checked;
          enqueue.assign({ intended });
        }
        const fresh = event.type === 'session.online' && !event.resumed;
        const online = event.type === 'session.online' || (context.online && event.type !== 'session.offline');
        const announced = fresh ? undefined : context.announced;
        let due: boolean;
        if (!online) due = false;
        else if (event.type === 'presence.set') due = true;
        // What goes into our presence changed (caps hashed our ver, the vCard avatar hash).
        else if (event.type === 'presence.refresh') due = announced !== undefined;
        // A fresh session starts unavailable; a resumed one still carries what we last sent.
        else due = announced === undefined ? context.announceOnline : !samePresence(announced, intended);
        if (!due) return;
        const { show, status, priority } = intended;
        const stanza = buildPresence(show, status, priority, ownPresenceExtensions(system));
        enqueue(() => services.send(stanza));
        enqueue.assign({ announced: intended });
      }),
      sendDirected: enqueueActions(({ event, enqueue, system }) => {
        if (event.type !== 'presence.direct') return;
        const to = normalizeJid(event.to);
        const checked = event.show === 'unavailable' ? undefined : checkOwnPresence(event);
        if (to === undefined || typeof checked === 'string') {
          enqueue(() => services.logger.warn('presence.direct ignored: needs a JID and a usable show/status', { to: event.to }));
          return;
        }
        const stanza =
          checked === undefined
            ? buildPresence('unavailable', event.status)
            : buildPresence(checked.show, checked.status, undefined, ownPresenceExtensions(system));
        stanza.attrs.to = to;
        enqueue(() => services.send(stanza));
      }),
      sendSubscriptionChange: ({ event }) => {
        if (event.type !== 'presence.subscribe' && event.type !== 'presence.unsubscribe') return;
        if (bareJid(event.jid) === undefined) {
          services.logger.warn(`${event.type} ignored: not a JID`, { jid: event.jid });
          return;
        }
        if (event.type === 'presence.subscribe') subscribe(services, event.jid, event.status);
        else unsubscribe(services, event.jid);
      },
      forgetRequest: assign({
        pending: ({ context, event }) => {
          const jid = 'jid' in event ? bareJid(event.jid) : undefined;
          return jid === undefined ? context.pending : without(context.pending, jid);
        },
      }),
      sendApproval: ({ event }) => {
        if (event.type === 'presence.approve' && bareJid(event.jid) !== undefined) approve(services, event.jid);
      },
      sendDenial: ({ event }) => {
        if (event.type === 'presence.deny' && bareJid(event.jid) !== undefined) deny(services, event.jid);
      },
      goOnline: assign(({ event }) => (event.type === 'session.online' ? { me: normalizeJid(event.jid), online: true } : {})),
      goOffline: assign({ online: false }),
      // Presence is per session: a fresh one starts from nothing (the server sends every contact's
      // presence again after our initial presence); a resumed one carries on, so a drop forgets nothing.
      forgetPresences: assign({ resources: {}, own: undefined }),
      forgetAnnounced: assign({ announced: undefined }),
    },
    guards: {
      isFreshSession: ({ event }) => event.type === 'session.online' && !event.resumed,
    },
  }).createMachine({
    id: 'presence',
    context: ({ input }) => ({
      resources: {},
      pending: {},
      own: undefined,
      me: input.jid === undefined ? undefined : normalizeJid(input.jid),
      online: input.jid !== undefined,
      intended: { show: 'available' },
      announced: undefined,
      announceOnline: input.initialPresence,
    }),
    on: {
      'presence.available': { actions: 'notePresences' },
      'presence.unavailable': { actions: 'notePresences' },
      'presence.subscriptionRequest': { actions: 'notePresences' },
      'presence.subscriptionWithdrawn': { actions: 'notePresences' },
      'presence.batch': { actions: 'notePresences' },
      'presence.set': { actions: 'announce' },
      'presence.refresh': { actions: 'announce' },
      'presence.subscribe': { actions: 'sendSubscriptionChange' },
      'presence.direct': { actions: 'sendDirected' },
      'presence.unsubscribe': { actions: 'sendSubscriptionChange' },
      'presence.approve': { actions: ['sendApproval', 'forgetRequest'] },
      'presence.deny': { actions: ['sendDenial', 'forgetRequest'] },
      'session.online': [
        { guard: 'isFreshSession', actions: ['forgetPresences', 'forgetAnnounced', 'announce', 'goOnline'] },
        { actions: ['announce', 'goOnline'] },
      ],
      'session.offline': { actions: 'goOffline' },
    },
  });
}

export type PresenceLogic = ReturnType<typeof createPresenceLogic>;
