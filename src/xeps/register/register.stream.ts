import type { Element } from '@xmpp/xml';
import { XmppAdapterError, errorMessage } from '../../errors.js';
import { parseStanzaError } from '../../iq/iq-tracker.js';
import { resolveOptions } from '../../client/options.js';
import type { DropReason } from '../../wire/drop-reason.js';
import { isLoopbackHost, openStream } from '../../wire/negotiate.js';
import { serializeStanza } from '../../wire/serialize.js';
import { XmppStream } from '../../wire/xmpp-stream.js';
import { StanzaParseError } from '../iq-request.js';
import {
  buildRegistrationRequest,
  buildRegistrationSubmit,
  missingFields,
  offersRegistration,
  parseRegistrationForm,
  type FormValues,
} from './register.codec.js';
import { RegistrationError, registrationErrorOf } from './register.error.js';
import type { RegistrationField, RegistrationForm } from './register.types.js';

export interface RegisterAccountOptions {
  /** Where to connect, as for `createXmppClient`: `xmpp://`, `xmpps://`, `ws://`, `wss://`. */
  service: string;
  /** The domain to register with. @default the host name of `service` */
  domain?: string;
  /** The account's localpart. */
  username: string;
  password: string;
  /** Values of further fields the server asks for (`email`, a CAPTCHA answer such as `ocr`), by field name. */
  fields?: FormValues;
  /**
   * Allow sending the password over a connection that is neither encrypted nor to a loopback host.
   * @default false
   */
  allowPlainOverInsecure?: boolean;
  /** Bound for each wait on the server, in ms. @default 20000 */
  timeout?: number;
  /** How long a `needs-form` result keeps its connection open for `submit`, in ms. @default 300000 */
  formTimeout?: number;
}

/** The account exists; log in with `createXmppClient` and the same credentials. */
export interface Registered {
  status: 'registered';
  /** The new account's bare JID. */
  jid: string;
}

/**
 * The server wants more than username and password (an email address, a XEP-0158 CAPTCHA): show
 * `form` and call `submit` with the values. The connection stays open until `submit` or `cancel`
 * (or `formTimeout`), since a CAPTCHA belongs to the connection it was issued on.
 */
export interface NeedsForm {
  status: 'needs-form';
  form: RegistrationForm;
  /** The fields that still need a value (required ones, or the CAPTCHA's). */
  missing: RegistrationField[];
  /** Submits the form with `values` added to the username, password and `fields` given first. */
  submit(values: FormValues): Promise<RegisterResult>;
  /** Closes the connection without registering. */
  cancel(): Promise<void>;
}

export type RegisterResult = Registered | NeedsForm;

/** A form field the app answers itself, not from username/password or a server-filled value. */
function isQuestion(field: RegistrationField): boolean {
  return field.type !== 'hidden' && field.type !== 'fixed' && field.var !== 'username' && field.var !== 'password';
}

/** The fields the app still has to fill in; for a CAPTCHA, its questions until one is answered (XEP-0158 §3.3). */
function stillMissing(form: RegistrationForm, values: FormValues): RegistrationField[] {
  const missing = missingFields(form, values);
  if (!form.captcha) return missing;
  const questions = form.fields.filter(isQuestion);
  const answered = questions.some((f) => {
    const value = values[f.var];
    return value !== undefined && (typeof value === 'string' ? value !== '' : value.length > 0);
  });
  return answered ? missing : [...new Set([...missing, ...questions])];
}

/**
 * XEP-0077 §3.1 without a prior login: opens a stream of its own (STARTTLS when offered, as the
 * login does), checks the §8 stream feature, asks for the registration form and submits it.
 * Resolves `registered`, or `needs-form` when the app must fill in more; rejects with a
 * {@link RegistrationError} (`conflict`, `not-acceptable`, `not-allowed`, `unsupported`,
 * `redirected`, `insecure`) or an `InvalidOptionsError` before any network I/O.
 */
