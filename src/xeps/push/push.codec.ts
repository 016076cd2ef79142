/**
 * XEP-0357 Push Notifications (https://xmpp.org/extensions/xep-0357.html): enable and disable
 * requests, and reading a published notification (for app servers and tests). Pure and synchronous.
 */
import { xml, type Element } from '@xmpp/xml';
import { NS_DATA, boundedText, buildSubmitForm } from '../forms.js';
import { StanzaParseError } from '../iq-request.js';
import type { PushRegistration } from './push.types.js';

export const NS_PUSH = 'urn:xmpp:push:0';
/** XEP-0357 §5: the FORM_TYPE of the form carrying the app server's parameters. */
export const NS_PUBLISH_OPTIONS = 'http://jabber.org/protocol/pubsub#publish-options';
/** XEP-0357 §7: the FORM_TYPE of the summary inside a notification. */
export const NS_PUSH_SUMMARY = 'urn:xmpp:push:summary';
export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';

/**
 * §5: "the App Client sends an IQ-set to the user's bare JID with an <enable/> element … which MUST
 * contain a 'jid' attribute … It SHOULD contain a 'node' attribute". Sent without `to`, as in the
 * spec's example: the own server answers for the account. Publish options become a XEP-0004 form
 * "with a FORM_TYPE of 'http://jabber.org/protocol/pubsub#publish-options'".
 */
export function buildEnable(registration: PushRegistration): Element {
  const enable = xml('enable', { xmlns: NS_PUSH, jid: registration.jid, node: registration.node });
  const options = registration.publishOptions;
  if (options !== undefined && Object.keys(options).length > 0) {
    enable.append(
      buildSubmitForm(
        NS_PUBLISH_OPTIONS,
        Object.entries(options).map(([name, value]) => ({ var: name, value })),
      ),
    );
  }
  return xml('iq', { type: 'set' }, enable);
}

/**
 * §6: a <disable/> "which MUST include a 'jid' attribute of the service to be removed"; "A 'node'
 * attribute MAY be included to remove a particular JID and node combination".
 */
export function buildDisable(jid: string, node?: string): Element {
  return xml('iq', { type: 'set' }, xml('disable', { xmlns: NS_PUSH, jid, ...(node === undefined ? {} : { node }) }));
}

/** A notification as an app server receives it (§7). */
export interface PushNotification {
  /** The publish IQ's id, for the result the app server owes. */
  id: string;
  from: string | undefined;
  node: string;
  /** The `urn:xmpp:push:summary` fields (`message-count`, `last-message-sender`, …). */
  summary: Record<string, string>;
  /** The publish options the server sent along (§7: "SHOULD include the data as publish options"). */
  publishOptions: Record<string, string>;
}

function formValues(x: Element | undefined, formType: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!x) return out;
  const fields = x.getChildren('field');
  const type = fields.find((f) => f.attrs.var === 'FORM_TYPE')?.getChildText('value');
  if (type !== formType) return out;
  for (const field of fields.slice(0, 100)) {
    const name = boundedText(field.attrs.var, 255);
    if (name === undefined || name === 'FORM_TYPE') continue;
    out[name] = (field.getChildText('value') ?? '').slice(0, 4096);
  }
  return out;
}

/** §7: reads a `<pubsub><publish node><item><notification/>` IQ set, or refuses it. */
export function parsePushNotification(iq: Element): PushNotification | StanzaParseError {
  if (iq.name !== 'iq' || iq.attrs.type !== 'set' || typeof iq.attrs.id !== 'string') return new StanzaParseError('not an IQ set');
  const pubsub = iq.getChild('pubsub', NS_PUBSUB);
  const publish = pubsub?.getChild('publish');
  const node = boundedText(publish?.attrs.node, 1024);
  const notification = publish?.getChild('item')?.getChild('notification', NS_PUSH);
  if (!pubsub || node === undefined || !notification) return new StanzaParseError('no push notification');
  return {
    id: iq.attrs.id,
    from: iq.attrs.from,
    node,
    summary: formValues(notification.getChild('x', NS_DATA), NS_PUSH_SUMMARY),
    publishOptions: formValues(pubsub.getChild('publish-options')?.getChild('x', NS_DATA), NS_PUBLISH_OPTIONS),
  };
}
