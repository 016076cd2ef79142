import type { SnapshotFrom } from 'xstate';
import { bareJid } from '../../jid.js';
import type { ProfileLogic } from './profile.machine.js';
import type { Profile } from './profile.types.js';

export interface ProfileView {
  /** The profile of `jid` (any JID form of the account); empty when nothing is known. */
  of(jid: string): Profile;
  /** The name to show: the nickname when one is published, else `fallback` (e.g. the roster name), else the bare JID. */
  displayName(jid: string, fallback?: string): string;
  /** Every account with something known, by bare JID. */
  all: Record<string, Profile>;
}

/** A UI-ready view of the profile actor's snapshot. */
export function connectProfiles(snapshot: SnapshotFrom<ProfileLogic>): ProfileView {
  const { profiles } = snapshot.context;
  const of = (jid: string): Profile => {
    const bare = bareJid(jid);
    return (bare === undefined ? undefined : profiles[bare]) ?? {};
  };
  return {
    of,
    displayName: (jid, fallback) => of(jid).nick ?? fallback ?? bareJid(jid) ?? jid,
    all: profiles,
  };
}
