import type { HostileSession } from './session.js';

/** The threat classes of the corpus, one case file each. */
export type ThreatClass =
  | 'forged-carbon'
  | 'forged-push'
  | 'mam-spoofing'
  | 'muc-spoofing'
  | 'stanza-id-spoofing'
  | 'iq-spoofing'
  | 'forged-delay'
  | 'invalid-jid'
  | 'flood';

/**
 * Snapshot parts: a feature actor's id (`chat`, `roster`, `muc`, …, its children included) or
 * `iq` (the requests still waiting for an answer).
 */
export type SnapshotPart = string;

export interface Expectation {
  /** These parts must be exactly as before the hostile input. */
  unchanged?: readonly SnapshotPart[];
  /** An error reply is due: RFC 6120 §8.3 error with this condition, to `to`, echoing `id`. */
  errorReply?: { id: string; to?: string; condition: string };
  /** Nothing at all may be sent in answer. */
  silent?: boolean;
  /** Anything more the case needs to check, after the input. */
  check?(session: HostileSession): void | Promise<void>;
}

export interface HostileCase {
  name: string;
  threat: ThreatClass;
  /** Brings the session where the case needs it (an open query, …); may return data for `stanzas`. */
  setup?(session: HostileSession): Promise<void> | void;
  /** The inbound stanzas, as XML text, delivered one socket read each (or `perRead` to a read). */
  stanzas: readonly string[] | ((session: HostileSession) => readonly string[]);
  /** Stanzas per socket read, for floods that arrive the way a busy socket delivers them. @default 1 */
  perRead?: number;
  expect: Expectation;
}

export function defineCases(cases: HostileCase[]): HostileCase[] {
  return cases;
}
