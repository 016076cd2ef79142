import type { Element } from '@xmpp/xml';
import type { DropReason } from '../wire/drop-reason.js';
import type { SentMessageRef } from '../wire/stanza-head.js';

/** Commands the transport accepts. Stanzas are the one place where XML elements travel. */
export type TransportCommand =
  | { type: 'transport.connect'; service: string }
  | { type: 'transport.send'; stanza: Element }
  /**
   * A nonza (a top-level element that is not a stanza, e.g. XEP-0352 `<inactive/>`): written only
   * while online, never counted by stream management, never queued — it belongs to its stream.
   */
  | { type: 'transport.sendNonza'; element: Element }
  /** XEP-0198 `<r/>`: ask the server to acknowledge (keepalive probe). */
  | { type: 'transport.requestAck' }
  /** Drop the socket now, e.g. a keepalive or connect attempt timed out. */
  | { type: 'transport.abort'; reason: DropReason }
  /** Graceful close: unavailable presence, final ack, closing stream handshake. */
  | { type: 'transport.close' };

/** What the transport reports to the session. */
export type TransportEvent =
  | { type: 'transport.authenticating'; mechanism: string }
  | { type: 'transport.binding' }
  | { type: 'transport.online'; jid: string; resumed: boolean; smEnabled: boolean; secure: boolean; streamFeatures?: readonly string[] }
  | { type: 'transport.authFailed'; condition: string; text?: string }
  | { type: 'transport.dropped'; reason: DropReason }
  | { type: 'transport.closed' }
  | { type: 'transport.stanza'; stanza: Element }
  /** Every stanza parsed from one socket read, in order: one session transition for all of them. */
  | { type: 'transport.stanzas'; stanzas: readonly Element[] }
  /** The server confirmed these messages of ours (XEP-0198 acks, or the write on a stream without it). */
  | { type: 'transport.acked'; messages: readonly SentMessageRef[] }
  /** The client closed before the server confirmed these messages of ours: they may never have arrived. */
  | { type: 'transport.unsent'; messages: readonly SentMessageRef[] };

/** What the transport says about our own messages. */
export type TransportOutboundEvent = Extract<TransportEvent, { type: 'transport.acked' | 'transport.unsent' }>;

export type TransportLifecycleEvent = Exclude<TransportEvent, { type: 'transport.stanza' | 'transport.stanzas' } | TransportOutboundEvent>;
