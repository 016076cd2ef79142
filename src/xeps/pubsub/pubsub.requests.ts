/**
 * XEP-0060 requests as promise functions over the IQ tracker, with the PEP (XEP-0163) and private
 * storage (XEP-0223) shortcuts. Every argument is checked before anything is sent (an
 * `invalid-argument` XmppAdapterError); a server's error reply rejects with its `StanzaError`, an
 * answer that breaks the protocol with `bad-reply`. Without `service`, a request goes to the own
 * account's PEP service (no `to`).
 */
import type { Element } from '@xmpp/xml';
import { StanzaError, XmppAdapterError } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import { normalizeJid } from '../../jid.js';
import type { FeatureServices } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import {
  MAX_ID_LENGTH,
  MAX_PAGE,
  buildConfigureGet,
  buildConfigureSubmit,
  buildCreate,
  buildDeleteNode,
  buildItemsRequest,
  buildPublish,
  buildRetract,
  buildSubscribe,
  buildUnsubscribe,
  isPubsubId,
  parseConfigureForm,
  parseCreateResult,
  parseItemsResult,
  parsePublishResult,
  parseSubscription,
  type ItemsRequest,
} from './pubsub.codec.js';
import type { FormValues, ItemsResult, NodeConfigForm, PubsubItem, Subscription, XmlNode } from './pubsub.types.js';
import { fromXmlNode } from './xml-node.js';

type Iq = Pick<FeatureServices, 'iq'>;

/**
 * XEP-0223 §2: "a PIP node MUST be configured as follows: Set pubsub#access_model to "whitelist".
 * Set pubsub#persist_items to true." Sent as publish-options (§3), so that a node configured
 * otherwise makes the publish fail (`conflict`, XEP-0060 §7.1.5) instead of leaking the data.
 */
export const PRIVATE_PUBLISH_OPTIONS: Readonly<FormValues> = Object.freeze({
  'pubsub#persist_items': 'true',
  'pubsub#access_model': 'whitelist',
});

const invalid = (message: string) => new XmppAdapterError('invalid-argument', `pubsub: ${message}`);

function usable<T>(value: T | StanzaParseError, what: string): T {
  if (value instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `pubsub ${what}: ${value.reason}`);
  return value;
}

function checkService(service: string | undefined): string | undefined {
  return service === undefined ? undefined : checkJid(service, 'service');
}

function checkJid(jid: unknown, what: string): string {
  const normalized = normalizeJid(jid);
  if (normalized === undefined) throw invalid(`${what} is not a JID: ${String(jid).slice(0, 64)}`);
  return normalized;
}

function checkNode(node: unknown): string {
  if (!isPubsubId(node)) throw invalid(`node must be a string of 1..${MAX_ID_LENGTH} characters`);
  return node;
}

function checkItemId(id: unknown): string {
  if (!isPubsubId(id)) throw invalid(`item id must be a string of 1..${MAX_ID_LENGTH} characters`);
  return id;
}

function checkForm(values: unknown, what: string): FormValues {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) throw invalid(`${what} must be an object of field values`);
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    if (name.length === 0 || name === 'FORM_TYPE') throw invalid(`${what}: bad field name '${name.slice(0, 64)}'`);
    const ok =
      typeof value === 'string' || typeof value === 'boolean' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok) throw invalid(`${what}: field ${name.slice(0, 64)} must be a string, a boolean or a list of strings`);
  }
  return values as FormValues;
}

function checkCount(value: unknown, what: string): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_PAGE)
    throw invalid(`${what} must be an integer in 1..${MAX_PAGE}`);
  return value as number;
}

const isElement = (value: unknown): value is Element =>
  value !== null && typeof value === 'object' && typeof (value as Element).getChildElements === 'function';

function isXmlNode(value: unknown, depth = 0): value is XmlNode {
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  const node = value as XmlNode;
  return (
    typeof node.name === 'string' &&
    node.name.length > 0 &&
    node.attrs !== null &&
    typeof node.attrs === 'object' &&
    Object.values(node.attrs).every((v) => typeof v === 'string') &&
    Array.isArray(node.children) &&
    node.children.every((c) => typeof c === 'string' || isXmlNode(c, depth + 1))
  );
}

