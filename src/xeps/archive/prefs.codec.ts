/**
 * Archiving preferences, `<prefs xmlns='urn:xmpp:mam:2'/>`: split out of XEP-0313 into XEP-0441
 * (Message Archive Management Preferences, 0.2.0) with no protocol change. Pure; never throws.
 */
import { xml, type Element } from '@xmpp/xml';
import { XmppAdapterError } from '../../errors.js';
import { normalizeJid } from '../../jid.js';
import { StanzaParseError } from '../iq-request.js';
import { NS_MAM } from './mam.codec.js';
import type { MamDefault, MamPrefs } from './mam.types.js';

const DEFAULTS: readonly string[] = ['always', 'never', 'roster'];
/** Most JIDs read from (or sent in) one list: a hostile reply cannot blow up memory. */
export const MAX_PREFS_JIDS = 10_000;

/** XEP-0441 §2.1: `<iq type='get'><prefs/></iq>` to the own account. */
export function buildPrefsGet(): Element {
  return xml('iq', { type: 'get' }, xml('prefs', { xmlns: NS_MAM }));
}

function jidList(name: 'always' | 'never', jids: readonly string[]): Element | XmppAdapterError {
  if (jids.length > MAX_PREFS_JIDS)
    return new XmppAdapterError('invalid-argument', `MAM prefs: more than ${MAX_PREFS_JIDS} JIDs in ${name}`);
  const list = xml(name);
  const seen = new Set<string>();
  for (const raw of jids) {
    const jid = normalizeJid(raw);
    if (jid === undefined) return new XmppAdapterError('invalid-argument', `MAM prefs: not a JID in ${name}: ${String(raw)}`);
    if (!seen.has(jid)) list.append(xml('jid', {}, jid));
    seen.add(jid);
  }
  return list;
}

/**
 * XEP-0441 §2.1: an update replacing all three preferences. Both lists are always written, so
 * an empty list clears it on the server.
 */
export function buildPrefsSet(prefs: MamPrefs): Element | XmppAdapterError {
  // XEP-0441 §2.1.1: "The 'default' attribute of the 'prefs' element MUST be one of the following values".
  if (!DEFAULTS.includes(prefs.default))
    return new XmppAdapterError('invalid-argument', `MAM prefs: unknown default ${String(prefs.default)}`);
  const always = jidList('always', prefs.always);
  if (always instanceof XmppAdapterError) return always;
  const never = jidList('never', prefs.never);
  if (never instanceof XmppAdapterError) return never;
  return xml('iq', { type: 'set' }, xml('prefs', { xmlns: NS_MAM, default: prefs.default }, always, never));
}

function readList(prefs: Element, name: 'always' | 'never'): string[] {
  const jids = new Set<string>();
  for (const jid of prefs.getChild(name, NS_MAM)?.getChildren('jid', NS_MAM) ?? []) {
    const value = normalizeJid(jid.text());
    // One unusable entry should not cost the others; duplicates collapse.
    if (value !== undefined && jids.size < MAX_PREFS_JIDS) jids.add(value);
  }
  return [...jids];
}

/** Reads the preferences in an IQ result to a get or a set, or why they are unusable. */
export function parsePrefs(iq: Element): MamPrefs | StanzaParseError {
  if (iq.name !== 'iq' || iq.attrs.type !== 'result') return new StanzaParseError('not an IQ result');
  const prefs = iq.getChild('prefs', NS_MAM);
  // XEP-0441 §2.1: "The <prefs> element MUST be present and contain the current default archiving policy."
  if (prefs === undefined) return new StanzaParseError('IQ result without <prefs/>');
  const value = prefs.attrs.default;
  if (value === undefined || !DEFAULTS.includes(value)) return new StanzaParseError(`unknown default ${String(value)}`);
  // §2.1 says <always/> and <never/> "MUST also be present (even if empty)"; §2.1.2/§2.1.3 let
  // a missing one be read as empty, which is what is done here.
  return { default: value as MamDefault, always: readList(prefs, 'always'), never: readList(prefs, 'never') };
}
