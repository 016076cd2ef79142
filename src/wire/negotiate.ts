import { xml, type Element } from '@xmpp/xml';
import { utf8ToBase64, base64ToUtf8 } from '../sasl/base64.js';
import { createExchange } from '../sasl/create-exchange.js';
import { chooseMechanism, SaslProtocolError, type MechanismName } from '../sasl/mechanism.js';
import type { ScramCache } from '../sasl/scram.js';
import { buildEnable, buildResume, parseH } from '../stream-management/sm.codec.js';
import { NS_SM, type StreamManagementState } from '../stream-management/sm-state.js';
import { bareJid, normalizeJid } from '../jid.js';
import { NS_BIND, NS_SASL, NS_STANZAS, NS_STREAMS, NS_TLS } from './namespaces.js';
import { startTls } from './platform.js';
import { serializeStanza } from './serialize.js';
import type { XmppStream } from './xmpp-stream.js';

export interface NegotiationSettings {
  domain: string;
  host: string;
  username: string;
  password: string;
  resource: string | undefined;
  allowPlainOverInsecure: boolean;
  /** The SASL mechanisms this client may use; the strongest offered one wins. */
  mechanisms: readonly MechanismName[];
  /** Bound for each single wait on the server. */
  stepTimeout: number;
  /** The full JID of the previous stream, needed when resuming. */
  previousJid: string | undefined;
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
 * RFC 6120 stream negotiation, in the XEP-0170 order: STARTTLS, SASL, then either XEP-0198
 * resumption or resource binding followed by enabling stream management.
 */
export async function negotiate(
  stream: XmppStream,
  settings: NegotiationSettings,
  sm: StreamManagementState,
  scramCache: ScramCache,
  phases: NegotiationPhases,
): Promise<NegotiationResult> {
  const timeout = settings.stepTimeout;
  const featuresAfter = (step: () => Promise<void>) => streamFeaturesAfter(stream, timeout, step);

  let features = await openStream(stream, settings.domain, timeout);

  const offered =
    features
      .getChild('mechanisms', NS_SASL)
      ?.getChildren('mechanism')
      .map((m) => m.text()) ?? [];
  const plainAllowed = stream.secure || isLoopbackHost(settings.host) || settings.allowPlainOverInsecure;
  const choice = chooseMechanism(offered, plainAllowed, settings.mechanisms);
  if (!choice.mechanism) return { kind: 'auth-failed', condition: 'no-acceptable-mechanism', text: choice.refused };

  phases.authenticating(choice.mechanism);
  const auth = await authenticate(stream, choice.mechanism, settings, scramCache, timeout);
  if (auth) return auth;
  features = await featuresAfter(() => stream.restart());

  const canManage = features.getChild('sm', NS_SM) !== undefined;
  const streamFeatures = [...new Set(features.getChildElements().map((c) => c.getNS() ?? c.name))];
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
    const jid = normalizeJid(reply.getChild('bind', NS_BIND)?.getChildText('jid'));
    // RFC 6120 §7.6.1: the server returns the full JID; it must belong to the account we logged in as.
    if (!jid || bareJid(jid) !== `${settings.username.toLowerCase()}@${settings.domain}`) {
      throw new Error(`server bound an unexpected JID "${jid ?? ''}"`);
    }
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

async function authenticate(
  stream: XmppStream,
  mechanism: Parameters<typeof createExchange>[0],
  settings: NegotiationSettings,
  scramCache: ScramCache,
  timeout: number,
): Promise<NegotiationResult | undefined> {
  const exchange = createExchange(mechanism, { username: settings.username, password: settings.password }, scramCache);
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
