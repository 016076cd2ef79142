import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import type { TransportCommand } from '../../actors/transport.types.js';
import { StanzaError, XmppAdapterError } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { buildPing, buildPong } from './ping.codec.js';
import type { PingContext, PingEvent, ProbeResult } from './ping.types.js';

/**
 * Pings `jid` (the own account's server when omitted) and resolves with the round trip in ms.
 * Rejects with the `StanzaError` when the entity answers with an error, e.g. `service-unavailable`.
 */
export async function ping(services: Pick<FeatureServices, 'iq' | 'clock'>, jid?: string, options?: IqRequestOptions): Promise<number> {
  const start = services.clock.now();
  await services.iq.request(buildPing(jid), options);
  return services.clock.now() - start;
}

/** One keepalive probe: any reply proves the link; only silence (the tracker's timeout) rejects. */
export async function probe(
  services: Pick<FeatureServices, 'iq' | 'clock'>,
  to: string,
  timeout: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const start = services.clock.now();
  try {
    await services.iq.request(buildPing(to), { timeout, signal });
    return { rttMs: services.clock.now() - start, reply: 'result' };
  } catch (err) {
    // §3: "The pinged entity returns either an IQ-result (if it supports the namespace) or an IQ-error (if it does not)."
    if (err instanceof StanzaError) return { rttMs: services.clock.now() - start, reply: 'error' };
    throw err;
  }
}

const isTimeout = (error: unknown) => error instanceof XmppAdapterError && error.code === 'timeout';

/**
 * The ping actor, alive while online: answers pings from anyone and probes the own server every
 * `keepalive.interval` ms. A probe that times out means the link is dead: it asks the transport
 * to drop the stream (the connection machine then reconnects) and stops probing.
 */
export function createPingLogic(services: FeatureServices) {
  return setup({
    types: {
      context: {} as PingContext,
      events: {} as PingEvent,
      input: {} as FeatureInput,
    },
    actors: {
      probe: fromPromise<ProbeResult, { to: string; timeout: number }>(({ input, signal }) =>
        probe(services, input.to, input.timeout, signal),
      ),
    },
    actions: {
      // §4.1: "If the client supports the ping namespace, it MUST return an IQ-result".
      answerPing: ({ event }) => services.send(buildPong(event)),
      abortTransport: enqueueActions(({ context, system, enqueue }) => {
        const transport = system.get('transport');
        if (!transport) return;
        const command: TransportCommand = {
          type: 'transport.abort',
          reason: { kind: 'timeout', message: `keepalive ping unanswered within ${context.timeout} ms` },
        };
        enqueue.sendTo(transport, command);
      }),
    },
    guards: {
      keepaliveEnabled: ({ context }) => Number.isFinite(context.interval) && context.interval > 0,
      probeTimedOut: ({ event }) => 'error' in event && isTimeout(event.error),
    },
    delays: {
      keepaliveInterval: ({ context }) => context.interval,
    },
  }).createMachine({
    id: 'ping',
    context: ({ input }) => ({
      domain: input.domain,
      interval: input.keepalive.interval,
      timeout: input.keepalive.timeout,
      lastRttMs: undefined,
      answered: 0,
    }),
    on: {
      'ping.request': { actions: 'answerPing' },
    },
    initial: 'starting',
    states: {
      starting: {
        always: [{ guard: 'keepaliveEnabled', target: 'waiting' }, { target: 'disabled' }],
      },
      disabled: {},
      waiting: {
        after: { keepaliveInterval: 'probing' },
      },
      probing: {
        invoke: {
          src: 'probe',
          // §4.2: the client pings its server by addressing the server's domain.
          input: ({ context }) => ({ to: context.domain, timeout: context.timeout }),
          onDone: {
            target: 'waiting',
            actions: assign({ lastRttMs: ({ event }) => event.output.rttMs, answered: ({ context }) => context.answered + 1 }),
          },
          onError: [
            { guard: 'probeTimedOut', target: 'dead', actions: 'abortTransport' },
            // Aborted or rejected for another reason (e.g. the client stopping): try again later.
            { target: 'waiting' },
          ],
        },
      },
      dead: {},
    },
  });
}

export type PingLogic = ReturnType<typeof createPingLogic>;
