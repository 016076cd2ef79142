/**
 * XEP-0077 In-Band Registration (https://xmpp.org/extensions/xep-0077.html, version 2.5): the
 * registration form in both variants (plain fields, XEP-0004 data form, XEP-0158 CAPTCHA forms),
 * its submission, password change and account removal. Pure and synchronous.
 */
import { xml, type Element } from '@xmpp/xml';
import { NS_DATA, boundedText, formFieldType } from '../forms.js';
import { StanzaParseError } from '../iq-request.js';
import type { FormMedia, RegistrationField, RegistrationForm } from './register.types.js';

export const NS_REGISTER = 'jabber:iq:register';
/** §8: the stream feature a server MAY announce. */
export const NS_REGISTER_FEATURE = 'http://jabber.org/features/iq-register';
/** XEP-0158: the FORM_TYPE of CAPTCHA forms. */
export const NS_CAPTCHA = 'urn:xmpp:captcha';
/** XEP-0221 media elements inside form fields. */
export const NS_MEDIA = 'urn:xmpp:media-element';
/** XEP-0231 bits of binary data. */
export const NS_BOB = 'urn:xmpp:bob';
/** XEP-0066 out-of-band data (§5 web registration). */
export const NS_OOB = 'jabber:x:oob';

/** §13 schema: the fields of the plain variant, in schema order. */
const PLAIN_FIELDS = [
  'username',
  'nick',
  'password',
  'name',
  'first',
  'last',
  'email',
  'address',
  'city',
  'state',
  'zip',
  'phone',
  'url',
  'date',
  'misc',
  'text',
  'key',
] as const;

// Bounds on what one answer may make the client hold.
const MAX_FIELDS = 100;
const MAX_VALUES = 50;
const MAX_TEXT = 4096;
const MAX_DATA_BYTES = 1024 * 1024;

/** The values an app fills in: one string per field, or several for `-multi` fields. */
export type FormValues = Readonly<Record<string, string | readonly string[] | undefined>>;

/** §3.1: "an entity SHOULD first send an IQ get to the host" for the fields it requires. */
export function buildRegistrationRequest(to?: string): Element {
  return xml('iq', { type: 'get', ...(to === undefined ? {} : { to }) }, xml('query', { xmlns: NS_REGISTER }));
}

function text(el: Element | undefined): string | undefined {
  return boundedText(el?.text().trim(), MAX_TEXT);
}

function parseMedia(field: Element): FormMedia | undefined {
  const media = field.getChild('media', NS_MEDIA);
  if (!media) return undefined;
  const uris = media
    .getChildren('uri')
    .slice(0, MAX_VALUES)
    .flatMap((uri) => {
      const value = text(uri);
      return value === undefined ? [] : [{ type: boundedText(uri.attrs.type, 255) ?? 'application/octet-stream', uri: value }];
    });
  const out: FormMedia = { uris };
  const width = Number(media.attrs.width);
  const height = Number(media.attrs.height);
  if (Number.isInteger(width) && width > 0) out.width = width;
  if (Number.isInteger(height) && height > 0) out.height = height;
  return out;
}

function parseField(el: Element): RegistrationField | undefined {
  const name = boundedText(el.attrs.var, 255);
  const type = formFieldType(el.attrs.type) ?? 'text-single';
  // XEP-0004 §3.2: every field but `fixed` has a var; an unknown type is read as text-single.
  if (name === undefined && type !== 'fixed') return undefined;
  const field: RegistrationField = {
    var: name ?? '',
    type,
    required: el.getChild('required') !== undefined,
    values: el
      .getChildren('value')
      .slice(0, MAX_VALUES)
      .map((v) => v.text().slice(0, MAX_TEXT)),
    options: el
      .getChildren('option')
      .slice(0, MAX_VALUES)
      .flatMap((o) => {
        const value = o.getChildText('value');
        if (value === null) return [];
        const label = boundedText(o.attrs.label, MAX_TEXT);
        return [label === undefined ? { value } : { label, value }];
      }),
  };
  const label = boundedText(el.attrs.label, MAX_TEXT);
  if (label !== undefined) field.label = label;
  const description = text(el.getChild('desc'));
  if (description !== undefined) field.description = description;
  const media = parseMedia(el);
  if (media) field.media = media;
  return field;
}

function parseBob(query: Element, iq: Element): RegistrationForm['data'] {
  const data: RegistrationForm['data'] = {};
  let bytes = 0;
  // Servers put the XEP-0231 data inside the query (ejabberd) or beside it.
  for (const el of [...query.getChildren('data', NS_BOB), ...iq.getChildren('data', NS_BOB)]) {
    const cid = boundedText(el.attrs.cid, 512);
    const base64 = el.text().replace(/\s+/g, '');
    bytes += base64.length;
    if (cid === undefined || bytes > MAX_DATA_BYTES || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) continue;
    const type = boundedText(el.attrs.type, 255);
    data[cid] = type === undefined ? { base64 } : { type, base64 };
  }
  return data;
}

