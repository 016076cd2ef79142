/**
 * XEP-0363 HTTP File Upload, version 1.1.0: https://xmpp.org/extensions/xep-0363.html
 * The slot request, the slot, the service's `max-file-size` and the upload-specific errors.
 * Pure and synchronous; a slot from a hostile service is refused here, before any HTTP request.
 */
import { xml, type Element } from '@xmpp/xml';
import { parseDateTime } from '../forms.js';
import type { DiscoInfo } from '../disco/disco.types.js';
import { StanzaParseError } from '../iq-request.js';
import type { UploadErrorDetails, UploadFileInfo, UploadHeader, UploadSlot } from './upload.types.js';

export const NS_HTTP_UPLOAD = 'urn:xmpp:http:upload:0';

/** XEP-0363 §4: "Only the following header names are allowed: Authorization, Cookie, Expires". Lower case. */
export const ALLOWED_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie', 'expires']);

/** A slot with more headers than this is refused (a real one has one or two). */
export const MAX_SLOT_HEADERS = 32;
/** URLs and header values longer than this are refused. */
export const MAX_SLOT_TEXT = 8192;

/** Hosts a plain `http:` slot URL may name: loopback only, for tests and development. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

// ---------------------------------------------------------------------------------------------
// Discovery (§3)
// ---------------------------------------------------------------------------------------------

/** Whether a disco#info answer describes an upload service (the feature; the `store/file` identity is not required). */
export function offersUpload(info: Pick<DiscoInfo, 'features'>): boolean {
  return info.features.includes(NS_HTTP_UPLOAD);
}

/** Whether the answer also carries the `store/file` identity of the XEP's example (preferred when several services offer upload). */
export function isFileStore(info: Pick<DiscoInfo, 'identities'>): boolean {
  return info.identities.some((i) => i.category === 'store' && i.type === 'file');
}

/** A non-negative decimal integer within `Number.MAX_SAFE_INTEGER`, or undefined. */
function byteCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,16}$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * XEP-0363 §3: "To avoid unnecessary round trips an entity SHOULD also include the maximum file size
 * as specified in XEP-0128 if such a limitation exists. The field name MUST be "max-file-size" and
 * the value MUST be in bytes." Read only from the form whose FORM_TYPE is the upload namespace;
 * undefined when there is none or its value is not a byte count.
 */
