/**
 * What the fuzzer calls: every parse function of every codec (src/xeps/*\/*.codec.ts,
 * src/stream-management/sm.codec.ts, src/wire/stanza-head.ts), grouped by the seeds that reach it.
 */
import type { Element } from '@xmpp/xml';
import { parseMamFin, parseMamFormFields, parseMamResult } from '../../src/xeps/archive/mam.codec.js';
import { readArchivedResult } from '../../src/xeps/archive/mam.route.js';
import { parsePrefs } from '../../src/xeps/archive/prefs.codec.js';
import { parseBlocklist, parseBlockingPush } from '../../src/xeps/blocking/blocking.codec.js';
import {
  parseBookmarkItem,
  parseBookmarkItems,
  parseBookmarksNotification,
  parseLegacyItems,
  parseLegacyStorage,
  roomJidOf,
} from '../../src/xeps/bookmarks/bookmarks.codec.js';
import { parseCaps, parseCapsPresence, verificationString } from '../../src/xeps/caps/caps.codec.js';
import { parseCarbon } from '../../src/xeps/carbons/carbons.codec.js';
import { chatStateOf } from '../../src/xeps/chat/chat-states.codec.js';
import {
  delayStampOf,
  originIdOf,
  parseChatMessage,
  parseMessageError,
  resolveStamp,
  routeChatStanza,
  trustedStanzaId,
} from '../../src/xeps/chat/chat.codec.js';
import { replaceIdOf, retractIdOf } from '../../src/xeps/chat/edits.codec.js';
import { oobOf } from '../../src/xeps/chat/oob.codec.js';
import { parseRegistrationForm } from '../../src/xeps/register/register.codec.js';
import { parsePushNotification } from '../../src/xeps/push/push.codec.js';
import { parseConfigureForm, parsePublishResult, parsePubsubNotification } from '../../src/xeps/pubsub/pubsub.codec.js';
import { parseProfileNotification } from '../../src/xeps/profile/profile.codec.js';
import { parseVCard, parseVCardUpdate } from '../../src/xeps/profile/vcard.codec.js';
import { parseDataForm, parseDiscoInfo, parseDiscoItems, parseDiscoRequest } from '../../src/xeps/disco/disco.codec.js';
import { StanzaParseError } from '../../src/xeps/iq-request.js';
import { parseConfigForm, parseItemList, parseRoomInfo } from '../../src/xeps/muc/muc-admin.codec.js';
import { parseItem, usableNick } from '../../src/xeps/muc/muc-common.codec.js';
import { parseInvitation } from '../../src/xeps/muc/muc-invite.codec.js';
import { parseGroupchat, parseOccupantPresence, parsePrivateMessage, parseRoomPresenceError } from '../../src/xeps/muc/muc.codec.js';
import { routeMucStanza } from '../../src/xeps/muc/muc.route.js';
import { parseSubscriptions, unwrapMucSubEvent } from '../../src/xeps/muc/mucsub.codec.js';
import { parsePingRequest } from '../../src/xeps/ping/ping.codec.js';
import { parsePresence, parseResourcePresence } from '../../src/xeps/presence/presence.codec.js';
import { parseRosterItem, parseRosterPush, parseRosterResult } from '../../src/xeps/roster/roster.codec.js';
import { parseDateTime, parseTime, parseTimeRequest, parseTzo } from '../../src/xeps/time/time.codec.js';
import { isFileStore, parseMaxFileSize, parseSlot, parseUploadError } from '../../src/xeps/upload/upload.codec.js';
import { parseVersion, parseVersionRequest } from '../../src/xeps/version/version.codec.js';
import { parseEnabled, parseH } from '../../src/stream-management/sm.codec.js';
import { iqHead, sentMessageOf, worthResending } from '../../src/wire/stanza-head.js';
import type { RouteContext } from '../../src/xeps/feature.js';
import { ME, OWN, ROOM, type SeedGroup } from './seeds.js';

export const CONTEXT: RouteContext = { me: ME, ownBare: OWN, domain: 'example.org' };
const NOW = Date.parse('2026-06-01T12:00:00Z');
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

/** Results may hold ltx elements only where the codec hands a stanza on (a MAM result's message, a MucSub event). */
export interface Target {
  name: string;
  run(el: Element): unknown;
  elementsAllowed?: boolean;
}

/** Every descendant element, in document order (bounded: a flood of children is not walked whole). */
export function descendants(el: Element, limit = 200): Element[] {
  const out: Element[] = [];
  const walk = (node: Element) => {
    for (const child of node.getChildElements()) {
      if (out.length >= limit) return;
      out.push(child);
      walk(child);
    }
  };
  walk(el);
  return out;
}

