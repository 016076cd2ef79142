import type { Element } from '@xmpp/xml';
import { createActor, type Actor, type AnyActorLogic, type AnyActorRef } from 'xstate';
import { createTransportActor } from '../actors/transport.actor.js';
import type { TransportCommand } from '../actors/transport.types.js';
import { XmppAdapterError } from '../errors.js';
import { realClock, type Clock } from '../iq/clock.js';
import { IqTracker, type IqRequestOptions } from '../iq/iq-tracker.js';
import type { ConnectionCommand, ConnectionView } from '../machines/connection.types.js';
import { createSessionMachine, type SessionEmitted, type SessionMachine } from '../machines/session.machine.js';
import { createRouter } from '../router/router.js';
import { discoInfo, discoItems } from '../xeps/disco/disco.machine.js';
import type { DiscoInfo, DiscoItems } from '../xeps/disco/disco.types.js';
import type { FeatureModule, FeatureServices } from '../xeps/feature.js';
import { ping as pingEntity } from '../xeps/ping/ping.machine.js';
import { entityTime } from '../xeps/time/time.machine.js';
import type { EntityTime } from '../xeps/time/time.types.js';
import { softwareVersion } from '../xeps/version/version.machine.js';
import type { SoftwareVersion } from '../xeps/version/version.types.js';
import { createImApi, type ContactsApi, type MessagesApi, type PresenceApi } from './im-api.js';
import type { AppIntent } from './intents.js';
import { createNotifier } from './notifier.js';
import type { AppNotification } from './notifications.js';
import { resolveOptions, type ResolvedOptions, type XmppClientOptions } from './options.js';

/** Advanced: replace the wire or the timers, e.g. with the fake server and `SimulatedClock` in tests. */
export interface ClientInternals {
  /** A transport actor logic speaking `TransportCommand`/`TransportEvent`. @default the xmpp.js socket transport */
  transport?: AnyActorLogic;
  /** Timers for IQ timeouts and machine delays. @default real timers */
  clock?: Clock;
  /** The features to register. @default every built-in feature (for `createCoreClient`: none given, none run) */
  features?: readonly FeatureModule[];
}

/** Everything `client.on` can listen to: the session's own notifications and the features'. */
export type ClientEvent = SessionEmitted | AppNotification;
type EmittedType = ClientEvent['type'];
type EmittedOf<T extends EmittedType> = Extract<ClientEvent, { type: T }>;

const SESSION_EMITTED: ReadonlySet<string> = new Set<SessionEmitted['type']>(['online', 'offline', 'status', 'error']);

/**
 * The client without the optional app APIs: the session, the connection, the features it was
 * given, raw stanzas and IQs, the everyday queries and the 1:1 chat, contacts and presence APIs.
 */
export interface CoreClient {
  /** The root session actor: bind UI to it, inspect it, send it events. */
  readonly actor: Actor<SessionMachine>;
  /** Starts connecting; resolves once online, rejects if the session ends first (authFailed, conflict, stopped). */
  start(): Promise<ConnectionView>;
  /** Closes gracefully (unavailable presence, stream close); resolves when every actor has stopped. */
  stop(): Promise<void>;
  /** Sends an event to the session: a connection command (`connection.retryNow`) or an app intent (`chat.send`, `roster.add`, `presence.set`, …). */
  send(event: ConnectionCommand | AppIntent): void;
  /** Subscribes to an app notification; returns the unsubscribe function. */
  on<T extends EmittedType>(type: T, listener: (event: EmittedOf<T>) => void): () => void;
  getSnapshot(): ReturnType<Actor<SessionMachine>['getSnapshot']>;
  /** Skips the remaining reconnect wait (same as sending `connection.retryNow`). */
  reconnectNow(): void;
  /** Sends a raw stanza; queued in order while offline. */
  sendStanza(stanza: Element): void;
  /** Sends an IQ request and resolves with its result (rejects with `StanzaError`, timeout or abort). */
  iq(request: Element, options?: IqRequestOptions): Promise<Element>;
  /** Services for feature helpers and custom features (IQ tracker, clock, send). */
  readonly services: FeatureServices;
  /** Whether the session runs (started and not yet stopped): the app APIs refuse requests otherwise. */
  isRunning(): boolean;
  /** XEP-0030 queries. */
  readonly disco: {
    info(jid: string, node?: string, options?: IqRequestOptions): Promise<DiscoInfo>;
    items(jid: string, node?: string, options?: IqRequestOptions): Promise<DiscoItems>;
  };
  /** 1:1 messages: send, mark read. */
  readonly messages: MessagesApi;
  /** Roster, subscriptions and blocking. */
  readonly contacts: ContactsApi;
  /** Our own availability. */
  readonly presence: PresenceApi;
  /**
   * The actor of a feature (`'roster'`, `'presence'`, `'chat'`, `'chat:<bareJid>'`, …) to bind UI to
   * with the feature's connect helper; undefined before `start()` or when the feature is absent.
   */
  feature(id: string): AnyActorRef | undefined;
  /** XEP-0199: pings `jid` (the own server when omitted) and resolves with the round trip in ms. */
  ping(jid?: string, options?: IqRequestOptions): Promise<number>;
  /** XEP-0202: asks `jid` for its time. */
  time(jid: string, options?: IqRequestOptions): Promise<EntityTime>;
  /** XEP-0092: asks `jid` for its software name and version. */
  version(jid: string, options?: IqRequestOptions): Promise<SoftwareVersion>;
}

