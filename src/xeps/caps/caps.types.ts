import type { SessionLifecycleEvent } from '../feature.js';
import type { DiscoIdentity, DiscoInfo } from '../disco/disco.types.js';

/** Hash functions this library can verify (names from the IANA Hash Function Textual Names registry). */
export type CapsHashName = 'sha-1' | 'sha-256' | 'sha-384' | 'sha-512';

/** A `<c xmlns='http://jabber.org/protocol/caps'/>` element as plain data. */
export interface CapsAnnouncement {
  /** Absent in the pre-1.4 legacy format, which this library ignores. */
  hash?: string;
  node: string;
  ver: string;
  /** Deprecated legacy feature bundles; read, never used. */
  ext?: string;
}

/** A presence told us that `from` uses `ver`. */
export interface CapsAnnouncedEvent {
  type: 'caps.announced';
  /** The sender's normalised full JID. */
  from: string;
  hash: string;
  node: string;
  ver: string;
}

/** `from` went offline: it no longer uses any `ver`. */
export interface CapsGoneEvent {
  type: 'caps.gone';
  from: string;
}

/** What the caps route hands to the caps actor. */
export type CapsRoutedEvent = CapsAnnouncedEvent | CapsGoneEvent;

/** One verification to do: ask `jid` for `node#ver` and check the answer hashes to `ver`. */
export interface CapsCandidate {
  jid: string;
  hash: CapsHashName;
  node: string;
  ver: string;
}

/** What a verified `ver` vouches for. */
export interface CapsRecord {
  identities: DiscoIdentity[];
  features: string[];
}

/** The output of one verification actor; it never rejects, so one outcome event covers every case. */
export type CapsVerifyOutcome =
  | ({ ver: string; outcome: 'verified' } & CapsRecord)
  /** The answer did not hash to `ver` or was ill-formed (§5.4): never trust this `ver`. */
  | { ver: string; outcome: 'invalid'; reason: string }
  /** No usable answer (timeout, abort): forget the attempt so a later presence may retry. */
  | { ver: string; outcome: 'unanswered'; reason: string };

/** The caps of one socket read's presences, in order (`FeatureModule.batches`). */
export interface CapsBatchEvent {
  type: 'caps.batch';
  events: readonly CapsRoutedEvent[];
}

export type CapsEvent =
  CapsRoutedEvent | CapsBatchEvent | SessionLifecycleEvent | { type: `xstate.done.actor.${string}`; output: CapsVerifyOutcome };

export interface CapsContext {
  /** Our own identity and features, the input of our verification string. */
  own: DiscoInfo;
  /** Our own verification string, once hashed. */
  ownVer: string | undefined;
  /** Verified `ver` → identities and features (the cache §8.2 recommends). */
  known: Record<string, CapsRecord>;
  /** `ver` → why it failed verification; such a `ver` is never asked about again. */
  failed: Record<string, string>;
  /** Normalised full JID → the `ver` it announced last. */
  jidToVer: Record<string, string>;
  /** Verifications in flight, by `ver`. */
  inFlight: Record<string, CapsCandidate>;
  /** Verifications waiting for a free slot, oldest first. */
  queue: CapsCandidate[];
}
