import { xml, type Element } from '@xmpp/xml';
import { fromCallback } from 'xstate';
import type { TransportCommand, TransportEvent } from '../actors/transport.types.js';
import type { DropReason } from '../wire/drop-reason.js';
import { NS_STANZAS } from '../wire/namespaces.js';
import { parseXml } from './xml.js';

/**
 * Picks outgoing stanzas: a predicate, or fields that must all match — element name, `type`,
 * `to`, and the namespace of a child element.
 */
export type StanzaMatcher = ((el: Element) => boolean) | { name?: string; type?: string; to?: string; childNs?: string };

function matches(el: Element, matcher: StanzaMatcher): boolean {
  if (typeof matcher === 'function') return matcher(el);
  if (matcher.name && el.name !== matcher.name) return false;
  if (matcher.type && el.attrs.type !== matcher.type) return false;
  if (matcher.to && el.attrs.to !== matcher.to) return false;
  if (matcher.childNs && !el.getChildElements().some((c) => c.getNS() === matcher.childNs)) return false;
  return true;
}

/**
 * A scripted stand-in for the transport actor: records every command the session sends and lets a
 * test play the server's side (`acceptConnection`, `pushIncoming`, `replyResult`, `drop` …).
 * Pass `logic` as `transport` in `createXmppClient`'s second argument. Everything is synchronous;
 * pair it with XState's `SimulatedClock` for timers, or use {@link createTestClient}.
 */
export function createFakeServer({ jid = 'alice@example.org/test' } = {}) {
  const commands: TransportCommand[] = [];
  const outgoing: Element[] = [];
  let sendBack: ((event: TransportEvent) => void) | undefined;
  let connects = 0;

  const logic = fromCallback<TransportCommand, unknown, TransportEvent>(({ sendBack: back, receive }) => {
    sendBack = back;
    receive((command) => {
      commands.push(command);
      if (command.type === 'transport.connect') connects++;
      if (command.type === 'transport.send') outgoing.push(command.stanza);
      if (command.type === 'transport.abort') back({ type: 'transport.dropped', reason: command.reason });
      if (command.type === 'transport.close') back({ type: 'transport.closed' });
    });
    return () => {
      sendBack = undefined;
    };
  });

  const emit = (event: TransportEvent) => {
    if (!sendBack) throw new Error('the fake transport is not running');
    sendBack(event);
  };

  return {
    /** The transport actor logic to hand to `createXmppClient(options, { transport })`. */
    logic,
    /** Every command the session sent the transport, in order. */
    commands,
    /** Stanzas the client sent and no `expectOutgoing` has taken yet. */
    outgoing,
    /** How many times the client dialled (1 + reconnect attempts). */
    get connectCount() {
      return connects;
    },
    /** The full JID this server binds. */
    jid,
    /** Plays a whole successful negotiation. */
    acceptConnection({ resumed = false, smEnabled = true, secure = true, as = jid, streamFeatures = [] as string[] } = {}) {
      emit({ type: 'transport.authenticating', mechanism: 'SCRAM-SHA-1' });
      if (!resumed) emit({ type: 'transport.binding' });
      emit({ type: 'transport.online', jid: as, resumed, smEnabled, secure, streamFeatures });
    },
    /** Plays a SASL failure (`not-authorized` unless told otherwise): the client ends in `authFailed`. */
    failAuth(condition = 'not-authorized', text?: string) {
      emit({ type: 'transport.authenticating', mechanism: 'SCRAM-SHA-1' });
      emit({ type: 'transport.authFailed', condition, text });
    },
    /** Drops the connection (a network reset unless told otherwise): the client starts reconnecting. */
    drop(reason: DropReason = { kind: 'network', message: 'connection reset' }) {
      emit({ type: 'transport.dropped', reason });
    },
    /** Sends the session any transport event. */
    emit,
    /** Delivers an inbound stanza (XML text or element). */
    pushIncoming(stanza: string | Element) {
      emit({ type: 'transport.stanza', stanza: typeof stanza === 'string' ? parseXml(stanza) : stanza });
    },
    /** Removes and returns the first outgoing stanza that matches; throws when none does. */
    expectOutgoing(matcher: StanzaMatcher): Element {
      const index = outgoing.findIndex((el) => matches(el, matcher));
      if (index === -1) {
        throw new Error(
          `no outgoing stanza matches ${JSON.stringify(typeof matcher === 'function' ? 'predicate' : matcher)}; sent: ${outgoing.map(String).join('\n')}`,
        );
      }
      return outgoing.splice(index, 1)[0]!;
    },
    /** The outgoing stanzas that match, without removing them. */
    sent(matcher: StanzaMatcher): Element[] {
      return outgoing.filter((el) => matches(el, matcher));
    },
    /** Answers an outgoing IQ request with a result from the entity it was sent to. */
    replyResult(request: Element, ...payload: Element[]) {
      emit({
        type: 'transport.stanza',
        stanza: xml('iq', { type: 'result', id: request.attrs.id, from: request.attrs.to, to: jid }, ...payload),
      });
    },
    /** Answers an outgoing IQ request with an error (`service-unavailable` unless told otherwise). */
    replyError(request: Element, condition = 'service-unavailable', errorType = 'cancel') {
      emit({
        type: 'transport.stanza',
        stanza: xml(
          'iq',
          { type: 'error', id: request.attrs.id, from: request.attrs.to, to: jid },
          xml('error', { type: errorType }, xml(condition, { xmlns: NS_STANZAS })),
        ),
      });
    },
    /** The newest command of one type the session sent the transport. */
    lastCommand<T extends TransportCommand['type']>(type: T): Extract<TransportCommand, { type: T }> | undefined {
      return commands.filter((c): c is Extract<TransportCommand, { type: T }> => c.type === type).at(-1);
    },
  };
}

/** What {@link createFakeServer} returns. */
export type FakeServer = ReturnType<typeof createFakeServer>;

/** Lets promise actors and awaited helpers run; it does not wait for time to pass. */
export async function flushMicrotasks(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
