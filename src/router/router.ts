import type { Element } from '@xmpp/xml';
import { ANY_NAMESPACE, type FeatureModule, type RouteContext } from '../xeps/feature.js';

export interface Delivery {
  to: string;
  event: { type: string };
}

export interface Router {
  route(stanza: Element, context: RouteContext): Delivery[];
}

/**
 * Builds a pure router indexed by (stanza name, child namespace): a stanza costs one map lookup
 * per child element plus one for the features that take every stanza of its name, and only the
 * features indexed under those keys look at it.
 */
export function createRouter(features: readonly FeatureModule[]): Router {
  const index = new Map<string, FeatureModule[]>();
  for (const feature of features) {
    for (const key of feature.handles) {
      const slot = `${key.stanza} ${key.ns}`;
      const list = index.get(slot) ?? [];
      if (!list.includes(feature)) list.push(feature);
      index.set(slot, list);
    }
  }

  return {
    route(stanza, context) {
      const deliveries: Delivery[] = [];
      let seen: Set<FeatureModule> | undefined;
      const ask = (candidates: FeatureModule[] | undefined) => {
        if (!candidates) return;
        for (const feature of candidates) {
          // Several keys of one stanza may point at the same feature: ask it once.
          if (seen?.has(feature)) continue;
          (seen ??= new Set()).add(feature);
          for (const event of feature.route(stanza, context)) deliveries.push({ to: feature.id, event });
        }
      };
      ask(index.get(`${stanza.name} ${ANY_NAMESPACE}`));
      for (const child of stanza.children) {
        if (typeof child !== 'string') ask(index.get(`${stanza.name} ${child.getNS()}`));
      }
      return deliveries;
    },
  };
}
