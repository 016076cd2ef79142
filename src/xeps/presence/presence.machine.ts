import type { Element } from '@xmpp/xml';
import { assign, enqueueActions, setup } from 'xstate';
import { bareJid, normalizeJid } from '../../jid.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { buildPresence, buildSubscribe, buildSubscribed, buildUnsubscribe, buildUnsubscribed } from './presence.codec.js';
import type { PendingRequest, PresenceContext, PresenceEvent, ResourcePresence, Show } from './presence.types.js';
import { has, without, withEntry } from '../keyed-record.js';

/** Flood guards: entities and resources tracked, and pending requests kept (oldest dropped). */
export const MAX_TRACKED_ENTITIES = 5000;
export const MAX_RESOURCES_PER_ENTITY = 50;
export const MAX_PENDING_REQUESTS = 500;

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
 * more available show breaking ties (RFC 6121 §4.7.2.3 uses priority for delivery; here for display).
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
 * The presence actor: tracks who is available with which show/status/priority, our own
 * reflected presence, and the subscription requests waiting for an answer.
 */
export function createPresenceLogic(services: FeatureServices) {
  return setup({
    types: {
      context: {} as PresenceContext,
      events: {} as PresenceEvent,
      input: {} as FeatureInput,
    },
    actions: {
      noteAvailable: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'presence.available') return;
        const { from, type: _type, ...presence } = event;
        if (from === context.me) {
          enqueue.assign({ own: presence });
          return;
        }
        const bare = bareJid(from)!;
        const current = has(context.resources, bare) ? context.resources[bare]! : {};
        const entity = withEntry(current, from, presence, MAX_RESOURCES_PER_ENTITY);
        enqueue.assign({ resources: withEntry(context.resources, bare, entity, MAX_TRACKED_ENTITIES) });
      }),
      noteUnavailable: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'presence.unavailable') return;
        const { from } = event;
        if (from === context.me) {
          enqueue.assign({ own: undefined });
          return;
        }
        const bare = bareJid(from)!;
        if (!has(context.resources, bare)) return;
        // An unavailable presence from the bare JID ends every resource of the entity.
        const entity = from === bare ? {} : without(context.resources[bare]!, from);
        enqueue.assign({
          resources:
            Object.keys(entity).length === 0 ? without(context.resources, bare) : withEntry(context.resources, bare, entity, Infinity),
        });
      }),
      noteRequest: assign({
        pending: ({ context, event }) => {
          if (event.type !== 'presence.subscriptionRequest') return context.pending;
          const request: PendingRequest = event.status === undefined ? { jid: event.from } : { jid: event.from, status: event.status };
          return withEntry(context.pending, event.from, request, MAX_PENDING_REQUESTS);
        },
      }),
      forgetRequest: assign({
        pending: ({ context, event }) => {
          const jid = event.type === 'presence.subscriptionWithdrawn' ? event.from : 'jid' in event ? bareJid(event.jid) : undefined;
          return jid === undefined ? context.pending : without(context.pending, jid);
        },
      }),
      sendApproval: ({ event }) => {
        if (event.type === 'presence.approve') approve(services, event.jid);
      },
      sendDenial: ({ event }) => {
        if (event.type === 'presence.deny') deny(services, event.jid);
      },
      goOnline: assign(({ event }) => (event.type === 'session.online' ? { me: normalizeJid(event.jid) } : {})),
      // Presence is per stream: what we knew is stale once the stream is gone.
      forgetPresences: assign({ resources: {}, own: undefined }),
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
    }),
    on: {
      'presence.available': { actions: 'noteAvailable' },
      'presence.unavailable': { actions: 'noteUnavailable' },
      'presence.subscriptionRequest': { actions: 'noteRequest' },
      'presence.subscriptionWithdrawn': { actions: 'forgetRequest' },
      'presence.approve': { actions: ['sendApproval', 'forgetRequest'] },
      'presence.deny': { actions: ['sendDenial', 'forgetRequest'] },
      'session.online': [{ guard: 'isFreshSession', actions: ['forgetPresences', 'goOnline'] }, { actions: 'goOnline' }],
      'session.offline': { actions: 'forgetPresences' },
    },
  });
}

export type PresenceLogic = ReturnType<typeof createPresenceLogic>;
