import { assign, emit, enqueueActions, setup } from 'xstate';
import { errorMessage } from '../../errors.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import type {
  OwnResourceUpdateEvent,
  OwnVCardEvent,
  OwnVCardState,
  Profile,
  ProfileContext,
  ProfileEmitted,
  ProfileEvent,
  ProfileNotificationEvent,
  ProfileRoutedEvent,
  VCardAvatarEvent,
} from './profile.types.js';
import { advertisedVCardHash } from './vcard-update.js';
import { readOwnVCardHash } from './vcard.requests.js';

export interface ProfileOptions {
  /** Most accounts whose profile is kept; notifications about more are dropped. @default 10000 */
  maxProfiles?: number;
}

/** `profile` with a routed event's changes applied (`null` clears a field). */
export function applyProfileChange(profile: Profile | undefined, change: ProfileNotificationEvent | VCardAvatarEvent): Profile {
  const next: Profile = { ...profile };
  if (change.type === 'profile.vcardAvatar') {
    if (change.hash === null) delete next.vcardAvatar;
    else next.vcardAvatar = change.hash;
    return next;
  }
  if (change.nick !== undefined) {
    if (change.nick === null) delete next.nick;
    else next.nick = change.nick;
  }
  if (change.avatar !== undefined) {
    if (change.avatar === null) delete next.avatar;
    else next.avatar = change.avatar;
  }
  return next;
}

const same = (a: Profile | undefined, b: Profile): boolean =>
  a !== undefined && a.nick === b.nick && a.vcardAvatar === b.vcardAvatar && JSON.stringify(a.avatar) === JSON.stringify(b.avatar);

/**
 * The own vCard avatar state after another resource of the account spoke (XEP-0153 §4.3), and
 * whether the hash must be reset (§4.4: advertise none at once, download the vCard, advertise its
 * hash). Rule 1: a resource without the update child stops our advertising while it is online, and
 * what we learnt before is forgotten (the spec allows a reset once it is gone; none is made).
 * Rule 2: an empty update child changes nothing; an empty photo or another hash than ours means
 * the vCard changed: "the client MUST retrieve the vCard" / "MUST defer to the content of the
 * retrieved vCard by resetting its image hash".
 */
export function applyOwnResource(state: OwnVCardState, event: OwnResourceUpdateEvent): { state: OwnVCardState; reset: boolean } {
  const others = state.nonConforming.filter((jid) => jid !== event.jid);
  const { update } = event;
  // It may change the vCard unseen, so the hash learnt so far is dropped too.
  if (update === 'none') return { state: { nonConforming: [...others, event.jid] }, reset: false };
  const next = others.length === state.nonConforming.length ? state : { ...state, nonConforming: others };
  if (update === 'gone' || update === 'empty') return { state: next, reset: false };
  // Nothing advertised yet: nothing to defer; a hash is learnt by reading the vCard.
  if (next.hash === undefined || next.hash === update.hash) return { state: next, reset: false };
  return { state: { nonConforming: next.nonConforming }, reset: true };
}

const ROUTED: ReadonlySet<string> = new Set(['profile.notification', 'profile.vcardAvatar', 'profile.ownResource']);
/** An event the router made from a stanza (not the app's `profile.ownVCard`, which names no account). */
const isRouted = (event: ProfileEvent): event is ProfileRoutedEvent => ROUTED.has(event.type);

/** The own vCard state with the hash now known (`undefined`: no longer known). */
function ownVCardWith(state: OwnVCardState, hash: string | null | undefined): OwnVCardState {
  return hash === undefined ? { nonConforming: state.nonConforming } : { ...state, hash };
}

/**
 * The profile actor: keeps every account's nickname (XEP-0172) and avatar metadata (XEP-0084)
 * from PEP notifications, and the vCard avatar hash (XEP-0153) from presence, and emits
 * `profile.changed` when one changes. Avatar bytes are not kept here (they are not plain data):
 * `fetchAvatar` reads them by the metadata's id through a cache. It also keeps what our own
 * presence advertises about our vCard avatar and asks the presence actor to announce again when
 * that changes.
 */
export function createProfileLogic(services: FeatureServices, options: ProfileOptions = {}) {
  const maxProfiles = options.maxProfiles ?? 10_000;
  const relearnOwnHash = (self: { send(event: OwnVCardEvent): void }) =>
    readOwnVCardHash(services).then(
      (hash) => hash !== undefined && self.send({ type: 'profile.ownVCard', hash }),
      (error: unknown) => services.logger.warn('profile: own vCard not read again after another resource changed it', errorMessage(error)),
    );
  return setup({
    types: {
      context: {} as ProfileContext,
      events: {} as ProfileEvent,
      input: {} as FeatureInput,
      emitted: {} as ProfileEmitted,
    },
    actions: {
      // One transition per socket read (the feature batches: presences are on the hot path).
      apply: enqueueActions(({ context, event, enqueue, self, system }) => {
        const events = event.type === 'profile.batch' ? event.events : isRouted(event) ? [event] : [];
        let profiles = context.profiles;
        let count = Object.keys(profiles).length;
        let ownVCard = event.type === 'profile.ownVCard' ? ownVCardWith(context.ownVCard, event.hash) : context.ownVCard;
        let reset = false;
        const changed = new Map<string, Profile>();
        for (const routed of events) {
          if (routed.type === 'profile.ownResource') {
            const outcome = applyOwnResource(ownVCard, routed);
            ownVCard = outcome.state;
            reset ||= outcome.reset;
            continue;
          }
          const before = profiles[routed.jid];
          if (!before && count >= context.maxProfiles) {
            services.logger.warn('profile: too many profiles, event dropped', { jid: routed.jid });
            continue;
          }
          const after = applyProfileChange(before, routed);
          if (same(before, after)) continue;
          if (!before) count += 1;
          profiles = { ...profiles, [routed.jid]: after };
          changed.set(routed.jid, after);
        }
        if (changed.size > 0) enqueue.assign({ profiles });
        for (const [jid, profile] of changed) enqueue(emit({ type: 'profile.changed', jid, profile }));
        if (ownVCard === context.ownVCard) return;
        enqueue.assign({ ownVCard });
        const presence = system.get('presence');
        if (presence && advertisedVCardHash(ownVCard) !== advertisedVCardHash(context.ownVCard))
          enqueue.sendTo(presence, { type: 'presence.refresh' });
        if (reset) enqueue(() => relearnOwnHash(self));
      }),
      // A fresh session: the server sends the other resources' presences again. The hash stays:
      // it was read from the vCard, and the presence that opens this session already carries it.
      startSession: assign(({ context, event }) =>
        event.type === 'session.online' && !event.resumed ? { ownVCard: { ...context.ownVCard, nonConforming: [] } } : {},
      ),
    },
  }).createMachine({
    id: 'profile',
    context: () => ({ profiles: {}, maxProfiles, ownVCard: { nonConforming: [] } }),
    on: {
      'profile.notification': { actions: 'apply' },
      'profile.vcardAvatar': { actions: 'apply' },
      'profile.ownResource': { actions: 'apply' },
      'profile.ownVCard': { actions: 'apply' },
      'profile.batch': { actions: 'apply' },
      'session.online': { actions: 'startSession' },
    },
  });
}

export type ProfileLogic = ReturnType<typeof createProfileLogic>;
