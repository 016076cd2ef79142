/** Why a stream ended without the app asking; the connection machine decides what follows. */
export type DropReason =
  /** Socket error or close: retry with backoff. */
  | { kind: 'network'; message: string }
  /** RFC 6120 §4.9 stream error; `conflict` and `see-other-host` get their own kinds. */
  | { kind: 'stream-error'; condition: string; text?: string }
  /** RFC 6120 §4.9.3.3: another session took our resource. Terminal. */
  | { kind: 'conflict'; text?: string }
  /** RFC 6120 §4.9.3.19: the server names another host to connect to. */
  | { kind: 'see-other-host'; host: string }
  /** The peer broke a protocol rule (e.g. acknowledged stanzas never sent). */
  | { kind: 'protocol'; message: string }
  /** Nothing came back in time (connect attempt or keepalive). */
  | { kind: 'timeout'; message: string };

/** RFC 6120 §4.9.3 conditions after which reconnecting cannot help. */
const FATAL_STREAM_CONDITIONS = new Set([
  'host-unknown',
  'improper-addressing',
  'invalid-from',
  'invalid-namespace',
  'not-authorized',
  'unsupported-version',
]);

export function isFatalStreamError(condition: string): boolean {
  return FATAL_STREAM_CONDITIONS.has(condition);
}
