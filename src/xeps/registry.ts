import type { FeatureModule, SpecReference } from './feature.js';
import { caps } from './caps/index.js';
import { disco } from './disco/index.js';
import { ping } from './ping/index.js';
import { time } from './time/index.js';
import { version } from './version/index.js';

/** The features every client gets unless the app passes its own list. */
export const defaultFeatures: readonly FeatureModule[] = [disco, caps, ping, time, version];

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
