import type { ScramCache } from './scram.js';

/** A FAST token (XEP-0484): a server-issued secret that stands in for the password on later logins. */
export interface FastToken {
  /** The hashed-token mechanism the token is bound to (XEP-0484 §3.4: the server refuses it with any other). */
  mechanism: string;
  token: string;
  /** When the server stops accepting it (XEP-0082 date-time). */
  expiry: string;
}

/**
 * What one client remembers from login to login, kept in the transport's closure (never in actor
 * context, which inspectors show): SCRAM salted passwords, the SASL2 user-agent id the server
 * ties FAST tokens and Bind2 resources to, and the current FAST token.
 */
export interface LoginMemory {
  scram: ScramCache;
  userAgentId: string;
  /** Ask for FAST tokens where the server offers them. */
  fastEnabled: boolean;
  fastToken: FastToken | undefined;
  /** Hears of each new token, and of `undefined` when the server refused the current one. */
  onFastToken: ((token: FastToken | undefined) => void) | undefined;
}

export interface LoginMemorySeed {
  enabled?: boolean;
  userAgentId?: string;
  token?: FastToken;
  onToken?: (token: FastToken | undefined) => void;
}

export function createLoginMemory(seed: LoginMemorySeed = {}): LoginMemory {
  return {
    scram: new Map(),
    userAgentId: seed.userAgentId ?? globalThis.crypto.randomUUID(),
    fastEnabled: seed.enabled !== false,
    fastToken: seed.token,
    onFastToken: seed.onToken,
  };
}

/** Replaces the remembered token and tells the app; an app callback that throws changes nothing here. */
export function rememberFastToken(memory: LoginMemory, token: FastToken | undefined): void {
  memory.fastToken = token;
  try {
    memory.onFastToken?.(token);
  } catch {
    // The app's storage failing must not fail the login.
  }
}

/** Whether `token` is still worth offering at `now` (a token past its expiry only costs a failed round trip). */
export function isUsable(token: FastToken | undefined, now: number = Date.now()): token is FastToken {
  if (!token) return false;
  const expiry = Date.parse(token.expiry);
  return Number.isNaN(expiry) || expiry > now;
}
