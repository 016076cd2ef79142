import type { SessionLifecycleEvent } from '../feature.js';

/** Intent: the user is looking at the app (`true`) or not (`false`), e.g. from page visibility. */
export interface CsiSetEvent {
  type: 'csi.set';
  active: boolean;
}

export type CsiEvent = CsiSetEvent | SessionLifecycleEvent;

export interface CsiContext {
  /** What the app said last. */
  active: boolean;
  /** The current stream offered CSI (the `<csi/>` stream feature). */
  offered: boolean;
  online: boolean;
  /** What the current stream was last told; a new stream begins `active`. */
  told: boolean;
}
