/**
 * XEP-0313 Message Archive Management (`urn:xmpp:mam:2`) codec: queries with a XEP-0004 form and
 * XEP-0059 paging, results, the `<fin/>` that ends a page. Pure and synchronous; never throws:
 * bad input comes back as an `XmppAdapterError` (builders) or a `StanzaParseError` (parsers).
 */
import { xml, type Element } from '@xmpp/xml';
import { XmppAdapterError } from '../../errors.js';
import { bareJid, normalizeJid } from '../../jid.js';
import { NS_CLIENT } from '../../wire/namespaces.js';
import { StanzaParseError } from '../iq-request.js';
import { NS_DATA, NS_RSM, boundedText, buildRsmSet, buildSubmitForm, parseDateTime, xsBoolean, type FormField } from '../forms.js';
import type { MamFin, MamQueryParams, MamResult, MamResultContext } from './mam.types.js';

export const NS_MAM = 'urn:xmpp:mam:2';
/** XEP-0313 §7: the feature that `before-id`, `after-id`, `ids` and flipped pages need. */
export const NS_MAM_EXTENDED = 'urn:xmpp:mam:2#extended';
export const NS_FORWARD = 'urn:xmpp:forward:0';
export const NS_DELAY = 'urn:xmpp:delay';

/** Largest page this client asks for: a page is held in memory until its `<fin/>` arrives. */
export const MAX_PAGE_SIZE = 1000;
/** Longest queryid, archive id or search text accepted or sent. */
export const MAX_ID_LENGTH = 1024;
const MAX_SEARCH_LENGTH = 1024;
/** Longest count believed (RSM counts are 32-bit `xs:int`). */
const MAX_COUNT = 2 ** 31 - 1;

const invalid = (what: string) => new XmppAdapterError('invalid-argument', `MAM query: ${what}`);

/** A bare JID, normalised, or undefined. */
function bareOnly(value: unknown): string | undefined {
  const jid = normalizeJid(value);
  return jid !== undefined && bareJid(value) === jid ? jid : undefined;
}

/** Checks a query and gives back its form fields, or why it is unusable. */
function queryFields(p: MamQueryParams): FormField[] | XmppAdapterError {
  if (boundedText(p.queryId, MAX_ID_LENGTH) === undefined) return invalid('queryId must be 1..1024 characters');
  if (!Number.isInteger(p.max) || p.max < 1 || p.max > MAX_PAGE_SIZE) return invalid(`max must be an integer in 1..${MAX_PAGE_SIZE}`);
  // XEP-0313 §3.3.1/§3.3.2: archives live on bare JIDs (the account's, a room's).
  if (p.to !== undefined && bareOnly(p.to) === undefined) return invalid(`to is not a bare JID: ${String(p.to)}`);
  const fields: FormField[] = [];
  if (p.with !== undefined) {
    const jid = normalizeJid(p.with);
    if (jid === undefined) return invalid(`with is not a JID: ${String(p.with)}`);
    fields.push({ var: 'with', value: jid });
  }
  // XEP-0313 §4.1.2: "The 'start' and 'end' fields, if provided, MUST contain timestamps formatted
  // according to the DateTime profile defined in XEP-0082".
  const start = p.start === undefined ? undefined : parseDateTime(p.start);
  const end = p.end === undefined ? undefined : parseDateTime(p.end);
  if (p.start !== undefined && start === undefined) return invalid(`start is not a XEP-0082 DateTime: ${String(p.start)}`);
  if (p.end !== undefined && end === undefined) return invalid(`end is not a XEP-0082 DateTime: ${String(p.end)}`);
  if (start !== undefined && end !== undefined && start > end) return invalid('start is after end');
  if (p.start !== undefined) fields.push({ var: 'start', value: p.start });
  if (p.end !== undefined) fields.push({ var: 'end', value: p.end });
  for (const [name, value] of [
    ['after-id', p.afterId],
    ['before-id', p.beforeId],
  ] as const) {
    if (value === undefined) continue;
    if (boundedText(value, MAX_ID_LENGTH) === undefined) return invalid(`${name} must be 1..1024 characters`);
    fields.push({ var: name, value });
  }
  if (p.fullText !== undefined) {
    if (boundedText(p.fullText, MAX_SEARCH_LENGTH) === undefined) return invalid('fullText must be 1..1024 characters');
    const field = p.fullTextField ?? 'full-text-search';
    if (boundedText(field, MAX_ID_LENGTH) === undefined || field === 'FORM_TYPE')
      return invalid('fullTextField is not a usable field name');
    fields.push({ var: field, value: p.fullText });
  }
  // XEP-0313 §4.3.2: "RSM does not define the behaviour of including both <before> and <after> in the same request."
  if (p.before !== undefined && p.after !== undefined) return invalid('before and after together are undefined by RSM');
  if (p.before !== undefined && p.before !== '' && boundedText(p.before, MAX_ID_LENGTH) === undefined) return invalid('before is too long');
  if (p.after !== undefined && boundedText(p.after, MAX_ID_LENGTH) === undefined) return invalid('after must be 1..1024 characters');
  return fields;
}

