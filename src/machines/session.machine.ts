import type { Element } from '@xmpp/xml';
import { assign, emit, enqueueActions, sendTo, setup, spawnChild, type AnyActorLogic } from 'xstate';
import type { ResolvedOptions } from '../client/options.js';
import { XmppAdapterError } from '../errors.js';
import { buildErrorReply } from '../iq/iq-tracker.js';
import { bareJid } from '../jid.js';
import { createOutbox, type Outbox } from '../router/outbox.js';
import type { Router } from '../router/router.js';
import type { TransportCommand, TransportEvent } from '../actors/transport.types.js';
import type { AppIntent } from '../client/intents.js';
import type {
  FeatureInput,
  FeatureModule,
  FeatureServices,
  OutboundReportEvent,
  RouteContext,
  SessionLifecycleEvent,
} from '../xeps/feature.js';
import { connectionMachine, type ConnectionSettings, type ConnectionStatusEvent } from './connection.machine.js';
import type { ConnectionCommand, ConnectionView } from './connection.types.js';

export interface SessionContext {
  /** The connection as the app sees it; mirrors the connection actor on every change. */
  connection: ConnectionView;
  /** Routing facts of the current stream (own JID), set as soon as the stream is bound. */
  route: RouteContext;
  /** Namespaces of the stream features offered on the current stream (after authentication). */
  streamFeatures: readonly string[];
}

export type SessionEvent =
  TransportEvent | ConnectionStatusEvent | ConnectionCommand | AppIntent | { type: `xstate.error.actor.${string}`; error: unknown };

/** Notifications for apps, received with `client.on(type, fn)`. */
export type SessionEmitted =
  | { type: 'online'; jid: string; resumed: boolean }
  | { type: 'offline'; error?: ConnectionView['error'] }
  | { type: 'status'; connection: ConnectionView }
  | { type: 'error'; source: string; message: string };

export interface SessionDependencies {
  options: ResolvedOptions;
  features: readonly FeatureModule[];
  router: Router;
  services: FeatureServices;
  transport: AnyActorLogic;
}

const TRANSPORT_LIFECYCLE = [
  'transport.authenticating',
  'transport.binding',
  'transport.authFailed',
  'transport.dropped',
  'transport.closed',
] as const;

function routeContextOf(jid: string, domain: string): RouteContext {
  return { me: jid, ownBare: bareJid(jid) ?? jid, domain };
}

/**
 * The root actor: owns the transport, the connection machine and the feature actors, and routes
 * every inbound stanza through the pure router to exactly the features that claim it.
 */
