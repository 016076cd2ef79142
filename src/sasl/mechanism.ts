/** Credentials a mechanism needs; `authzid` is left out on purpose (clients log in as themselves). */
export interface SaslCredentials {
  username: string;
  password: string;
}

/**
 * One SASL exchange (RFC 4422). Payloads are the decoded strings; the negotiator does base64.
 * A mechanism throws `SaslProtocolError` when the server's data is malformed or fails verification.
 */
export interface SaslExchange {
  readonly name: string;
  /** The initial response sent with `<auth/>`. */
  initial(): Promise<string>;
  /** The answer to a `<challenge/>`. */
  respond(challenge: string): Promise<string>;
  /** Checks the additional data of `<success/>` (SCRAM's server signature). */
  verifySuccess(additionalData: string | undefined): Promise<void>;
}

export class SaslProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaslProtocolError';
  }
}

export type MechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-1' | 'PLAIN';

/** Strongest first. */
export const MECHANISM_PREFERENCE: readonly MechanismName[] = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'];

export interface MechanismChoice {
  mechanism?: MechanismName;
  /** Why nothing was chosen, for the `authFailed` state. */
  refused?: string;
}

/**
 * Picks the strongest offered mechanism. PLAIN sends the password itself, so it is only used
 * when the connection is encrypted, goes to a loopback host, or the app opted in.
 */
export function chooseMechanism(
  offered: readonly string[],
  plainAllowed: boolean,
  allowed: readonly MechanismName[] = MECHANISM_PREFERENCE,
): MechanismChoice {
  const available = new Set(offered.map((m) => m.trim().toUpperCase()));
  for (const name of MECHANISM_PREFERENCE) {
    if (!allowed.includes(name)) continue;
    if (!available.has(name)) continue;
    if (name === 'PLAIN' && !plainAllowed) {
      return { refused: 'PLAIN is the only common mechanism and the connection is not encrypted (set allowPlainOverInsecure to accept)' };
    }
    return { mechanism: name };
  }
  return { refused: `no supported mechanism among those offered (${[...available].join(', ') || 'none'})` };
}