/**
 * Reads the answer to the registration request. §6 precedence: "x:data" before "iq:register"
 * fields before "x:oob"; the data form wins when both are present (§4 rule 5).
 */
export function parseRegistrationForm(iq: Element): RegistrationForm | StanzaParseError {
  const query = iq.getChild('query', NS_REGISTER);
  if (!query) return new StanzaParseError('no jabber:iq:register query');
  const form: RegistrationForm = {
    kind: 'fields',
    fields: [],
    captcha: false,
    data: parseBob(query, iq),
    registered: query.getChild('registered') !== undefined,
  };
  const instructions = text(query.getChild('instructions'));
  if (instructions !== undefined) form.instructions = instructions;
  const url = text(query.getChild('x', NS_OOB)?.getChild('url'));
  if (url !== undefined) form.url = url;

  const x = query.getChildren('x', NS_DATA).find((el) => el.attrs.type === 'form' || el.attrs.type === undefined);
  if (x) {
    form.kind = 'data-form';
    const elements = x.getChildren('field');
    if (elements.length > MAX_FIELDS) return new StanzaParseError(`more than ${MAX_FIELDS} form fields`);
    for (const el of elements) {
      const field = parseField(el);
      if (!field) continue;
      if (field.var === 'FORM_TYPE' && field.type === 'hidden') form.formType = field.values[0];
      form.fields.push(field);
    }
    const title = text(x.getChild('title'));
    if (title !== undefined) form.title = title;
    // The form's own instructions say more about its fields than the query's legacy ones.
    const formInstructions = text(x.getChild('instructions'));
    if (formInstructions !== undefined) form.instructions = formInstructions;
    form.captcha = form.formType === NS_CAPTCHA || form.fields.some((f) => f.media !== undefined);
    return form;
  }

  for (const name of PLAIN_FIELDS) {
    const el = query.getChild(name);
    if (!el) continue;
    const value = el.text();
    form.fields.push({
      var: name,
      type: name === 'password' ? 'text-private' : 'text-single',
      // §3.1: "The requesting entity MUST provide information for all of the elements (other than <instructions/>)".
      required: true,
      values: value === '' ? [] : [value.slice(0, MAX_TEXT)],
      options: [],
    });
  }
  return form;
}

/** `values` normalised to lists; `undefined` entries are left out. */
function valuesOf(values: FormValues, name: string): string[] | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? [value] : [...value];
}

/** The values to submit for `field`: the app's, else what the server filled in. */
function submittedValues(field: RegistrationField, values: FormValues): string[] {
  return valuesOf(values, field.var) ?? field.values;
}

/**
 * The required fields that would be submitted empty: the app must fill them in (a CAPTCHA answer,
 * an email address). §3.1 footnote: an empty password counts as not provided.
 */
export function missingFields(form: RegistrationForm, values: FormValues): RegistrationField[] {
  return form.fields.filter((field) => {
    if (field.type === 'fixed' || field.var === 'FORM_TYPE') return false;
    if (!field.required) return false;
    return submittedValues(field, values).every((v) => v.trim() === '');
  });
}

/**
 * The registration submission (§3.1). A data form goes back as `type='submit'` with every field
 * that has a value, `fixed` ones excepted; §4 rule 5: the client "MUST NOT submit both the data form and the predefined
 * fields". The plain variant sends one element per field the server listed.
 */
export function buildRegistrationSubmit(form: RegistrationForm, values: FormValues, to?: string): Element {
  const query = xml('query', { xmlns: NS_REGISTER });
  if (form.kind === 'data-form') {
    const x = xml('x', { xmlns: NS_DATA, type: 'submit' });
    for (const field of form.fields) {
      const submitted = submittedValues(field, values);
      // Fixed fields are labels; a field left without a value (an unanswered optional question) is left out.
      if (field.type === 'fixed' || submitted.length === 0) continue;
      x.append(xml('field', { var: field.var }, ...submitted.map((v) => xml('value', {}, v))));
    }
    query.append(x);
  } else {
    for (const field of form.fields) query.append(xml(field.var, {}, submittedValues(field, values)[0] ?? ''));
  }
  return xml('iq', { type: 'set', ...(to === undefined ? {} : { to }) }, query);
}

/**
 * §3.3 password change: `<username/>` and the new `<password/>` to the own server. The domain is
 * named as in the spec's example; the server acts on the authenticated account.
 */
export function buildPasswordChange(username: string, domain: string, password: string): Element {
  return xml(
    'iq',
    { type: 'set', to: domain },
    xml('query', { xmlns: NS_REGISTER }, xml('username', {}, username), xml('password', {}, password)),
  );
}

/**
 * §3.2 cancellation with the home server: "the entity SHOULD NOT include a 'from' or 'to' address
 * in the remove request".
 */
export function buildRemove(): Element {
  return xml('iq', { type: 'set' }, xml('query', { xmlns: NS_REGISTER }, xml('remove')));
}

/** §8: whether the stream features announce in-band registration. */
export function offersRegistration(features: Element): boolean {
  return features.getChild('register', NS_REGISTER_FEATURE) !== undefined;
}