export function createSessionMachine({ options, features, router, services, transport }: SessionDependencies) {
  const sessionFeatures = features.filter((f) => f.lifetime === 'session');
  const outboundTrackers = sessionFeatures.filter((f) => f.tracksOutbound).map((f) => f.id);
  const onlineFeatures = features.filter((f) => f.lifetime === 'online');
  const discoFeatures = [...new Set(features.flatMap((f) => f.discoFeatures))].sort();
  const featureInput = (jid: string | undefined): FeatureInput => ({
    jid,
    domain: options.domain,
    software: options.software,
    keepalive: options.keepalive,
    messagesInMemory: options.limits.messagesInMemory,
    initialPresence: options.initialPresence,
    discoFeatures,
  });
  const connectionSettings: ConnectionSettings = {
    service: options.service,
    minDelay: options.reconnect.minDelay,
    maxDelay: options.reconnect.maxDelay,
    stableAfter: options.reconnect.stableAfter,
    connectTimeout: options.connectTimeout,
    stopTimeout: 5000,
  };
  const featureActors = Object.fromEntries(features.map((f) => [f.id, f.logic(services)]));
  const intentTargets = new Map(features.flatMap((f) => (f.intents ?? []).map((intent) => [intent, f.id] as const)));

  type Children = Record<string, { getSnapshot(): { status: string } } | undefined>;
  type Enqueue = { sendTo(to: never, event: never): void };

  /** Hands one inbound stanza to the features that claim it, or answers it when nobody does. */
  const batching = new Set(features.filter((f) => f.batches).map((f) => f.id));

  const routeOneStanza = (stanza: Element, route: RouteContext, children: Children, enqueue: Enqueue, outbox: Outbox<unknown>) => {
    const type = stanza.attrs.type;
    if (stanza.name === 'iq' && (type === 'result' || type === 'error')) {
      // RFC 6120 §8.2.3: replies are never answered; unmatched ones are dropped.
      services.iq.handleReply(stanza);
      return;
    }
    let deliveries: ReturnType<Router['route']> = [];
    try {
      deliveries = router.route(stanza, route);
    } catch (err) {
      options.logger.warn('a feature failed to route a stanza', err);
    }
    let claimed = false;
    for (const delivery of deliveries) {
      const child = children[delivery.to];
      if (child?.getSnapshot().status !== 'active') continue;
      outbox.deliver(delivery.to, child, delivery.event);
      claimed = true;
    }
    const id = stanza.attrs.id;
    // RFC 6120 §8.1.3: an IQ without an `id` cannot be answered (a reply must echo it).
    if (!claimed && stanza.name === 'iq' && (type === 'get' || type === 'set') && id) {
      // RFC 6120 §8.4: an IQ get/set with a payload the entity does not understand "MUST"
      // be answered with an error of <service-unavailable/>. This is the one place that does.
      const reply = buildErrorReply({ id, from: stanza.attrs.from }, 'cancel', 'service-unavailable');
      enqueue.sendTo('transport' as never, { type: 'transport.send', stanza: reply } satisfies TransportCommand as never);
    }
  };

  const isStatus =
    (status: ConnectionView['status']) =>
    ({ event }: { event: SessionEvent }) =>
      event.type === 'connection.status' && event.view.status === status;

  return setup({
    types: {
      context: {} as SessionContext,
      events: {} as SessionEvent,
      emitted: {} as SessionEmitted,
    },
    actors: { transport, connection: connectionMachine, ...featureActors } as Record<string, AnyActorLogic>,
    actions: {
      recordConnection: enqueueActions(({ enqueue, event }) => {
        if (event.type !== 'connection.status') return;
        enqueue.assign({ connection: event.view });
        enqueue.emit({ type: 'status', connection: event.view });
      }),
      rememberStream: assign({
        route: ({ event }) =>
          event.type === 'transport.online' ? routeContextOf(event.jid, options.domain) : routeContextOf(options.domain, options.domain),
        streamFeatures: ({ event }) => (event.type === 'transport.online' ? (event.streamFeatures ?? []) : []),
      }),
      forwardToConnection: sendTo('connection', ({ event }) => event as ConnectionCommand),
      routeStanzas: enqueueActions(({ context, event, enqueue, self }) => {
        const stanzas = event.type === 'transport.stanza' ? [event.stanza] : event.type === 'transport.stanzas' ? event.stanzas : [];
        const children = self.getSnapshot().children as Record<string, { getSnapshot(): { status: string } } | undefined>;
        const outbox = createOutbox<unknown>((to, routed) => enqueue.sendTo(to as never, routed as never), batching);
        for (const stanza of stanzas) routeOneStanza(stanza, context.route, children, enqueue, outbox);
        outbox.flush();
      }),
      reportOutbound: enqueueActions(({ event, enqueue }) => {
        if (event.type !== 'transport.acked' && event.type !== 'transport.unsent') return;
        const report: OutboundReportEvent = {
          type: event.type === 'transport.acked' ? 'outbound.acked' : 'outbound.unsent',
          messages: event.messages,
        };
        for (const id of outboundTrackers) enqueue.sendTo(id, report);
      }),
      forwardIntent: enqueueActions(({ event, enqueue, self }) => {
        const target = intentTargets.get(event.type);
        const child = target === undefined ? undefined : self.getSnapshot().children[target];
        if (child?.getSnapshot().status === 'active') enqueue.sendTo(child as never, event as never);
        else enqueue(() => options.logger.warn(`${event.type} ignored: its feature is not running`));
      }),
      notifyOnline: enqueueActions(({ context, enqueue }) => {
        const jid = context.connection.jid ?? context.route.me;
        const resumed = context.connection.resumed === true;
        services.iq.setOwnJid(jid);
        const online: SessionLifecycleEvent = { type: 'session.online', jid, resumed, streamFeatures: context.streamFeatures };
        for (const f of sessionFeatures) enqueue.sendTo(f.id, online);
        enqueue.emit({ type: 'online', jid, resumed });
      }),
      notifyOffline: enqueueActions(({ context, enqueue }) => {
        for (const f of sessionFeatures) enqueue.sendTo(f.id, { type: 'session.offline' });
        enqueue.emit({ type: 'offline', error: context.connection.error });
      }),
      reportActorError: emit(({ event }) => ({
        type: 'error' as const,
        source: event.type.replace('xstate.error.actor.', ''),
        message:
          'error' in event && event.error instanceof Error ? event.error.message : String('error' in event ? event.error : 'unknown'),
      })),
      logActorError: ({ event }) => options.logger.error(`actor failed: ${event.type}`, 'error' in event ? event.error : undefined),
      rejectPendingIqs: () => services.iq.rejectAll(new XmppAdapterError('stopped', 'the client stopped')),
    },
    guards: {
      isOnline: isStatus('online'),
      isStopped: isStatus('stopped'),
    },
  }).createMachine({
    id: 'session',
    context: {
      connection: { status: 'idle', attempt: 0 },
      route: routeContextOf(options.domain, options.domain),
      streamFeatures: [],
    },
    entry: [
      // The connection machine commands the transport and reports back here, so both refs are
      // handed over in one step; neither is kept in context.
      assign(({ spawn, self }) => {
        const transportRef = spawn('transport' as never, { id: 'transport', systemId: 'transport' } as never);
        spawn(
          'connection' as never,
          {
            id: 'connection',
            systemId: 'connection',
            input: { settings: connectionSettings, transport: transportRef, notify: self },
          } as never,
        );
        return {};
      }),
      ...sessionFeatures.map((f) => spawnChild(f.id as never, { id: f.id, systemId: f.id, input: featureInput(undefined) as never })),
    ] as never,
    on: {
      'transport.stanza': { actions: 'routeStanzas' },
      'transport.stanzas': { actions: 'routeStanzas' },
      'transport.online': { actions: ['rememberStream', 'forwardToConnection'] },
      'transport.acked': { actions: 'reportOutbound' },
      'transport.unsent': { actions: 'reportOutbound' },
      ...Object.fromEntries(TRANSPORT_LIFECYCLE.map((type) => [type, { actions: 'forwardToConnection' }])),
      'connection.start': { actions: 'forwardToConnection' },
      'connection.stop': { actions: 'forwardToConnection' },
      'connection.retryNow': { actions: 'forwardToConnection' },
      'xstate.error.actor.*': { actions: ['logActorError', 'reportActorError'] },
      // App intents (`chat.send`, `roster.add`, …) go to the feature that declared them.
      ...Object.fromEntries([...intentTargets.keys()].map((intent) => [intent, { actions: 'forwardIntent' }])),
    },
    initial: 'offline',
    states: {
      offline: {
        on: {
          'connection.status': [
            { guard: 'isOnline', target: 'online', actions: 'recordConnection' },
            { guard: 'isStopped', target: 'stopped', actions: 'recordConnection' },
            { actions: 'recordConnection' },
          ],
        },
      },
      online: {
        entry: 'notifyOnline',
        exit: 'notifyOffline',
        invoke: onlineFeatures.map((f) => ({
          id: f.id,
          systemId: f.id,
          src: f.id,
          input: ({ context }: { context: SessionContext }) => featureInput(context.connection.jid),
        })) as never,
        on: {
          'connection.status': [
            { guard: 'isOnline', actions: 'recordConnection' },
            { guard: 'isStopped', target: 'stopped', actions: 'recordConnection' },
            { target: 'offline', actions: 'recordConnection' },
          ],
        },
      },
      stopped: {
        type: 'final',
        entry: 'rejectPendingIqs',
      },
    },
  });
}

export type SessionMachine = ReturnType<typeof createSessionMachine>;