const each = (el: Element, fn: (d: Element) => unknown) => descendants(el).map(fn);
const textsOf = (el: Element) => [el.text(), ...descendants(el, 50).map((d) => d.text()), ...Object.values(el.attrs).map(String)];

export const TARGETS: Record<SeedGroup, Target[]> = {
  chat: [
    { name: 'parseChatMessage', run: (el) => parseChatMessage(el, OWN) },
    { name: 'parseMessageError', run: (el) => parseMessageError(el) },
    { name: 'routeChatStanza', run: (el) => routeChatStanza(el, CONTEXT) },
    {
      name: 'chat helpers',
      run: (el) => [
        trustedStanzaId(el, OWN),
        originIdOf(el),
        delayStampOf(el),
        chatStateOf(el),
        replaceIdOf(el),
        retractIdOf(el),
        oobOf(el),
      ],
    },
    { name: 'resolveStamp', run: (el) => resolveStamp(delayStampOf(el), NOW) },
  ],
  carbons: [{ name: 'parseCarbon', run: (el) => parseCarbon(el, CONTEXT) }],
  archive: [
    { name: 'parseMamResult (own)', run: (el) => parseMamResult(el, { ownBare: OWN }), elementsAllowed: true },
    { name: 'parseMamResult (room)', run: (el) => parseMamResult(el, { ownBare: OWN, archive: ROOM }), elementsAllowed: true },
    { name: 'readArchivedResult', run: (el) => readArchivedResult(el, CONTEXT) },
    { name: 'parseMamFin', run: (el) => parseMamFin(el) },
    { name: 'parseMamFormFields', run: (el) => parseMamFormFields(el) },
    { name: 'parsePrefs', run: (el) => parsePrefs(el) },
  ],
  roster: [
    { name: 'parseRosterResult', run: (el) => parseRosterResult(el) },
    { name: 'parseRosterPush', run: (el) => parseRosterPush(el, CONTEXT) },
    { name: 'parseRosterItem', run: (el) => each(el, parseRosterItem) },
  ],
  blocking: [
    { name: 'parseBlocklist', run: (el) => parseBlocklist(el) },
    { name: 'parseBlockingPush', run: (el) => parseBlockingPush(el, CONTEXT) },
  ],
  bookmarks: [
    { name: 'parseBookmarksNotification', run: (el) => parseBookmarksNotification(el, CONTEXT) },
    { name: 'parseBookmarkItems', run: (el) => parseBookmarkItems(el) },
    { name: 'parseLegacyItems', run: (el) => parseLegacyItems(el) },
    { name: 'parseBookmarkItem', run: (el) => each(el, parseBookmarkItem) },
    { name: 'parseLegacyStorage', run: (el) => each(el, parseLegacyStorage) },
    { name: 'roomJidOf', run: (el) => textsOf(el).map(roomJidOf) },
  ],
  caps: [
    { name: 'parseCaps', run: (el) => [parseCaps(el), ...each(el, parseCaps)] },
    { name: 'parseCapsPresence', run: (el) => parseCapsPresence(el, CONTEXT) },
  ],
  disco: [
    { name: 'parseDiscoRequest', run: (el) => parseDiscoRequest(el, CONTEXT) },
    { name: 'parseDiscoInfo', run: (el) => parseDiscoInfo(el) },
    { name: 'parseDiscoItems', run: (el) => parseDiscoItems(el) },
    { name: 'parseDataForm', run: (el) => each(el, parseDataForm) },
    {
      name: 'verificationString',
      run: (el) => {
        const info = parseDiscoInfo(el);
        return info instanceof StanzaParseError ? info : verificationString(info);
      },
    },
  ],
  presence: [
    { name: 'parsePresence', run: (el) => parsePresence(el, CONTEXT) },
    { name: 'parseResourcePresence', run: (el) => parseResourcePresence(el) },
  ],
  muc: [
    { name: 'routeMucStanza', run: (el) => routeMucStanza(el, CONTEXT) },
    { name: 'parseOccupantPresence', run: (el) => parseOccupantPresence(el) },
    { name: 'parseRoomPresenceError', run: (el) => parseRoomPresenceError(el) },
    { name: 'parseGroupchat', run: (el) => parseGroupchat(el) },
    { name: 'parsePrivateMessage', run: (el) => parsePrivateMessage(el) },
    { name: 'parseInvitation', run: (el) => parseInvitation(el) },
    { name: 'unwrapMucSubEvent', run: (el) => unwrapMucSubEvent(el), elementsAllowed: true },
    { name: 'parseSubscriptions', run: (el) => parseSubscriptions(el) },
    { name: 'parseConfigForm', run: (el) => parseConfigForm(el) },
    { name: 'parseItemList', run: (el) => parseItemList(el) },
    { name: 'parseRoomInfo', run: (el) => parseRoomInfo(el) },
    { name: 'parseItem', run: (el) => each(el, (d) => parseItem(d, NS_MUC_USER)) },
    { name: 'usableNick', run: (el) => textsOf(el).map(usableNick) },
  ],
  ping: [{ name: 'parsePingRequest', run: (el) => parsePingRequest(el, CONTEXT) }],
  time: [
    { name: 'parseTimeRequest', run: (el) => parseTimeRequest(el, CONTEXT) },
    { name: 'parseTime', run: (el) => [parseTime(el), ...each(el, parseTime)] },
    { name: 'parseTzo/parseDateTime', run: (el) => textsOf(el).flatMap((t) => [parseTzo(t), parseDateTime(t)]) },
  ],
  version: [
    { name: 'parseVersionRequest', run: (el) => parseVersionRequest(el, CONTEXT) },
    { name: 'parseVersion', run: (el) => [parseVersion(el), ...each(el, parseVersion)] },
  ],
  upload: [
    { name: 'parseSlot', run: (el) => [parseSlot(el), ...each(el, parseSlot)] },
    { name: 'parseUploadError', run: (el) => [parseUploadError(el), ...each(el, parseUploadError)] },
    {
      name: 'isFileStore/parseMaxFileSize',
      run: (el) => {
        const info = parseDiscoInfo(el);
        return info instanceof StanzaParseError ? info : [isFileStore(info), parseMaxFileSize(info)];
      },
    },
  ],
  register: [{ name: 'parseRegistrationForm', run: (el) => parseRegistrationForm(el) }],
  push: [{ name: 'parsePushNotification', run: (el) => parsePushNotification(el) }],
  pubsub: [
    { name: 'parsePubsubNotification', run: (el) => parsePubsubNotification(el, CONTEXT) },
    { name: 'parseProfileNotification', run: (el) => parseProfileNotification(el, CONTEXT) },
    { name: 'parseVCardUpdate', run: (el) => parseVCardUpdate(el, CONTEXT) },
    { name: 'parseVCard', run: (el) => parseVCard(el) },
    { name: 'parseConfigureForm', run: (el) => parseConfigureForm(el) },
    { name: 'parsePublishResult', run: (el) => parsePublishResult(el) },
  ],
  sm: [
    { name: 'parseH', run: (el) => parseH(el) },
    { name: 'parseEnabled', run: (el) => parseEnabled(el) },
  ],
};

