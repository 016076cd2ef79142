import { bareJid, normalizeJid } from '../../jid.js';
import { at, get, has, positionOf } from '../../store/message-store.js';
import { buildChatMessage, buildMarker, usableId } from './chat.codec.js';
import { buildChatState, isChatState } from './chat-states.codec.js';
import { buildRetraction } from './edits.codec.js';
import { usableLink } from './oob.codec.js';
import type { ChatTools } from './chat.tools.js';
import type {
  ChatComposeEvent,
  ChatCorrectEvent,
  ChatMarkReadEvent,
  ChatMessage,
  ChatRetractEvent,
  ChatSendEvent,
  ChatState,
  ConversationContext,
  ConversationEvent,
} from './chat.types.js';
import { MAX_BODY_LENGTH } from './chat.codec.js';
import { lastOutgoing, wireIdOf } from './conversation.machine.js';

const validBody = (body: unknown): body is string => typeof body === 'string' && body.length > 0 && body.length <= MAX_BODY_LENGTH;

/**
 * XEP-0085 §5.1 rule 3: "If the Contact replies to the initial content message but does not include
 * a chat state notification extension, the User MUST NOT send subsequent chat state notifications".
 */
const statesRefused = (conversation: ConversationContext | undefined) => conversation?.peerChatStates === false;

export function send(tools: ChatTools, event: ChatSendEvent): void {
  const to = normalizeJid(event.to);
  const peer = bareJid(event.to);
  if (to === undefined || peer === undefined || !validBody(event.body)) {
    tools.warn('chat.send ignored: needs a JID and a non-empty body', { to: event.to });
    return;
  }
  const conversation = tools.conversation(peer);
  const wanted = usableId(event.id);
  const id = wanted !== undefined && !(conversation && has(conversation.messages, wanted)) ? wanted : tools.newId();
  // `sending` until the server confirms it (the transport reports the XEP-0198 ack).
  const message: ChatMessage = {
    id,
    direction: 'out',
    from: tools.context.me ?? '',
    to,
    body: event.body,
    stamp: new Date(tools.now()).toISOString(),
    originId: id,
    state: 'sending',
  };
  // XEP-0085 §5.1 rule 1: "the initial content message sent to the Contact MUST contain a chat state
  // notification extension, which SHOULD be <active/>".
  const oob = event.oob === undefined ? undefined : usableLink(event.oob?.url, event.oob?.desc);
  if (event.oob !== undefined && oob === undefined) {
    tools.warn('chat.send ignored: the out-of-band link must be an http(s) URL', { to: event.to });
    return;
  }
  if (oob) message.oob = oob;
  const active = !statesRefused(conversation);
  tools.write(
    buildChatMessage({
      to,
      body: event.body,
      id,
      active,
      private: event.private === true,
      receipt: tools.requestReceipts,
      ...(oob ? { oob } : {}),
    }),
  );
  tools.deliver(peer, { type: 'conversation.add', message }, true);
  tools.added(peer, message);
  if (active) {
    // The pause timer runs only while our last state is `composing` (see compose).
    if (conversation?.sentState === 'composing') tools.cancelPause(peer);
    tools.deliver(peer, { type: 'conversation.stateSent', state: 'active' }, true);
  }
}

/**
 * Our chat state. A state already sent is not sent again (§5.3: "a client MUST NOT send a second
 * instance of any given standalone notification"); `composing` (re)starts the pause timer.
 */
export function compose(tools: ChatTools, event: ChatComposeEvent): void {
  const to = normalizeJid(event.jid);
  const peer = bareJid(event.jid);
  if (to === undefined || peer === undefined || !isChatState(event.state)) {
    tools.warn('chat.compose ignored: needs a JID and a chat state', { jid: event.jid });
    return;
  }
  const conversation = tools.conversation(peer);
  // §5.1 rule 2: "Until receiving a reply to the initial content message (or a standalone
  // notification) from the Contact, the User MUST NOT send subsequent chat state notifications".
  if (conversation?.peerChatStates !== true) return;
  if (event.state === 'composing') tools.schedulePause(peer);
  else tools.cancelPause(peer);
  sendState(tools, to, peer, conversation, event.state);
}

