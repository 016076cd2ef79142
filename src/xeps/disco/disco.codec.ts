/** XEP-0030 Service Discovery codec: pure and synchronous, never throws on hostile input. */
import { xml, type Element } from '@xmpp/xml';
import { readIqRequest, refOf, StanzaParseError } from '../iq-request.js';
import { normalizeJid } from '../../jid.js';
import type { RouteContext } from '../feature.js';
import type { DataForm, DataFormField, DiscoIdentity, DiscoInfo, DiscoItem, DiscoItems, DiscoRoutedEvent } from './disco.types.js';

export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
export const NS_DATA_FORMS = 'jabber:x:data';

/** A hostile answer could carry any number of children; beyond this many the answer is refused. */
export const MAX_DISCO_CHILDREN = 4096;

// ---------------------------------------------------------------------------------------------
// Requests we receive
// ---------------------------------------------------------------------------------------------

/** The disco#info or disco#items get this stanza carries, as the disco actor's event. */
export function parseDiscoRequest(stanza: Element, context: RouteContext): DiscoRoutedEvent | undefined {
  const info = readIqRequest(stanza, context, 'query', NS_DISCO_INFO);
  const request = info ?? readIqRequest(stanza, context, 'query', NS_DISCO_ITEMS);
  if (!request) return undefined;
  const node = request.payload.attrs.node;
  // XEP-0030 §4.2: "The value of the 'node' attribute MUST NOT be null."
  if (node !== undefined && node.length === 0) return undefined;
  const event: DiscoRoutedEvent = { type: info ? 'disco.infoRequest' : 'disco.itemsRequest', ...refOf(request) };
  if (node !== undefined) event.node = node;
  return event;
}

// ---------------------------------------------------------------------------------------------
// disco#info
// ---------------------------------------------------------------------------------------------

function queryOf(el: Element, ns: string): Element | undefined {
  if (el.name === 'query' && el.getNS() === ns) return el;
  if (el.name === 'iq') return el.getChild('query', ns);
  return undefined;
}

function parseIdentity(el: Element): DiscoIdentity | StanzaParseError {
  const { category, type, name } = el.attrs;
  // XEP-0030 §3.1: "Each <identity/> element MUST possess 'category' and 'type' attributes".
  if (!category || !type) return new StanzaParseError('an identity lacks category or type');
  const identity: DiscoIdentity = { category, type };
  if (name !== undefined) identity.name = name;
  const lang = el.attrs['xml:lang'];
  if (lang !== undefined) identity.lang = lang;
  return identity;
}

function parseField(el: Element): DataFormField | undefined {
  const name = el.attrs.var;
  // Fields without `var` (type fixed) are labels; they carry no data to hash or read.
  if (!name) return undefined;
  const field: DataFormField = { var: name, values: el.getChildren('value').map((v) => v.text()) };
  if (el.attrs.type !== undefined) field.type = el.attrs.type;
  return field;
}

export function parseDataForm(el: Element): DataForm {
  const form: DataForm = { fields: [] };
  if (el.attrs.type !== undefined) form.type = el.attrs.type;
  for (const child of el.getChildElements()) {
    if (child.name !== 'field') continue;
    const field = parseField(child);
    if (field) form.fields.push(field);
  }
  return form;
}

/** Reads a disco#info result (the `<iq>` or its `<query>`). */
export function parseDiscoInfo(el: Element): DiscoInfo | StanzaParseError {
  const query = queryOf(el, NS_DISCO_INFO);
  if (!query) return new StanzaParseError('no disco#info query');
  const children = query.getChildElements();
  if (children.length > MAX_DISCO_CHILDREN) return new StanzaParseError('disco#info answer too large');
  const info: DiscoInfo = { identities: [], features: [], forms: [] };
  if (query.attrs.node !== undefined) info.node = query.attrs.node;
  for (const child of children) {
    const ns = child.getNS();
    if (child.name === 'identity' && ns === NS_DISCO_INFO) {
      const identity = parseIdentity(child);
      if (identity instanceof StanzaParseError) return identity;
      info.identities.push(identity);
    } else if (child.name === 'feature' && ns === NS_DISCO_INFO) {
      // XEP-0030 §3.1: "Each <feature/> element MUST possess a 'var' attribute".
      const name = child.attrs.var;
      if (!name) return new StanzaParseError('a feature lacks var');
      info.features.push(name);
    } else if (child.name === 'x' && ns === NS_DATA_FORMS) {
      info.forms.push(parseDataForm(child));
    }
  }
  return info;
}

