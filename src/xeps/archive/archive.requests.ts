/**
 * The archive's one-shot requests (no pager): preferences (XEP-0441) and the query form's fields
 * (XEP-0313 §4.1.5). Each rejects with the server's `StanzaError`, or `bad-reply` when the
 * answer is unusable.
 */
import { XmppAdapterError } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import type { FeatureServices } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { buildMamFormRequest, parseMamFormFields } from './mam.codec.js';
import type { MamPrefs } from './mam.types.js';
import { buildPrefsGet, buildPrefsSet, parsePrefs } from './prefs.codec.js';

function usable<T>(value: T | StanzaParseError, what: string): T {
  if (value instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `MAM ${what}: ${value.reason}`);
  return value;
}

/** XEP-0441 §2.1: the own archive's preferences. */
export async function getArchivePrefs(services: Pick<FeatureServices, 'iq'>, options?: IqRequestOptions): Promise<MamPrefs> {
  return usable(parsePrefs(await services.iq.request(buildPrefsGet(), options)), 'preferences');
}

/** XEP-0441 §2.1: replaces the preferences; resolves with what the server now applies. */
export async function setArchivePrefs(
  services: Pick<FeatureServices, 'iq'>,
  prefs: MamPrefs,
  options?: IqRequestOptions,
): Promise<MamPrefs> {
  const iq = buildPrefsSet(prefs);
  if (iq instanceof XmppAdapterError) throw iq;
  return usable(parsePrefs(await services.iq.request(iq, options)), 'preferences');
}

/** XEP-0313 §4.1.5: the fields an archive (the own one when `to` is absent) accepts in queries. */
export async function archiveFormFields(services: Pick<FeatureServices, 'iq'>, to?: string, options?: IqRequestOptions): Promise<string[]> {
  return usable(parseMamFormFields(await services.iq.request(buildMamFormRequest(to), options)), 'query form');
}
