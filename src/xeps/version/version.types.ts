import type { SessionLifecycleEvent } from '../feature.js';
import type { IqRequestRef } from '../iq-request.js';

/** XEP-0092 §2: what a software-version result says. */
export interface SoftwareVersion {
  name: string;
  version: string;
  os?: string;
}

/** An inbound software-version get, as plain data. */
export interface VersionRequestEvent extends IqRequestRef {
  type: 'version.request';
}

export type VersionEvent = VersionRequestEvent | SessionLifecycleEvent;

export interface VersionContext {
  /** What we answer; `os` only when the app provided it. */
  software: SoftwareVersion;
}