/**
 * An archive query: `<iq type='set'><query queryid><x type='submit'/><set/></query></iq>`, or why
 * the parameters are unusable (nothing is sent then). `beforeId`/`afterId` need the archive to
 * advertise {@link NS_MAM_EXTENDED}: XEP-0313 §4.1 "clients that depend on these fields MUST
 * verify that the server advertises this feature before attempting to use them" (the caller's job).
 */
export function buildMamQuery(params: MamQueryParams): Element | XmppAdapterError {
  const fields = queryFields(params);
  if (fields instanceof XmppAdapterError) return fields;
  const cursor: { before?: string; after?: string } = {};
  if (params.before !== undefined) cursor.before = params.before;
  if (params.after !== undefined) cursor.after = params.after;
  const query = xml('query', { xmlns: NS_MAM, queryid: params.queryId });
  // XEP-0313 §4.1: "The hidden FORM_TYPE field MUST be set to this protocol's namespace". A query
  // without filters needs no form at all (§4, first example).
  if (fields.length > 0) query.append(buildSubmitForm(NS_MAM, fields));
  query.append(buildRsmSet(params.max, cursor));
  return xml('iq', { type: 'set', to: params.to === undefined ? undefined : bareOnly(params.to) }, query);
}

/**
 * Reads an archive result message (XEP-0313 §4.2), or why it is not one we may use.
 * XEP-0313 §8.2: "A client MUST verify the source of MAM query results against an open query
 * (i.e. checking the stanza 'from' matches the entity that was queried)". The own archive answers
 * without `from` or from the own bare JID; a room's from the room's bare JID. The caller also
 * checks that `queryId` belongs to one of its open queries (the same section's second MUST).
 */
export function parseMamResult(message: Element, context: MamResultContext): MamResult | StanzaParseError {
  if (message.name !== 'message' || message.attrs.type === 'error') return new StanzaParseError('not a result message');
  const from = message.attrs.from;
  const expected = context.archive === undefined ? context.ownBare : bareOnly(context.archive);
  if (expected === undefined) return new StanzaParseError('expected archive is not a bare JID');
  if (from === undefined ? expected !== context.ownBare : normalizeJid(from) !== expected) {
    return new StanzaParseError(`result from ${String(from ?? 'the own server')}, not from the archive queried`);
  }
  const results = message.getChildren('result', NS_MAM);
  if (results.length !== 1) return new StanzaParseError(`expected one <result/>, got ${results.length}`);
  const result = results[0]!;
  const queryId = boundedText(result.attrs.queryid, MAX_ID_LENGTH);
  // XEP-0313 §4.2: "The result messages MUST contain a <result/> element with an 'id' attribute
  // that gives the current message's archive UID".
  const archiveId = boundedText(result.attrs.id, MAX_ID_LENGTH);
  if (queryId === undefined || archiveId === undefined) return new StanzaParseError('result without a usable queryid or id');
  const forwarded = result.getChildren('forwarded', NS_FORWARD);
  if (forwarded.length !== 1) return new StanzaParseError('result without exactly one <forwarded/>');
  // The archive may drop the message of a removed entry (§3.2); such a result carries nothing to show.
  const inner = forwarded[0]!.getChildren('message', NS_CLIENT);
  if (inner.length !== 1) return new StanzaParseError('<forwarded/> without exactly one jabber:client <message/>');
  const parsed: MamResult = { queryId, archiveId, message: inner[0]! };
  // §4.2: the forwarded element "SHOULD also contain a <delay/> element"; its stamp "MUST be the
  // time the message was originally received by the forwarding entity".
  const delay = forwarded[0]!.getChild('delay', NS_DELAY);
  if (delay !== undefined) {
    const ms = parseDateTime(delay.attrs.stamp);
    if (ms === undefined) return new StanzaParseError(`unusable delay stamp ${String(delay.attrs.stamp)}`);
    parsed.stamp = new Date(ms).toISOString();
  }
  return parsed;
}