export function parseMaxFileSize(info: Pick<DiscoInfo, 'forms'>): number | undefined {
  for (const form of info.forms) {
    const formType = form.fields.find((f) => f.var === 'FORM_TYPE');
    if (formType?.values[0] !== NS_HTTP_UPLOAD) continue;
    const field = form.fields.find((f) => f.var === 'max-file-size');
    if (field?.values.length === 1) return byteCount(field.values[0]);
    return undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Requesting a slot (§4)
// ---------------------------------------------------------------------------------------------

/**
 * XEP-0363 §4: the IQ-get to the upload service. "This element MUST include the attributes filename
 * and size containing the file name and size respectively. An additional attribute content-type
 * containing the Content-Type is OPTIONAL."
 */
export function buildSlotRequest(service: string, file: UploadFileInfo): Element {
  return xml(
    'iq',
    { type: 'get', to: service },
    xml('request', { xmlns: NS_HTTP_UPLOAD, filename: file.filename, size: String(file.size), 'content-type': file.contentType }),
  );
}

/**
 * Whether `text` is a URL a slot may carry: absolute, `https:` ("The host MUST provide Transport
 * Layer Security", §4), or `http:` to a loopback host (tests, development), and without user
 * name or password (they would leak into the message that shares the GET URL). Returns the URL as
 * the WHATWG parser normalises it, or why it is refused.
 */
export function checkSlotUrl(text: string | undefined): string | StanzaParseError {
  if (text === undefined || text.length === 0) return new StanzaParseError('no URL');
  if (text.length > MAX_SLOT_TEXT) return new StanzaParseError('URL too long');
  let url: URL;
  try {
    // No base: a relative URL does not parse, so only absolute ones pass.
    url = new URL(text);
  } catch {
    return new StanzaParseError(`not an absolute URL: ${text.slice(0, 100)}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    return new StanzaParseError(`not an https URL: ${url.protocol}//${url.host}`);
  }
  if (url.username !== '' || url.password !== '') return new StanzaParseError('URL with credentials');
  return url.href;
}

/**
 * The headers the PUT may send. XEP-0363 §4: "Each <header> element MUST have a name-attribute";
 * "Only the following header names are allowed: Authorization, Cookie, Expires": any other header
 * is left out of the PUT, never sent. Security Considerations (§8 of the 0.4.0 text read here):
 * "Requesting entities MUST strip any newline characters from the HTTP header names and values
 * before making the PUT request." We go further and refuse the whole slot: a value with CR or LF (or NUL) is an attempt
 * at header injection, and a stripped value would not be the opaque value the service meant.
 */
function readHeaders(put: Element): UploadHeader[] | StanzaParseError {
  const elements = put.getChildren('header', NS_HTTP_UPLOAD);
  if (elements.length > MAX_SLOT_HEADERS) return new StanzaParseError('too many headers');
  const headers: UploadHeader[] = [];
  for (const header of elements) {
    const name = header.attrs.name;
    if (typeof name !== 'string' || name.length === 0) return new StanzaParseError('a header without name');
    const value = header.text();
    if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(value)) return new StanzaParseError(`header ${JSON.stringify(name)} carries a line break`);
    if (value.length > MAX_SLOT_TEXT) return new StanzaParseError('header value too long');
    // Names are case-insensitive; repeats and their order are kept (v1.1.0).
    if (ALLOWED_HEADERS.has(name.trim().toLowerCase())) headers.push({ name: name.trim(), value });
  }
  return headers;
}

/** XEP-0363 §4: reads the `<slot>` of a result (the `<iq>` or the `<slot>` itself) and checks its URLs and headers. */
export function parseSlot(el: Element): UploadSlot | StanzaParseError {
  const slot = el.name === 'slot' && el.getNS() === NS_HTTP_UPLOAD ? el : el.getChild('slot', NS_HTTP_UPLOAD);
  if (!slot) return new StanzaParseError('no slot');
  const put = slot.getChild('put', NS_HTTP_UPLOAD);
  const get = slot.getChild('get', NS_HTTP_UPLOAD);
  if (!put || !get) return new StanzaParseError('a slot needs put and get');
  const putUrl = checkSlotUrl(put.attrs.url);
  if (putUrl instanceof StanzaParseError) return new StanzaParseError(`PUT: ${putUrl.reason}`);
  const getUrl = checkSlotUrl(get.attrs.url);
  if (getUrl instanceof StanzaParseError) return new StanzaParseError(`GET: ${getUrl.reason}`);
  const headers = readHeaders(put);
  if (headers instanceof StanzaParseError) return headers;
  return { put: { url: putUrl, headers }, get: getUrl };
}

// ---------------------------------------------------------------------------------------------
// Errors (§5)
// ---------------------------------------------------------------------------------------------

/**
 * XEP-0363 §5: the upload-specific children of an error reply (the `<iq>` or its `<error>`):
 * `<file-too-large>` with the service's `<max-file-size>`, and `<retry stamp/>`, whose stamp
 * "MUST adhere to the date-time format specified in XEP-0082 and MUST be expressed in UTC" (a
 * stamp that does not is ignored).
 */
export function parseUploadError(el: Element): UploadErrorDetails {
  const error = el.name === 'error' ? el : el.getChild('error');
  const details: UploadErrorDetails = {};
  if (!error) return details;
  const tooLarge = error.getChild('file-too-large', NS_HTTP_UPLOAD);
  if (tooLarge) {
    const max = byteCount(tooLarge.getChildText('max-file-size', NS_HTTP_UPLOAD) ?? undefined);
    details.fileTooLarge = max === undefined ? {} : { maxFileSize: max };
  }
  const stamp = error.getChild('retry', NS_HTTP_UPLOAD)?.attrs.stamp;
  if (typeof stamp === 'string' && /(Z|[+-]00:00)$/.test(stamp) && parseDateTime(stamp) !== undefined) details.retry = { stamp };
  return details;
}
