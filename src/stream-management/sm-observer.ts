import type { Element } from '@xmpp/xml';
import { parseEnabled, parseH } from './sm.codec.js';
import { NS_SM, type StreamManagementState } from './sm-state.js';

const STANZA_NAMES = new Set(['iq', 'message', 'presence']);

export interface SmObserverEffects {
  /** The peer asked for an ack: send `<a h/>` with the count of stanzas handled (now, or a little later with the newer count). */
  acknowledge(): void;
  /** Our stanzas the server confirmed. */
  acknowledged(count: number): void;
  /** The peer broke XEP-0198; the stream must be dropped. */
  violation(message: string): void;
}

/**
 * Sees every inbound top-level element synchronously, before anything else handles it, so that
 * `h` counts every stanza exactly once — including IQ replies and stanzas that arrive in the
 * same read as `<enabled/>` or `<resumed/>`.
 */
export function observeSmElement(sm: StreamManagementState, el: Element, effects: SmObserverEffects): void {
  if (STANZA_NAMES.has(el.name)) {
    sm.recordInbound();
    return;
  }
  if (el.getNS() !== NS_SM) return;
  switch (el.name) {
    case 'enabled':
      sm.onEnabled(parseEnabled(el));
      return;
    case 'resumed':
      // Counting resumes at once; the negotiation step settles the outbound queue.
      sm.enabled = true;
      return;
    case 'r':
      // XEP-0198 §4: "When an <r/> element ("request") is received, the recipient MUST
      // acknowledge it by sending an <a/> element to the sender containing a value of 'h'".
      if (sm.enabled) effects.acknowledge();
      return;
    case 'a': {
      if (!sm.enabled) return;
      const h = parseH(el);
      const outcome = h === undefined ? { ok: false as const, reason: 'ack without a valid h' } : sm.onAck(h);
      if (outcome.ok) effects.acknowledged(outcome.acked.length);
      else effects.violation(outcome.reason);
      return;
    }
  }
}
