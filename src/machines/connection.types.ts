import type { DropReason } from '../wire/drop-reason.js';

export type ConnectionStatus =
  'idle' | 'connecting' | 'authenticating' | 'binding' | 'online' | 'reconnecting' | 'authFailed' | 'conflict' | 'stopping' | 'stopped';

export type ConnectionError = { kind: 'auth'; condition: string; text?: string } | DropReason;

/** What an app needs to show about the connection, readable without knowing machine internals. */
export interface ConnectionView {
  status: ConnectionStatus;
  /** Why the last attempt or session ended, or why the state is terminal. */
  error?: ConnectionError;
  /** While `reconnecting`: the wait before the next attempt, in ms, as planned when the wait began. */
  retryInMs?: number;
  /** While `reconnecting`: when the next attempt starts (ms since the epoch), for a countdown. */
  retryAt?: number;
  /** Consecutive failed attempts since the last stable session. */
  attempt: number;
  /** While `online`: whether XEP-0198 resumed the previous session (no resync needed). */
  resumed?: boolean;
  /** While `online`: the bound full JID. */
  jid?: string;
  /** While `online`: whether stream management is enabled on this stream. */
  streamManagement?: boolean;
  /** While `online`: whether the connection is encrypted (or on loopback WebSocket). */
  secure?: boolean;
  /** While `online`: the SASL mechanism used to log in. */
  mechanism?: string;
}

export type ConnectionCommand =
  | { type: 'connection.start' }
  | { type: 'connection.stop' }
  /** Skip the remaining backoff wait, e.g. the browser reported it is online again. */
  | { type: 'connection.retryNow' };
