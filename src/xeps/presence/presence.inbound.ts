import { bareJid } from '../../jid.js';
import type { AppNotification } from '../../client/notifications.js';
import { RecordDraft, withEntry, without } from '../keyed-record.js';
import type { PendingRequest, PresenceContext, PresenceRoutedEvent, ResourcePresence } from './presence.types.js';

export const MAX_TRACKED_ENTITIES = 5000;
export const MAX_RESOURCES_PER_ENTITY = 50;
export const MAX_PENDING_REQUESTS = 500;

/**
 * Presences from the network (one, or a socket read's worth) applied to the context in one step:
 * the per-JID records are copied once per step, so a flood of presences costs one copy, not one
 * per presence. Returns the context changes and the app notifications to send.
 */
export function applyPresences(
  context: Pick<PresenceContext, 'resources' | 'pending' | 'own' | 'me'>,
  events: readonly PresenceRoutedEvent[],
): { changes: Partial<PresenceContext>; notifications: AppNotification[] } {
  const resources = new RecordDraft(context.resources, MAX_TRACKED_ENTITIES);
  const pending = new RecordDraft(context.pending, MAX_PENDING_REQUESTS);
  let own = context.own;
  const notifications: AppNotification[] = [];
  for (const event of events) {
    const { from } = event;
    switch (event.type) {
      case 'presence.available': {
        const { type: _type, from: _from, ...presence } = event;
        if (from === context.me) {
          own = presence;
          break;
        }
        const bare = bareJid(from)!;
        const entity: Record<string, ResourcePresence> = resources.get(bare) ?? {};
        resources.set(bare, withEntry(entity, from, presence, MAX_RESOURCES_PER_ENTITY));
        break;
      }
      case 'presence.unavailable': {
        if (from === context.me) {
          own = undefined;
          break;
        }
        const bare = bareJid(from)!;
        const entity = resources.get(bare);
        if (entity === undefined) break;
        // An unavailable presence from the bare JID ends every resource of the entity.
        const left = from === bare ? {} : without(entity, from);
        if (Object.keys(left).length === 0) resources.delete(bare);
        else resources.set(bare, left);
        break;
      }
      case 'presence.subscriptionRequest': {
        const request: PendingRequest = event.status === undefined ? { jid: from } : { jid: from, status: event.status };
        // A repeated request is the same question: the app hears of it once.
        if (!pending.has(from)) notifications.push({ type: 'contact.request', ...request });
        pending.set(from, request);
        break;
      }
      case 'presence.subscriptionWithdrawn':
        pending.delete(from);
        break;
    }
  }
  const changes: Partial<PresenceContext> = {};
  if (resources.result() !== context.resources) changes.resources = resources.result();
  if (pending.result() !== context.pending) changes.pending = pending.result();
  if (own !== context.own) changes.own = own;
  return { changes, notifications };
}