export function buildDataForm(form: DataForm): Element {
  return xml(
    'x',
    { xmlns: NS_DATA_FORMS, type: form.type },
    ...form.fields.map((f) => xml('field', { var: f.var, type: f.type }, ...f.values.map((v) => xml('value', {}, v)))),
  );
}

/** The `<query xmlns='…disco#info'>` payload of a result. */
export function buildDiscoInfo(info: DiscoInfo): Element {
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO, node: info.node },
    ...info.identities.map((i) => xml('identity', { category: i.category, type: i.type, name: i.name, 'xml:lang': i.lang })),
    ...info.features.map((f) => xml('feature', { var: f })),
    ...info.forms.map(buildDataForm),
  );
}

/** XEP-0030 §3.1/§3.2: the get that asks `jid` (optionally at `node`) for its info. */
export function buildDiscoInfoRequest(jid: string, node?: string): Element {
  return xml('iq', { type: 'get', to: jid }, xml('query', { xmlns: NS_DISCO_INFO, node }));
}

// ---------------------------------------------------------------------------------------------
// disco#items
// ---------------------------------------------------------------------------------------------

export function parseDiscoItems(el: Element): DiscoItems | StanzaParseError {
  const query = queryOf(el, NS_DISCO_ITEMS);
  if (!query) return new StanzaParseError('no disco#items query');
  const children = query.getChildElements();
  if (children.length > MAX_DISCO_CHILDREN) return new StanzaParseError('disco#items answer too large');
  const result: DiscoItems = { items: [] };
  if (query.attrs.node !== undefined) result.node = query.attrs.node;
  for (const child of children) {
    if (child.name !== 'item' || child.getNS() !== NS_DISCO_ITEMS) continue;
    // XEP-0030 §4.1: "the <item/> child MUST possess a 'jid' attribute"; an unusable one is skipped.
    const jid = child.attrs.jid;
    if (!jid || normalizeJid(jid) === undefined) continue;
    const item: DiscoItem = { jid };
    if (child.attrs.node !== undefined) item.node = child.attrs.node;
    if (child.attrs.name !== undefined) item.name = child.attrs.name;
    result.items.push(item);
  }
  return result;
}

export function buildDiscoItems(items: DiscoItems): Element {
  return xml(
    'query',
    { xmlns: NS_DISCO_ITEMS, node: items.node },
    ...items.items.map((i) => xml('item', { jid: i.jid, node: i.node, name: i.name })),
  );
}

export function buildDiscoItemsRequest(jid: string, node?: string): Element {
  return xml('iq', { type: 'get', to: jid }, xml('query', { xmlns: NS_DISCO_ITEMS, node }));
}

// ---------------------------------------------------------------------------------------------
// Who we are
// ---------------------------------------------------------------------------------------------

export type Platform = 'browser' | 'node';

/** Our identity: a web client in browsers, a pc client elsewhere (XEP-0030 category registry). */
export function clientIdentity(name: string, platform: Platform): DiscoIdentity {
  return { category: 'client', type: platform === 'browser' ? 'web' : 'pc', name };
}

/**
 * What we answer to disco#info, and what entity capabilities hash: one identity and the features
 * of every registered feature, de-duplicated and sorted (so that the answer is stable).
 */
export function ownDiscoInfo(softwareName: string, features: readonly string[], platform: Platform): DiscoInfo {
  // XEP-0030 §3.1: "every entity MUST support at least the 'http://jabber.org/protocol/disco#info' feature".
  const all = [...new Set([NS_DISCO_INFO, NS_DISCO_ITEMS, ...features])].sort();
  return { identities: [clientIdentity(softwareName, platform)], features: all, forms: [] };
}
