import type { FormFieldType } from '../forms.js';

export type { FormFieldType };

/** XEP-0221: a URI of media to show with a field (a CAPTCHA image or sound). */
export interface FormMediaUri {
  /** MIME type, e.g. `image/png`. */
  type: string;
  /** `http(s):` or `cid:` (XEP-0231 data carried in the same answer, see `RegistrationForm.data`). */
  uri: string;
}

export interface FormMedia {
  width?: number;
  height?: number;
  uris: FormMediaUri[];
}

/** One field of a registration form, as plain data. */
export interface RegistrationField {
  /** The field name: `username`, `password`, `email`, a CAPTCHA answer such as `ocr`, … */
  var: string;
  type: FormFieldType;
  label?: string;
  description?: string;
  required: boolean;
  /** The values the server filled in (hidden CAPTCHA ids, defaults). */
  values: string[];
  /** Choices of list fields. */
  options: Array<{ label?: string; value: string }>;
  /** XEP-0221 media (a CAPTCHA challenge). */
  media?: FormMedia;
}

/**
 * What the server asks for (XEP-0077 §3.1): a XEP-0004 data form (§4; also XEP-0158 CAPTCHA forms),
 * or the plain `jabber:iq:register` fields, each of which must be provided.
 */
export interface RegistrationForm {
  kind: 'data-form' | 'fields';
  /** The form's hidden FORM_TYPE (`jabber:iq:register`, `urn:xmpp:captcha`). */
  formType?: string;
  title?: string;
  instructions?: string;
  fields: RegistrationField[];
  /** A XEP-0158 challenge: the FORM_TYPE is `urn:xmpp:captcha`, or a field carries media. */
  captcha: boolean;
  /** XEP-0231 bits of binary data sent with the form, by `cid` (e.g. the CAPTCHA image), base64. */
  data: Record<string, { type?: string; base64: string }>;
  /** XEP-0066 out-of-band URL (XEP-0077 §5): where a person can register instead. */
  url?: string;
  /** The entity is registered already (`<registered/>`, §3.1). */
  registered: boolean;
}

/** Why a registration, a password change or an account removal did not happen. */
export type RegistrationFailure =
  /** §3.1 username conflict: the name is taken. */
  | 'conflict'
  /** §3.1: required information missing or invalid (also a wrong CAPTCHA answer, XEP-0158 §3.3). */
  | 'not-acceptable'
  /** The server does not allow this in-band (registration closed, §3.2/§3.3 tables). */
  | 'not-allowed'
  /** The server offers no in-band registration (no stream feature, or `service-unavailable`, §3.1). */
  | 'unsupported'
  /** The server only points to another medium (§5): `url` and `instructions` say where. */
  | 'redirected'
  /** The password would cross an unencrypted, non-loopback connection (§11) and that was not allowed. */
  | 'insecure'
  /** Any other stanza error (see `condition`), or a broken answer. */
  | 'failed';
