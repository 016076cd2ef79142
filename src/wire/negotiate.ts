import { xml, type Element } from '@xmpp/xml';
import { utf8ToBase64, base64ToUtf8 } from '../sasl/base64.js';
import { createExchange } from '../sasl/create-exchange.js';
import { chooseMechanism, SaslProtocolError, type MechanismName, type SaslCredentials } from '../sasl/mechanism.js';
import { HT_SHA_256_NONE, createHashedTokenExchange } from '../sasl/hashed-token.js';
import { isUsable, rememberFastToken, type LoginMemory } from '../sasl/login-memory.js';
import { inOctets, type OctetExchange } from '../sasl/octets.js';
import type { ScramCache } from '../sasl/scram.js';
import { buildEnable, buildResume, parseH } from '../stream-management/sm.codec.js';
import { NS_SM, type StreamManagementState } from '../stream-management/sm-state.js';
import { bareJid, normalizeJid } from '../jid.js';
import { NS_BIND, NS_SASL, NS_STANZAS, NS_STREAMS, NS_TLS } from './namespaces.js';
import { startTls } from './platform.js';
import { serializeStanza } from './serialize.js';
import { authenticateSasl2, readSasl2Offer, type Sasl2Offer, type Sasl2Outcome } from './sasl2.js';
import type { XmppStream } from './xmpp-stream.js';

export interface NegotiationSettings {
  domain: string;
  host: string;
  username: string;
  /** Absent when the app logs in with a saved FAST token only. */
  password: string | undefined;
  resource: string | undefined;
  allowPlainOverInsecure: boolean;
  /** The SASL mechanisms this client may use; the strongest offered one wins. */
  mechanisms: readonly MechanismName[];
  /** Bound for each single wait on the server. */
  stepTimeout: number;
  /** The full JID of the previous stream, needed when resuming. */
  previousJid: string | undefined;
  /** Names the client to the server: SASL2's user-agent and the Bind2 tag (the resource's prefix). */
  software: { name: string };
}

export type NegotiationResult =
  | { kind: 'online'; jid: string; resumed: boolean; smEnabled: boolean; resend: string[]; streamFeatures: string[] }
  | { kind: 'auth-failed'; condition: string; text?: string };

export interface NegotiationPhases {
  authenticating(mechanism: string): void;
  binding(): void;
}

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const isFeatures = (el: Element) => el.is('features', NS_STREAMS);
const inNamespace = (ns: string) => (el: Element) => el.getNS() === ns;

function randomId(): string {
  return globalThis.crypto.randomUUID();
}

/** Runs `step` (opening or restarting the stream) and resolves with the stream features that follow it. */
async function streamFeaturesAfter(stream: XmppStream, timeout: number, step: () => Promise<void>): Promise<Element> {
  const features = stream.next(isFeatures, timeout, 'stream features');
  // If `step` fails first, the waiter is rejected too; that rejection is already reported.
  features.catch(() => {});
  await step();
  return features;
}

/**
 * Opens the stream and, when the server offers STARTTLS and the platform can upgrade the socket,
 * negotiates TLS and restarts the stream; resolves with the stream features to continue with.
 * Shared by the login negotiation and the pre-login steps (in-band registration).
 */
export async function openStream(stream: XmppStream, domain: string, timeout: number): Promise<Element> {
  let features = await streamFeaturesAfter(stream, timeout, () => stream.open());
  const starttls = features.getChild('starttls', NS_TLS);
  if (starttls && startTls?.canUpgrade(stream.connection.socket)) {
    const answer = await stream.exchange(xml('starttls', { xmlns: NS_TLS }).toString(), inNamespace(NS_TLS), timeout, 'STARTTLS answer');
    if (!answer.is('proceed', NS_TLS)) throw new Error('STARTTLS refused by the server');
    const tlsSocket = await startTls.upgrade(stream.connection.socket, { host: domain });
    stream.connection._attachSocket(tlsSocket);
    features = await streamFeaturesAfter(stream, timeout, () => stream.restart());
  } else if (starttls?.getChild('required')) {
    throw new Error('the server requires STARTTLS, which this platform cannot do');
  }
  return features;
}

/**
 * RFC 6120 stream negotiation, in the XEP-0170 order: STARTTLS, SASL (SASL2 with Bind2 and FAST
 * where the server offers them, XEP-0388/0386/0484), then either XEP-0198 resumption or resource
 * binding followed by enabling stream management.
 */
