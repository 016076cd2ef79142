import { xml, type Element } from '@xmpp/xml';
import { fromCallback } from 'xstate';
import type { Logger } from '../client/options.js';
import { errorMessage } from '../errors.js';
import { createLoginMemory, type LoginMemorySeed } from '../sasl/login-memory.js';
import { buildAck, buildAckRequest } from '../stream-management/sm.codec.js';
import { observeSmElement } from '../stream-management/sm-observer.js';
import { NS_SM, StreamManagementState } from '../stream-management/sm-state.js';
import type { DropReason } from '../wire/drop-reason.js';
import { negotiate, type NegotiationSettings } from '../wire/negotiate.js';
import { resolveEndpoints, type ServiceEndpoint } from '../wire/platform.js';
import { serializeStanza } from '../wire/serialize.js';
import { sentMessageOf, worthResending, type SentMessageRef } from '../wire/stanza-head.js';
import type { StreamLimits } from '../wire/limits.js';
import { XmppStream } from '../wire/xmpp-stream.js';
import type { TransportCommand, TransportEvent } from './transport.types.js';

/** What the transport needs: the negotiation settings plus where to connect and how long to wait. */
export interface TransportSettings extends Omit<NegotiationSettings, 'stepTimeout' | 'previousJid'> {
  service: string;
  /**
   * `service` stands for "the endpoints of `domain`": each `transport.connect` to it looks them up
   * again (SRV records in Node, host-meta in a browser) and tries them in order.
   */
  discover?: boolean;
  /** DNS servers for the SRV queries; the system's when absent. */
  dns?: { servers?: readonly string[] | undefined };
  /** FAST (XEP-0484): whether to ask for tokens, a saved token and user-agent id, and who hears of new tokens. */
  fast?: LoginMemorySeed;
  connectTimeout: number;
  logger: Logger;
  limits?: Pick<StreamLimits, 'maxStanzaBytes'>;
}

type Phase = 'idle' | 'negotiating' | 'online';

const ACK_BATCH = 50;
const ACK_DEBOUNCE_MS = 250;
/** How long a graceful close waits for the server to acknowledge what is outstanding. */
const FINAL_ACK_WAIT_MS = 2000;
/**
 * How long a discovered endpoint may take to accept the connection (TCP, and TLS for direct TLS)
 * while others remain to try, so one silent host does not use up the whole connect timeout.
 */
const ENDPOINT_CONNECT_MS = 5000;

/** The messages among serialized stanzas, by id and recipient (what the app knows them by). */
function sentMessages(stanzas: readonly string[]): SentMessageRef[] {
  const messages: SentMessageRef[] = [];
  for (const data of stanzas) {
    const message = sentMessageOf(data);
    if (message !== undefined) messages.push(message);
  }
  return messages;
}

/**
 * The only actor that touches the socket. It owns, for the whole session: the XEP-0198 state
 * (so a new socket can resume the old session), the queue of stanzas sent while not online
 * (delivered in order, once, after reconnect), and what logins remember (SCRAM salted passwords,
 * the FAST token).
 * It never reconnects on its own: the connection machine decides when to `transport.connect`.
 */
export interface TransportHooks {
  /** Whether an IQ request with this id still waits for its answer (the IQ tracker knows). */
  isPendingRequest?(id: string): boolean;
}

