/**
 * XEP-0045 Multi-User Chat codec, the owner and admin side: room configuration
 * (§10.1, §10.2), destruction (§10.9), affiliation and role changes and lists (§8, §9, §10) and
 * room discovery (§6.4).
 * Quotes and section numbers as in muc-common.codec.ts. Pure and synchronous; never throws:
 * builders return an `XmppAdapterError('invalid-argument')` for unusable arguments, parsers a
 * `StanzaParseError` for input the protocol does not allow.
 */
import { xml, type Element } from '@xmpp/xml';
import { XmppAdapterError } from '../../errors.js';
import { bareJid } from '../../jid.js';
import { NS_DATA, boundedText, formFieldType } from '../forms.js';
import { parseDiscoInfo } from '../disco/disco.codec.js';
import { StanzaParseError } from '../iq-request.js';
import {
  MAX_PASSWORD_LENGTH,
  MAX_REASON_LENGTH,
  NS_MUC_ADMIN,
  NS_MUC_OWNER,
  NS_OCCUPANT_ID,
  invalidArgument,
  isAffiliation,
  isRole,
  parseItem,
  roomJidOf,
  usableNick,
  reasonArg,
  refuse,
  roomArg,
  shown,
} from './muc-common.codec.js';
import type { Affiliation, ConfigField, ListedItem, Role, RoomInfo } from './muc.types.js';

/** XEP-0045 §10.1.3: the FORM_TYPE of room configuration forms. */
export const NS_ROOMCONFIG = 'http://jabber.org/protocol/muc#roomconfig';
/** XEP-0045 §6.4: the FORM_TYPE of the extended room information in disco#info. */
export const NS_ROOMINFO = 'http://jabber.org/protocol/muc#roominfo';
/** XEP-0313: a room that advertises it keeps a message archive. */
const NS_MAM = 'urn:xmpp:mam:2';
/** Most fields read from, or sent in, a configuration or room information form. */
export const MAX_CONFIG_FIELDS = 500;
/** Most values (or options) of one form field. */
export const MAX_FIELD_VALUES = 100;
/** Most items read from an affiliation or role list. */
export const MAX_LIST_ITEMS = 10_000;
const MAX_VAR_LENGTH = 256;

const ownerIq = (to: string, type: 'get' | 'set', ...children: Element[]) =>
  xml('iq', { type, to }, xml('query', { xmlns: NS_MUC_OWNER }, ...children));
const adminIq = (to: string, type: 'get' | 'set', item: Element) => xml('iq', { type, to }, xml('query', { xmlns: NS_MUC_ADMIN }, item));

// ---------------------------------------------------------------------------------------------
// Room configuration and destruction (§10)
// ---------------------------------------------------------------------------------------------

/**
 * Asks for the configuration form. §10.1.3 (#createroom-reserved): "the room owner MUST request an
 * initial configuration form by sending an IQ get to the <room@service> itself containing an empty
 * <query/> element qualified by the 'http://jabber.org/protocol/muc#owner' namespace" (§10.2 likewise).
 */
export function buildConfigRequest(room: string): Element | XmppAdapterError {
  const to = roomArg(room);
  return to instanceof XmppAdapterError ? to : ownerIq(to, 'get');
}

/**
 * Accepts the default configuration. §10.1.2 (#createroom-instant): "the room owner MUST decline an
 * initial configuration form by sending an IQ set to the <room@service> itself containing a <query/>
 * element qualified by the 'http://jabber.org/protocol/muc#owner' namespace, where the only child of
 * the <query/> is an empty <x/> element that is qualified by the 'jabber:x:data' namespace and that
 * possesses a 'type' attribute whose value is "submit"".
 */
export function buildInstantRoom(room: string): Element | XmppAdapterError {
  const to = roomArg(room);
  return to instanceof XmppAdapterError ? to : ownerIq(to, 'set', xml('x', { xmlns: NS_DATA, type: 'submit' }));
}

/** Cancels configuration. §10.1.3: "Alternatively, the room owner MAY cancel the configuration process". */
export function buildConfigCancel(room: string): Element | XmppAdapterError {
  const to = roomArg(room);
  return to instanceof XmppAdapterError ? to : ownerIq(to, 'set', xml('x', { xmlns: NS_DATA, type: 'cancel' }));
}