export async function registerAccount(options: RegisterAccountOptions): Promise<RegisterResult> {
  const resolved = resolveOptions({
    service: options.service,
    ...(options.domain === undefined ? {} : { domain: options.domain }),
    username: options.username,
    password: options.password,
  });
  const timeout = options.timeout ?? resolved.connectTimeout;
  const formTimeout = options.formTimeout ?? 300_000;
  const { domain, host } = resolved;

  let dropped: DropReason | undefined;
  const stream = new XmppStream(resolved.service, domain, {
    observe() {},
    onElement() {},
    onDrop(reason) {
      dropped = reason;
    },
  });
  // Closed in the background: XmppStream.close() waits for the server's closing tag (up to 2 s),
  // which the app need not wait for.
  const closeSoon = () => void stream.close();
  const fail = (error: unknown): never => {
    closeSoon();
    if (error instanceof XmppAdapterError) throw error;
    const why = dropped
      ? `the server ended the connection (${dropped.kind === 'stream-error' ? dropped.condition : dropped.kind})`
      : errorMessage(error);
    throw new XmppAdapterError('disconnected', `registration: ${why}`, { cause: error });
  };

  async function exchangeIq(iq: Element, what: string): Promise<Element> {
    const id = globalThis.crypto.randomUUID();
    iq.attrs.id = id;
    const reply = await stream.exchange(
      serializeStanza(iq),
      (el) => el.name === 'iq' && el.attrs.id === id && (el.attrs.type === 'result' || el.attrs.type === 'error'),
      timeout,
      what,
    );
    if (reply.attrs.type === 'error') throw registrationErrorOf(parseStanzaError(reply), what);
    return reply;
  }

  let form: RegistrationForm;
  try {
    const features = await openStream(stream, domain, timeout);
    // §8: the server "MAY announce support for in-band registration" as a stream feature; we go only where it does.
    if (!offersRegistration(features)) throw new RegistrationError('unsupported', `${domain} offers no in-band registration`);
    // §11: the methods "SHOULD NOT be used unless the channel between the registrant and the entity that accepts registration has been secured".
    if (!stream.secure && !isLoopbackHost(host) && options.allowPlainOverInsecure !== true) {
      throw new RegistrationError(
        'insecure',
        'the connection is not encrypted, so the password would be sent in the clear (set allowPlainOverInsecure to accept)',
      );
    }
    // §3.1: "an entity SHOULD first send an IQ get to the host" and "SHOULD NOT attempt to guess at the required fields".
    const parsed = parseRegistrationForm(await exchangeIq(buildRegistrationRequest(), 'registration form request'));
    if (parsed instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `registration form: ${parsed.reason}`);
    // §5: instructions and a URL only: the server registers elsewhere.
    if (parsed.fields.length === 0) {
      throw new RegistrationError('redirected', `${domain} registers accounts elsewhere${parsed.url ? `: ${parsed.url}` : ''}`, {
        ...(parsed.url === undefined ? {} : { url: parsed.url }),
        ...(parsed.instructions === undefined ? {} : { text: parsed.instructions }),
      });
    }
    form = parsed;
  } catch (err) {
    return fail(err);
  }

  const base: FormValues = { ...options.fields, username: resolved.username, password: resolved.password };

  async function submit(values: FormValues): Promise<Registered> {
    const username = values.username;
    try {
      await exchangeIq(buildRegistrationSubmit(form, values), 'registration');
    } catch (err) {
      return fail(err);
    }
    closeSoon();
    return {
      status: 'registered',
      jid: `${typeof username === 'string' ? username.toLowerCase() : resolved.username.toLowerCase()}@${domain}`,
    };
  }

  const missing = stillMissing(form, base);
  if (missing.length === 0) return submit(base);

  // The app fills the form in; the connection waits, bounded by formTimeout.
  let settled = false;
  const timer = setTimeout(() => {
    settled = true;
    closeSoon();
  }, formTimeout);
  // A form left unanswered must not keep a Node process alive.
  (timer as { unref?: () => void }).unref?.();
  const settle = () => {
    if (settled) throw new XmppAdapterError('stopped', 'this registration form was already submitted, cancelled or timed out');
    settled = true;
    clearTimeout(timer);
  };
  return {
    status: 'needs-form',
    form,
    missing,
    async submit(values) {
      const merged: FormValues = { ...base, ...values };
      const left = stillMissing(form, merged);
      // Nothing is sent yet: the app may call submit again with the missing values.
      if (!settled && left.length > 0) {
        throw new RegistrationError('not-acceptable', `registration form incomplete: ${left.map((f) => f.label ?? f.var).join(', ')}`);
      }
      settle();
      return submit(merged);
    },
    async cancel() {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      closeSoon();
    },
  };
}