export function createTransportActor(options: TransportSettings, hooks: TransportHooks = {}) {
  const isPendingRequest = hooks.isPendingRequest ?? (() => true);
  // Credentials stay in this closure: actor input and context are visible to inspectors.
  const { logger } = options;
  const settings: Omit<NegotiationSettings, 'previousJid'> = {
    domain: options.domain,
    host: options.host,
    username: options.username,
    password: options.password,
    resource: options.resource,
    allowPlainOverInsecure: options.allowPlainOverInsecure,
    mechanisms: options.mechanisms,
    stepTimeout: options.connectTimeout,
    software: options.software,
  };
  return fromCallback<TransportCommand, Record<string, never>, TransportEvent>(({ sendBack: sendBackNow, receive }) => {
    // Stanzas parsed from one socket read are handed over together, after the read (a microtask
    // later); any other event first flushes them, so the session sees everything in wire order.
    let inbound: Element[] = [];
    const flushInbound = () => {
      if (inbound.length === 0) return;
      const stanzas = inbound;
      inbound = [];
      sendBackNow(stanzas.length === 1 ? { type: 'transport.stanza', stanza: stanzas[0]! } : { type: 'transport.stanzas', stanzas });
    };
    const receiveStanza = (stanza: Element) => {
      if (inbound.push(stanza) === 1) queueMicrotask(flushInbound);
    };
    const sendBack = (event: TransportEvent) => {
      flushInbound();
      sendBackNow(event);
    };
    // Messages the server confirmed (XEP-0198 acks; on a stream without it, the socket write), told
    // to the session once per microtask so a page of acks is one event.
    let confirmed: SentMessageRef[] = [];
    const flushConfirmed = () => {
      const messages = confirmed;
      confirmed = [];
      if (messages.length > 0) sendBack({ type: 'transport.acked', messages });
    };
    const confirm = (stanzas: readonly string[]) => {
      const messages = sentMessages(stanzas);
      if (messages.length > 0 && confirmed.push(...messages) === messages.length) queueMicrotask(flushConfirmed);
    };
    const sm = new StreamManagementState(confirm);
    const memory = createLoginMemory(options.fast);
    const waiting: string[] = [];
    let stream: XmppStream | undefined;
    let phase: Phase = 'idle';
    let jid: string | undefined;

    // Writes made while one event is handled (a burst of sends, a batch of replies) leave together
    // at the end of the microtask: over TCP in one socket write (one syscall instead of one per
    // stanza); over WebSocket one message each, as the framing requires.
    let outbound: string[] = [];
    const flushOutbound = () => {
      if (outbound.length === 0 || !stream) return;
      const writes = outbound;
      outbound = [];
      const current = stream;
      const report = (err: Error) => logger.warn('write failed', err.message);
      if (current.framed) for (const data of writes) current.write(data).catch(report);
      else current.write(writes.length === 1 ? writes[0]! : writes.join('')).catch(report);
    };
    const writeRaw = (data: string) => {
      if (!stream) return;
      if (outbound.push(data) === 1) queueMicrotask(flushOutbound);
    };

    // Ask for an ack after a burst (and every ACK_BATCH stanzas within one), so the server's
    // unacked queue stays short (Prosody stops offering resumption past 500) and we learn early.
    let ackTimer: ReturnType<typeof setTimeout> | undefined;
    const requestAck = () => {
      clearTimeout(ackTimer);
      ackTimer = undefined;
      if (phase === 'online' && sm.enabled) writeRaw(buildAckRequest().toString());
    };
    // Acks to the server's <r/> leave on the next macrotask with the newest count: a burst of reads
    // (a page of archive results, a busy room) is answered once instead of once per read, and the
    // server, still waiting for that answer, asks less often.
    let ackReplyTimer: ReturnType<typeof setTimeout> | undefined;
    const ackSoon = () => {
      ackReplyTimer ??= setTimeout(() => {
        ackReplyTimer = undefined;
        if (stream && sm.enabled) writeRaw(buildAck(sm.inbound).toString());
      }, 0);
    };

    const writeStanza = (data: string) => {
      sm.recordOutbound(data);
      writeRaw(data);
      // Without stream management the write is all there is to know.
      if (!sm.enabled) return confirm([data]);
      if (sm.unackedCount % ACK_BATCH === 0) requestAck();
      else ackTimer ??= setTimeout(requestAck, ACK_DEBOUNCE_MS);
    };

    const lose = (current: XmppStream, reason: DropReason) => {
      if (stream !== current) return;
      stream = undefined;
      // Unsent writes die with the socket; stream management resends the stanzas among them.
      outbound = [];
      phase = 'idle';
      clearTimeout(ackTimer);
      ackTimer = undefined;
      clearTimeout(ackReplyTimer);
      ackReplyTimer = undefined;
      sm.onDisconnect();
      current.abort();
      logger.info('stream dropped', reason);
      sendBack({ type: 'transport.dropped', reason });
    };

    // Every connect, abort and close starts a new attempt; an older one stops at its next step.
    let attempt = 0;
    let discovery: AbortController | undefined;
    /** The attempt is between sockets (looking up endpoints, or moving to the next one). */
    let betweenSockets = false;

    /** Ends the current attempt while it has no socket: a lookup, or the step between two endpoints. */
    const cancelAttempt = () => {
      attempt++;
      discovery?.abort();
      discovery = undefined;
      betweenSockets = false;
    };

    async function connect(service: string) {
      outbound = [];
      stream?.abort();
      stream = undefined;
      cancelAttempt();
      const ours = attempt;
      phase = 'negotiating';
      let endpoints: readonly ServiceEndpoint[] = [{ url: service }];
      if (options.discover && service === options.service) {
        betweenSockets = true;
        const controller = new AbortController();
        discovery = controller;
        try {
          endpoints = await resolveEndpoints(settings.domain, { servers: options.dns?.servers, signal: controller.signal });
        } catch (err) {
          if (ours !== attempt) return;
          betweenSockets = false;
          phase = 'idle';
          sendBack({
            type: 'transport.dropped',
            reason: { kind: 'network', message: `no endpoint for ${settings.domain}: ${errorMessage(err)}` },
          });
          return;
        } finally {
          if (discovery === controller) discovery = undefined;
        }
        if (ours !== attempt) return;
        logger.debug('endpoints', { domain: settings.domain, endpoints: endpoints.map((e) => e.url) });
        if (endpoints.length === 0) {
          betweenSockets = false;
          phase = 'idle';
          sendBack({ type: 'transport.dropped', reason: { kind: 'network', message: `no endpoint for ${settings.domain}` } });
          return;
        }
      }
      for (const [index, endpoint] of endpoints.entries()) {
        if (ours !== attempt) return;
        betweenSockets = false;
        const outcome = await tryEndpoint(endpoint.url, service !== endpoint.url, index < endpoints.length - 1);
        if (outcome === 'done') return;
      }
    }

    /**
     * One socket to one endpoint, negotiated to a session. With `mayPass`, a socket that never
     * connects (refused, unreachable, TLS handshake failed, or silent past ENDPOINT_CONNECT_MS)
     * resolves `next` instead of being reported: RFC 6120 §3.2.1 moves on to the next SRV target.
     * Once connected, whatever happens is the server's answer and reaches the connection machine.
     */
    function tryEndpoint(url: string, discovered: boolean, mayPass: boolean): Promise<'done' | 'next'> {
      return new Promise((settle) => {
        let connected = false;
        let passTimer: ReturnType<typeof setTimeout> | undefined;
        const pass = (why: string) => {
          clearTimeout(passTimer);
          if (stream !== current) return settle('done');
          stream = undefined;
          // From here until the next socket exists, an abort ends the attempt (see transport.abort).
          betweenSockets = true;
          current.abort();
          logger.info('endpoint failed, trying the next', { url, reason: why });
          settle('next');
        };
        const current: XmppStream = new XmppStream(url, settings.domain, {
          limits: { maxStanzaBytes: options.limits?.maxStanzaBytes },
          observe: (el) =>
            observeSmElement(sm, el, {
              acknowledge: ackSoon,
              acknowledged: (count) => logger.debug('stream-management ack', { count }),
              violation: (message) => lose(current, { kind: 'protocol', message }),
            }),
          onElement: (el) => {
            if (el.name === 'iq' || el.name === 'message' || el.name === 'presence') receiveStanza(el);
          },
          // A long read is handed on (and what that makes us write is sent) part by part.
          onReadPart: () => {
            flushInbound();
            flushOutbound();
          },
          onDrop: (reason) =>
            mayPass && !connected ? pass(reason.kind === 'network' ? reason.message : reason.kind) : lose(current, reason),
        });
        if (mayPass) {
          current.connection.on('connect', () => {
            connected = true;
            clearTimeout(passTimer);
          });
          const passAfter = Math.min(ENDPOINT_CONNECT_MS, options.connectTimeout / 2);
          passTimer = setTimeout(() => {
            if (!connected) pass(`not connected within ${passAfter} ms`);
          }, passAfter);
        }
        stream = current;
        // The plain-authentication rule looks at the host actually connected to.
        const host = discovered ? new URL(url).hostname.replace(/^\[(.*)\]$/, '$1') : settings.host;
        void (async () => {
          try {
            const result = await negotiate(current, { ...settings, host, previousJid: jid }, sm, memory, {
              authenticating: (mechanism) => sendBack({ type: 'transport.authenticating', mechanism }),
              binding: () => sendBack({ type: 'transport.binding' }),
            });
            clearTimeout(passTimer);
            settle('done');
            if (stream !== current) return;
            if (result.kind === 'auth-failed') {
              stream = undefined;
              phase = 'idle';
              current.abort();
              sendBack({ type: 'transport.authFailed', condition: result.condition, text: result.text });
              return;
            }
            phase = 'online';
            jid = result.jid;
            // Older stanzas first: the ones the server never acknowledged, then those queued offline.
            // On a new session, answered IQ requests and old replies are left out (see worthResending).
            for (const data of result.resend) {
              if (result.resumed || worthResending(data, isPendingRequest)) writeStanza(data);
              else logger.debug('not resent on the new session', { stanza: data.slice(0, 80) });
            }
            for (const data of waiting.splice(0)) writeStanza(data);
            sendBack({
              type: 'transport.online',
              jid: result.jid,
              resumed: result.resumed,
              smEnabled: result.smEnabled,
              secure: current.secure,
              streamFeatures: result.streamFeatures,
            });
          } catch (err) {
            if (mayPass && !connected) return pass(errorMessage(err));
            clearTimeout(passTimer);
            settle('done');
            lose(current, { kind: 'network', message: errorMessage(err) });
          }
        })();
      });
    }

    async function close() {
      cancelAttempt();
      clearTimeout(ackTimer);
      clearTimeout(ackReplyTimer);
      ackReplyTimer = undefined;
      ackTimer = undefined;
      // What was sent before the close goes out before the unavailable presence.
      flushOutbound();
      const current = stream;
      if (current && phase === 'online' && sm.enabled && sm.unackedCount > 0) {
        // Learn what the server got before saying goodbye, so nothing is reported unsent that was not.
        const answer = current.next((el) => el.is('a', NS_SM), FINAL_ACK_WAIT_MS, 'final ack');
        await current.write(buildAckRequest().toString()).catch(() => {});
        await answer.catch(() => {});
      }
      stream = undefined;
      // Whatever the server never confirmed, the app hears of: nothing is dropped silently.
      flushConfirmed();
      const unsent = sentMessages([...sm.outstanding, ...waiting.splice(0)]);
      if (unsent.length > 0) sendBack({ type: 'transport.unsent', messages: unsent });
      if (current && phase === 'online') {
        // RFC 6121 §4.5.1: a client SHOULD send unavailable presence before closing the stream.
        await current.write(serializeStanza(xml('presence', { type: 'unavailable' }))).catch(() => {});
        // XEP-0198 §4: "It is RECOMMENDED that initiating entities (usually clients) send an
        // element right before they gracefully close the stream".
        if (sm.enabled) {
          logger.debug('final stream-management ack', { h: sm.inbound });
          await current.write(buildAck(sm.inbound).toString()).catch(() => {});
        }
        await current.close();
      } else {
        current?.abort();
      }
      phase = 'idle';
      sm.reset();
      jid = undefined;
      sendBack({ type: 'transport.closed' });
    }

    receive((command) => {
      switch (command.type) {
        case 'transport.connect':
          void connect(command.service);
          return;
        case 'transport.send': {
          const data = serializeStanza(command.stanza);
          if (phase === 'online') writeStanza(data);
          else waiting.push(data);
          return;
        }
        case 'transport.sendNonza':
          if (phase === 'online') writeRaw(serializeStanza(command.element));
          else logger.debug('nonza dropped: not online', { name: command.element.name });
          return;
        case 'transport.requestAck':
          requestAck();
          return;
        case 'transport.abort':
          if (stream) lose(stream, command.reason);
          else if (betweenSockets) {
            // Still looking for an endpoint: the attempt ends here all the same.
            cancelAttempt();
            phase = 'idle';
            logger.info('stream dropped', command.reason);
            sendBack({ type: 'transport.dropped', reason: command.reason });
          }
          return;
        case 'transport.close':
          void close();
          return;
      }
    });

    return () => {
      cancelAttempt();
      clearTimeout(ackTimer);
      clearTimeout(ackReplyTimer);
      ackReplyTimer = undefined;
      inbound = [];
      stream?.abort();
      stream = undefined;
    };
  });
}
