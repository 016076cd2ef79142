import { defineFeature, type FeatureModule } from '../feature.js';
import { UPLOAD_INTENTS, createUploadLogic, type UploadFeatureOptions } from './upload.machine.js';

/**
 * XEP-0363 HTTP File Upload with options (e.g. a `fetch` for the PUT):
 * `withFeatures(defaultFeatures, createUploadFeature({ put: { fetch } }))`.
 */
export function createUploadFeature(options: UploadFeatureOptions = {}): FeatureModule {
  return defineFeature({
    id: 'upload',
    spec: [{ xep: 'XEP-0363', version: '1.1.0', url: 'https://xmpp.org/extensions/xep-0363.html' }],
    // A service-side protocol: the client neither advertises it nor receives stanzas for it.
    discoFeatures: [],
    handles: [],
    route: () => [],
    logic: (services) => createUploadLogic(services, options),
    lifetime: 'session',
    intents: UPLOAD_INTENTS,
  });
}

/** XEP-0363 HTTP File Upload: service discovery, slots, the PUT with progress, one actor per upload. */
export const upload = /*#__PURE__*/ createUploadFeature();

export {
  ALLOWED_HEADERS,
  NS_HTTP_UPLOAD,
  buildSlotRequest,
  checkSlotUrl,
  isFileStore,
  offersUpload,
  parseMaxFileSize,
  parseSlot,
  parseUploadError,
} from './upload.codec.js';
export { HttpStatusError, putFile, type FetchLike, type PutOptions } from './upload.http.js';
export { discoverUploadService, requestSlot } from './upload.requests.js';
export { createTransferLogic, transferId, type TransferLogic } from './transfer.machine.js';
export { UPLOAD_INTENTS, createUploadLogic, isFinished, type UploadFeatureOptions, type UploadLogic } from './upload.machine.js';
export { connectUploads, type UploadView, type UploadsView } from './upload.connect.js';
export type * from './upload.types.js';