/** The payload element: an ltx `Element` as is, or a plain-data tree built into one. */
function checkPayload(payload: unknown): Element {
  if (isElement(payload)) return payload;
  if (isXmlNode(payload)) return fromXmlNode(payload);
  throw invalid('payload must be an XML element (an @xmpp/xml Element or an XmlNode)');
}

export interface PublishOptions extends IqRequestOptions {
  /** The pubsub service; the own PEP service when absent. */
  service?: string;
  /** The ItemID; the service makes one up when absent (XEP-0060 §7.1.1). */
  id?: string;
  /** XEP-0060 §7.1.5 publish-options, e.g. `{ 'pubsub#access_model': 'open' }`. */
  publishOptions?: FormValues;
}

/**
 * XEP-0060 §7.1: publishes `payload` as one item of `node`. Resolves with the ItemID: the one given,
 * or the one the service reports (undefined when it reports none).
 */
export async function publish(
  services: Iq,
  node: string,
  payload: Element | XmlNode,
  options: PublishOptions = {},
): Promise<{ node: string; id: string | undefined }> {
  const { service, id, publishOptions, ...request } = options;
  const checked = {
    node: checkNode(node),
    payload: checkPayload(payload),
    ...(service === undefined ? {} : { service: checkService(service) }),
    ...(id === undefined ? {} : { id: checkItemId(id) }),
    ...(publishOptions === undefined ? {} : { options: checkForm(publishOptions, 'publishOptions') }),
  };
  const reply = await services.iq.request(buildPublish(checked), request);
  return { node: checked.node, id: checked.id ?? parsePublishResult(reply).id };
}

export interface RetractOptions extends IqRequestOptions {
  service?: string;
  /** XEP-0060 §7.2.2.1: ask the service to notify subscribers of the deletion. @default true */
  notify?: boolean;
}

/** XEP-0060 §7.2: deletes one item. */
export async function retract(services: Iq, node: string, id: string, options: RetractOptions = {}): Promise<void> {
  const { service, notify = true, ...request } = options;
  const iq = buildRetract({ service: checkService(service), node: checkNode(node), id: checkItemId(id), notify });
  await services.iq.request(iq, request);
}

export interface ItemsOptions extends IqRequestOptions {
  service?: string;
  /** XEP-0060 §6.5.8: only these items. */
  ids?: readonly string[];
  /** XEP-0060 §6.5.7: the `latest` most recent items (`max_items`). */
  latest?: number;
  /**
   * XEP-0059 paging (XEP-0060 §6.5.4): `max` items after or before a cursor from a previous
   * page's `rsm.last` / `rsm.first`; `before: ''` asks for the last page.
   */
  page?: { max: number; after?: string; before?: string };
}

/** XEP-0060 §6.5: items of a node (all of them, by id, the latest N, or one RSM page). */
export async function items(services: Iq, node: string, options: ItemsOptions = {}): Promise<ItemsResult> {
  const { service, ids, latest, page, ...request } = options;
  const query: ItemsRequest = { node: checkNode(node) };
  const chosen = [ids, latest, page].filter((x) => x !== undefined).length;
  if (chosen > 1) throw invalid('ids, latest and page exclude each other');
  if (service !== undefined) query.service = checkService(service);
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_PAGE) throw invalid(`ids must list 1..${MAX_PAGE} item ids`);
    query.ids = ids.map(checkItemId);
  }
  if (latest !== undefined) query.maxItems = checkCount(latest, 'latest');
  if (page !== undefined) {
    if (page === null || typeof page !== 'object') throw invalid('page must be an object');
    const max = checkCount(page.max, 'page.max');
    if (page.after !== undefined && page.before !== undefined) throw invalid('page.after and page.before exclude each other');
    query.page = { max };
    if (page.after !== undefined) query.page.after = checkItemId(page.after);
    if (page.before !== undefined) query.page.before = page.before === '' ? '' : checkItemId(page.before);
  }
  const reply = await services.iq.request(buildItemsRequest(query), request);
  return usable(parseItemsResult(reply, query.node), 'items');
}

