/**
 * XEP-0313 Message Archive Management: the `archive` feature (the archive actor with one pager per
 * query), its codec and the XEP-0441 preferences. See README.md.
 */
import { defineFeature, type FeatureModule } from '../feature.js';
import { ARCHIVE_INTENTS, createArchiveLogic, type ArchiveLogicOptions } from './archive.machine.js';
import { NS_MAM } from './mam.codec.js';
import { routeMamStanza } from './mam.route.js';
import type { MamResultEvent } from './mam.types.js';

/** The `archive` feature: scrollback, catch-up on fresh sessions, searches and room archives. */
export function createArchiveFeature(options: ArchiveLogicOptions = {}): FeatureModule<MamResultEvent> {
  return defineFeature<MamResultEvent>({
    id: 'archive',
    spec: [
      { xep: 'XEP-0313', version: '0.8.0', url: 'https://xmpp.org/extensions/xep-0313.html' },
      { xep: 'XEP-0059', version: '1.0', url: 'https://xmpp.org/extensions/xep-0059.html' },
      { xep: 'XEP-0441', version: '0.2.0', url: 'https://xmpp.org/extensions/xep-0441.html' },
    ],
    // A client hosts no archive: nothing to advertise.
    discoFeatures: [],
    handles: [{ stanza: 'message', ns: NS_MAM }],
    route: routeMamStanza,
    logic: (services) => createArchiveLogic(services, options),
    lifetime: 'session',
    // A page arrives as a burst of result messages: one archive transition per socket read.
    batches: true,
    intents: ARCHIVE_INTENTS,
  });
}

/** The `archive` feature with default options (pages of 100, catch-up on every fresh session). */
export const archive = /*#__PURE__*/ createArchiveFeature();

export {
  FULL_TEXT_FIELDS,
  MAX_ID_LENGTH,
  MAX_PAGE_SIZE,
  NS_DELAY,
  NS_FORWARD,
  NS_MAM,
  NS_MAM_EXTENDED,
  buildMamFormRequest,
  buildMamQuery,
  parseMamFin,
  parseMamFormFields,
  parseMamResult,
} from './mam.codec.js';
export { readArchivedResult, routeMamStanza } from './mam.route.js';
export { MAX_PREFS_JIDS, buildPrefsGet, buildPrefsSet, parsePrefs } from './prefs.codec.js';
export { NS_DATA, NS_RSM, parseDateTime } from '../forms.js';
export { fetchPage } from './page-fetcher.js';
export { createMamPagerLogic, failureOf, madeNoProgress, pageParams, type MamPagerActor, type MamPagerLogic } from './pager.machine.js';
export {
  DEFAULT_PAGE_SIZE,
  MAX_SEARCH_PAGES,
  createArchiveLogic,
  pagerId,
  type ArchiveLogic,
  type ArchiveLogicOptions,
} from './archive.machine.js';
export { archiveFormFields, getArchivePrefs, setArchivePrefs } from './archive.requests.js';
export { connectHistory, type HistoryView } from './archive.connect.js';
export type * from './mam.types.js';
export type * from './archive.types.js';