export async function negotiate(
  stream: XmppStream,
  settings: NegotiationSettings,
  sm: StreamManagementState,
  memory: LoginMemory,
  phases: NegotiationPhases,
): Promise<NegotiationResult> {
  const timeout = settings.stepTimeout;
  const ownBareJid = `${settings.username.toLowerCase()}@${settings.domain}`;
  // Only over TLS (or on loopback): an unencrypted header would show the account to the network.
  stream.announceFrom(() => (stream.secure || isLoopbackHost(settings.host) ? ownBareJid : undefined));

  let features = await openStream(stream, settings.domain, timeout);
  const plainAllowed = stream.secure || isLoopbackHost(settings.host) || settings.allowPlainOverInsecure;
  const resuming = sm.session !== undefined && settings.previousJid !== undefined;

  let boundJid: string | undefined;
  const sasl2 = readSasl2Offer(features);
  if (sasl2) {
    const login = await loginWithSasl2(stream, sasl2, { settings, memory, phases, plainAllowed, resuming });
    if (login.kind === 'auth-failed') return login;
    features = login.features;
    boundJid = login.boundJid;
  } else {
    const offered =
      features
        .getChild('mechanisms', NS_SASL)
        ?.getChildren('mechanism')
        .map((m) => m.text()) ?? [];
    const choice = chooseMechanism(offered, plainAllowed, settings.mechanisms);
    if (!choice.mechanism) return { kind: 'auth-failed', condition: 'no-acceptable-mechanism', text: choice.refused };
    if (settings.password === undefined) return NO_PASSWORD;
    phases.authenticating(choice.mechanism);
    const auth = await authenticate(
      stream,
      choice.mechanism,
      { username: settings.username, password: settings.password },
      memory.scram,
      timeout,
    );
    if (auth) return auth;
    features = await streamFeaturesAfter(stream, timeout, () => stream.restart());
  }

  const canManage = features.getChild('sm', NS_SM) !== undefined;
  const streamFeatures = [...new Set(features.getChildElements().map((c) => c.getNS() ?? c.name))];
  if (boundJid) {
    // Bind2 bound a new session in the login round trip.
    phases.binding();
    return online(boundJid, sm.onResumeFailed(undefined));
  }
  if (canManage && sm.session && settings.previousJid) {
    const answer = await stream.exchange(
      buildResume(sm.session.id, sm.inbound).toString(),
      (el) => el.is('resumed', NS_SM) || el.is('failed', NS_SM),
      timeout,
      'resumption answer',
    );
    const h = parseH(answer);
    if (answer.is('resumed', NS_SM) && answer.attrs.previd === sm.session.id && h !== undefined) {
      const outcome = sm.onResumed(h);
      if (!outcome.ok) throw new Error(`resumption rejected: ${outcome.reason}`);
      return { kind: 'online', jid: settings.previousJid, resumed: true, smEnabled: true, resend: outcome.acked, streamFeatures };
    }
    // XEP-0198 §5: on <failed/> the client proceeds with a new session (bind, then enable).
    const leftover = sm.onResumeFailed(h);
    return bindAndEnable(leftover);
  }
  // A fresh session: what the old one never acknowledged is sent again on the new one.
  return bindAndEnable(sm.onResumeFailed(undefined));

  async function bindAndEnable(resend: string[]): Promise<NegotiationResult> {
    phases.binding();
    const id = randomId();
    const bind = xml(
      'iq',
      { type: 'set', id },
      xml('bind', { xmlns: NS_BIND }, settings.resource ? xml('resource', {}, settings.resource) : undefined),
    );
    const reply = await stream.exchange(serializeStanza(bind), (el) => el.name === 'iq' && el.attrs.id === id, timeout, 'bind result');
    if (reply.attrs.type !== 'result') {
      const condition =
        reply
          .getChild('error')
          ?.getChildElements()
          .find((c) => c.getNS() === NS_STANZAS)?.name ?? 'undefined-condition';
      throw new Error(`resource binding failed: ${condition}`);
    }
    return online(reply.getChild('bind', NS_BIND)?.getChildText('jid') ?? undefined, resend);
  }

  async function online(boundTo: string | undefined, resend: string[]): Promise<NegotiationResult> {
    const jid = ownFullJid(boundTo, ownBareJid);
    let smEnabled = false;
    if (canManage) {
      sm.startEnable();
      const answer = await stream.exchange(
        buildEnable().toString(),
        (el) => el.is('enabled', NS_SM) || el.is('failed', NS_SM),
        timeout,
        'stream management answer',
      );
      smEnabled = answer.is('enabled', NS_SM);
    }
    return { kind: 'online', jid, resumed: false, smEnabled, resend, streamFeatures };
  }
}

/** RFC 6120 §7.6.1: the server returns the full JID; it must belong to the account we logged in as. */
function ownFullJid(boundTo: string | undefined, ownBareJid: string): string {
  const jid = normalizeJid(boundTo);
  if (!jid || bareJid(jid) !== ownBareJid || !jid.includes('/')) {
    throw new Error(`server bound an unexpected JID "${boundTo ?? ''}"`);
  }
  return jid;
}

/** Only a FAST token was given, and the server did not take it (or offers no FAST). */
const NO_PASSWORD: Extract<NegotiationResult, { kind: 'auth-failed' }> = {
  kind: 'auth-failed',
  condition: 'credentials-expired',
  text: 'no password was given and the server accepts no FAST token from this client',
};

interface Sasl2Context {
  settings: NegotiationSettings;
  memory: LoginMemory;
  phases: NegotiationPhases;
  plainAllowed: boolean;
  /** An XEP-0198 session may be resumed: bind nothing in the login, resume after it. */
  resuming: boolean;
}

type Sasl2Login = { kind: 'authenticated'; features: Element; boundJid?: string } | Extract<NegotiationResult, { kind: 'auth-failed' }>;