/** The pause delay after our last `composing` ran out: tell the peer we stopped typing. */
export function pause(tools: ChatTools, peer: string): void {
  const conversation = tools.conversation(peer);
  if (conversation?.sentState === 'composing') sendState(tools, peer, peer, conversation, 'paused');
}

function sendState(tools: ChatTools, to: string, peer: string, conversation: ConversationContext, state: ChatState): void {
  if (conversation.sentState === state) return;
  tools.write(buildChatState(to, state));
  tools.deliver(peer, { type: 'conversation.stateSent', state }, false);
}

/** Our own outgoing message `id` in the conversation with `jid`, if it may still be edited. */
function ownMessage(tools: ChatTools, jid: string, id: string): { peer: string; message: ChatMessage } | undefined {
  const peer = bareJid(jid);
  const conversation = peer === undefined ? undefined : tools.conversation(peer);
  const message = conversation && typeof id === 'string' ? get(conversation.messages, id) : undefined;
  if (peer === undefined || !message || message.direction !== 'out' || message.retracted) return undefined;
  return { peer, message };
}

export function correct(tools: ChatTools, event: ChatCorrectEvent): void {
  const own = ownMessage(tools, event.jid, event.id);
  const conversation = own && tools.conversation(own.peer);
  // XEP-0308 §1: a correction is for "the last sent message"; older ones are out of its scope (§4).
  if (!own || !conversation || lastOutgoing(conversation.messages)?.id !== own.message.id || !validBody(event.body)) {
    tools.warn('chat.correct ignored: only our last outgoing message can be corrected, with a non-empty body', { id: event.id });
    return;
  }
  if (own.message.body === event.body) return;
  const id = tools.newId();
  // XEP-0308 §4: "the sender MUST re-send the entire stanza, only altering id and the payloads being
  // corrected and adding the 'replace' payload"; and "If the same message is to be corrected several
  // times, the id of the original message is used in each case".
  const active = !statesRefused(conversation);
  tools.write(buildChatMessage({ to: own.message.to, body: event.body, id, active, replace: wireIdOf(own.message) }));
  tools.deliver(own.peer, { type: 'conversation.corrected', id: own.message.id, body: event.body }, false);
}

export function retract(tools: ChatTools, event: ChatRetractEvent): void {
  const own = ownMessage(tools, event.jid, event.id);
  if (!own) {
    tools.warn('chat.retract ignored: not one of our outgoing messages', { id: event.id });
    return;
  }
  // XEP-0424 §5.1: "For other message types the sender should use the value of the 'id' attribute on the <message> element."
  tools.write(buildRetraction({ to: own.message.to, id: tools.newId(), retracts: wireIdOf(own.message) }));
  tools.deliver(own.peer, { type: 'conversation.retracted', id: own.message.id }, false);
}

export function markRead(tools: ChatTools, event: ChatMarkReadEvent): void {
  const peer = bareJid(event.jid);
  const conversation = peer === undefined ? undefined : tools.conversation(peer);
  if (peer === undefined || conversation === undefined) return;
  const { messages, markerSent } = conversation;
  const target = event.id === undefined ? messages.size - 1 : positionOf(messages, event.id);
  if (target === -1) return;
  const sentUpTo = markerSent === undefined ? -1 : positionOf(messages, markerSent);
  let marked: string | undefined;
  for (let p = target; p > sentUpTo; p--) {
    const message = at(messages, p)!;
    if (message.direction !== 'in' || message.markableId === undefined || message.retracted) continue;
    // XEP-0333 §5.3: "an entity MUST NOT send a Chat Marker to mark up to a Chat Marker" (only content messages are markable here).
    tools.write(buildMarker(peer, message.markableId, 'displayed', tools.newId()));
    marked = message.id;
    break;
  }
  const update: ConversationEvent = { type: 'conversation.markRead' };
  if (event.id !== undefined) update.id = event.id;
  if (marked !== undefined) update.markerSent = marked;
  tools.deliver(peer, update, false);
}
