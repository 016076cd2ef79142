import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import { isLoopbackHost } from '../../wire/negotiate.js';
import type { FeatureServices } from '../feature.js';
import { buildPasswordChange, buildRemove } from './register.codec.js';
import { RegistrationError, registrationErrorOf } from './register.error.js';

/** What decides whether a password may be sent: the same rule as SASL PLAIN (`sasl/mechanism.ts`). */
export interface PasswordChannel {
  /** The connection is encrypted (TLS, or WebSocket the server treats as secure). */
  secure: boolean;
  /** The host the client connected to. */
  host: string;
  allowPlainOverInsecure: boolean;
}

/**
 * XEP-0077 §3.3: "a client SHOULD NOT send such a request unless the underlying stream is
 * encrypted"; a loopback host or the app's explicit opt-in count as the SASL PLAIN rule does.
 */
export function assertPasswordMayBeSent(channel: PasswordChannel): void {
  if (channel.secure || isLoopbackHost(channel.host) || channel.allowPlainOverInsecure) return;
  throw new RegistrationError(
    'insecure',
    'the connection is not encrypted, so the password would be sent in the clear (set allowPlainOverInsecure to accept)',
  );
}

/**
 * XEP-0077 §3.3: changes the logged-in account's password. Rejects with a {@link RegistrationError}
 * (`not-allowed` when the server refuses in-band changes, `not-acceptable` when it wants more).
 * The current session stays logged in; the next login needs the new password.
 */
export async function changePassword(
  services: Pick<FeatureServices, 'iq'>,
  account: { username: string; domain: string },
  newPassword: string,
  options?: IqRequestOptions,
): Promise<void> {
  // §3.3: the server "MUST NOT change the password to a null value" on an empty one: refuse it here.
  if (typeof newPassword !== 'string' || newPassword.length === 0) {
    throw new RegistrationError('not-acceptable', 'the new password must not be empty');
  }
  try {
    await services.iq.request(buildPasswordChange(account.username, account.domain, newPassword), options);
  } catch (err) {
    throw registrationErrorOf(err, 'password change');
  }
}

/**
 * XEP-0077 §3.2: deletes the logged-in account. On success the server "SHOULD then return a
 * <not-authorized/> stream error and terminate all active sessions", so the client goes offline.
 */
export async function deleteAccount(services: Pick<FeatureServices, 'iq'>, options?: IqRequestOptions): Promise<void> {
  try {
    await services.iq.request(buildRemove(), options);
  } catch (err) {
    throw registrationErrorOf(err, 'account removal');
  }
}
