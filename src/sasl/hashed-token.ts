import type { Bytes } from './base64.js';
import { SaslProtocolError } from './mechanism.js';
import type { OctetExchange } from './octets.js';

/**
 * HT-SHA-256-NONE, the hashed-token mechanism FAST (XEP-0484) uses without channel binding
 * (draft-schmaus-kitten-sasl-ht): one message each way, keyed by a token the server issued.
 *   client: authcid NUL HMAC-SHA-256(token, "Initiator" || cb-data)
 *   server: HMAC-SHA-256(token, "Responder" || cb-data)
 * With "-NONE" the channel-binding data is empty.
 */
export const HT_SHA_256_NONE = 'HT-SHA-256-NONE';

const encoder = new TextEncoder();

async function hmacSha256(key: string, data: string): Promise<Bytes> {
  const subtle = globalThis.crypto.subtle;
  const cryptoKey = await subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', cryptoKey, encoder.encode(data)));
}

function sameBytes(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function createHashedTokenExchange(username: string, token: string): OctetExchange {
  return {
    name: HT_SHA_256_NONE,
    async initial() {
      const name = encoder.encode(username);
      const proof = await hmacSha256(token, 'Initiator');
      const message = new Uint8Array(name.length + 1 + proof.length);
      message.set(name, 0);
      message.set(proof, name.length + 1);
      return message;
    },
    async respond() {
      throw new SaslProtocolError(`${HT_SHA_256_NONE} takes no challenge`);
    },
    async verifySuccess(data) {
      // The server proves it knows the token too; anything else is a forged success.
      if (!data || !sameBytes(data, await hmacSha256(token, 'Responder'))) {
        throw new SaslProtocolError('the server did not prove that it knows the token');
      }
    },
  };
}