/**
 * SASL2 (XEP-0388): with a FAST token when there is one the server takes, else with the password
 * (asking for a token on the way); binds a resource in the same round trip (Bind2, XEP-0386)
 * unless the app chose its resource or a stream is to be resumed.
 */
async function loginWithSasl2(stream: XmppStream, offer: Sasl2Offer, context: Sasl2Context): Promise<Sasl2Login> {
  const { settings, memory, phases } = context;
  const token = memory.fastToken;
  const usesToken = isUsable(token) && token.mechanism === HT_SHA_256_NONE && offer.fastMechanisms.includes(token.mechanism);
  let exchange: OctetExchange;
  if (usesToken) {
    exchange = createHashedTokenExchange(settings.username, token.token);
  } else {
    const choice = chooseMechanism(offer.mechanisms, context.plainAllowed, settings.mechanisms);
    if (!choice.mechanism) return { kind: 'auth-failed', condition: 'no-acceptable-mechanism', text: choice.refused };
    if (settings.password === undefined) return NO_PASSWORD;
    exchange = inOctets(createExchange(choice.mechanism, { username: settings.username, password: settings.password }, memory.scram));
  }
  phases.authenticating(exchange.name);
  let outcome: Sasl2Outcome;
  try {
    outcome = await authenticateSasl2(
      stream,
      {
        exchange,
        userAgent: { id: memory.userAgentId, software: settings.software.name },
        bindTag: offer.bind2 && settings.resource === undefined && !context.resuming ? settings.software.name : undefined,
        requestToken: memory.fastEnabled && !usesToken && offer.fastMechanisms.includes(HT_SHA_256_NONE) ? HT_SHA_256_NONE : undefined,
        usesToken,
      },
      settings.stepTimeout,
    );
  } catch (err) {
    if (!(err instanceof SaslProtocolError)) throw err;
    // The server's SASL data is wrong (or forged): never continue that login.
    return { kind: 'auth-failed', condition: 'server-verification-failed', text: err.message };
  }
  if (outcome.kind === 'failure') {
    if (!usesToken) return { kind: 'auth-failed', condition: outcome.condition, text: outcome.text };
    // XEP-0484 §5.1: on a failure with a token "the client SHOULD discard the token and
    // automatically fall back to alternative authentication mechanisms" — on a new stream, as a
    // server may keep the token mechanism selected on this one.
    rememberFastToken(memory, undefined);
    throw new Error(`the server refused the FAST token (${outcome.condition}); logging in with the password`);
  }
  if (outcome.token) rememberFastToken(memory, outcome.token);
  const ownBareJid = `${settings.username.toLowerCase()}@${settings.domain}`;
  const identity = normalizeJid(outcome.identity);
  if (!identity || bareJid(identity) !== ownBareJid) {
    throw new Error(`server authorized an unexpected identity "${outcome.identity}"`);
  }
  const features = await stream.next(isFeatures, settings.stepTimeout, 'stream features after SASL2');
  return { kind: 'authenticated', features, boundJid: outcome.bound ? outcome.identity : undefined };
}

async function authenticate(
  stream: XmppStream,
  mechanism: Parameters<typeof createExchange>[0],
  credentials: SaslCredentials,
  scramCache: ScramCache,
  timeout: number,
): Promise<NegotiationResult | undefined> {
  const exchange = createExchange(mechanism, credentials, scramCache);
  const initial = await exchange.initial();
  // RFC 6120 §6.4.2: an empty initial response is sent as "=".
  let payload = xml('auth', { xmlns: NS_SASL, mechanism }, initial ? utf8ToBase64(initial) : '=').toString();
  for (let round = 0; round < 10; round++) {
    const answer = await stream.exchange(payload, (el) => el.getNS() === NS_SASL, timeout, 'SASL answer');
    try {
      if (answer.name === 'failure') {
        // RFC 6120 §6.5: the failure carries one defined condition and optional text.
        const condition = answer.getChildElements().find((c) => c.name !== 'text')?.name ?? 'not-authorized';
        return { kind: 'auth-failed', condition, text: answer.getChildText('text') ?? undefined };
      }
      const data = answer.text().trim();
      const decoded = data === '' || data === '=' ? '' : base64ToUtf8(data);
      if (decoded === undefined) throw new SaslProtocolError(`malformed base64 in <${answer.name}/>`);
      if (answer.name === 'success') {
        await exchange.verifySuccess(decoded === '' ? undefined : decoded);
        return undefined;
      }
      if (answer.name !== 'challenge') throw new SaslProtocolError(`unexpected <${answer.name}/>`);
      payload = xml('response', { xmlns: NS_SASL }, utf8ToBase64(await exchange.respond(decoded))).toString();
    } catch (err) {
      if (!(err instanceof SaslProtocolError)) throw err;
      // The server's SASL data is wrong (or forged): never continue that login.
      return { kind: 'auth-failed', condition: 'server-verification-failed', text: err.message };
    }
  }
  return { kind: 'auth-failed', condition: 'server-verification-failed', text: 'too many SASL rounds' };
}
