import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPlatform } from '../../scripts/browser-platform.js';
import { SASL2_DOMAIN, WS_URL, uniqueUser, type TestUser } from '../../scripts/prosody.js';

let server: Server;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: ['test/browser/page.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [browserPlatform],
  });
  const script = bundle.outputFiles[0]!.text;
  server = createServer((req, res) => {
    if (req.url?.startsWith('/page.js')) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/page.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Runs test/browser/page.ts in a new page, logged in as `user`, and returns what it reported. */
async function runPage(user: TestUser) {
  const page = await browser.newPage();
  const hash = new URLSearchParams({ service: WS_URL, domain: user.domain, username: user.username, password: user.password });
  await page.goto(`${origin}/#${hash}`);
  await page.waitForFunction(() => window.__result !== undefined, undefined, { timeout: 20_000 });
  return page.evaluate(() => window.__result!);
}

describe('in a real browser (headless Chromium)', () => {
  it('logs in over WebSocket with SCRAM on WebCrypto, pings, and stops', async () => {
    const user = await uniqueUser('browser');
    const result = await runPage(user);
    expect(result.error).toBeUndefined();
    expect(result.mechanism).toBe('SCRAM-SHA-1');
    expect(result.jid?.startsWith(`${user.jid}/`)).toBe(true);
    expect(result.pingMs).toBeGreaterThanOrEqual(0);
    expect(result.statuses.slice(0, 5)).toEqual(['idle', 'connecting', 'authenticating', 'binding', 'online']);
    expect(result.stopped).toBe('stopped');
  });

  it('logs in with SASL2 and binds with Bind2 where the server offers them (sasl2.localhost)', async () => {
    const user = await uniqueUser('browser-sasl2', SASL2_DOMAIN);
    const result = await runPage(user);
    expect(result.error).toBeUndefined();
    expect(result.mechanism).toBe('SCRAM-SHA-1');
    // Prosody's Bind2 names the resource after the client's tag.
    expect(result.jid?.startsWith(`${user.jid}/xmpp-adapter~`)).toBe(true);
    expect(result.stopped).toBe('stopped');
  });
});
