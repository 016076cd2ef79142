import { bareJid } from '../../jid.js';
import { has } from '../../store/message-store.js';
import { buildReceipt, peerOf, toChatMessage } from './chat.codec.js';
import type { ChatTools } from './chat.tools.js';
import type { ConversationEvent, ParsedChatMessage } from './chat.types.js';
import { findByWireId } from './conversation.machine.js';

/** How a message reached us: live, copied by carbons, or paged in from the archive. */
export type Arrival = 'live' | 'carbon' | 'archive';

/**
 * One 1:1 message, live, unwrapped from a carbon or read from the archive, in the conversation with the peer:
 * the sender's bare JID for `in`, the recipient's for `out` (a sent carbon). Every payload is
 * applied to that conversation only, so whatever a message says about other messages can only
 * touch messages exchanged with its own sender.
 */
export function receive(tools: ChatTools, parsed: ParsedChatMessage, direction: 'in' | 'out', arrival: Arrival): void {
  const peer = peerOf(direction, parsed);
  if (peer === undefined) return;
  // Blocked senders: their content, markers, receipts and chat states are dropped here too (the
  // server blocks them, but stanzas already queued, or a blocklist we pushed a moment ago, get through).
  if (direction === 'in' && tools.isBlocked(parsed.from)) return;
  const conversation = tools.conversation(peer);
  const fromSelf = bareJid(parsed.from) === tools.ownBare;
  // Only the own server's stanza-id gets here (the codec checks `by`): it names the archive entry.
  if (parsed.stanzaId !== undefined && arrival !== 'archive') tools.noteArchived(parsed.stanzaId);

  if (parsed.receipt !== undefined && direction === 'in' && conversation) {
    // Only the partner's receipts count: looked up in the conversation with the sender, never spawning one.
    const original = findByWireId(conversation.messages, parsed.receipt, 'out');
    if (original) tools.deliver(peer, { type: 'conversation.delivered', id: original.id }, false);
  }

  if (parsed.marker !== undefined && conversation) applyMarker(tools, peer, parsed, direction);

  if (parsed.retract !== undefined) {
    // XEP-0424 §5: "A retraction ... MUST only be processed when both the original message and the
    // retraction request are received from the same bare-JID (in a one-on-one conversation)".
    // The conversation is the sender's, and the original must have the retraction's direction.
    const original = conversation && findByWireId(conversation.messages, parsed.retract, direction);
    if (original && !original.retracted) tools.deliver(peer, { type: 'conversation.retracted', id: original.id }, false);
  } else if (parsed.body !== undefined && parsed.replace !== undefined) {
    // XEP-0308 §4: "A correction MUST only be allowed when both the original message and correction
    // originate from the same sender" (in direct conversations "the bare-JID must match the original bare-JID").
    const original = conversation && findByWireId(conversation.messages, parsed.replace, direction);
    // Corrections never add a message: one naming an unknown (or someone else's) message is dropped.
    if (original && !original.retracted && original.body !== parsed.body) {
      tools.deliver(peer, { type: 'conversation.corrected', id: original.id, body: parsed.body }, false);
      ackIfAsked(tools, parsed, arrival === 'live', fromSelf);
    }
  } else if (parsed.body !== undefined) {
    const message = toChatMessage(parsed, direction, tools.now(), tools.newId, tools.context.me);
    const duplicate = conversation !== undefined && has(conversation.messages, message.id);
    if (!duplicate) {
      ackIfAsked(tools, parsed, arrival === 'live', fromSelf);
      // The peer's chat state rides along with its message: one conversation transition, not two.
      const add: ConversationEvent = { type: 'conversation.add', message };
      if (direction === 'in') add.peerState = { state: parsed.chatState, content: true };
      tools.deliver(peer, add, true);
      tools.added(peer, message);
      return;
    }
  }

  // XEP-0085: the peer's chat state, from the peer only (`in`: the conversation is the sender's).
  // A standalone notification does not start a conversation: there is nothing to show beside it.
  const content = parsed.body !== undefined && parsed.retract === undefined;
  // An archived message says what the peer was doing then, not now.
  if (direction === 'in' && arrival !== 'archive' && (parsed.chatState !== undefined || content)) {
    tools.deliver(peer, { type: 'conversation.peerState', state: parsed.chatState, content }, false);
  }
}

/**
 * XEP-0184 §5.5: "An entity MUST NOT send an ack message when a user views messages that have been
 * archived or stored on the client or the server", so only live, first deliveries are acked;
 * XEP-0280 §10.4: "Carbon copies of messages MUST NOT be auto-replied to under any circumstances."
 */
function ackIfAsked(tools: ChatTools, parsed: ParsedChatMessage, live: boolean, fromSelf: boolean): void {
  if (live && parsed.receiptRequested && parsed.idAttr !== undefined && !fromSelf) {
    tools.write(buildReceipt(parsed.from, parsed.idAttr, parsed.type, tools.newId()));
  }
}

function applyMarker(tools: ChatTools, peer: string, parsed: ParsedChatMessage, direction: 'in' | 'out'): void {
  const { marker, id } = parsed.marker!;
  const conversation = tools.conversation(peer)!;
  if (direction === 'in') {
    // Like receipts: only the conversation partner can mark messages of that conversation.
    const original = findByWireId(conversation.messages, id, 'out');
    const state = marker === 'received' ? 'delivered' : 'displayed';
    if (original) tools.deliver(peer, { type: 'conversation.marked', id: original.id, state }, false);
    return;
  }
  // A sent carbon of a marker another of our devices sent: the user read the conversation there.
  // XEP-0333 §6: the marker names "the 'id' of the message being marked" (an incoming markable one).
  if (marker === 'received') return;
  const read = findByWireId(conversation.messages, id, 'in', (m) => m.markableId);
  if (read) tools.deliver(peer, { type: 'conversation.readElsewhere', id: read.id }, false);
}
