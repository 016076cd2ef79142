import type { Actor, AnyActorRef } from 'xstate';
import { XmppAdapterError } from '../errors.js';
import { bareJid } from '../jid.js';
import type { SessionMachine } from '../machines/session.machine.js';
import { argumentError, featureLookup, jidArgument } from './require-feature.js';
import { get, type MessageStore } from '../store/message-store.js';
import { block, unblock } from '../xeps/blocking/blocking.machine.js';
import { CHAT_STATES } from '../xeps/chat/chat-states.codec.js';
import { conversationId } from '../xeps/chat/chat.machine.js';
import type { ChatMessage, ChatSendEvent, ChatState, OutOfBandLink } from '../xeps/chat/chat.types.js';
import { usableLink } from '../xeps/chat/oob.codec.js';
import type { FeatureServices } from '../xeps/feature.js';
import { NS_PRE_APPROVAL } from '../xeps/presence/presence.codec.js';
import { checkOwnPresence, subscribe } from '../xeps/presence/presence.machine.js';
import type { Show } from '../xeps/presence/presence.types.js';
import { addContact, removeContact, renameContact, setGroups as setRosterGroups } from '../xeps/roster/roster.machine.js';
import type { RosterItem } from '../xeps/roster/roster.types.js';

export interface SendMessageOptions {
  /** XEP-0280 §6: keep this message out of our other devices' carbons (and out of archives that honour `no-copy`). */
  private?: boolean;
  /** XEP-0066: a file link to show inline (http(s) only), e.g. an upload's URL. */
  oob?: OutOfBandLink;
}

export interface AddContactOptions {
  /** Roster groups (RFC 6121 §2.1.2.4). */
  groups?: readonly string[];
  /** Also ask the contact to share its presence (RFC 6121 §3.1.1). @default true */
  subscribe?: boolean;
}

/** Promise helpers over the chat feature, for apps that prefer commands to events. */
export interface MessagesApi {
  /**
   * Sends a chat message to `to` (a bare JID, or a full JID to reach one device) and resolves with
   * it as stored in `chat:<bare to>` (state `sent`: handed to the stream, which resends it after a
   * reconnect when the server resumes the session).
   */
  send(to: string, body: string, options?: SendMessageOptions): Promise<ChatMessage>;
  /** Marks the conversation with `jid` read up to message `id` (default: the newest), sending a XEP-0333 `displayed` marker. */
  markRead(jid: string, id?: string): void;
  /** XEP-0085: tells `jid` we are typing (`composing`), stopped (`paused`), … — repeated states are not resent. */
  compose(jid: string, state: ChatState): void;
  /** XEP-0308: replaces the body of our last message `id` to `jid`. */
  correct(jid: string, id: string, body: string): void;
  /** XEP-0424: retracts our message `id` to `jid`. */
  retract(jid: string, id: string): void;
}

/** Promise helpers over the roster, presence and blocking features. */
export interface ContactsApi {
  /** Adds `jid` to the roster (resolves when the server accepted it) and, unless told not to, asks for a subscription. */
  add(jid: string, name?: string, options?: AddContactOptions): Promise<void>;
  /** Removes `jid` from the roster; the server also cancels the subscriptions both ways (RFC 6121 §2.5.2). */
  remove(jid: string): Promise<void>;
  /** Renames a roster contact, keeping its groups. */
  rename(jid: string, name: string | undefined): Promise<void>;
  /** Replaces a roster contact's groups, keeping its name. */
  setGroups(jid: string, groups: readonly string[]): Promise<void>;
  /** RFC 6121 §3.3: stops receiving `jid`'s presence (cancels our subscription to it). */
  unsubscribe(jid: string): void;
  /**
   * RFC 6121 §3.4: approves `jid`'s subscription before it asks. Throws `feature-failed` when the
   * server did not offer pre-approval (the `sub` stream feature).
   */
  preApprove(jid: string): void;
  /** XEP-0191: blocks `jid` (their messages and presence no longer reach us). */
  block(jid: string): Promise<void>;
  /** XEP-0191: unblocks `jid`. */
  unblock(jid: string): Promise<void>;
  /** Approves `jid`'s subscription request (or pre-approves one). */
  approve(jid: string): void;
  /** Denies `jid`'s subscription request, or cancels its subscription to us. */
  deny(jid: string): void;
}

export interface PresenceApi {
  /** Sets our availability now and for every later session; throws on an unusable show/status/priority. */
  set(show: Show, status?: string, priority?: number): void;
  /** RFC 6121 §4.6: directed presence to one entity (e.g. show availability to someone not subscribed). */
  sendTo(jid: string, show: Show | 'unavailable', status?: string): void;
}

/**
 * Builds `client.messages`, `client.contacts` and `client.presence`. Each helper checks its
 * arguments first (an `invalid-argument` error, nothing sent), then sends the feature actor the
 * same intent an app could send to `client.actor` (directly: one transition fewer), or the IQ
 * whose answer it resolves with.
 */
