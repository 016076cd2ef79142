import type { Element } from '@xmpp/xml';
import { SimulatedClock } from 'xstate';
import type { AppNotification } from '../../../src/client/notifications.js';
import { IqTracker } from '../../../src/iq/iq-tracker.js';
import { bareJid } from '../../../src/jid.js';
import type { FeatureInput, FeatureServices, RouteContext } from '../../../src/xeps/feature.js';
import { StanzaParseError } from '../../../src/xeps/iq-request.js';
import { parseXml } from '../../support/xml.js';

/** The routing facts of a client bound as `me`. */
export function routeContext(me: string): RouteContext {
  const ownBare = bareJid(me)!;
  return { me, ownBare, domain: ownBare.slice(ownBare.indexOf('@') + 1) };
}

export function featureInput(overrides: Partial<FeatureInput> = {}): FeatureInput {
  return {
    jid: undefined,
    domain: 'capulet.lit',
    software: { name: 'xmpp-adapter', version: '0.1.0' },
    keepalive: { interval: 30_000, timeout: 10_000 },
    initialPresence: true,
    messagesInMemory: 10_000,
    discoFeatures: [],
    ...overrides,
  };
}

/**
 * Feature services over a real `IqTracker` and a `SimulatedClock`: everything a feature writes
 * lands in `sent`, and a test plays the other side with `reply`.
 */
export function fakeServices(me = 'juliet@capulet.lit/balcony', iqTimeout = 15_000) {
  const clock = new SimulatedClock();
  const sent: Element[] = [];
  /** What the features told the app (`services.notify`). */
  const notes: AppNotification[] = [];
  const iq = new IqTracker((el) => sent.push(el), clock, iqTimeout);
  iq.setOwnJid(me);
  const services: FeatureServices = {
    iq,
    clock,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    send: (el) => sent.push(el),
    sendNonza: (el) => sent.push(el),
    notify: (notification) => notes.push(notification),
  };

  /** Removes and returns the stanzas sent so far. */
  const take = (): Element[] => sent.splice(0, sent.length);

  /**
   * Answers an outgoing request as the entity it was sent to would: `inner` is the XML inside
   * the `<iq>`, e.g. a XEP example's `<query>`. Returns whether the tracker took the reply.
   */
  const reply = (request: Element, inner = '', type: 'result' | 'error' = 'result'): boolean => {
    const from = request.attrs.to ? ` from='${request.attrs.to}'` : '';
    return iq.handleReply(parseXml(`<iq type='${type}' id='${request.attrs.id}'${from} to='${me}'>${inner}</iq>`));
  };

  return { services, clock, sent, take, reply, iq, notes };
}

export type FakeServices = ReturnType<typeof fakeServices>;

/** Unwraps a codec result, failing the test on a parse error. */
export function ok<T>(value: T | StanzaParseError): T {
  if (value instanceof StanzaParseError) throw new Error(`unexpected parse error: ${value.reason}`);
  return value;
}
