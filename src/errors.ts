/** Every error this library creates carries a stable `code` that apps can switch on. */
export type XmppErrorCode =
  | 'invalid-options'
  /** A helper was called with an argument it cannot use (not a JID, an empty body, …). */
  | 'invalid-argument'
  | 'timeout'
  | 'aborted'
  | 'not-online'
  | 'stopped'
  | 'stanza-error'
  | 'disconnected'
  | 'feature-failed'
  /** A peer answered with something the protocol does not allow. */
  | 'bad-reply';

export class XmppAdapterError extends Error {
  readonly code: XmppErrorCode;
  constructor(code: XmppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'XmppAdapterError';
    this.code = code;
  }
}

/** Thrown by `createXmppClient` before any network I/O when an option is unusable. */
export class InvalidOptionsError extends XmppAdapterError {
  /** The option at fault, e.g. `service` or `reconnect.minDelay`. */
  readonly option: string;
  constructor(option: string, message: string) {
    super('invalid-options', `Invalid option \`${option}\`: ${message}`);
    this.name = 'InvalidOptionsError';
    this.option = option;
  }
}

/** An IQ answered with `type="error"`; `condition` is the RFC 6120 §8.3.3 defined condition. */
export class StanzaError extends XmppAdapterError {
  readonly condition: string;
  readonly errorType: string | undefined;
  readonly text: string | undefined;
  constructor(condition: string, errorType?: string, text?: string) {
    super('stanza-error', text ? `${condition}: ${text}` : condition);
    this.name = 'StanzaError';
    this.condition = condition;
    this.errorType = errorType;
    this.text = text;
  }
}

/** The message of anything thrown, for a context field or a log line. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
