import type { Bytes } from './base64.js';
import { SaslProtocolError, type SaslExchange } from './mechanism.js';

/**
 * A SASL exchange over octets, which is what SASL really carries (RFC 4422 §3): the hashed-token
 * mechanisms send raw HMAC bytes, which are no UTF-8 string. The negotiators speak only this.
 */
export interface OctetExchange {
  readonly name: string;
  initial(): Promise<Bytes>;
  respond(challenge: Bytes): Promise<Bytes>;
  verifySuccess(additionalData: Bytes | undefined): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function utf8(data: Bytes, what: string): string {
  try {
    return decoder.decode(data);
  } catch {
    throw new SaslProtocolError(`the server's ${what} is not UTF-8`);
  }
}

/** The text mechanisms (SCRAM, PLAIN) as an octet exchange: UTF-8 on the wire, strings inside. */
export function inOctets(exchange: SaslExchange): OctetExchange {
  return {
    name: exchange.name,
    initial: async () => encoder.encode(await exchange.initial()),
    respond: async (challenge) => encoder.encode(await exchange.respond(utf8(challenge, 'challenge'))),
    verifySuccess: (data) => exchange.verifySuccess(data === undefined ? undefined : utf8(data, 'success data')),
  };
}
