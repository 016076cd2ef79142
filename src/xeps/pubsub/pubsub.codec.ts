/**
 * XEP-0060 Publish-Subscribe codec, with the PEP (XEP-0163) and private-storage (XEP-0223)
 * conventions: requests, results and event notifications. Pure and synchronous; builders take
 * checked input (see `pubsub.requests.ts`), parsers return a `StanzaParseError` (never throw) and
 * copy payloads into plain data within a budget.
 *
 * Section numbers are those of XEP-0060 1.26 (anchors in brackets where they help finding the
 * text in other versions).
 */
import { xml, type Element } from '@xmpp/xml';
import { bareJid, normalizeJid, parseJid } from '../../jid.js';
import { NS_RSM, buildRsmSet } from '../forms.js';
import { NS_DATA_FORMS, buildDataForm, parseDataForm } from '../disco/disco.codec.js';
import type { DataFormField } from '../disco/disco.types.js';
import type { RouteContext } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import type {
  FormValues,
  ItemsResult,
  NodeConfigForm,
  PubsubItem,
  PubsubNotificationEvent,
  RsmPage,
  Subscription,
  SubscriptionState,
} from './pubsub.types.js';
import { toXmlNode, type XmlBudget } from './xml-node.js';

export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
export const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';
export const NS_PUBSUB_ERRORS = 'http://jabber.org/protocol/pubsub#errors';
/** XEP-0060 §7.1.5: the FORM_TYPE of publish-options, also the feature a service advertises. */
export const NS_PUBSUB_PUBLISH_OPTIONS = 'http://jabber.org/protocol/pubsub#publish-options';
/** XEP-0060 §8.2: the FORM_TYPE of node configuration forms. */
export const NS_PUBSUB_NODE_CONFIG = 'http://jabber.org/protocol/pubsub#node_config';
const NS_DELAY = 'urn:xmpp:delay';

/** Longest NodeID and ItemID sent or accepted, in characters. */
export const MAX_ID_LENGTH = 1024;
/** Most items read from one result or one notification; the rest are ignored. */
export const MAX_ITEMS = 1000;
/** Largest `max_items` / RSM `max` asked for. */
export const MAX_PAGE = 1000;

/** Budget of one item's payload in a notification (kept in the actor's context). */
export const NOTIFICATION_PAYLOAD_BUDGET: Readonly<XmlBudget> = { nodes: 512, text: 64 * 1024, maxDepth: 32 };
/** Budget of one item's payload in an items result (handed to the caller, not kept). */
export const RESULT_PAYLOAD_BUDGET: Readonly<XmlBudget> = { nodes: 4096, text: 1024 * 1024, maxDepth: 32 };

/** A NodeID or ItemID fit to send and keep: 1..1024 characters. */
export function isPubsubId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

/** `to` of a request: the service, or none for the own account's PEP service (XEP-0163 §3 "no 'to' address"). */
const target = (service: string | undefined): Record<string, string> => (service === undefined ? {} : { to: service });

const pubsubIq = (type: 'get' | 'set', service: string | undefined, ns: string, ...children: Element[]) =>
  xml('iq', { type, ...target(service) }, xml('pubsub', { xmlns: ns }, ...children));

function formFields(values: FormValues): DataFormField[] {
  return Object.entries(values).map(([name, value]) => ({
    var: name,
    values: typeof value === 'boolean' ? [value ? 'true' : 'false'] : typeof value === 'string' ? [value] : [...value],
  }));
}

/** A `type='submit'` data form whose first field is the hidden FORM_TYPE. */
export function buildSubmitForm(formType: string, values: FormValues): Element {
  return buildDataForm({ type: 'submit', fields: [{ var: 'FORM_TYPE', type: 'hidden', values: [formType] }, ...formFields(values)] });
}

/**
 * XEP-0060 §7.1.5: "The <publish-options/> element SHOULD contain a data form (see XEP-0004), whose
 * FORM_TYPE SHOULD be "http://jabber.org/protocol/pubsub#publish-options"".
 */
export function buildPublishOptions(values: FormValues): Element {
  return xml('publish-options', {}, buildSubmitForm(NS_PUBSUB_PUBLISH_OPTIONS, values));
}

export interface PublishRequest {
  service?: string;
  node: string;
  /** Left out, the service makes one up (XEP-0060 §7.1.1). */
  id?: string;
  payload: Element;
  options?: FormValues;
}

