import { assign, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import { bareJid } from '../../jid.js';
import type { BlockingLogic } from '../blocking/blocking.machine.js';
import type { RosterLogic } from '../roster/roster.machine.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { receive } from './chat.inbound.js';
import { compose, correct, markRead, pause, retract, send } from './chat.outbound.js';
import { ChatStep } from './chat.tools.js';
import type { OutboundReportEvent, SessionLifecycleEvent } from '../feature.js';
import { receiveArchived } from './chat.archived.js';
import type { ArchiveAppliedEvent } from '../archive/archive.types.js';
import type { ChatArchivedEvent, ChatBatchEvent, ChatContext, ChatEvent, ChatMessageError, ChatSendEvent } from './chat.types.js';
import { conversationLogic, type ConversationLogic } from './conversation.machine.js';

export { conversationId } from './chat.tools.js';

/** How long after the last `composing` we tell the peer we paused (XEP-0085 §2 suggests about 5 s). */
export const DEFAULT_PAUSE_DELAY = 10_000;

export interface ChatLogicOptions {
  /** Wall clock in ms since the epoch, for message stamps. @default Date.now */
  now?: () => number;
  /** Ids for outgoing messages (stanza `id` = origin-id). @default crypto.randomUUID */
  newId?: () => string;
  /** Ms after the last `chat.compose composing` before `paused` is sent. @default DEFAULT_PAUSE_DELAY */
  pauseDelay?: number;
  /**
   * Ask for a XEP-0184 receipt with every message (what moves it to `delivered`). Each receipt is a
   * stanza the server routes back, so a bulk sender may turn this off. @default true
   */
  requestReceipts?: boolean;
}

/**
 * Sends `body` to `to` through a running chat manager (the actor, or the client's session system).
 * The message appears in `chat:<bare to>` with state `sending`, then `sent` once the server confirms it.
 */
export function sendMessage(
  chat: { send(event: ChatEvent): void },
  to: string,
  body: string,
  options: Pick<ChatSendEvent, 'id' | 'private'> = {},
): void {
  chat.send({ type: 'chat.send', to, body, ...options });
}

/** What a message the client stopped before the server confirmed shows as. */
const NOT_SENT: ChatMessageError = {
  condition: 'not-sent',
  text: 'the client stopped before the server confirmed this message; it may not have arrived',
};

/** One event's work, on the step's tools (a batch runs this per routed event). */
function handleOne(
  tools: ChatStep,
  event: Exclude<ChatEvent, ChatBatchEvent | ChatArchivedEvent | SessionLifecycleEvent | OutboundReportEvent>,
): void {
  switch (event.type) {
    case 'chat.message':
      receive(tools, event.message, 'in', 'live');
      break;
    case 'chat.carbon':
      receive(tools, event.message, event.direction, 'carbon');
      break;
    case 'chat.bounce': {
      const peer = bareJid(event.from);
      if (peer !== undefined) tools.deliver(peer, { type: 'conversation.bounced', id: event.id, error: event.error }, false);
      break;
    }
    case 'chat.markRead':
      markRead(tools, event);
      break;
    case 'chat.send':
      send(tools, event);
      break;
    case 'chat.compose':
      compose(tools, event);
      break;
    case 'chat.composePause':
      pause(tools, event.jid);
      break;
    case 'chat.correct':
      correct(tools, event);
      break;
    case 'chat.retract':
      retract(tools, event);
      break;
  }
}

/**
 * The chat manager: one `chat:<bareJid>` child per conversation, spawned on the first message in
 * or out. It parses nothing itself (route and the carbons feature did), checks who may say what
 * about which message, stamps and ids messages, answers XEP-0184 receipt requests, writes
 * outgoing stanzas and tells the app about new messages.
 */
export function createChatLogic(services: FeatureServices, options: ChatLogicOptions = {}) {
  const now = options.now ?? (() => Date.now());
  const newId = options.newId ?? (() => globalThis.crypto.randomUUID());
  const pauseDelay = options.pauseDelay ?? DEFAULT_PAUSE_DELAY;
  const requestReceipts = options.requestReceipts ?? true;

  return setup({
    types: {
      context: {} as ChatContext,
      events: {} as ChatEvent,
      input: {} as FeatureInput,
    },
    actors: { conversation: conversationLogic },
    actions: {
      // A stream that was not resumed starts a new session: what arrives from now on is its.
      startSession: assign(({ context, event }) =>
        event.type === 'session.online' ? { me: event.jid, sessionStart: event.resumed ? context.sessionStart : {} } : {},
      ),
      handle: enqueueActions(({ context, event, enqueue, self, system }) => {
        const blocking = system.get('blocking') as ActorRefFrom<BlockingLogic> | undefined;
        const roster = system.get('roster') as ActorRefFrom<RosterLogic> | undefined;
        const tools = new ChatStep({
          context,
          enqueue,
          children: self.getSnapshot().children as Record<string, ActorRefFrom<ConversationLogic> | undefined>,
          blocked: blocking?.getSnapshot().context.blocked ?? [],
          contacts: roster?.getSnapshot().context.items,
          services,
          requestReceipts,
          pauseDelay,
          now,
          newId,
        });

        let applied: ArchiveAppliedEvent | undefined;
        if (event.type === 'chat.batch') for (const routed of event.events) handleOne(tools, routed);
        else if (event.type === 'outbound.acked') tools.settle(event.messages, { type: 'conversation.confirmed' });
        else if (event.type === 'outbound.unsent') tools.settle(event.messages, { type: 'conversation.bounced', error: NOT_SENT });
        else if (event.type === 'chat.archived')
          applied = { type: 'archive.applied', queryId: event.queryId, added: receiveArchived(tools, event) };
        else if (event.type !== 'session.online' && event.type !== 'session.offline') handleOne(tools, event);
        const update = tools.finish();
        if (update) enqueue.assign(update);
        // The archive actor finishes a query once every page of it is in the conversations.
        const archive = applied && system.get('archive');
        if (applied && archive) enqueue.sendTo(archive, applied);
      }),
    },
  }).createMachine({
    id: 'chat',
    context: ({ input }) => ({
      me: input.jid,
      conversations: [],
      unread: {},
      archivedUpTo: undefined,
      sessionStart: {},
      messagesInMemory: input.messagesInMemory,
    }),
    on: {
      'session.online': { actions: 'startSession' },
      'chat.message': { actions: 'handle' },
      'chat.carbon': { actions: 'handle' },
      'chat.bounce': { actions: 'handle' },
      'chat.send': { actions: 'handle' },
      'chat.markRead': { actions: 'handle' },
      'chat.compose': { actions: 'handle' },
      'chat.composePause': { actions: 'handle' },
      'chat.correct': { actions: 'handle' },
      'chat.retract': { actions: 'handle' },
      'chat.batch': { actions: 'handle' },
      'chat.archived': { actions: 'handle' },
      'outbound.acked': { actions: 'handle' },
      'outbound.unsent': { actions: 'handle' },
    },
  });
}

export type ChatLogic = ReturnType<typeof createChatLogic>;