/**
 * Submits a configuration form: the muc#roomconfig FORM_TYPE first (a FORM_TYPE among `fields` is
 * replaced by it), then every field with its values. §10.1.3: "The initial room owner SHOULD provide
 * a starting configuration for the room (or accept the default configuration) by sending an IQ set
 * containing the completed configuration form."
 */
export function buildConfigSubmit(room: string, fields: readonly { var: string; values: readonly string[] }[]): Element | XmppAdapterError {
  const to = roomArg(room);
  if (to instanceof XmppAdapterError) return to;
  if (!Array.isArray(fields) || fields.length > MAX_CONFIG_FIELDS) return invalidArgument(`at most ${MAX_CONFIG_FIELDS} fields`);
  const form = xml('x', { xmlns: NS_DATA, type: 'submit' }, xml('field', { var: 'FORM_TYPE' }, xml('value', {}, NS_ROOMCONFIG)));
  const seen = new Set<string>();
  for (const field of fields) {
    const name = boundedText(field?.var, MAX_VAR_LENGTH);
    if (name === undefined) return invalidArgument(`a field var must be 1..${MAX_VAR_LENGTH} characters`);
    if (name === 'FORM_TYPE') continue;
    if (seen.has(name)) return invalidArgument(`field ${shown(name)} given twice`);
    seen.add(name);
    const values = field.values;
    if (!Array.isArray(values) || values.length > MAX_FIELD_VALUES || values.some((v) => typeof v !== 'string')) {
      return invalidArgument(`field ${shown(name)} needs at most ${MAX_FIELD_VALUES} string values`);
    }
    form.append(xml('field', { var: name }, ...values.map((v) => xml('value', {}, v))));
  }
  return ownerIq(to, 'set', form);
}

export interface DestroyOptions {
  reason?: string;
  /** The alternate venue, a room JID. */
  alternate?: string;
  /** The alternate venue's password. */
  password?: string;
}

/**
 * Destroys the room. §10.9 (#destroyroom): "In order to destroy a room, the room owner MUST send an
 * IQ set to the address of the room to be destroyed. The <iq/> stanza shall contain a <query/>
 * element qualified by the 'http://jabber.org/protocol/muc#owner' namespace, which in turn shall
 * contain a <destroy/> element." The muc#owner schema (§19.4) orders `<password/>` before `<reason/>`.
 */
export function buildDestroy(room: string, options: DestroyOptions = {}): Element | XmppAdapterError {
  const to = roomArg(room);
  if (to instanceof XmppAdapterError) return to;
  const attrs: Record<string, string> = {};
  if (options.alternate !== undefined) {
    // §10.9: "The address of the alternate venue MAY be provided as the value of the <destroy/> element's 'jid' attribute."
    const venue = roomJidOf(options.alternate);
    if (venue === undefined) return invalidArgument(`alternate is not a room JID: ${shown(options.alternate)}`);
    attrs.jid = venue;
  }
  const destroy = xml('destroy', attrs);
  if (options.password !== undefined) {
    const password = boundedText(options.password, MAX_PASSWORD_LENGTH);
    if (password === undefined) return invalidArgument(`password must be 1..${MAX_PASSWORD_LENGTH} characters`);
    destroy.append(xml('password', {}, password));
  }
  const reason = reasonArg(options.reason);
  if (reason instanceof XmppAdapterError) return reason;
  destroy.append(...reason);
  return ownerIq(to, 'set', destroy);
}

