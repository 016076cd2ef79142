import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';
import type { SrvRecord } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { createXmppClient, type XmppClient } from '../../src/client/create-client.js';
import type { Logger, XmppClientOptions } from '../../src/client/options.js';
import { selectConnection } from '../../src/client/select-connection.js';
import { C2S_PORT, PROSODY_DOMAIN, uniqueUser } from '../../scripts/prosody.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';

const SRV_NAME = `_xmpp-client._tcp.${PROSODY_DOMAIN}`;
const SRV_TLS_NAME = `_xmpps-client._tcp.${PROSODY_DOMAIN}`;
const prosody = (priority = 0, weight = 0): SrvRecord => ({ name: 'localhost', port: C2S_PORT, priority, weight });

/** A loopback port nothing listens on: a connection to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((fn) => fn()));
});

async function dns(records: Record<string, readonly SrvRecord[]>): Promise<DnsServer> {
  const server = await startDnsServer(records);
  cleanup.push(() => server.close());
  return server;
}

/** A client given only the domain, whose SRV queries go to `server`; `log` collects what it logs at info. */
async function domainOnlyClient(
  server: Pick<DnsServer, 'address'>,
  log: string[] = [],
  options: Partial<XmppClientOptions> = {},
): Promise<XmppClient> {
  const user = await uniqueUser('srv');
  const logger: Logger = {
    debug: () => {},
    info: (message, data) => log.push(`${message} ${JSON.stringify(data)}`),
    warn: () => {},
    error: () => {},
  };
  const client = createXmppClient({
    domain: user.domain,
    username: user.username,
    password: user.password,
    dns: { servers: [server.address] },
    reconnect: { minDelay: 50, maxDelay: 100 },
    logger,
    ...options,
  });
  cleanup.push(() => client.stop());
  return client;
}

describe('service discovery by DNS SRV records (RFC 6120 §3.2.1, XEP-0368)', () => {
  it('goes online with only the domain, at the endpoint the SRV record names', async () => {
    const server = await dns({ [SRV_NAME]: [prosody()] });
    const client = await domainOnlyClient(server);
    const view = await client.start();
    expect(view).toMatchObject({ status: 'online', streamManagement: true });
    expect(server.queries).toEqual(expect.arrayContaining([SRV_NAME, SRV_TLS_NAME]));
  });

  it('skips an endpoint that refuses the connection and goes online at the next one', async () => {
    const refused = await closedPort();
    const server = await dns({
      [SRV_NAME]: [prosody(20)],
      // Tried first (lower priority value), over direct TLS: the port is closed.
      [SRV_TLS_NAME]: [{ name: 'localhost', port: refused, priority: 10, weight: 0 }],
    });
    const log: string[] = [];
    const client = await domainOnlyClient(server, log);
    const view = await client.start();
    expect(view.status).toBe('online');
    expect(view.attempt).toBe(0);
    expect(log.some((line) => line.startsWith('endpoint failed') && line.includes(`xmpps://localhost:${refused}`))).toBe(true);
  });

  it('asks DNS again at every attempt, so a changed record is used on the next one', async () => {
    const refused = await closedPort();
    const server = await dns({ [SRV_NAME]: [{ name: 'localhost', port: refused, priority: 0, weight: 0 }] });
    const client = await domainOnlyClient(server);
    const online = client.start();
    // The only endpoint refuses: the attempt fails and the client waits to reconnect.
    await expect.poll(() => selectConnection(client.getSnapshot()).status, { timeout: 10_000 }).toBe('reconnecting');
    expect(selectConnection(client.getSnapshot()).error).toMatchObject({ kind: 'network' });
    server.set(SRV_NAME, [prosody()]);
    await expect(online).resolves.toMatchObject({ status: 'online' });
    expect(server.queries.filter((name) => name === SRV_NAME).length).toBeGreaterThanOrEqual(2);
  });

  it('ends an attempt whose DNS lookup outlasts the connect timeout, instead of waiting for it', async () => {
    // A DNS server that never answers.
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    const client = await domainOnlyClient({ address: `127.0.0.1:${silent.address().port}` }, [], {
      connectTimeout: 300,
      reconnect: { minDelay: 60_000, maxDelay: 60_000 },
    });
    void client.start().catch(() => {});
    await expect.poll(() => selectConnection(client.getSnapshot()).status, { timeout: 2000 }).toBe('reconnecting');
    expect(selectConnection(client.getSnapshot()).error).toMatchObject({ kind: 'timeout' });
  });
});
