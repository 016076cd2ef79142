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

  // Hot path (every inbound stanza): no closures or arrays beyond the result.
  const askOnce = (
    candidates: FeatureModule[] | undefined,
    stanza: Element,
    context: RouteContext,
    asked: Set<FeatureModule>,
    out: Delivery[],
  ) => {
    if (!candidates) return;
    for (const feature of candidates) {
      // Several keys of one stanza may point at the same feature: ask it once.
      if (asked.has(feature)) continue;
      asked.add(feature);
      for (const event of feature.route(stanza, context)) out.push({ to: feature.id, event });
    }
  };

  return {
    route(stanza, context) {
      const deliveries: Delivery[] = [];
      const asked = new Set<FeatureModule>();
      askOnce(index.get(`${stanza.name} ${ANY_NAMESPACE}`), stanza, context, asked, deliveries);
      for (const child of stanza.children) {
        if (typeof child !== 'string') askOnce(index.get(`${stanza.name} ${child.getNS()}`), stanza, context, asked, deliveries);
      }
      return deliveries;
    },
  };
}
