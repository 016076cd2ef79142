import type { Logger } from './options.js';

/**
 * Listeners for the notifications features hand to `FeatureServices.notify`. Delivery is direct
 * (no actor transition per notification); a listener that throws is logged and the others still
 * run, so an app bug cannot stop the feature actor that notified.
 */
export function createNotifier<TNotification extends { type: string }>(logger: Logger) {
  const listeners = new Map<string, Set<(notification: TNotification) => void>>();
  return {
    on(type: string, listener: (notification: TNotification) => void): () => void {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    notify(notification: TNotification): void {
      const set = listeners.get(notification.type);
      if (!set) return;
      for (const listener of [...set]) {
        try {
          listener(notification);
        } catch (err) {
          logger.error(`a '${notification.type}' listener threw`, err);
        }
      }
    },
  };
}
