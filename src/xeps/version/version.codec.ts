/** XEP-0092 Software Version codec: pure and synchronous. */
import { xml, type Element } from '@xmpp/xml';
import type { RouteContext } from '../feature.js';
import { StanzaParseError, readIqRequest, refOf } from '../iq-request.js';
import type { SoftwareVersion, VersionRequestEvent } from './version.types.js';

export const NS_VERSION = 'jabber:iq:version';

/** The `<query/>` payload of a result. */
export function buildVersion(software: SoftwareVersion): Element {
  return xml(
    'query',
    { xmlns: NS_VERSION },
    xml('name', {}, software.name),
    xml('version', {}, software.version),
    // §2: <os/> is OPTIONAL; it is left out unless the app chose to reveal it.
    software.os === undefined ? undefined : xml('os', {}, software.os),
  );
}

export function buildVersionRequest(jid: string): Element {
  return xml('iq', { type: 'get', to: jid }, xml('query', { xmlns: NS_VERSION }));
}

/** Reads a software-version result (the `<iq>` or its `<query>`). */
export function parseVersion(el: Element): SoftwareVersion | StanzaParseError {
  const query = el.name === 'query' && el.getNS() === NS_VERSION ? el : el.getChild('query', NS_VERSION);
  if (!query) return new StanzaParseError('no jabber:iq:version query');
  const name = query.getChildText('name');
  const version = query.getChildText('version');
  // §2: <name/> and <version/> are REQUIRED in a result.
  if (name === null || version === null) return new StanzaParseError('version result without name or version');
  const software: SoftwareVersion = { name, version };
  const os = query.getChildText('os');
  if (os !== null) software.os = os;
  return software;
}

/** The software-version get this stanza carries, as the version actor's event. */
export function parseVersionRequest(stanza: Element, context: RouteContext): VersionRequestEvent | undefined {
  const request = readIqRequest(stanza, context, 'query', NS_VERSION);
  return request && { type: 'version.request', ...refOf(request) };
}
