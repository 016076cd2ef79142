/** XEP-0202 Entity Time codec (dates per XEP-0082): pure and synchronous. */
import { xml, type Element } from '@xmpp/xml';
import type { RouteContext } from '../feature.js';
import { StanzaParseError, readIqRequest, refOf } from '../iq-request.js';
import type { EntityTime, TimeRequestEvent } from './time.types.js';

export const NS_TIME = 'urn:xmpp:time';

const pad = (n: number) => String(n).padStart(2, '0');

/** XEP-0082 TZD for an offset in minutes east of UTC: `+02:00`, `-06:00`, `+00:00`. */
export function formatTzo(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(Math.trunc(offsetMinutes));
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Minutes east of UTC for a XEP-0082 TZD (`Z` or `±hh:mm`), or undefined. */
export function parseTzo(value: string): number | undefined {
  const text = value.trim();
  if (text === 'Z') return 0;
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 23 || minutes > 59) return undefined;
  const total = hours * 60 + minutes;
  return match[1] === '-' ? -total : total;
}

/** XEP-0082 dateTime in UTC without fractions: `2006-12-19T17:58:35Z`. */
export function formatUtc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads a XEP-0082 dateTime (`CCYY-MM-DDThh:mm:ss[.sss]TZD`); fractions of any length are
 * accepted and cut to milliseconds. Returns epoch milliseconds, or undefined.
 */
export function parseDateTime(value: string): number | undefined {
  const match = DATE_TIME.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, tzd] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  // A leap second (60) is tolerated; Date.UTC rolls it into the next minute.
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const offset = parseTzo(tzd!);
  if (offset === undefined) return undefined;
  const ms = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000;
  // Reject days a month does not have (2023-02-30) rather than letting Date.UTC roll them over.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  return Number.isFinite(epoch) ? epoch : undefined;
}

/** The `<time/>` payload of a result: §2 requires both `<tzo/>` and `<utc/>`. */
export function buildTime(now: Date, offsetMinutes: number): Element {
  return xml('time', { xmlns: NS_TIME }, xml('tzo', {}, formatTzo(offsetMinutes)), xml('utc', {}, formatUtc(now)));
}

export function buildTimeRequest(jid: string): Element {
  return xml('iq', { type: 'get', to: jid }, xml('time', { xmlns: NS_TIME }));
}

/** Reads a time result (the `<iq>` or its `<time>`). */
export function parseTime(el: Element): EntityTime | StanzaParseError {
  const time = el.name === 'time' && el.getNS() === NS_TIME ? el : el.getChild('time', NS_TIME);
  if (!time) return new StanzaParseError('no time element');
  const tzoText = time.getChildText('tzo');
  const utcText = time.getChildText('utc');
  // §2: <tzo/> and <utc/> are both REQUIRED in a result.
  if (tzoText === null || utcText === null) return new StanzaParseError('time without tzo or utc');
  const offsetMinutes = parseTzo(tzoText);
  if (offsetMinutes === undefined) return new StanzaParseError(`not a time zone offset: ${tzoText.slice(0, 32)}`);
  const epoch = parseDateTime(utcText);
  if (epoch === undefined) return new StanzaParseError(`not a dateTime: ${utcText.slice(0, 64)}`);
  return { tzo: tzoText.trim(), utc: new Date(epoch).toISOString(), offsetMinutes };
}

/** The entity-time get this stanza carries, as the time actor's event. */
export function parseTimeRequest(stanza: Element, context: RouteContext): TimeRequestEvent | undefined {
  const request = readIqRequest(stanza, context, 'time', NS_TIME);
  return request && { type: 'time.request', ...refOf(request) };
}
