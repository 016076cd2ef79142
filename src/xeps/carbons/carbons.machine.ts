import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import { StanzaError, errorMessage } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import type { ChatCarbonEvent } from '../chat/chat.types.js';
import { buildDisableCarbons, buildEnableCarbons } from './carbons.codec.js';
import type { CarbonsContext, CarbonsEvent } from './carbons.types.js';

/** Asks the server to enable carbons for this resource (XEP-0280 §4); rejects with the `StanzaError`. */
export async function enableCarbons(services: Pick<FeatureServices, 'iq'>, options?: IqRequestOptions): Promise<void> {
  await services.iq.request(buildEnableCarbons(), options);
}

/** Asks the server to stop sending carbons to this resource (XEP-0280 §5). */
export async function disableCarbons(services: Pick<FeatureServices, 'iq'>, options?: IqRequestOptions): Promise<void> {
  await services.iq.request(buildDisableCarbons(), options);
}

const reasonOf = (error: unknown) => (error instanceof StanzaError ? error.condition : errorMessage(error));

/**
 * The carbons actor (lifetime `session`: enabling belongs to a stream, and only a session feature
 * learns whether a stream was resumed, in which case the server still has carbons enabled).
 * Enables on every fresh stream, and hands checked carbons to the `chat` actor as `chat.carbon`.
 */
export function createCarbonsLogic(services: FeatureServices) {
  return setup({
    types: {
      context: {} as CarbonsContext,
      events: {} as CarbonsEvent,
      input: {} as FeatureInput,
    },
    actors: {
      enable: fromPromise<void>(({ signal }) => enableCarbons(services, { signal })),
    },
    actions: {
      forwardToChat: enqueueActions(({ event, system, enqueue }) => {
        if (event.type !== 'carbons.copy') return;
        const chat = system.get('chat');
        if (!chat) return;
        const copy: ChatCarbonEvent = {
          type: 'chat.carbon',
          direction: event.direction === 'received' ? 'in' : 'out',
          message: event.message,
        };
        enqueue.sendTo(chat, copy);
      }),
    },
    guards: {
      needsEnabling: ({ event }) => event.type === 'session.online' && !event.resumed,
    },
  }).createMachine({
    id: 'carbons',
    context: { status: 'idle', error: undefined },
    // Carbons are accepted whatever the status: the §11 check in route is what makes them safe, and
    // a copy may still arrive from before a failed re-enable.
    on: {
      'carbons.copy': { actions: 'forwardToChat' },
      'session.online': { guard: 'needsEnabling', target: '.enabling' },
    },
    initial: 'idle',
    states: {
      idle: {
        entry: assign({ status: 'idle' }),
        on: {
          // A resumed stream whose enable had not been answered: ask again.
          'session.online': { target: 'enabling' },
        },
      },
      enabling: {
        entry: assign({ status: 'enabling', error: undefined }),
        invoke: {
          src: 'enable',
          onDone: 'enabled',
          onError: { target: 'failed', actions: assign({ error: ({ event }) => reasonOf(event.error) }) },
        },
        // The request belongs to the stream that is gone; leaving the state aborts it.
        on: { 'session.offline': 'idle' },
      },
      enabled: {
        entry: assign({ status: 'enabled' }),
      },
      failed: {
        entry: assign({ status: 'failed' }),
        on: { 'carbons.enable': 'enabling' },
      },
    },
  });
}

export type CarbonsLogic = ReturnType<typeof createCarbonsLogic>;
