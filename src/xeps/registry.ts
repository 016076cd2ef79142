import type { FeatureModule, SpecReference } from './feature.js';
import { blocking } from './blocking/index.js';
import { bookmarks } from './bookmarks/index.js';
import { caps } from './caps/index.js';
import { carbons } from './carbons/index.js';
import { chat } from './chat/index.js';
import { csi } from './csi/index.js';
import { push } from './push/index.js';
import { pubsub } from './pubsub/index.js';
import { profile } from './profile/index.js';
import { disco } from './disco/index.js';
import { archive } from './archive/index.js';
import { muc } from './muc/index.js';
import { ping } from './ping/index.js';
import { presence } from './presence/index.js';
import { roster } from './roster/index.js';
import { time } from './time/index.js';
import { upload } from './upload/index.js';
import { version } from './version/index.js';

/**
 * The features every client gets unless the app passes its own list: service discovery and the
 * answers every client owes (caps, ping, time, version), core instant messaging, its history, group chat
 * and file upload.
 * Without `presence` nothing announces the client's availability.
 */
export const defaultFeatures: readonly FeatureModule[] = [
  disco,
  caps,
  ping,
  time,
  version,
  roster,
  presence,
  blocking,
  chat,
  carbons,
  archive,
  muc,
  bookmarks,
  pubsub,
  profile,
  upload,
  csi,
  push,
];

/**
 * `base` with `extra` added, each replacing the feature of `base` with the same id:
 * `withFeatures(defaultFeatures, createRosterFeature({ cache }))` keeps every default but the roster's options.
 */
export function withFeatures(base: readonly FeatureModule[], ...extra: readonly FeatureModule[]): FeatureModule[] {
  const replaced = new Map(extra.map((f) => [f.id, f]));
  const kept = base.map((f) => replaced.get(f.id) ?? f);
  return [...kept, ...extra.filter((f) => !base.some((b) => b.id === f.id))];
}

export interface XepTableRow extends SpecReference {
  /** The feature module's id. */
  feature: string;
}

/** One row per spec reference of `features`, ordered by XEP number, for the docs' support table. */
export function xepTable(features: readonly FeatureModule[] = defaultFeatures): XepTableRow[] {
  return features
    .flatMap((f) => f.spec.map((spec) => ({ feature: f.id, ...spec })))
    .sort((a, b) => a.xep.localeCompare(b.xep, 'en', { numeric: true }) || a.feature.localeCompare(b.feature));
}