/** Reads the configuration form of a muc#owner IQ result (§10.1.3, §10.2); `[]` when there is none. */
export function parseConfigForm(iq: Element): ConfigField[] | StanzaParseError {
  if (iq.name !== 'iq' || iq.attrs.type !== 'result') return refuse('not an IQ result');
  const query = iq.getChild('query', NS_MUC_OWNER);
  if (query === undefined) return refuse('no muc#owner query');
  const form = query.getChild('x', NS_DATA);
  // §10.1.3: "If there are no configuration options available, the service MUST return an empty query element to the room owner".
  if (form === undefined) return [];
  if (form.attrs.type !== 'form') return refuse(`a data form of type ${shown(form.attrs.type)}, not form`);
  const elements = form.getChildren('field', NS_DATA);
  if (elements.length > MAX_CONFIG_FIELDS) return refuse(`more than ${MAX_CONFIG_FIELDS} fields`);
  const fields: ConfigField[] = [];
  const seen = new Set<string>();
  for (const el of elements) {
    const name = boundedText(el.attrs.var, MAX_VAR_LENGTH);
    // Fields without a var (instructions of type fixed) have nothing to submit; a var given twice keeps its first field.
    if (name === undefined || seen.has(name)) continue;
    // XEP-0004: a field without a type is text-single; types XEP-0004 does not define are skipped.
    const type = formFieldType(el.attrs.type);
    if (type === undefined) continue;
    const valueEls = el.getChildren('value', NS_DATA);
    const optionEls = el.getChildren('option', NS_DATA);
    if (valueEls.length > MAX_FIELD_VALUES || optionEls.length > MAX_FIELD_VALUES)
      return refuse(`field ${shown(name)} has more than ${MAX_FIELD_VALUES} values or options`);
    seen.add(name);
    const field: ConfigField = { var: name, type, values: valueEls.map((v) => v.text()) };
    const label = boundedText(el.attrs.label, MAX_REASON_LENGTH);
    if (label !== undefined) field.label = label;
    if (optionEls.length > 0) {
      field.options = [];
      for (const optionEl of optionEls) {
        const value = optionEl.getChildText('value', NS_DATA);
        if (value === null) continue;
        const optionLabel = boundedText(optionEl.attrs.label, MAX_REASON_LENGTH);
        field.options.push(optionLabel === undefined ? { value } : { label: optionLabel, value });
      }
    }
    fields.push(field);
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Affiliations and roles (§8, §9, §10.3–§10.8)
// ---------------------------------------------------------------------------------------------

/**
 * Changes the affiliation of `jid` (sent as its bare JID). §17.4 (#bizrules-iq) rule 6: "In IQ sets
 * regarding affiliations, a MUC client MUST include the 'jid' attribute only (with the value set to
 * the bare JID)"; rule 4: "A MUC client MUST send only the 'affiliation' attribute or the 'role'
 * attribute in the <item/> element".
 */
export function buildAffiliationSet(room: string, jid: string, affiliation: Affiliation, reason?: string): Element | XmppAdapterError {
  const to = roomArg(room);
  if (to instanceof XmppAdapterError) return to;
  const bare = bareJid(jid);
  if (bare === undefined) return invalidArgument(`not a JID: ${shown(jid)}`);
  if (!isAffiliation(affiliation)) return invalidArgument(`unknown affiliation ${shown(affiliation)}`);
  const children = reasonArg(reason);
  if (children instanceof XmppAdapterError) return children;
  return adminIq(to, 'set', xml('item', { affiliation, jid: bare }, ...children));
}

/**
 * Changes the role of the occupant `nick` (`none` kicks, §8.2). §17.4 rule 5: "In IQ sets regarding
 * roles, a MUC client MUST include the 'nick' attribute only".
 */
export function buildRoleSet(room: string, nick: string, role: Role, reason?: string): Element | XmppAdapterError {
  const to = roomArg(room);
  if (to instanceof XmppAdapterError) return to;
  if (usableNick(nick) === undefined) return invalidArgument(`not a usable nick: ${shown(nick)}`);
  if (!isRole(role)) return invalidArgument(`unknown role ${shown(role)}`);
  const children = reasonArg(reason);
  if (children instanceof XmppAdapterError) return children;
  return adminIq(to, 'set', xml('item', { nick, role }, ...children));
}

/**
 * Asks for the owner, admin, member or ban (outcast) list. §9.5 (#modifymember): "the admin first
 * requests the member list by querying the room for all users with an affiliation of "member"" (§9.2, §10.5, §10.8 likewise).
 */
export function buildAffiliationListRequest(room: string, affiliation: Exclude<Affiliation, 'none'>): Element | XmppAdapterError {
  const to = roomArg(room);
  if (to instanceof XmppAdapterError) return to;
  if (!isAffiliation(affiliation) || (affiliation as Affiliation) === 'none')
    return invalidArgument(`no list of affiliation ${shown(affiliation)}`);
  return adminIq(to, 'get', xml('item', { affiliation }));
}

/**
 * Asks for the moderator, voice (participant) or visitor list. §8.5 (#modifyvoice): "the moderator
 * first requests the voice list by querying the room for all occupants with a role of 'participant'" (§9.8 likewise).
 */
export function buildRoleListRequest(room: string, role: Exclude<Role, 'none'>): Element | XmppAdapterError {
  const to = roomArg(room);
  if (to instanceof XmppAdapterError) return to;
  if (!isRole(role) || (role as Role) === 'none') return invalidArgument(`no list of role ${shown(role)}`);
  return adminIq(to, 'get', xml('item', { role }));
}

/**
 * Reads an affiliation or role list. §9.5: "each item MUST include the 'affiliation' and 'jid'
 * attributes"; §8.5: "each item MUST include the 'nick' and 'role' attributes". Refused: more than
 * {@link MAX_LIST_ITEMS} items, unknown roles or affiliations, an item with neither a usable jid nor nick.
 */
export function parseItemList(iq: Element): ListedItem[] | StanzaParseError {
  if (iq.name !== 'iq' || iq.attrs.type !== 'result') return refuse('not an IQ result');
  const query = iq.getChild('query', NS_MUC_ADMIN);
  if (query === undefined) return refuse('no muc#admin query');
  const elements = query.getChildren('item', NS_MUC_ADMIN);
  if (elements.length > MAX_LIST_ITEMS) return refuse(`more than ${MAX_LIST_ITEMS} items`);
  const items: ListedItem[] = [];
  for (const el of elements) {
    const item = parseItem(el, NS_MUC_ADMIN);
    if (item instanceof StanzaParseError) return item;
    if (item.jid === undefined && item.nick === undefined) return refuse('an item with neither a usable jid nor nick');
    const listed: ListedItem = {};
    if (item.jid !== undefined) listed.jid = item.jid;
    if (item.nick !== undefined) listed.nick = item.nick;
    if (item.affiliation !== undefined) listed.affiliation = item.affiliation;
    if (item.role !== undefined) listed.role = item.role;
    if (item.reason !== undefined) listed.reason = item.reason;
    items.push(listed);
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Room information (§6.4)
// ---------------------------------------------------------------------------------------------

/**
 * Reads a room's disco#info result (the `<iq>` or its `<query>`). §6.4 (#disco-roominfo): "The room
 * MUST return its identity and SHOULD return the features it supports"; an answer without a
 * `conference` identity is not a room's. `fields` come from the XEP-0128 form "identified by
 * inclusion of a hidden FORM_TYPE field whose value is "http://jabber.org/protocol/muc#roominfo"".
 */
export function parseRoomInfo(iq: Element): RoomInfo | StanzaParseError {
  if (iq.name === 'iq' && iq.attrs.type !== 'result') return refuse('not an IQ result');
  const info = parseDiscoInfo(iq);
  if (info instanceof StanzaParseError) return info;
  // §16.2 (#registrar-discocat): "A Multi-User Chat service or room is identified by the "conference" category and the "text" type".
  const identity = info.identities.find((i) => i.category === 'conference');
  if (identity === undefined) return refuse('no conference identity: not a room');
  const features = [...new Set(info.features)];
  const has = (feature: string) => features.includes(feature);
  const fields: [string, string[]][] = [];
  const form = info.forms.find((f) => {
    const formType = f.fields.find((field) => field.var === 'FORM_TYPE');
    return formType !== undefined && (formType.type === undefined || formType.type === 'hidden') && formType.values[0] === NS_ROOMINFO;
  });
  if (form !== undefined) {
    if (form.fields.length > MAX_CONFIG_FIELDS) return refuse(`more than ${MAX_CONFIG_FIELDS} room information fields`);
    const seen = new Set<string>();
    for (const field of form.fields) {
      if (field.var === 'FORM_TYPE' || seen.has(field.var)) continue;
      if (field.values.length > MAX_FIELD_VALUES) return refuse(`field ${shown(field.var)} has more than ${MAX_FIELD_VALUES} values`);
      seen.add(field.var);
      fields.push([field.var, field.values]);
    }
  }
  const result: RoomInfo = {
    features,
    // Object.fromEntries defines own properties, so a field named __proto__ stays a field.
    fields: Object.fromEntries(fields),
    // §16.3 (#registrar-features): muc_passwordprotected "Password-protected room", muc_membersonly
    // "Members-only room", muc_nonanonymous "Non-anonymous room", muc_persistent "Persistent room".
    passwordProtected: has('muc_passwordprotected'),
    membersOnly: has('muc_membersonly'),
    nonAnonymous: has('muc_nonanonymous'),
    persistent: has('muc_persistent'),
    archived: has(NS_MAM),
    // XEP-0421 §2: "If a MUC room implements occupant identifiers, it MUST specify the
    // 'urn:xmpp:occupant-id:0' feature in its service discovery information features".
    occupantIds: has(NS_OCCUPANT_ID),
  };
  if (identity.name !== undefined && identity.name !== '') result.name = identity.name;
  return result;
}
