import { xml, type Element } from '@xmpp/xml';
import { base64ToBytes, bytesToBase64 } from '../sasl/base64.js';
import type { FastToken } from '../sasl/login-memory.js';
import { SaslProtocolError } from '../sasl/mechanism.js';
import type { OctetExchange } from '../sasl/octets.js';
import { NS_BIND2, NS_FAST, NS_SASL, NS_SASL2, NS_STREAMS } from './namespaces.js';
import type { XmppStream } from './xmpp-stream.js';

/** What a server's SASL2 feature (XEP-0388 §2.1) offers, with the inline features this client uses. */
export interface Sasl2Offer {
  mechanisms: string[];
  /** Bind2 (XEP-0386 §3.1) is offered inline. */
  bind2: boolean;
  /** The FAST mechanisms (XEP-0484 §3.1); empty when FAST is not offered. */
  fastMechanisms: string[];
}

export function readSasl2Offer(features: Element): Sasl2Offer | undefined {
  const authentication = features.getChild('authentication', NS_SASL2);
  if (!authentication) return undefined;
  const texts = (parent: Element | undefined) =>
    (parent?.getChildren('mechanism') ?? []).map((m) => m.text().trim()).filter((name) => name !== '');
  const inline = authentication.getChild('inline');
  return {
    mechanisms: texts(authentication),
    bind2: inline?.getChild('bind', NS_BIND2) !== undefined,
    fastMechanisms: texts(inline?.getChild('fast', NS_FAST)),
  };
}

export interface Sasl2Request {
  exchange: OctetExchange;
  /** XEP-0388's user-agent: a stable id per client install, and the software's name. */
  userAgent: { id: string; software: string };
  /** Bind a resource in the same round trip (XEP-0386), with this tag as its prefix. */
  bindTag?: string;
  /** Ask for a FAST token for this mechanism (XEP-0484 §3.2). */
  requestToken?: string;
  /** The exchange authenticates with a FAST token (XEP-0484 §3.4). */
  usesToken?: boolean;
}

export type Sasl2Outcome =
  | {
      kind: 'success';
      /** The authorization identity: a bare JID, or the full JID when Bind2 bound a resource. */
      identity: string;
      bound: boolean;
      /** A new FAST token, asked for or rotated by the server (XEP-0484 §3.5). */
      token?: FastToken;
    }
  | { kind: 'failure'; condition: string; text?: string };

const MAX_ROUNDS = 10;

function buildAuthenticate(request: Sasl2Request, initial: Uint8Array): string {
  return xml(
    'authenticate',
    { xmlns: NS_SASL2, mechanism: request.exchange.name },
    // XEP-0388 §2.3: no initial response is said by leaving the element out.
    initial.length > 0 ? xml('initial-response', {}, bytesToBase64(initial)) : undefined,
    xml('user-agent', { id: request.userAgent.id }, xml('software', {}, request.userAgent.software)),
    request.bindTag !== undefined ? xml('bind', { xmlns: NS_BIND2 }, xml('tag', {}, request.bindTag)) : undefined,
    request.requestToken ? xml('request-token', { xmlns: NS_FAST, mechanism: request.requestToken }) : undefined,
    // XEP-0484 §3.4: "the client MUST include a <fast/> element" when it authenticates with a token.
    request.usesToken ? xml('fast', { xmlns: NS_FAST }) : undefined,
  ).toString();
}

function decoded(data: string | undefined, what: string): Uint8Array<ArrayBuffer> | undefined {
  if (data === undefined) return undefined;
  const bytes = base64ToBytes(data);
  if (!bytes) throw new SaslProtocolError(`malformed base64 in ${what}`);
  return bytes;
}

function readToken(success: Element, mechanism: string | undefined): FastToken | undefined {
  const token = success.getChild('token', NS_FAST);
  const secret = token?.attrs.token;
  const expiry = token?.attrs.expiry;
  if (!mechanism || typeof secret !== 'string' || secret === '' || typeof expiry !== 'string') return undefined;
  return { mechanism, token: secret, expiry };
}

/**
 * One SASL2 authentication (XEP-0388 §2.3–2.6): `<authenticate/>`, challenges and responses,
 * then `<success/>` (checked by the mechanism, e.g. SCRAM's server signature) or `<failure/>`.
 * Tasks (`<continue/>`: second factors, password changes, hash upgrades) are not supported:
 * the attempt ends as a failure naming them.
 */
export async function authenticateSasl2(stream: XmppStream, request: Sasl2Request, timeout: number): Promise<Sasl2Outcome> {
  const { exchange } = request;
  const isAnswer = (el: Element) => el.getNS() === NS_SASL2;
  let payload = buildAuthenticate(request, await exchange.initial());
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // XEP-0388 §2.6.1: "The <success> element is immediately followed by a <features> element"
    // — often in the same read, before the next wait begins.
    stream.keepNext((el) => el.is('features', NS_STREAMS));
    const answer = await stream.exchange(payload, isAnswer, timeout, 'SASL2 answer');
    switch (answer.name) {
      case 'challenge':
        payload = xml(
          'response',
          { xmlns: NS_SASL2 },
          bytesToBase64(await exchange.respond(decoded(answer.text(), 'challenge') ?? new Uint8Array())),
        ).toString();
        continue;
      case 'success': {
        await exchange.verifySuccess(decoded(answer.getChildText('additional-data') ?? undefined, 'success data'));
        // The identity element is spelled both ways across versions of XEP-0388 and XEP-0386.
        const identity = (answer.getChildText('authorization-identifier') ?? answer.getChildText('authorization-identity') ?? '').trim();
        return {
          kind: 'success',
          identity,
          bound: answer.getChild('bound', NS_BIND2) !== undefined,
          token: readToken(answer, request.requestToken ?? (request.usesToken ? exchange.name : undefined)),
        };
      }
      case 'failure': {
        // XEP-0388 §2.6.2: "It MUST contain one of the SASL error codes from RFC 6120 Section 6.5."
        const condition = answer.getChildElements().find((c) => c.getNS() === NS_SASL && c.name !== 'text')?.name;
        return { kind: 'failure', condition: condition ?? 'not-authorized', text: answer.getChildText('text') ?? undefined };
      }
      case 'continue': {
        const tasks = (answer.getChild('tasks')?.getChildren('task') ?? []).map((t) => t.text().trim());
        const text = answer.getChildText('text');
        return {
          kind: 'failure',
          condition: 'task-unsupported',
          text: `the server asks for ${tasks.join(', ') || 'a task'}${text ? `: ${text}` : ''}`,
        };
      }
      default:
        throw new SaslProtocolError(`unexpected <${answer.name}/> in SASL2`);
    }
  }
  throw new SaslProtocolError('too many SASL2 rounds');
}