/** XEP-0060 §7.1.1: one `<item/>` with one payload; publish-options after the `<publish/>`. */
export function buildPublish(request: PublishRequest): Element {
  const item = xml('item', request.id === undefined ? {} : { id: request.id }, request.payload);
  const children = [xml('publish', { node: request.node }, item)];
  if (request.options !== undefined && Object.keys(request.options).length > 0) children.push(buildPublishOptions(request.options));
  return pubsubIq('set', request.service, NS_PUBSUB, ...children);
}

/**
 * XEP-0060 §7.2.1: "The <retract/> element MUST possess a 'node' attribute, MAY possess a 'notify'
 * attribute, and MUST contain one <item/> element; the <item/> element MUST be empty and MUST
 * possess an 'id' attribute."
 */
export function buildRetract(request: { service?: string; node: string; id: string; notify?: boolean }): Element {
  const attrs: Record<string, string> = { node: request.node };
  if (request.notify) attrs.notify = 'true';
  return pubsubIq('set', request.service, NS_PUBSUB, xml('retract', attrs, xml('item', { id: request.id })));
}

export interface ItemsRequest {
  service?: string;
  node: string;
  /** XEP-0060 §6.5.8: these items only. */
  ids?: readonly string[];
  /** XEP-0060 §6.5.7: the N most recent items (`max_items`). */
  maxItems?: number;
  /** XEP-0059 paging: a page of `max` after / before a cursor (`before: ''` asks for the last page). */
  page?: { max: number; after?: string; before?: string };
}

/** XEP-0060 §6.5.2 (all), §6.5.7 (most recent N), §6.5.8 (by ItemID), §6.5.4 with XEP-0059 paging. */
export function buildItemsRequest(request: ItemsRequest): Element {
  const attrs: Record<string, string> = { node: request.node };
  if (request.maxItems !== undefined) attrs.max_items = String(request.maxItems);
  const items = xml('items', attrs, ...(request.ids ?? []).map((id) => xml('item', { id })));
  const children = [items];
  if (request.page !== undefined) children.push(buildRsmSet(request.page.max, request.page));
  return pubsubIq('get', request.service, NS_PUBSUB, ...children);
}

/**
 * XEP-0060 §6.1.1: "The <subscribe/> element MUST also possess a 'jid' attribute specifying the
 * exact XMPP address to be used as the subscribed JID".
 */
export function buildSubscribe(request: { service: string; node: string; jid: string }): Element {
  return pubsubIq('set', request.service, NS_PUBSUB, xml('subscribe', { node: request.node, jid: request.jid }));
}

/** XEP-0060 §6.2.1: unsubscribe `jid` (with the SubID when the service gave one). */
export function buildUnsubscribe(request: { service: string; node: string; jid: string; subid?: string }): Element {
  const attrs: Record<string, string> = { node: request.node, jid: request.jid };
  if (request.subid !== undefined) attrs.subid = request.subid;
  return pubsubIq('set', request.service, NS_PUBSUB, xml('unsubscribe', attrs));
}

/** XEP-0060 §8.2.1: the owner asks for the node's configuration form. */
export function buildConfigureGet(request: { service?: string; node: string }): Element {
  return pubsubIq('get', request.service, NS_PUBSUB_OWNER, xml('configure', { node: request.node }));
}

/** XEP-0060 §8.2.4: the owner submits the changed fields. */
export function buildConfigureSubmit(request: { service?: string; node: string; values: FormValues }): Element {
  return pubsubIq(
    'set',
    request.service,
    NS_PUBSUB_OWNER,
    xml('configure', { node: request.node }, buildSubmitForm(NS_PUBSUB_NODE_CONFIG, request.values)),
  );
}

/** XEP-0060 §8.1.2 (default configuration) and §8.1.3 (create and configure); no node asks for an instant node (§8.1.1). */
export function buildCreate(request: { service?: string; node?: string; config?: FormValues }): Element {
  const children = [xml('create', request.node === undefined ? {} : { node: request.node })];
  if (request.config !== undefined && Object.keys(request.config).length > 0) {
    children.push(xml('configure', {}, buildSubmitForm(NS_PUBSUB_NODE_CONFIG, request.config)));
  }
  return pubsubIq('set', request.service, NS_PUBSUB, ...children);
}

