import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverService } from '../../src/wire/host-meta.js';
import { PROSODY_DOMAIN, WS_URL, uniqueUser } from '../../scripts/prosody.js';
import { observedClient } from '../support/client.js';

const servers: http.Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('endpoint discovery (XEP-0156) against the local Prosody', () => {
  it('finds the WebSocket endpoint from a host-meta document and logs in through it', async () => {
    const server = http.createServer((req, res) => {
      if (req.url !== '/.well-known/host-meta') return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/xrd+xml' });
      res.end(`<?xml version='1.0' encoding='utf-8'?>
<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>
  <Link rel="urn:xmpp:alt-connections:xbosh" href="http://127.0.0.1:15280/http-bind" />
  <Link rel="urn:xmpp:alt-connections:websocket" href="${WS_URL}" />
</XRD>`);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const service = await discoverService(PROSODY_DOMAIN, { origin: `http://127.0.0.1:${port}` });
    expect(service).toBe(WS_URL);
    const c = observedClient(await uniqueUser('discover'), service);
    try {
      await expect(c.client.start()).resolves.toMatchObject({ status: 'online' });
    } finally {
      await c.client.stop();
    }
  });
});
