import { registerAccount, type RegisterAccountOptions, type RegisterResult } from '../xeps/register/index.js';

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
