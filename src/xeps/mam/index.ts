/**
 * XEP-0313 Message Archive Management, groundwork: the codec and the pager actor. Not a feature
 * yet (nothing routes results to pagers, nothing is registered); see README.md.
 */
export {
  MAX_ID_LENGTH,
  MAX_PAGE_SIZE,
  NS_DELAY,
  NS_FORWARD,
  NS_MAM,
  NS_MAM_EXTENDED,
  buildMamQuery,
  parseMamFin,
  parseMamResult,
} from './mam.codec.js';
export { MAX_PREFS_JIDS, buildPrefsGet, buildPrefsSet, parsePrefs } from './prefs.codec.js';
export { NS_DATA, NS_RSM, parseDateTime } from './forms.js';
export {
  createMamPagerLogic,
  failureOf,
  fetchPage,
  madeNoProgress,
  pageParams,
  type MamPagerActor,
  type MamPagerLogic,
} from './pager.machine.js';
export type * from './mam.types.js';