/** The core client and the options it resolved, for the full client's APIs that need them. */
export function buildCoreClient(options: XmppClientOptions, internals: ClientInternals): { client: CoreClient; resolved: ResolvedOptions } {
  const resolved = resolveOptions(options);
  const clock = internals.clock ?? realClock;
  const features = internals.features ?? [];
  const ids = features.map((f) => f.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate !== undefined) {
    throw new XmppAdapterError(
      'invalid-options',
      `two features share the id '${duplicate}': replace one with withFeatures(defaultFeatures, …)`,
    );
  }

  let actor: Actor<SessionMachine> | undefined;
  const send = (stanza: Element) => {
    const transport = actor?.system.get('transport');
    if (!transport) throw new XmppAdapterError('stopped', 'the client is not running');
    transport.send({ type: 'transport.send', stanza } satisfies TransportCommand);
  };
  const sendNonza = (element: Element) => {
    actor?.system.get('transport')?.send({ type: 'transport.sendNonza', element } satisfies TransportCommand);
  };
  const iq = new IqTracker(send, clock, resolved.iqTimeout);
  const notifier = createNotifier<AppNotification>(resolved.logger);
  const services: FeatureServices = { iq, clock, logger: resolved.logger, send, sendNonza, notify: notifier.notify };

  const machine = createSessionMachine({
    options: resolved,
    features,
    router: createRouter(features),
    services,
    transport: internals.transport ?? createTransportActor(resolved, { isPendingRequest: (id) => iq.isPending(id) }),
  });
  const session = createActor(machine, {
    ...(internals.clock ? { clock: internals.clock as never } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  actor = session;

  let started = false;
  const isRunning = () => started && session.getSnapshot().status === 'active';

  const client: CoreClient = {
    actor: session,
    services,
    isRunning,
    ...createImApi(session, services, isRunning),
    feature: (id) => (started ? (session.system.get(id) as AnyActorRef | undefined) : undefined),
    start() {
      const online = new Promise<ConnectionView>((resolve, reject) => {
        const subscription = session.subscribe({
          next(snapshot) {
            const view = snapshot.context.connection;
            if (view.status === 'online') {
              subscription.unsubscribe();
              resolve(view);
            } else if (view.status === 'authFailed' || view.status === 'conflict' || snapshot.status === 'done') {
              subscription.unsubscribe();
              const reason = view.error ? ('condition' in view.error ? view.error.condition : view.error.kind) : view.status;
              reject(new XmppAdapterError('stopped', `session ended before going online: ${view.status} (${reason})`));
            }
          },
          error(err) {
            reject(err);
          },
        });
      });
      if (!started) {
        started = true;
        session.start();
      }
      session.send({ type: 'connection.start' });
      return online;
    },
    stop() {
      if (!started || session.getSnapshot().status !== 'active') return Promise.resolve();
      const done = new Promise<void>((resolve) => {
        const subscription = session.subscribe({
          next(snapshot) {
            if (snapshot.status !== 'active') {
              subscription.unsubscribe();
              resolve();
            }
          },
          error: () => resolve(),
          complete: () => resolve(),
        });
      });
      session.send({ type: 'connection.stop' });
      return done;
    },
    send(event) {
      session.send(event);
    },
    on(type, listener) {
      if (!SESSION_EMITTED.has(type)) return notifier.on(type, listener as never);
      const subscription = session.on(type as SessionEmitted['type'], listener as never);
      return () => subscription.unsubscribe();
    },
    getSnapshot: () => session.getSnapshot(),
    reconnectNow() {
      session.send({ type: 'connection.retryNow' });
    },
    sendStanza: send,
    iq: (request, requestOptions) => iq.request(request, requestOptions),
    disco: {
      info: (jid, node, requestOptions) => discoInfo(services, jid, node, requestOptions),
      items: (jid, node, requestOptions) => discoItems(services, jid, node, requestOptions),
    },
    ping: (jid, requestOptions) => pingEntity(services, jid, requestOptions),
    time: (jid, requestOptions) => entityTime(services, jid, requestOptions),
    version: (jid, requestOptions) => softwareVersion(services, jid, requestOptions),
  };
  return { client, resolved };
}

/**
 * A client that runs only the features it is given and ships only what it imports: for apps that
 * count bytes. `createCoreClient(options, { features: [roster, presence, chat] })` is the
 * connection, contacts and 1:1 chat; the other app APIs (`archive`, `rooms`, …) come with
 * `createXmppClient`. Options are checked at once; nothing connects until `start()`.
 */
export function createCoreClient(
  options: XmppClientOptions,
  internals: ClientInternals & { features: readonly FeatureModule[] },
): CoreClient {
  return buildCoreClient(options, internals).client;
}
