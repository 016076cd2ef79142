import { assign, enqueueActions, setup } from 'xstate';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { NS_CSI, buildClientState } from './csi.codec.js';
import type { CsiContext, CsiEvent } from './csi.types.js';

/**
 * Tells the server whether the user is engaging with the client, so that it may hold back
 * presences and chat states meanwhile. Only where the stream offers it, only on a change, and again
 * on every new stream (which begins `active`).
 */
export function createCsiLogic(services: Pick<FeatureServices, 'sendNonza'>) {
  return setup({
    types: { context: {} as CsiContext, events: {} as CsiEvent, input: {} as FeatureInput },
    actions: {
      tell: enqueueActions(({ context, event, enqueue }) => {
        let { active, offered, online, told } = context;
        if (event.type === 'csi.set') {
          if (typeof event.active !== 'boolean') return;
          active = event.active;
        } else if (event.type === 'session.online') {
          online = true;
          offered = event.streamFeatures?.includes(NS_CSI) ?? false;
          // §4.2: "A stream always begins in 'active' state." A resumed stream keeps the server's
          // state; an inactive one is told again anyway (one element, and it cannot be wrong).
          told = event.resumed && active ? context.told : true;
        }
        if (online && offered && active !== told) {
          const nonza = buildClientState(active);
          enqueue(() => services.sendNonza(nonza));
          told = active;
        }
        enqueue.assign({ active, offered, online, told });
      }),
    },
  }).createMachine({
    id: 'csi',
    context: { active: true, offered: false, online: false, told: true },
    on: {
      'csi.set': { actions: 'tell' },
      'session.online': { actions: 'tell' },
      'session.offline': { actions: assign({ online: false }) },
    },
  });
}

export type CsiLogic = ReturnType<typeof createCsiLogic>;
