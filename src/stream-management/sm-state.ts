/**
 * XEP-0198 (Stream Management, v1.6.x) counters and the unacknowledged outbound queue.
 * Pure bookkeeping: the transport calls it for every stanza in and out, so `h` is exact no
 * matter which feature consumes an inbound stanza (IQ replies included).
 */
export const NS_SM = 'urn:xmpp:sm:3';

// XEP-0198 §4: "h" wraps around at 2^32.
const H_MODULO = 2 ** 32;

export interface SmSessionInfo {
  id: string;
  /**
   * XEP-0198 §5: the server's preferred reconnect location. Recorded, never followed: a resume
   * goes to the service the app named, so a forged `location` cannot send the session elsewhere.
   */
  location: string | undefined;
  resumable: boolean;
}

export type AckOutcome =
  | { ok: true; acked: string[] }
  /** The peer acknowledged stanzas that were never sent (XEP-0198 §4 `undefined-condition`). */
  | { ok: false; reason: string };

export class StreamManagementState {
  /** Set once `<enabled/>` arrived on the current stream. */
  enabled = false;
  session: SmSessionInfo | undefined;
  /** Stanzas handled from the server on this SM session (our `h`). */
  inbound = 0;
  /** Count of our stanzas the server has acknowledged. */
  private acked = 0;
  /** Our stanzas sent since `<enable/>` and not yet acknowledged, oldest first. */
  private unacked: string[] = [];

  /** `confirmed` hears of every stanza of ours the server acknowledged (live acks, and the `h` of a resume). */
  constructor(private readonly confirmed: (stanzas: readonly string[]) => void = () => {}) {}

  get unackedCount(): number {
    return this.unacked.length;
  }

  /** Our stanzas the server has not acknowledged yet, oldest first (a copy). */
  get outstanding(): readonly string[] {
    return [...this.unacked];
  }

  /** XEP-0198 §3: both counters start at zero with `<enable/>`/`<enabled/>`. */
  startEnable(): void {
    this.inbound = 0;
    this.acked = 0;
    this.unacked = [];
  }

  onEnabled(session: SmSessionInfo): void {
    this.enabled = true;
    this.session = session.resumable ? session : undefined;
  }

  recordInbound(): void {
    if (this.enabled) this.inbound = (this.inbound + 1) % H_MODULO;
  }

  recordOutbound(stanza: string): void {
    if (this.enabled) this.unacked.push(stanza);
  }

  /**
   * XEP-0198 §4: "When a party receives an <a/> element, it SHOULD keep a record of the 'h'
   * value returned as the sequence number of the last handled outbound stanza".
   */
  onAck(h: number): AckOutcome {
    if (!Number.isInteger(h) || h < 0 || h >= H_MODULO) return { ok: false, reason: `malformed h "${h}"` };
    const newlyAcked = (h - this.acked + H_MODULO) % H_MODULO;
    if (newlyAcked > this.unacked.length) {
      return { ok: false, reason: `h=${h} acknowledges ${newlyAcked} stanzas but only ${this.unacked.length} are outstanding` };
    }
    this.acked = h;
    const acked = this.unacked.splice(0, newlyAcked);
    if (acked.length > 0) this.confirmed(acked);
    return { ok: true, acked };
  }

  /** The connection dropped: counters stay for a resume, nothing is enabled on the next stream yet. */
  onDisconnect(): void {
    this.enabled = false;
  }

  /** Resumption succeeded: returns what the server did not get, to be sent again in order. */
  onResumed(h: number): AckOutcome {
    const outcome = this.onAck(h);
    if (!outcome.ok) return outcome;
    this.enabled = true;
    const resend = this.unacked;
    this.unacked = [];
    return { ok: true, acked: resend };
  }

  /**
   * Resumption failed: the old session is gone. Returns the stanzas it never acknowledged so the
   * caller can send them again on the new session (XEP-0198 §5: a `<failed/>` may carry `h`).
   */
  onResumeFailed(h: number | undefined): string[] {
    if (h !== undefined) this.onAck(h);
    const leftover = this.unacked;
    this.reset();
    return leftover;
  }

  reset(): void {
    this.enabled = false;
    this.session = undefined;
    this.inbound = 0;
    this.acked = 0;
    this.unacked = [];
  }
}
