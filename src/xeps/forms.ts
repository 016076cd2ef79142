/**
 * The small pieces of XEP-0004 (data forms), XEP-0059 (RSM) and XEP-0082 (date-times) the
 * features' codecs share. Pure; checks return booleans or undefined, never throw.
 */
import { xml, type Element } from '@xmpp/xml';

export const NS_DATA = 'jabber:x:data';
export const NS_RSM = 'http://jabber.org/protocol/rsm';

/** A submitted form field; `undefined` values are left out by the caller. */
export interface FormField {
  var: string;
  value: string;
  type?: 'hidden';
}

/**
 * A `type='submit'` form whose first field is the hidden FORM_TYPE.
 * XEP-0004 §3.1: for forms of type "submit" "the <iq/> stanza SHOULD be of type "set"" (the MAM query is).
 */
export function buildSubmitForm(formType: string, fields: readonly FormField[]): Element {
  return xml(
    'x',
    { xmlns: NS_DATA, type: 'submit' },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, formType)),
    ...fields.map((f) => xml('field', { var: f.var, type: f.type }, xml('value', {}, f.value))),
  );
}

/** An RSM request `<set/>`: `before` may be `''` (XEP-0059 §2.5: an empty `<before/>` asks for the last page). */
export function buildRsmSet(max: number, cursor: { before?: string; after?: string }): Element {
  const set = xml('set', { xmlns: NS_RSM }, xml('max', {}, String(max)));
  if (cursor.after !== undefined) set.append(xml('after', {}, cursor.after));
  if (cursor.before !== undefined) set.append(cursor.before === '' ? xml('before') : xml('before', {}, cursor.before));
  return set;
}

// XEP-0082 §3.2 DateTime: CCYY-MM-DDThh:mm:ss[.sss]TZD
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Milliseconds since the epoch of a XEP-0082 DateTime, or undefined. Each part is range-checked
 * (`Date.parse` would roll 31 February over into March). A leap second (`:60`) is refused.
 */
export function parseDateTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[8] !== 'Z' && (Number(m[10]) > 23 || Number(m[11]) > 59)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** XML Schema boolean (XEP-0004 §3.3 note on booleans): `true`/`1` and `false`/`0`. */
export function xsBoolean(value: unknown): boolean | undefined {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}

/** A non-empty string of at most `maxLength` characters, else undefined. */
export function boundedText(value: unknown, maxLength: number): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength ? value : undefined;
}

/** XEP-0004 (Data Forms) §3.3 field types. */
export type FormFieldType =
  | 'boolean'
  | 'fixed'
  | 'hidden'
  | 'jid-multi'
  | 'jid-single'
  | 'list-multi'
  | 'list-single'
  | 'text-multi'
  | 'text-private'
  | 'text-single';

const FIELD_TYPES: ReadonlySet<string> = new Set<FormFieldType>([
  'boolean',
  'fixed',
  'hidden',
  'jid-multi',
  'jid-single',
  'list-multi',
  'list-single',
  'text-multi',
  'text-private',
  'text-single',
]);

/**
 * A field's XEP-0004 type: an absent `type` means `text-single`; a type XEP-0004 does not define
 * comes back undefined, so that each form decides whether to skip the field or read it as text.
 */
export function formFieldType(raw: string | undefined): FormFieldType | undefined {
  if (raw === undefined) return 'text-single';
  return FIELD_TYPES.has(raw) ? (raw as FormFieldType) : undefined;
}
