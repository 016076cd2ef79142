/**
 * The feature list the end-to-end and roster benchmarks give our client: `defaultFeatures` plus the
 * core IM modules (roster, presence, blocking, chat, carbons) that are not defaults yet. Added by
 * `id` only when missing, so the list stays right once they become defaults.
 */
import { blocking, carbons, chat, defaultFeatures, presence, roster, type FeatureModule } from '../../src/index.js';

const CORE_IM: readonly FeatureModule[] = [roster, presence, blocking, chat, carbons];

export function imFeatures(): readonly FeatureModule[] {
  const present = new Set(defaultFeatures.map((f) => f.id));
  return [...defaultFeatures, ...CORE_IM.filter((f) => !present.has(f.id))];
}
