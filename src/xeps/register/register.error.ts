import { StanzaError, XmppAdapterError, type XmppErrorCode } from '../../errors.js';
import type { RegistrationFailure } from './register.types.js';

/**
 * A registration, password change or account removal that did not happen. `reason` is the part an
 * app switches on (`conflict`: pick another name); `condition` is the server's RFC 6120 condition.
 */
export class RegistrationError extends XmppAdapterError {
  readonly reason: RegistrationFailure;
  readonly condition: string | undefined;
  readonly text: string | undefined;
  /** Where to register instead (`redirected`), from the XEP-0066 URL. */
  readonly url: string | undefined;
  constructor(
    reason: RegistrationFailure,
    message: string,
    details: { condition?: string; text?: string; url?: string; cause?: unknown } = {},
  ) {
    const code: XmppErrorCode = details.condition !== undefined ? 'stanza-error' : 'feature-failed';
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RegistrationError';
    this.reason = reason;
    this.condition = details.condition;
    this.text = details.text;
    this.url = details.url;
  }
}

const REASONS: Readonly<Record<string, RegistrationFailure>> = {
  conflict: 'conflict',
  'not-acceptable': 'not-acceptable',
  // §3.3 lists bad-request for an incomplete password change: the same remedy as not-acceptable.
  'bad-request': 'not-acceptable',
  'not-allowed': 'not-allowed',
  forbidden: 'not-allowed',
  'not-authorized': 'not-allowed',
  'service-unavailable': 'unsupported',
  'feature-not-implemented': 'unsupported',
};

const DESCRIPTIONS: Readonly<Record<RegistrationFailure, string>> = {
  conflict: 'the username is taken',
  'not-acceptable': 'required information is missing or invalid',
  'not-allowed': 'the server does not allow this in-band',
  unsupported: 'the server offers no in-band registration',
  redirected: 'the server registers accounts elsewhere',
  insecure: 'the password would cross an unencrypted connection',
  failed: 'the server refused',
};

/** Maps the server's error answer (XEP-0077 §3.1–§3.3 error cases) to a {@link RegistrationError}. */
export function registrationErrorOf(error: unknown, what: string): RegistrationError | unknown {
  if (!(error instanceof StanzaError)) return error;
  const reason = REASONS[error.condition] ?? 'failed';
  const text = error.text === undefined ? '' : `: ${error.text}`;
  return new RegistrationError(reason, `${what} failed, ${DESCRIPTIONS[reason]} (${error.condition})${text}`, {
    condition: error.condition,
    ...(error.text === undefined ? {} : { text: error.text }),
    cause: error,
  });
}
