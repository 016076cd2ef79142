import type { InspectionEvent } from 'xstate';
import { createXmppClient, type ClientInternals, type XmppClient } from '../../src/client/create-client.js';
import type { Logger, XmppClientOptions } from '../../src/client/options.js';
import type { ConnectionStatus } from '../../src/machines/connection.types.js';
import type { TestUser } from '../../scripts/prosody.js';

export interface ObservedClient {
  client: XmppClient;
  /** Every connection status the client went through, in order. */
  statuses: ConnectionStatus[];
  /** Inbound stanzas as the session received them (XML text), in order. */
  inbound: string[];
  debugLog: Array<{ message: string; data: unknown }>;
  /** Resolves when the connection reaches `status` (rejects after `timeoutMs`). */
  waitFor(status: ConnectionStatus, timeoutMs?: number): Promise<void>;
}

/** A client for a test user with everything it does recorded, for integration tests. */
export function observedClient(
  user: TestUser,
  service: string,
  options: Partial<XmppClientOptions> = {},
  internals: ClientInternals = {},
): ObservedClient {
  const statuses: ConnectionStatus[] = [];
  const inbound: string[] = [];
  const debugLog: ObservedClient['debugLog'] = [];
  const logger: Logger = {
    debug: (message, data) => debugLog.push({ message, data }),
    info: () => {},
    warn: () => {},
    error: () => {},
  };
  const inspect = (event: InspectionEvent) => {
    if (event.type !== '@xstate.event') return;
    if (event.event.type === 'transport.stanza') inbound.push(String((event.event as unknown as { stanza: unknown }).stanza));
    if (event.event.type === 'transport.stanzas') {
      for (const stanza of (event.event as unknown as { stanzas: unknown[] }).stanzas) inbound.push(String(stanza));
    }
  };
  const client = createXmppClient(
    { service, domain: user.domain, username: user.username, password: user.password, logger, inspect, ...options },
    internals,
  );
  client.on('status', ({ connection }) => statuses.push(connection.status));

  const waitFor = (status: ConnectionStatus, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      if (client.getSnapshot().context.connection.status === status) return resolve();
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no "${status}" within ${timeoutMs} ms; saw ${statuses.join(' → ')}`));
      }, timeoutMs);
      const off = client.on('status', ({ connection }) => {
        if (connection.status !== status) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });

  return { client, statuses, inbound, debugLog, waitFor };
}
