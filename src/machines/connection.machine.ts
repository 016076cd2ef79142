import { assign, sendTo, setup, type ActorRef, type AnyActorRef, type EventObject } from 'xstate';
import type { TransportCommand, TransportLifecycleEvent } from '../actors/transport.types.js';
import { isLoopbackHost } from '../wire/negotiate.js';
import { isFatalStreamError, type DropReason } from '../wire/drop-reason.js';
import { reconnectDelay } from './backoff.js';
import type { ConnectionCommand, ConnectionError, ConnectionStatus, ConnectionView } from './connection.types.js';

export interface ConnectionSettings {
  service: string;
  minDelay: number;
  maxDelay: number;
  stableAfter: number;
  connectTimeout: number;
  /** Bound for the closing handshake on `stop`. */
  stopTimeout: number;
}

export interface ConnectionInput {
  settings: ConnectionSettings;
  transport: ActorRef<any, TransportCommand>;
  /** Receives `connection.status` with a fresh `ConnectionView` on every state change. */
  notify: AnyActorRef;
}

export interface ConnectionContext {
  settings: ConnectionSettings;
  /** The service of the next attempt; differs from settings.service after a see-other-host. */
  service: string;
  attempt: number;
  retryInMs: number | undefined;
  /** When the planned wait ends (ms since the epoch). */
  retryAt: number | undefined;
  error: ConnectionError | undefined;
  online: { jid: string; resumed: boolean; smEnabled: boolean; secure: boolean } | undefined;
  /** The SASL mechanism of the current or last attempt. */
  mechanism: string | undefined;
  transport: ActorRef<any, TransportCommand>;
  notify: AnyActorRef;
}

export type ConnectionEvent = ConnectionCommand | TransportLifecycleEvent;

export interface ConnectionStatusEvent extends EventObject {
  type: 'connection.status';
  view: ConnectionView;
}

/** Builds the retry planner; tests pass a fixed `random` (and `now`) to make the jitter deterministic. */
export function planRetryWith(random: () => number, now: () => number = Date.now) {
  return assign<ConnectionContext, ConnectionEvent, undefined, ConnectionEvent, never>(({ context }) => {
    const retryInMs = reconnectDelay(context.attempt, context.settings.minDelay, context.settings.maxDelay, random);
    return { retryInMs, retryAt: now() + retryInMs, attempt: context.attempt + 1 };
  });
}

/**
 * RFC 6120 §4.9.3.19 see-other-host: follow it only where it cannot leak the login to a
 * stranger — when the current link is encrypted or both hosts are loopback — and keep the scheme.
 */
export function redirectTarget(service: string, host: string): string | undefined {
  const trimmed = host.trim();
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(trimmed)) return undefined;
  const current = new URL(service);
  const target = new URL(`${current.protocol}//${trimmed}`);
  const encrypted = current.protocol === 'wss:' || current.protocol === 'xmpps:';
  if (!encrypted && !(isLoopbackHost(current.hostname) && isLoopbackHost(target.hostname))) return undefined;
  target.pathname = current.pathname;
  return target.toString();
}

export function toView(status: ConnectionStatus, context: ConnectionContext): ConnectionView {
  const view: ConnectionView = { status, attempt: context.attempt };
  if (context.error) view.error = context.error;
  if (status === 'reconnecting' && context.retryInMs !== undefined) {
    view.retryInMs = context.retryInMs;
    if (context.retryAt !== undefined) view.retryAt = context.retryAt;
  }
  if (status === 'online' && context.online) {
    view.jid = context.online.jid;
    view.resumed = context.online.resumed;
    view.streamManagement = context.online.smEnabled;
    view.secure = context.online.secure;
    if (context.mechanism) view.mechanism = context.mechanism;
  }
  return view;
}

const dropReason = (event: ConnectionEvent): DropReason | undefined => (event.type === 'transport.dropped' ? event.reason : undefined);

/**
 * The connection lifecycle: idle → connecting → authenticating → binding → online, reconnecting
 * with backoff after any loss, and the terminal states authFailed, conflict and stopped.
 * It commands the transport; it never touches a socket.
 */