/** XEP-0060 §6.1: subscribes `jid` (a bare or full JID, usually the own bare JID) to a node at `service`. */
export async function subscribe(
  services: Iq,
  service: string,
  node: string,
  jid: string,
  options: IqRequestOptions = {},
): Promise<Subscription> {
  const asked = { service: checkJid(service, 'service'), node: checkNode(node), jid: checkJid(jid, 'jid') };
  const reply = await services.iq.request(buildSubscribe(asked), options);
  return usable(parseSubscription(reply, asked), 'subscription');
}

/** XEP-0060 §6.2: ends the subscription of `jid` (with its SubID when there are several). */
export async function unsubscribe(
  services: Iq,
  service: string,
  node: string,
  jid: string,
  options: IqRequestOptions & { subid?: string } = {},
): Promise<void> {
  const { subid, ...request } = options;
  const iq = buildUnsubscribe({
    service: checkJid(service, 'service'),
    node: checkNode(node),
    jid: checkJid(jid, 'jid'),
    ...(subid === undefined ? {} : { subid: checkItemId(subid) }),
  });
  await services.iq.request(iq, request);
}

/** XEP-0060 §8.2.1: the node's configuration form (owner only). */
export async function nodeConfig(
  services: Iq,
  node: string,
  options: IqRequestOptions & { service?: string } = {},
): Promise<NodeConfigForm> {
  const { service, ...request } = options;
  const reply = await services.iq.request(buildConfigureGet({ service: checkService(service), node: checkNode(node) }), request);
  return usable(parseConfigureForm(reply), 'configuration');
}

/** XEP-0060 §8.2.4: submits configuration fields, e.g. `{ 'pubsub#max_items': '10' }`. */
export async function configureNode(
  services: Iq,
  node: string,
  values: FormValues,
  options: IqRequestOptions & { service?: string } = {},
): Promise<void> {
  const { service, ...request } = options;
  const iq = buildConfigureSubmit({ service: checkService(service), node: checkNode(node), values: checkForm(values, 'values') });
  await services.iq.request(iq, request);
}

/**
 * XEP-0060 §8.1: creates a node (with `config` fields, §8.1.3); without `node`, asks for an
 * instant node (§8.1.1). Resolves with the NodeID.
 */
export async function createNode(
  services: Iq,
  node: string | undefined,
  options: IqRequestOptions & { service?: string; config?: FormValues } = {},
): Promise<string> {
  const { service, config, ...request } = options;
  const asked = node === undefined ? undefined : checkNode(node);
  const iq = buildCreate({
    service: checkService(service),
    ...(asked === undefined ? {} : { node: asked }),
    ...(config === undefined ? {} : { config: checkForm(config, 'config') }),
  });
  return usable(parseCreateResult(await services.iq.request(iq, request), asked), 'create');
}

/** XEP-0060 §8.4: deletes a node (owner only). */
export async function deleteNode(services: Iq, node: string, options: IqRequestOptions & { service?: string } = {}): Promise<void> {
  const { service, ...request } = options;
  await services.iq.request(buildDeleteNode({ service: checkService(service), node: checkNode(node) }), request);
}

/** XEP-0223 §3: stores `payload` privately in the own PEP node `node` (item `id`, default `current`). */
export async function storePrivate(
  services: Iq,
  node: string,
  payload: Element | XmlNode,
  options: IqRequestOptions & { id?: string } = {},
): Promise<void> {
  const { id = 'current', ...request } = options;
  await publish(services, node, payload, { ...request, id, publishOptions: PRIVATE_PUBLISH_OPTIONS });
}

/**
 * XEP-0223: reads back private data: the item `id` (default `current`) of the own PEP node
 * `node`, or `undefined` when there is none (a node that does not exist yet answers `item-not-found`).
 */
export async function loadPrivate(
  services: Iq,
  node: string,
  options: IqRequestOptions & { id?: string } = {},
): Promise<PubsubItem | undefined> {
  const { id = 'current', ...request } = options;
  let result: ItemsResult;
  try {
    result = await items(services, node, { ...request, ids: [id] });
  } catch (error) {
    if (error instanceof StanzaError && error.condition === 'item-not-found') return undefined;
    throw error;
  }
  return result.items.find((item) => item.id === id);
}
