import { emit, enqueueActions, setup } from 'xstate';
import type { FeatureInput, FeatureServices } from '../feature.js';
import type { Profile, ProfileContext, ProfileEmitted, ProfileEvent, ProfileNotificationEvent } from './profile.types.js';

export interface ProfileOptions {
  /** Most accounts whose profile is kept; notifications about more are dropped. @default 10000 */
  maxProfiles?: number;
}

/** `profile` with a notification's changes applied (`null` clears a field). */
export function applyProfileChange(profile: Profile | undefined, change: ProfileNotificationEvent): Profile {
  const next: Profile = { ...profile };
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
  a !== undefined && a.nick === b.nick && JSON.stringify(a.avatar) === JSON.stringify(b.avatar);

/**
 * The profile actor: keeps every account's nickname (XEP-0172) and avatar metadata (XEP-0084)
 * from PEP notifications, and emits `profile.changed` when one changes. Avatar bytes are not kept
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
      apply: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'profile.notification') return;
        const before = context.profiles[event.jid];
        if (!before && Object.keys(context.profiles).length >= context.maxProfiles) {
          services.logger.warn('profile: too many profiles, notification dropped', { jid: event.jid });
          return;
        }
        const after = applyProfileChange(before, event);
        if (same(before, after)) return;
        enqueue.assign({ profiles: { ...context.profiles, [event.jid]: after } });
        enqueue(emit({ type: 'profile.changed', jid: event.jid, profile: after }));
      }),
    },
  }).createMachine({
    id: 'profile',
    context: () => ({ profiles: {}, maxProfiles }),
    on: { 'profile.notification': { actions: 'apply' } },
  });
}

export type ProfileLogic = ReturnType<typeof createProfileLogic>;