export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
  },
  actions: {
    planRetry: planRetryWith(Math.random),
    connectTransport: sendTo(
      ({ context }) => context.transport,
      ({ context }): TransportCommand => ({ type: 'transport.connect', service: context.service }),
    ),
    abortAttempt: sendTo(
      ({ context }) => context.transport,
      ({ context }): TransportCommand => ({
        type: 'transport.abort',
        reason: { kind: 'timeout', message: `no session within ${context.settings.connectTimeout} ms` },
      }),
    ),
    closeTransport: sendTo(({ context }) => context.transport, { type: 'transport.close' } satisfies TransportCommand),
    rememberDrop: assign({ error: ({ event }) => dropReason(event) }),
    followRedirect: assign({
      service: ({ context, event }) => {
        const reason = dropReason(event);
        return reason?.kind === 'see-other-host' ? (redirectTarget(context.service, reason.host) ?? context.service) : context.service;
      },
    }),
    clearOnline: assign({ online: undefined }),
    resetBackoff: assign({ attempt: 0 }),
    report: sendTo(
      ({ context }) => context.notify,
      ({ context }, params: { status: ConnectionStatus }): ConnectionStatusEvent => ({
        type: 'connection.status',
        view: toView(params.status, context),
      }),
    ),
  },
  guards: {
    isConflict: ({ event }) => dropReason(event)?.kind === 'conflict',
    isFatal: ({ event }) => {
      const reason = dropReason(event);
      return reason?.kind === 'stream-error' && isFatalStreamError(reason.condition);
    },
    isFollowableRedirect: ({ context, event }) => {
      const reason = dropReason(event);
      return reason?.kind === 'see-other-host' && redirectTarget(context.service, reason.host) !== undefined;
    },
  },
  delays: {
    reconnectDelay: ({ context }) => context.retryInMs ?? context.settings.minDelay,
    connectTimeout: ({ context }) => context.settings.connectTimeout,
    stableAfter: ({ context }) => context.settings.stableAfter,
    stopTimeout: ({ context }) => context.settings.stopTimeout,
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    settings: input.settings,
    service: input.settings.service,
    attempt: 0,
    retryInMs: undefined,
    retryAt: undefined,
    error: undefined,
    online: undefined,
    mechanism: undefined,
    transport: input.transport,
    notify: input.notify,
  }),
  initial: 'idle',
  on: {
    'connection.stop': '.stopping',
  },
  states: {
    idle: {
      entry: { type: 'report', params: { status: 'idle' } },
      on: {
        'connection.start': 'attempting',
      },
    },
    attempting: {
      initial: 'connecting',
      entry: 'connectTransport',
      after: { connectTimeout: { actions: 'abortAttempt' } },
      on: {
        'transport.online': {
          target: 'online',
          actions: assign({
            online: ({ event }) => ({ jid: event.jid, resumed: event.resumed, smEnabled: event.smEnabled, secure: event.secure }),
            error: undefined,
          }),
        },
        'transport.authFailed': {
          target: 'authFailed',
          actions: assign({ error: ({ event }) => ({ kind: 'auth' as const, condition: event.condition, text: event.text }) }),
        },
        'transport.dropped': [
          { guard: 'isConflict', target: 'conflict', actions: 'rememberDrop' },
          { guard: 'isFatal', target: 'stopped', actions: 'rememberDrop' },
          { guard: 'isFollowableRedirect', target: 'attempting', reenter: true, actions: ['rememberDrop', 'followRedirect'] },
          { target: 'reconnecting', actions: 'rememberDrop' },
        ],
      },
      states: {
        connecting: {
          entry: { type: 'report', params: { status: 'connecting' } },
          on: {
            'transport.authenticating': { target: 'authenticating', actions: assign({ mechanism: ({ event }) => event.mechanism }) },
          },
        },
        authenticating: {
          entry: { type: 'report', params: { status: 'authenticating' } },
          on: { 'transport.binding': 'binding' },
        },
        binding: {
          entry: { type: 'report', params: { status: 'binding' } },
        },
      },
    },
    online: {
      entry: { type: 'report', params: { status: 'online' } },
      exit: 'clearOnline',
      after: { stableAfter: { actions: 'resetBackoff' } },
      on: {
        'transport.dropped': [
          { guard: 'isConflict', target: 'conflict', actions: 'rememberDrop' },
          { guard: 'isFatal', target: 'stopped', actions: 'rememberDrop' },
          { guard: 'isFollowableRedirect', target: 'attempting', actions: ['rememberDrop', 'followRedirect'] },
          { target: 'reconnecting', actions: 'rememberDrop' },
        ],
      },
    },
    reconnecting: {
      entry: ['planRetry', { type: 'report', params: { status: 'reconnecting' } }],
      after: { reconnectDelay: 'attempting' },
      on: { 'connection.retryNow': 'attempting' },
    },
    // Terminal: retrying with the same credentials or resource cannot succeed.
    authFailed: {
      entry: { type: 'report', params: { status: 'authFailed' } },
    },
    conflict: {
      entry: { type: 'report', params: { status: 'conflict' } },
    },
    // Every stop passes here, online or not: the transport closes what is open and reports the
    // messages the server never confirmed (queued while offline, or unacknowledged).
    stopping: {
      entry: [{ type: 'report', params: { status: 'stopping' } }, 'closeTransport'],
      after: { stopTimeout: 'stopped' },
      on: { 'transport.closed': 'stopped', 'connection.stop': {} },
    },
    stopped: {
      type: 'final',
      entry: { type: 'report', params: { status: 'stopped' } },
    },
  },
});
