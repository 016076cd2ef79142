import { SimulatedClock } from 'xstate';
import { createXmppClient, type XmppClient } from '../client/create-client.js';
import type { XmppClientOptions } from '../client/options.js';
import type { FeatureModule } from '../xeps/feature.js';
import { createFakeServer, type FakeServer } from './fake-server.js';

/** Options of {@link createTestClient}. */
export interface TestClientOptions {
  /** The full JID the fake server binds. @default 'alice@example.org/test' */
  jid?: string;
  /** Client options; the connection settings default to an account on example.org that is never dialled. */
  options?: Partial<XmppClientOptions>;
  /** The features to run. @default every built-in feature */
  features?: readonly FeatureModule[];
}

/** A client wired to a {@link FakeServer} and a simulated clock. */
export interface TestClient {
  client: XmppClient;
  server: FakeServer;
  /** Advance it with `clock.increment(ms)`: reconnect waits, IQ timeouts, keepalives and typing pauses run on it. */
  clock: SimulatedClock;
  /** Starts the client and plays a successful login; resolves once the client is online. */
  connect(): Promise<void>;
}

/**
 * A client that talks to a scripted fake server instead of a socket and runs its timers on a
 * `SimulatedClock`: nothing touches the network and time passes only when the test says so.
 */
export function createTestClient({ jid = 'alice@example.org/test', options = {}, features }: TestClientOptions = {}): TestClient {
  const server = createFakeServer({ jid });
  const clock = new SimulatedClock();
  const client = createXmppClient(
    { service: 'wss://example.org/xmpp-websocket', domain: 'example.org', username: 'alice', password: 'secret', ...options },
    { transport: server.logic, clock, ...(features ? { features } : {}) },
  );
  return {
    client,
    server,
    clock,
    async connect() {
      const online = client.start();
      server.acceptConnection();
      await online;
    },
  };
}
