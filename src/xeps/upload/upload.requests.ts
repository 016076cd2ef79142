/** The XMPP half of XEP-0363: finding the service (§3) and asking it for a slot (§4). */
import { XmppAdapterError } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import { discoInfo, discoItems } from '../disco/disco.machine.js';
import type { FeatureServices } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { buildSlotRequest, isFileStore, offersUpload, parseMaxFileSize, parseSlot } from './upload.codec.js';
import type { UploadFileInfo, UploadService, UploadSlot } from './upload.types.js';

/** Items of the own domain asked for their info; a server lists a handful (beyond this many the rest are skipped). */
export const MAX_SERVICE_CANDIDATES = 32;

/**
 * XEP-0363 §3: "A user's server SHOULD include any known entities that provide such services into
 * its service discovery items." Asks the own domain for its items, then each item for its info, and
 * resolves with the first that offers `urn:xmpp:http:upload:0` (one with the `store/file` identity
 * first), or undefined when none does. An item that does not answer is skipped.
 */
export async function discoverUploadService(
  services: Pick<FeatureServices, 'iq'>,
  domain: string,
  options: IqRequestOptions = {},
): Promise<UploadService | undefined> {
  const { items } = await discoItems(services, domain, undefined, options);
  const candidates = [...new Set(items.filter((i) => i.node === undefined).map((i) => i.jid))].slice(0, MAX_SERVICE_CANDIDATES);
  const infos = await Promise.all(candidates.map((jid) => discoInfo(services, jid, undefined, options).catch(() => undefined)));
  const offering = candidates.flatMap((jid, i) => {
    const info = infos[i];
    return info !== undefined && offersUpload(info) ? [{ jid, info }] : [];
  });
  const chosen = offering.find(({ info }) => isFileStore(info)) ?? offering[0];
  if (chosen === undefined) return undefined;
  const service: UploadService = { jid: chosen.jid };
  const max = parseMaxFileSize(chosen.info);
  if (max !== undefined) service.maxFileSize = max;
  return service;
}

/** XEP-0363 §4: asks `service` for a slot; rejects with the `StanzaError` of a refusal, or `bad-reply` for a slot that fails the checks of `parseSlot`. */
export async function requestSlot(
  services: Pick<FeatureServices, 'iq'>,
  service: string,
  file: UploadFileInfo,
  options?: IqRequestOptions,
): Promise<UploadSlot> {
  const reply = await services.iq.request(buildSlotRequest(service, file), options);
  const slot = parseSlot(reply);
  if (slot instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `unusable slot from ${service}: ${slot.reason}`);
  return slot;
}
