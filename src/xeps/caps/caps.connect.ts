import type { SnapshotFrom } from 'xstate';
import { normalizeJid } from '../../jid.js';
import { lookup } from '../keyed-record.js';
import type { CapsLogic } from './caps.machine.js';

export interface CapsView {
  /** The verified features of the client behind `jid` (a full JID); undefined while unknown or unverified. */
  featuresOf(jid: string): readonly string[] | undefined;
  /** Whether `jid` is known to support `ns` (false while unknown). */
  supports(jid: string, ns: string): boolean;
  /** Our own verification string, once hashed. */
  ownVer: string | undefined;
}

/** A UI-ready view of the caps actor's snapshot. */
export function connectCaps(snapshot: SnapshotFrom<CapsLogic>): CapsView {
  const { known, jidToVer, ownVer } = snapshot.context;
  const featuresOf = (jid: string) => {
    const key = normalizeJid(jid);
    const ver = key === undefined ? undefined : lookup(jidToVer, key);
    return ver === undefined ? undefined : lookup(known, ver)?.features;
  };
  return {
    featuresOf,
    supports: (jid, ns) => featuresOf(jid)?.includes(ns) ?? false,
    ownVer,
  };
}
