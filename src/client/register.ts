import { XmppAdapterError } from '../errors.js';
import { registerAccount, type RegisterAccountOptions, type RegisterResult } from '../xeps/register/index.js';
import type { ResolvedOptions } from './options.js';

export type { NeedsForm, RegisterAccountOptions, RegisterResult, Registered } from '../xeps/register/index.js';
export { RegistrationError } from '../xeps/register/index.js';

/**
 * Creates an account by XEP-0077 In-Band Registration, with no client and no prior login:
 *
 * ```ts
 * const result = await register({ service: 'wss://chat.example.org/xmpp-websocket', username: 'alice', password: 's3cret' });
 * if (result.status === 'needs-form') await result.submit({ ocr: answerFromUser }); // e.g. a CAPTCHA
 * ```
 *
 * Rejects with a `RegistrationError` whose `reason` is `conflict` (name taken), `not-acceptable`
 * (missing or invalid fields), `not-allowed` (registration closed), `unsupported`, `redirected`
 * (`url` says where) or `insecure` (no encryption and `allowPlainOverInsecure` not set).
 */
export function register(options: RegisterAccountOptions): Promise<RegisterResult> {
  return registerAccount(options);
}

/** `client.register()`: the client's own credentials, registered the way {@link register} does. */
export function registerOwnAccount(
  options: ResolvedOptions,
  extra: Pick<RegisterAccountOptions, 'fields' | 'formTimeout'>,
): Promise<RegisterResult> {
  if (options.discover) {
    return Promise.reject(new XmppAdapterError('invalid-options', 'registration needs an explicit service (no endpoint discovery yet)'));
  }
  if (options.password === undefined) {
    return Promise.reject(new XmppAdapterError('invalid-options', 'registration needs a password'));
  }
  return registerAccount({
    service: options.service,
    domain: options.domain,
    username: options.username,
    password: options.password,
    allowPlainOverInsecure: options.allowPlainOverInsecure,
    timeout: options.connectTimeout,
    ...extra,
  });
}
