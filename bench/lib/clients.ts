/**
 * One login adapter per client library, all with the same shape: build a fresh client, log in,
 * and report when the session is *ready* — resource bound and XEP-0198 stream management enabled.
 *
 * "Ready" is the common milestone because the libraries announce "online" at different points:
 * ours after `<enabled/>`, stock xmpp.js (`online`) and StanzaJS (`session:started`) right after
 * the bind result, one round trip earlier. Those earlier events are recorded too (`onlineMs`).
 */
import { performance } from 'node:perf_hooks';
import { WebSocket as WsWebSocket } from 'ws';
import * as Stanza from 'stanza';
import { createXmppClient } from '../../src/index.js';
import type { MechanismName } from '../../src/sasl/mechanism.js';
import type { TestUser } from '../../scripts/prosody.js';

export const NS_SM = 'urn:xmpp:sm:3';

export interface LoginSession {
  /** The SASL mechanism the client actually used. */
  mechanism: string;
  /** The bound full JID. */
  jid: string;
  /** ms from the start of the login to the library's own "online" notification. */
  onlineMs: number;
  /** Graceful logout; resolves once the library says it is closed. */
  stop(): Promise<void>;
}

export interface LoginTarget {
  service: string;
  user: TestUser;
  /** Bound for the whole login. */
  timeoutMs: number;
}