/** src/wire/stanza-head.ts reads serialized stanzas (what the XEP-0198 queue holds). */
export const SERIALIZED_TARGETS: Target[] = [
  { name: 'iqHead', run: (el) => iqHead(el.toString()) },
  { name: 'sentMessageOf', run: (el) => sentMessageOf(el.toString()) },
  { name: 'worthResending', run: (el) => [worthResending(el.toString(), () => true), worthResending(el.toString(), () => false)] },
];

/**
 * Whether `value` is plain data (what events and context must be): strings, finite numbers,
 * booleans, null/undefined, arrays and plain objects; a StanzaParseError is a refusal with a reason.
 * Returns the path of the first offending value.
 */
export function impurity(value: unknown, elementsAllowed = false, path = '$', seen = new Set<unknown>()): string | undefined {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path}: ${value}`;
  if (typeof value !== 'object') return `${path}: a ${typeof value}`;
  if (value instanceof StanzaParseError) return typeof value.reason === 'string' ? undefined : `${path}: a refusal without a reason`;
  if (seen.has(value)) return `${path}: a cycle`;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = impurity(value[i], elementsAllowed, `${path}[${i}]`, seen);
      if (bad) return bad;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    if (elementsAllowed && typeof (value as { getChildElements?: unknown }).getChildElements === 'function') return undefined;
    return `${path}: an instance of ${proto?.constructor?.name ?? 'something'}`;
  }
  for (const key of Object.keys(value)) {
    const bad = impurity((value as Record<string, unknown>)[key], elementsAllowed, `${path}.${key}`, seen);
    if (bad) return bad;
  }
  return undefined;
}
