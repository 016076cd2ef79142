import { base64ToBytes, bytesToBase64, type Bytes } from './base64.js';
import type { SaslCredentials, SaslExchange } from './mechanism.js';
import { SaslProtocolError } from './mechanism.js';

/**
 * SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677) on WebCrypto, without channel binding.
 * The salted password comes from one native PBKDF2 derivation (`crypto.subtle.deriveBits`),
 * not from one HMAC call per iteration, and is cached per salt and iteration count so that
 * reconnects of the same session skip it.
 */
export type ScramHash = 'SHA-1' | 'SHA-256';

/** Salted-password cache owned by one client; keys are `hash|salt|iterations`. */
export type ScramCache = Map<string, Bytes>;

// Hostile servers could demand absurd work; RFC 7677 §4 asks for at least 4096 iterations.
const MIN_ITERATIONS = 4096;
const MAX_ITERATIONS = 10_000_000;

const encoder = new TextEncoder();
const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

async function hmac(hash: ScramHash, key: Bytes, data: Bytes | string): Promise<Bytes> {
  const cryptoKey = await subtle().importKey('raw', key, { name: 'HMAC', hash }, false, ['sign']);
  const message = typeof data === 'string' ? encoder.encode(data) : data;
  return new Uint8Array(await subtle().sign('HMAC', cryptoKey, message));
}

async function digest(hash: ScramHash, data: Bytes): Promise<Bytes> {
  return new Uint8Array(await subtle().digest(hash, data));
}

async function saltedPassword(hash: ScramHash, password: string, salt: Bytes, iterations: number): Promise<Bytes> {
  const key = await subtle().importKey('raw', encoder.encode(password.normalize('NFKC')), 'PBKDF2', false, ['deriveBits']);
  const bits = hash === 'SHA-1' ? 160 : 256;
  return new Uint8Array(await subtle().deriveBits({ name: 'PBKDF2', hash, salt, iterations }, key, bits));
}

function xor(a: Bytes, b: Bytes): Bytes {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

function constantTimeEqual(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** RFC 5802 §5.1: `=` and `,` in the username are escaped as `=3D` and `=2C`. */
export function escapeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** Parses `k=v,k=v` SCRAM attributes; keys are one letter. */
export function parseScramAttributes(message: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length < 2 || part[1] !== '=') continue;
    attributes.set(part[0]!, part.slice(2));
  }
  return attributes;
}

function randomNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  // base64 has no ',' so it is a valid printable nonce.
  return bytesToBase64(bytes);
}

export interface ScramOptions {
  hash: ScramHash;
  credentials: SaslCredentials;
  cache: ScramCache;
  /** For tests with the RFC's example nonce. */
  nonce?: string;
}

export function createScramExchange({ hash, credentials, cache, nonce = randomNonce() }: ScramOptions): SaslExchange {
  const gs2Header = 'n,,';
  const clientFirstBare = `n=${escapeSaslName(credentials.username)},r=${nonce}`;
  let expectedServerSignature: Bytes | undefined;

  return {
    name: `SCRAM-${hash}`,
    async initial() {
      return gs2Header + clientFirstBare;
    },
    async respond(serverFirst) {
      if (expectedServerSignature) throw new SaslProtocolError('unexpected second SCRAM challenge');
      const attrs = parseScramAttributes(serverFirst);
      if (attrs.has('m')) throw new SaslProtocolError('server requires an unsupported SCRAM extension');
      const serverNonce = attrs.get('r');
      const saltB64 = attrs.get('s');
      const iterations = Number(attrs.get('i'));
      // RFC 5802 §5.1: the server nonce MUST start with the client's nonce.
      if (!serverNonce || !serverNonce.startsWith(nonce) || serverNonce.length === nonce.length) {
        throw new SaslProtocolError('server nonce does not extend the client nonce');
      }
      const salt = saltB64 === undefined ? undefined : base64ToBytes(saltB64);
      if (!salt || salt.length === 0) throw new SaslProtocolError('missing or malformed salt');
      if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
        throw new SaslProtocolError(`iteration count ${attrs.get('i')} is outside ${MIN_ITERATIONS}..${MAX_ITERATIONS}`);
      }

      const cacheKey = `${hash}|${saltB64}|${iterations}`;
      let salted = cache.get(cacheKey);
      if (!salted) {
        salted = await saltedPassword(hash, credentials.password, salt, iterations);
        cache.set(cacheKey, salted);
      }

      const clientFinalWithoutProof = `c=${bytesToBase64(encoder.encode(gs2Header))},r=${serverNonce}`;
      const authMessage = `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
      const clientKey = await hmac(hash, salted, 'Client Key');
      const storedKey = await digest(hash, clientKey);
      const clientSignature = await hmac(hash, storedKey, authMessage);
      const serverKey = await hmac(hash, salted, 'Server Key');
      expectedServerSignature = await hmac(hash, serverKey, authMessage);
      return `${clientFinalWithoutProof},p=${bytesToBase64(xor(clientKey, clientSignature))}`;
    },
    async verifySuccess(additionalData) {
      // RFC 5802 §5: the client MUST verify the server signature before trusting the session.
      if (!expectedServerSignature || additionalData === undefined) {
        throw new SaslProtocolError('success without a server signature');
      }
      const attrs = parseScramAttributes(additionalData);
      const signature = base64ToBytes(attrs.get('v') ?? '');
      if (!signature || !constantTimeEqual(signature, expectedServerSignature)) {
        throw new SaslProtocolError('server signature does not verify: the server does not know the password');
      }
    },
  };
}