export function createImApi(
  session: Actor<SessionMachine>,
  services: FeatureServices,
  isRunning: () => boolean,
): { messages: MessagesApi; contacts: ContactsApi; presence: PresenceApi } {
  const requireFeature = featureLookup(session, isRunning);
  const rosterItem = (jid: string): RosterItem | undefined => {
    const items = requireFeature('roster').getSnapshot().context.items as Record<string, RosterItem>;
    return Object.hasOwn(items, jid) ? items[jid] : undefined;
  };

  const messages: MessagesApi = {
    async send(to, body, options = {}) {
      const recipient = jidArgument(to);
      if (typeof body !== 'string' || body.length === 0) throw argumentError('a message needs a non-empty body');
      const chat = requireFeature('chat');
      const id = globalThis.crypto.randomUUID();
      if (options.oob !== undefined && usableLink(options.oob?.url, options.oob?.desc) === undefined) {
        throw argumentError('an out-of-band link needs an http(s) URL');
      }
      const intent: ChatSendEvent = {
        type: 'chat.send',
        to: recipient,
        body,
        id,
        ...(options.private ? { private: true } : {}),
        ...(options.oob ? { oob: options.oob } : {}),
      };
      chat.send(intent);
      const storedNow = () => {
        const conversation = session.system.get(conversationId(bareJid(recipient)!)) as AnyActorRef | undefined;
        return conversation ? get(conversation.getSnapshot().context.messages as MessageStore<ChatMessage>, id) : undefined;
      };
      // The chat manager stores the message while handling the intent: at once, or — when this is
      // called from inside one of its own steps (a `message` listener answering) — right after it.
      const stored = storedNow() ?? (await Promise.resolve(), storedNow());
      if (!stored) throw new XmppAdapterError('feature-failed', 'the chat feature did not take the message');
      return stored;
    },
    markRead(jid, id) {
      const peer = jidArgument(jid);
      requireFeature('chat').send(id === undefined ? { type: 'chat.markRead', jid: peer } : { type: 'chat.markRead', jid: peer, id });
    },
    compose(jid, state) {
      const peer = jidArgument(jid);
      if (!CHAT_STATES.includes(state)) throw argumentError(`state must be one of ${CHAT_STATES.join(', ')}`);
      requireFeature('chat').send({ type: 'chat.compose', jid: peer, state });
    },
    correct(jid, id, body) {
      const peer = jidArgument(jid);
      if (typeof body !== 'string' || body.length === 0) throw argumentError('a correction needs a non-empty body');
      requireFeature('chat').send({ type: 'chat.correct', jid: peer, id, body });
    },
    retract(jid, id) {
      const peer = jidArgument(jid);
      requireFeature('chat').send({ type: 'chat.retract', jid: peer, id });
    },
  };

  const contacts: ContactsApi = {
    async add(jid, name, options = {}) {
      const contact = bareJid(jidArgument(jid))!;
      requireFeature('roster');
      await addContact(services, contact, name, options.groups);
      if (options.subscribe !== false) subscribe(services, contact);
    },
    async remove(jid) {
      const contact = bareJid(jidArgument(jid))!;
      requireFeature('roster');
      await removeContact(services, contact);
    },
    async rename(jid, name) {
      const contact = bareJid(jidArgument(jid))!;
      const item = rosterItem(contact);
      if (!item) throw argumentError(`${contact} is not on the roster`);
      await renameContact(services, item, name);
    },
    async setGroups(jid, groups) {
      const contact = bareJid(jidArgument(jid))!;
      if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string' || g.length === 0)) {
        throw argumentError('groups must be a list of non-empty names');
      }
      const item = rosterItem(contact);
      if (!item) throw argumentError(`${contact} is not on the roster`);
      await setRosterGroups(services, item, groups);
    },
    unsubscribe(jid) {
      const contact = bareJid(jidArgument(jid))!;
      requireFeature('presence').send({ type: 'presence.unsubscribe', jid: contact });
    },
    preApprove(jid) {
      const contact = bareJid(jidArgument(jid))!;
      const presence = requireFeature('presence');
      // RFC 6121 §3.4: the server advertises pre-approval with <sub xmlns='urn:xmpp:features:pre-approval'/>.
      if (!session.getSnapshot().context.streamFeatures.includes(NS_PRE_APPROVAL)) {
        throw new XmppAdapterError('feature-failed', 'the server does not offer subscription pre-approval');
      }
      presence.send({ type: 'presence.approve', jid: contact });
    },
    async block(jid) {
      const target = jidArgument(jid);
      requireFeature('blocking');
      await block(services, [target]);
    },
    async unblock(jid) {
      const target = jidArgument(jid);
      requireFeature('blocking');
      await unblock(services, [target]);
    },
    approve(jid) {
      const contact = jidArgument(jid);
      requireFeature('presence').send({ type: 'presence.approve', jid: contact });
    },
    deny(jid) {
      const contact = jidArgument(jid);
      requireFeature('presence').send({ type: 'presence.deny', jid: contact });
    },
  };

  const presence: PresenceApi = {
    set(show, status, priority) {
      const checked = checkOwnPresence({ show, status, priority });
      if (typeof checked === 'string') throw argumentError(checked);
      requireFeature('presence').send({ type: 'presence.set', ...checked });
    },
    sendTo(jid, show, status) {
      const to = jidArgument(jid);
      if (show !== 'unavailable') {
        const checked = checkOwnPresence({ show, status });
        if (typeof checked === 'string') throw argumentError(checked);
      }
      requireFeature('presence').send(
        status === undefined ? { type: 'presence.direct', to, show } : { type: 'presence.direct', to, show, status },
      );
    },
  };

  return { messages, contacts, presence };
}
