import { emit, enqueueActions, setup } from 'xstate';
import type { FeatureInput, FeatureServices } from '../feature.js';
import type { Profile, ProfileContext, ProfileEmitted, ProfileEvent, ProfileRoutedEvent } from './profile.types.js';

export interface ProfileOptions {
  /** Most accounts whose profile is kept; notifications about more are dropped. @default 10000 */
  maxProfiles?: number;
}

/** `profile` with a routed event's changes applied (`null` clears a field). */
export function applyProfileChange(profile: Profile | undefined, change: ProfileRoutedEvent): Profile {
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
 * The profile actor: keeps every account's nickname (XEP-0172) and avatar metadata (XEP-0084)
 * from PEP notifications, and the vCard avatar hash (XEP-0153) from presence, and emits
 * `profile.changed` when one changes. Avatar bytes are not kept
 * here (they are not plain data): `fetchAvatar` reads them by the metadata's id through a cache.
 */
export function createProfileLogic(services: FeatureServices, options: ProfileOptions = {}) {
  const maxProfiles = options.maxProfiles ?? 10_000;
  return setup({
    types: {
      context: {} as ProfileContext,
      events: {} as ProfileEvent,
      input: {} as FeatureInput,
      emitted: {} as ProfileEmitted,
    },
    actions: {
      // One transition per socket read (the feature batches: presences are on the hot path).
      apply: enqueueActions(({ context, event, enqueue }) => {
        const events =
          event.type === 'profile.batch' ? event.events : event.type.startsWith('profile.') ? [event as ProfileRoutedEvent] : [];
        let profiles = context.profiles;
        let count = Object.keys(profiles).length;
        const changed = new Map<string, Profile>();
        for (const routed of events) {
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
        if (changed.size === 0) return;
        enqueue.assign({ profiles });
        for (const [jid, profile] of changed) enqueue(emit({ type: 'profile.changed', jid, profile }));
      }),
    },
  }).createMachine({
    id: 'profile',
    context: () => ({ profiles: {}, maxProfiles }),
    on: {
      'profile.notification': { actions: 'apply' },
      'profile.vcardAvatar': { actions: 'apply' },
      'profile.batch': { actions: 'apply' },
    },
  });
}

export type ProfileLogic = ReturnType<typeof createProfileLogic>;
