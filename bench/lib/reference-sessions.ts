/**
 * Logged-in sessions of the reference libraries for the end-to-end and roster benchmarks, each as
 * an app would open one: stock @xmpp/client (`client()`, its default SASL choice) and StanzaJS
 * (`createClient` + `connect`). Both resolve once the library announces the session; `ready`
 * resolves once XEP-0198 is enabled as well.
 */
import { performance } from 'node:perf_hooks';
import * as Stanza from 'stanza';
import { WebSocket as WsWebSocket } from 'ws';
import { NS_SM, bounded, loadStock, within, withGlobalWebSocket, type StockClient, type StockElement } from './clients.js';

export interface Account {
  username: string;
  password: string;
  domain: string;
}

/** The parts of an @xmpp/xml element the benchmarks read. */
export interface StockStanza extends StockElement {
  getChildText(name: string, xmlns?: string): string | null;
  getChild(name: string, xmlns?: string): StockStanza | undefined;
  getChildren(name: string, xmlns?: string): StockStanza[];
  text(): string;
}

export interface StockSession {
  xmpp: StockClient & { iqCaller: { get(el: unknown, to?: string, timeout?: number): Promise<StockStanza> } };
  xml: Awaited<ReturnType<typeof loadStock>>['xml'];
  /** ms from `start()` to the library's `online`. */
  onlineMs: number;
  /** Resolves when `<enabled/>` arrived (stream management on). */
  smEnabled: Promise<void>;
  stop(): Promise<void>;
}

const TIMEOUT_MS = 15_000;

/**
 * Stock @xmpp/client, started. `beforeStart` runs on the client before `start()`, e.g. to add
 * listeners that must not miss anything.
 */
export async function stockSession(service: string, account: Account, beforeStart?: (xmpp: StockClient) => void): Promise<StockSession> {
  const { client, xml } = await loadStock();
  const xmpp = client({ service, domain: account.domain, username: account.username, password: account.password }) as StockSession['xmpp'];
  const errors: Error[] = [];
  xmpp.on('error', (err: Error) => errors.push(err));
  const smEnabled = new Promise<void>((resolve) => {
    xmpp.on('nonza', (el: StockElement) => {
      if (el.is('enabled', NS_SM)) resolve();
    });
  });
  beforeStart?.(xmpp);
  const stop = () =>
    bounded(async () => {
      xmpp.reconnect.stop();
      await xmpp.stop();
    });
  const t0 = performance.now();
  const start = () => within(xmpp.start(), TIMEOUT_MS, '@xmpp/client', () => void stop());
  try {
    // Its WebSocket transport needs a global WebSocket while the socket is created (Node 20 has none).
    await (service.startsWith('ws') ? withGlobalWebSocket(WsWebSocket, start) : start());
  } catch (err) {
    await stop();
    throw errors[0] ?? err;
  }
  return { xmpp, xml, onlineMs: performance.now() - t0, smEnabled: within(smEnabled, TIMEOUT_MS, '@xmpp/client SM'), stop };
}

export type StanzaClient = ReturnType<typeof Stanza.createClient>;

export interface StanzaSession {
  client: StanzaClient;
  /** ms from `connect()` to `session:started`. */
  onlineMs: number;
  smEnabled: Promise<void>;
  stop(): Promise<void>;
}

/** StanzaJS over WebSocket (it has no TCP transport), connected. */
export async function stanzaSession(wsUrl: string, account: Account, beforeStart?: (client: StanzaClient) => void): Promise<StanzaSession> {
  const client = Stanza.createClient({
    jid: `${account.username}@${account.domain}`,
    password: account.password,
    server: account.domain,
    transports: { websocket: wsUrl, bosh: false },
  });
  const started = new Promise<void>((resolve, reject) => {
    client.on('session:started', () => resolve());
    client.on('auth:failed', () => reject(new Error('StanzaJS: authentication failed')));
    client.on('stream:error', (err: unknown) => reject(new Error(`StanzaJS: stream error ${JSON.stringify(err)}`)));
  });
  const smEnabled = new Promise<void>((resolve) => {
    client.on('sm', (sm: { type: string }) => {
      if (sm.type === 'enabled') resolve();
    });
  });
  beforeStart?.(client);
  const stop = () =>
    bounded(async () => {
      const closed = new Promise<void>((resolve) => client.once('disconnected', () => resolve()));
      await client.disconnect();
      await closed;
    });
  const t0 = performance.now();
  client.connect();
  try {
    await within(started, TIMEOUT_MS, 'StanzaJS', () => void stop());
  } catch (err) {
    await stop();
    throw err;
  }
  return { client, onlineMs: performance.now() - t0, smEnabled: within(smEnabled, TIMEOUT_MS, 'StanzaJS SM'), stop };
}