/** The text of an RSM child, when it is a usable id. */
function rsmId(set: Element, name: 'first' | 'last'): string | undefined | null {
  const el = set.getChild(name, NS_RSM);
  if (el === undefined) return undefined;
  return boundedText(el.text(), MAX_ID_LENGTH) ?? null;
}

/** Reads the IQ result that ends a page (XEP-0313 §4, §4.3.2), or why it is unusable. */
export function parseMamFin(iq: Element): MamFin | StanzaParseError {
  if (iq.name !== 'iq' || iq.attrs.type !== 'result') return new StanzaParseError('not an IQ result');
  const fins = iq.getChildren('fin', NS_MAM);
  if (fins.length !== 1 || iq.getChildElements().length !== 1) return new StanzaParseError('IQ result without exactly one <fin/>');
  const fin = fins[0]!;
  // §4.3.2: "If it is not the last page of the result set, the server MUST either omit the
  // 'complete' attribute, or give it a value of 'false'."
  const parsed: MamFin = { complete: xsBoolean(fin.attrs.complete) === true, stable: xsBoolean(fin.attrs.stable) !== false };
  const set = fin.getChild('set', NS_RSM);
  // §4: "The final IQ result response MUST include an RSM <set/> element"; without one the page is
  // read as empty, which stops a pager unless it is complete.
  if (set === undefined) return parsed;
  const first = rsmId(set, 'first');
  const last = rsmId(set, 'last');
  if (first === null || last === null) return new StanzaParseError('unusable <first/> or <last/>');
  // XEP-0059 §2.2: a page with items MUST carry both <first/> and <last/>; an empty one neither.
  if ((first === undefined) !== (last === undefined)) return new StanzaParseError('<first/> without <last/> or the reverse');
  if (first !== undefined) parsed.first = first;
  if (last !== undefined) parsed.last = last;
  const countText = set.getChildText('count', NS_RSM);
  // §4.3.2: "a client MUST NOT depend on" <count/>; a malformed one is left out.
  if (countText !== null && /^\d{1,10}$/.test(countText) && Number(countText) <= MAX_COUNT) parsed.count = Number(countText);
  return parsed;
}

/**
 * Full-text search fields servers are known to offer, most specific first: XEP-0431's full-text search, ejabberd's
 * `withtext`, and the plain name used by some servers. A field is only used when the archive's
 * form lists it (XEP-0313 §4.1.5: "If a client includes a form field that the server does not
 * recognise, the server MUST respond with a 'feature-not-implemented' error").
 */
export const FULL_TEXT_FIELDS = ['{urn:xmpp:fulltext:0}fulltext', 'withtext', 'full-text-search'] as const;

/** XEP-0313 §4.1.5: asks an archive (the own one when `to` is absent) for the fields its queries accept. */
export function buildMamFormRequest(to?: string): Element {
  return xml('iq', { type: 'get', to }, xml('query', { xmlns: NS_MAM }));
}

/** The field names of an archive's query form (§4.1.5), or why the answer is unusable. */
export function parseMamFormFields(iq: Element): string[] | StanzaParseError {
  if (iq.name !== 'iq' || iq.attrs.type !== 'result') return new StanzaParseError('not an IQ result');
  const form = iq.getChild('query', NS_MAM)?.getChild('x', NS_DATA);
  if (form === undefined) return new StanzaParseError('no query form');
  const names = new Set<string>();
  for (const field of form.getChildren('field')) {
    const name = boundedText(field.attrs.var, MAX_ID_LENGTH);
    if (name !== undefined && name !== 'FORM_TYPE') names.add(name);
    if (names.size >= 256) break;
  }
  return [...names];
}