/** XEP-0060 §8.4.1: the owner deletes a node. */
export function buildDeleteNode(request: { service?: string; node: string }): Element {
  return pubsubIq('set', request.service, NS_PUBSUB_OWNER, xml('delete', { node: request.node }));
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

function pubsubOf(stanza: Element, ns: string): Element | undefined {
  const pubsub = stanza.name === 'pubsub' ? stanza : stanza.getChild('pubsub', ns);
  return pubsub && pubsub.getNS() === ns ? pubsub : undefined;
}

/**
 * One `<item/>`. XEP-0060 §7.1.1: an item carries one payload; an item with several payload
 * elements is malformed and skipped (`undefined`), as is one larger than the budget.
 */
function readItem(item: Element, budget: Readonly<XmlBudget>): PubsubItem | undefined {
  const out: PubsubItem = {};
  if (item.attrs.id !== undefined) {
    if (!isPubsubId(item.attrs.id)) return undefined;
    out.id = item.attrs.id;
  }
  if (item.attrs.publisher !== undefined) {
    const publisher = normalizeJid(item.attrs.publisher);
    if (publisher !== undefined) out.publisher = publisher;
  }
  const payloads = item.getChildElements();
  if (payloads.length > 1) return undefined;
  if (payloads.length === 1) {
    const payload = toXmlNode(payloads[0]!, { ...budget });
    if (!payload) return undefined;
    out.payload = payload;
  }
  return out;
}

function readRsm(set: Element): RsmPage {
  const page: RsmPage = {};
  const first = set.getChild('first', NS_RSM);
  if (first && isPubsubId(first.text())) {
    page.first = first.text();
    const index = Number(first.attrs.index);
    if (first.attrs.index !== undefined && Number.isSafeInteger(index) && index >= 0) page.firstIndex = index;
  }
  const last = set.getChildText('last', NS_RSM);
  if (isPubsubId(last)) page.last = last;
  const count = Number(set.getChildText('count', NS_RSM));
  if (set.getChild('count', NS_RSM) && Number.isSafeInteger(count) && count >= 0) page.count = count;
  return page;
}

/**
 * XEP-0060 §6.5.3: the items of `node` (the `<iq>` or its `<pubsub>`); with §6.5.4's XEP-0059
 * `<set/>` when the service paged. Items that break the rules are skipped; a result for another
 * node is refused.
 */
export function parseItemsResult(
  stanza: Element,
  node: string,
  budget: Readonly<XmlBudget> = RESULT_PAYLOAD_BUDGET,
): ItemsResult | StanzaParseError {
  const pubsub = pubsubOf(stanza, NS_PUBSUB);
  if (!pubsub) return new StanzaParseError('no pubsub');
  const items = pubsub.getChild('items', NS_PUBSUB);
  if (!items) return new StanzaParseError('no items');
  if (items.attrs.node !== node) return new StanzaParseError(`items of another node than ${node.slice(0, 64)}`);
  const result: ItemsResult = { node, items: [] };
  for (const child of items.getChildren('item', NS_PUBSUB).slice(0, MAX_ITEMS)) {
    const item = readItem(child, budget);
    if (item) result.items.push(item);
  }
  const set = pubsub.getChild('set', NS_RSM);
  if (set) result.rsm = readRsm(set);
  return result;
}

/**
 * XEP-0060 §7.1.2: without an ItemID in the request, the result names the one the service made up
 * in an empty `<item/>`; a service that answers with an empty result leaves `id` unknown.
 */
export function parsePublishResult(stanza: Element): { id?: string } {
  const id = pubsubOf(stanza, NS_PUBSUB)?.getChild('publish', NS_PUBSUB)?.getChild('item', NS_PUBSUB)?.attrs.id;
  return isPubsubId(id) ? { id } : {};
}

const SUBSCRIPTION_STATES: readonly SubscriptionState[] = ['subscribed', 'pending', 'unconfigured', 'none'];

/**
 * XEP-0060 §6.1.2: the `<subscription/>` of a subscribe result. An empty result is read as
 * `subscribed` with the asked node and JID (some services answer that way).
 */
export function parseSubscription(stanza: Element, asked: { node: string; jid: string }): Subscription | StanzaParseError {
  const sub = pubsubOf(stanza, NS_PUBSUB)?.getChild('subscription', NS_PUBSUB);
  if (!sub) return { node: asked.node, jid: asked.jid, subscription: 'subscribed' };
  const state = sub.attrs.subscription ?? 'subscribed';
  if (!(SUBSCRIPTION_STATES as readonly string[]).includes(state))
    return new StanzaParseError(`unknown subscription state ${String(state).slice(0, 32)}`);
  const jid = sub.attrs.jid === undefined ? asked.jid : normalizeJid(sub.attrs.jid);
  if (jid === undefined) return new StanzaParseError('subscription jid is not a JID');
  const out: Subscription = { node: sub.attrs.node ?? asked.node, jid, subscription: state as SubscriptionState };
  if (isPubsubId(sub.attrs.subid)) out.subid = sub.attrs.subid;
  return out;
}

/** XEP-0060 §8.2.2: the node configuration form (`<configure><x type='form'/></configure>`). */
export function parseConfigureForm(stanza: Element): NodeConfigForm | StanzaParseError {
  const form = pubsubOf(stanza, NS_PUBSUB_OWNER)?.getChild('configure', NS_PUBSUB_OWNER)?.getChild('x', NS_DATA_FORMS);
  if (!form) return new StanzaParseError('no configuration form');
  return parseDataForm(form);
}

/** XEP-0060 §8.1.1/§8.1.2: the NodeID the service created (its answer when it chose one, else the asked one). */
export function parseCreateResult(stanza: Element, asked: string | undefined): string | StanzaParseError {
  const node = pubsubOf(stanza, NS_PUBSUB)?.getChild('create', NS_PUBSUB)?.attrs.node;
  if (isPubsubId(node)) return node;
  return asked ?? new StanzaParseError('an instant node without its NodeID');
}

// ---------------------------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------------------------

/**
 * The service a notification comes from: its bare `from` (the own bare JID when absent, RFC 6120
 * §8.1.2.1), or `undefined` for a full JID or no JID. XEP-0163 §4.3.1: "The server MUST set the
 * 'from' address on the notification to the bare JID <account@domain.tld> of the account owner",
 * and a pubsub service is addressed by its own JID: a notification from a full JID is nobody's.
 */
export function notificationService(stanza: Element, context: RouteContext): string | undefined {
  const from = stanza.attrs.from;
  if (from === undefined) return context.ownBare;
  const parts = parseJid(from);
  if (!parts || parts.resource !== undefined) return undefined;
  return bareJid(from);
}

/**
 * Routes a `<message><event xmlns='…pubsub#event'>` as one event per node it names (XEP-0060 §7.1.2
 * items, §7.2.2.1 retract, §8.5 purge, §8.4 delete), or none. Which (service, node) pairs are
 * followed is the actor's business; here only the sender is checked.
 */
export function parsePubsubNotification(stanza: Element, context: RouteContext): PubsubNotificationEvent[] {
  if (stanza.name !== 'message' || stanza.attrs.type === 'error') return [];
  const event = stanza.getChild('event', NS_PUBSUB_EVENT);
  if (!event) return [];
  const service = notificationService(stanza, context);
  if (service === undefined) return [];
  const stamp = stanza.getChild('delay', NS_DELAY)?.attrs.stamp;
  const out: PubsubNotificationEvent[] = [];
  for (const child of event.getChildElements()) {
    if (child.getNS() !== NS_PUBSUB_EVENT || !isPubsubId(child.attrs.node)) continue;
    const notification: PubsubNotificationEvent = {
      type: 'pubsub.notification',
      service,
      node: child.attrs.node,
      items: [],
      retracted: [],
    };
    if (typeof stamp === 'string' && stamp.length <= 64) notification.delay = stamp;
    if (child.name === 'items') {
      for (const entry of child.getChildElements().slice(0, MAX_ITEMS)) {
        if (entry.getNS() !== NS_PUBSUB_EVENT) continue;
        if (entry.name === 'retract') {
          if (isPubsubId(entry.attrs.id)) notification.retracted.push(entry.attrs.id);
        } else if (entry.name === 'item') {
          const item = readItem(entry, NOTIFICATION_PAYLOAD_BUDGET);
          if (item) notification.items.push(item);
        }
      }
      if (notification.items.length === 0 && notification.retracted.length === 0) continue;
    } else if (child.name === 'purge' || child.name === 'delete') {
      notification.cleared = child.name;
    } else {
      continue;
    }
    out.push(notification);
  }
  return out;
}