export type LoginFn = (target: LoginTarget) => Promise<LoginSession>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rejects with `what` after `ms` unless `promise` settles first; `onTimeout` cleans up. */
export async function within<T>(promise: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`${what}: no session within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Logout is not measured, but must finish (or give up) before the next login starts. */
export async function bounded(stop: () => Promise<unknown>, ms = 5000): Promise<void> {
  await Promise.race([
    stop().then(
      () => undefined,
      () => undefined,
    ),
    sleep(ms),
  ]);
}

// ---------------------------------------------------------------------------------------------
// xmpp-adapter (this repository)
// ---------------------------------------------------------------------------------------------

/** Our client, limited to `mechanisms` when given (the `mechanisms` option). */
export function oursLoginWith(mechanisms?: readonly MechanismName[]): LoginFn {
  return async ({ service, user, timeoutMs }) => {
    const t0 = performance.now();
    const client = createXmppClient({ service, domain: user.domain, username: user.username, password: user.password, mechanisms });
    try {
      const view = await within(client.start(), timeoutMs, 'xmpp-adapter', () => void client.stop());
      const onlineMs = performance.now() - t0;
      const mechanism = view.mechanism ?? client.getSnapshot().context.connection.mechanism ?? '?';
      return { mechanism, jid: view.jid ?? '?', onlineMs, stop: () => bounded(() => client.stop()) };
    } catch (err) {
      await bounded(() => client.stop());
      throw err;
    }
  };
}

export const oursLogin: LoginFn = oursLoginWith();

// ---------------------------------------------------------------------------------------------
// Stock xmpp.js (@xmpp/client 0.14)
// ---------------------------------------------------------------------------------------------

/** The parts of @xmpp/client (untyped ESM) used here. */
export interface StockElement {
  name: string;
  attrs: Record<string, string>;
  is(name: string, xmlns?: string): boolean;
}
export interface StockClient {
  status: string;
  jid: { toString(): string } | null;
  options: Record<string, unknown>;
  reconnect: { stop(): void };
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  on(event: string, fn: (...args: any[]) => void): void;
  send(el: unknown): Promise<void>;
  write(data: string): Promise<void>;
  _onElement(el: unknown): void;
  Transport: unknown;
  streamManagement: { enabled: boolean };
}
type Authenticate = (credentials: { username: string; password: string }, mechanism: string) => Promise<void>;
export interface StockModule {
  client(options: Record<string, unknown>): StockClient;
  jid(address: string): { toString(): string };
  xml(name: string, attrs?: Record<string, string>, ...children: unknown[]): unknown;
}

// A non-literal specifier: @xmpp/client ships no typings, and this keeps the type check from asking for them.
const STOCK_SPECIFIER: string = '@xmpp/client';
export const loadStock = (): Promise<StockModule> => import(STOCK_SPECIFIER) as Promise<StockModule>;

/** Node 20 has no global WebSocket; stock @xmpp/websocket needs one. */
export async function withGlobalWebSocket<T>(impl: unknown, fn: () => Promise<T>): Promise<T> {
  const g = globalThis as { WebSocket?: unknown };
  const had = Object.prototype.hasOwnProperty.call(g, 'WebSocket');
  const previous = g.WebSocket;
  g.WebSocket = impl;
  try {
    return await fn();
  } finally {
    // The socket is created during connect, so the global is only needed while logging in.
    if (had) g.WebSocket = previous;
    else delete g.WebSocket;
  }
}

/**
 * Stock @xmpp/client, with the SASL mechanism chosen through its documented `credentials`
 * callback (`credentials(authenticate, mechanisms)`), so that PLAIN can be forced.
 */
export function stockLogin(mechanism: 'SCRAM-SHA-1' | 'PLAIN'): LoginFn {
  return async ({ service, user, timeoutMs }) => {
    const { client } = await loadStock();
    const run = async (): Promise<LoginSession> => {
      const t0 = performance.now();
      let offered: string[] = [];
      const xmpp = client({
        service,
        domain: user.domain,
        credentials: async (authenticate: Authenticate, mechanisms: string[]) => {
          offered = mechanisms;
          if (!mechanisms.includes(mechanism)) throw new Error(`${mechanism} not available (have ${mechanisms.join(', ')})`);
          await authenticate({ username: user.username, password: user.password }, mechanism);
        },
      });
      const errors: Error[] = [];
      xmpp.on('error', (err: Error) => errors.push(err));
      // Stream management is enabled after 'online'; the session is ready at <enabled/>.
      const enabled = new Promise<void>((resolve) => {
        xmpp.on('nonza', (el: StockElement) => {
          if (el.is('enabled', NS_SM)) resolve();
        });
      });
      const stop = () =>
        bounded(async () => {
          xmpp.reconnect.stop();
          await xmpp.stop();
        });
      try {
        await within(xmpp.start(), timeoutMs, `@xmpp/client (offered ${offered.join(', ') || '?'})`, () => void stop());
        const onlineMs = performance.now() - t0;
        await within(enabled, timeoutMs, '@xmpp/client stream management');
        return { mechanism, jid: xmpp.jid?.toString() ?? '?', onlineMs, stop };
      } catch (err) {
        await stop();
        throw errors[0] ?? err;
      }
    };
    return service.startsWith('ws') ? withGlobalWebSocket(WsWebSocket, run) : run();
  };
}

// ---------------------------------------------------------------------------------------------
// StanzaJS 12
// ---------------------------------------------------------------------------------------------

/** Every mechanism StanzaJS registers except PLAIN (see its Client constructor). */
const STANZA_NON_PLAIN = [
  'EXTERNAL',
  'SCRAM-SHA-256-PLUS',
  'SCRAM-SHA-256',
  'SCRAM-SHA-1-PLUS',
  'SCRAM-SHA-1',
  'DIGEST-MD5',
  'OAUTHBEARER',
  'X-OAUTH2',
  'ANONYMOUS',
];

/**
 * StanzaJS over WebSocket. Its Node platform module takes `WebSocket` from the `ws` package
 * itself, so no global is needed. `mechanism: 'auto'` lets it pick (strongest it knows);
 * `'PLAIN'` disables all others through its SASL factory.
 */
export function stanzaLogin(mechanism: 'auto' | 'PLAIN'): LoginFn {
  return async ({ service, user, timeoutMs }) => {
    const t0 = performance.now();
    const client = Stanza.createClient({
      jid: `${user.username}@${user.domain}`,
      password: user.password,
      server: user.domain,
      transports: { websocket: service, bosh: false },
    });
    if (mechanism === 'PLAIN') for (const name of STANZA_NON_PLAIN) client.sasl.disable(name);
    let chosen = '?';
    const factory = client.sasl as unknown as { createMechanism(names: string[]): { name: string } | null };
    const createMechanism = factory.createMechanism.bind(factory);
    factory.createMechanism = (names) => {
      const mech = createMechanism(names);
      chosen = mech?.name ?? `none of ${names.join(', ')}`;
      return mech;
    };

    let onlineMs = NaN;
    const ready = new Promise<void>((resolve, reject) => {
      let started = false;
      let smEnabled = false;
      const check = () => {
        if (started && smEnabled) resolve();
      };
      client.on('session:started', () => {
        onlineMs = performance.now() - t0;
        started = true;
        check();
      });
      client.on('sm', (sm: { type: string }) => {
        if (sm.type !== 'enabled') return;
        smEnabled = true;
        check();
      });
      client.on('auth:failed', () => reject(new Error(`StanzaJS: authentication failed (${chosen})`)));
      client.on('stream:error', (err: unknown) => reject(new Error(`StanzaJS: stream error ${JSON.stringify(err)}`)));
    });
    const stop = () =>
      bounded(async () => {
        const closed = new Promise<void>((resolve) => client.once('disconnected', () => resolve()));
        await client.disconnect();
        await closed;
      });
    try {
      client.connect();
      await within(ready, timeoutMs, 'StanzaJS', () => void stop());
      return { mechanism: chosen, jid: client.jid, onlineMs, stop };
    } catch (err) {
      await stop();
      throw err;
    }
  };
}
