/**
 * End to end through the web chat example (examples/web-chat): the app is built with Vite, served
 * on loopback and driven in Debian's headless Chromium as two users at once, against the local
 * Prosody: log in, become contacts, chat both ways (receipts, read markers, typing), a room, a
 * file upload, the Stately inspector, and a Prosody restart both clients recover from without a
 * page reload. Screenshots of the main screens go to test-output/web-chat/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MUC_DOMAIN, WS_URL, startProsody, stopProsody, uniqueUsers, type TestUser } from '../../scripts/prosody.js';

const APP_CONFIG = fileURLToPath(new URL('../../examples/web-chat/vite.config.ts', import.meta.url));
const OUTPUT = fileURLToPath(new URL('../../test-output/web-chat/', import.meta.url));
const DIST = join(OUTPUT, 'dist');
const INSPECTOR_URL = 'https://stately.ai/inspect';
const WAIT = { timeout: 15_000 };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Party {
  user: TestUser;
  context: BrowserContext;
  page: Page;
}

let server: Server;
let browser: Browser;
let origin: string;
let alice: Party;
let bob: Party;
/** Uncaught errors in either page: none expected. */
const pageErrors: string[] = [];
const room = `web-chat-${randomBytes(4).toString('hex')}@${MUC_DOMAIN}`;

/** The built app: its files, else index.html (one page). */
function serveDist(): Promise<Server> {
  const srv = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(DIST, path);
    if (!file.startsWith(DIST) || !statSync(file, { throwIfNoEntry: false })?.isFile()) file = join(DIST, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(OUTPUT, `${name}.png`) });
const byTestId = (page: Page, id: string, attrs: Record<string, string> = {}) =>
  page.locator(
    `[data-testid="${id}"]${Object.entries(attrs)
      .map(([k, v]) => `[data-${k}="${v}"]`)
      .join('')}`,
  );
const contact = (p: Party, jid: string) => byTestId(p.page, 'contact', { jid });
const banner = (p: Party) => byTestId(p.page, 'connection-banner');
const onlineBanner = (p: Party) => byTestId(p.page, 'connection-banner', { status: 'online' });

async function openParty(user: TestUser): Promise<Party> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  // The inspector window loads stately.ai: answer it locally with a page that says "connected"
  // to its opener (as the real one does) and keeps what it receives.
  await context.route(`${INSPECTOR_URL}**`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>inspector</title><script>
        window.received = [];
        addEventListener('message', (e) => window.received.push(e.data));
        window.opener.postMessage({ type: '@statelyai.connected' }, '*');
      </script>`,
    }),
  );
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${user.username}: ${error.message}`));
  return { user, context, page };
}

/** Opens the 1:1 conversation with `jid` from the roster. */
async function openChat(p: Party, jid: string): Promise<void> {
  await contact(p, jid).locator('.contact-open').click();
  await byTestId(p.page, 'conversation', { jid }).waitFor(WAIT);
}

async function send(page: Page, body: string): Promise<void> {
  await byTestId(page, 'composer-input').fill(body);
  await byTestId(page, 'composer-send').click();
}

/** The last message of the open conversation whose text contains `body`. */
const message = (page: Page, direction: 'in' | 'out', body: string) =>
  byTestId(page, 'message', { direction }).filter({ hasText: body }).last();

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  const [users] = await Promise.all([
    uniqueUsers(['wc-alice', 'wc-bob']),
    build({ configFile: APP_CONFIG, logLevel: 'warn', build: { outDir: DIST, emptyOutDir: true, sourcemap: false, minify: false } }),
  ]);
  server = await serveDist();
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  [alice, bob] = (await Promise.all(users.map(openParty))) as [Party, Party];
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  // Whatever happened above, leave the shared server running for the next test file.
  await startProsody();
});

describe('the web chat example in headless Chromium, two users against Prosody', () => {
  it('is built with the browser platform of the library (no Node transport in the bundle)', () => {
    const assets = join(DIST, 'assets');
    const code = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n');
    expect(code).toContain('platformName = "browser"');
    expect(code).not.toContain('NodeWebSocketConnection');
    expect(code).not.toMatch(/from ["']node:/);
  });

  it('logs in from the form the URL prefilled', async () => {
    for (const p of [alice, bob]) {
      const query = new URLSearchParams({ service: WS_URL, domain: p.user.domain, username: p.user.username, password: p.user.password });
      await p.page.goto(`${origin}/?${query}`);
      await expect.poll(() => byTestId(p.page, 'login-username').inputValue()).toBe(p.user.username);
      expect(await byTestId(p.page, 'login-service').inputValue()).toBe(WS_URL);
    }
    await shot(alice.page, 'login');
    await Promise.all([alice, bob].map((p) => byTestId(p.page, 'login-submit').click()));
    for (const p of [alice, bob]) {
      await onlineBanner(p).waitFor(WAIT);
      expect(await byTestId(p.page, 'own-jid').textContent()).toMatch(new RegExp(`^${p.user.jid}/web-`));
      await byTestId(p.page, 'roster', { status: 'ready' }).waitFor(WAIT); // the roster is fetched once online
    }
  });

  it('adds a contact; the other side approves the request and both see each other online', async () => {
    await byTestId(alice.page, 'add-contact-jid').fill(bob.user.jid);
    await byTestId(alice.page, 'add-contact-submit').click();
    await contact(alice, bob.user.jid).waitFor(WAIT);

    // Bob approves (which also asks for Alice's presence back), then Alice approves Bob's request.
    const toBob = byTestId(bob.page, 'request', { jid: alice.user.jid });
    await toBob.waitFor(WAIT);
    await toBob.getByTestId('request-approve').click();
    const toAlice = byTestId(alice.page, 'request', { jid: bob.user.jid });
    await toAlice.waitFor(WAIT);
    await toAlice.getByTestId('request-approve').click();

    await byTestId(alice.page, 'contact', { jid: bob.user.jid, subscription: 'both', presence: 'available' }).waitFor(WAIT);
    await byTestId(bob.page, 'contact', { jid: alice.user.jid, subscription: 'both', presence: 'available' }).waitFor(WAIT);
    expect(await byTestId(alice.page, 'request').count()).toBe(0);
    expect(await byTestId(bob.page, 'request').count()).toBe(0);
    await shot(alice.page, 'roster');
  });

  it('chats both ways: unread badge, delivered then displayed, typing indicator', async () => {
    await openChat(alice, bob.user.jid);
    await send(alice.page, 'Hello Bob, this is Alice');
    // Bob's client acknowledges receipt at once; he has not opened the conversation yet.
    await message(alice.page, 'out', 'Hello Bob').and(alice.page.locator('[data-state="delivered"]')).waitFor(WAIT);
    await expect.poll(() => contact(bob, alice.user.jid).getByTestId('unread-badge').textContent(), WAIT).toBe('1');

    await openChat(bob, alice.user.jid);
    await message(bob.page, 'in', 'Hello Bob').waitFor(WAIT);
    await message(alice.page, 'out', 'Hello Bob').and(alice.page.locator('[data-state="displayed"]')).waitFor(WAIT);
    expect(await contact(bob, alice.user.jid).getByTestId('unread-badge').count()).toBe(0);

    await byTestId(bob.page, 'composer-input').fill('Hi Ali');
    await byTestId(alice.page, 'typing', { state: 'composing' }).waitFor(WAIT);
    expect(await byTestId(alice.page, 'typing').textContent()).toContain('is typing');
    await send(bob.page, 'Hi Alice, nice to chat');
    await message(alice.page, 'in', 'Hi Alice, nice to chat').waitFor(WAIT);
    await byTestId(alice.page, 'typing', { state: 'active' }).waitFor(WAIT);
    await message(bob.page, 'out', 'Hi Alice').and(bob.page.locator('[data-state="displayed"]')).waitFor(WAIT);
    expect(await byTestId(alice.page, 'message').count()).toBe(2);
    await shot(alice.page, 'chat');
  });

  it('creates a room; the other joins it and they talk there', async () => {
    await byTestId(alice.page, 'room-name').fill(room);
    await byTestId(alice.page, 'room-create').click();
    await byTestId(alice.page, 'room', { jid: room, status: 'joined' }).waitFor(WAIT);
    await byTestId(alice.page, 'room-subject-edit').click();
    await byTestId(alice.page, 'room-subject-input').fill('Testing the web chat');
    await byTestId(alice.page, 'room-subject-save').click();
    await expect.poll(() => byTestId(alice.page, 'room-subject').textContent(), WAIT).toBe('Testing the web chat');

    await byTestId(bob.page, 'room-name').fill(room);
    await byTestId(bob.page, 'room-join').click();
    await byTestId(bob.page, 'room', { jid: room, status: 'joined' }).waitFor(WAIT);
    await expect.poll(() => byTestId(bob.page, 'room-subject').textContent(), WAIT).toBe('Testing the web chat');
    for (const p of [alice, bob]) {
      await byTestId(p.page, 'occupant', { nick: alice.user.username }).waitFor(WAIT);
      await byTestId(p.page, 'occupant', { nick: bob.user.username }).waitFor(WAIT);
    }
    expect(await byTestId(alice.page, 'occupant', { nick: alice.user.username }).textContent()).toContain('owner');

    await send(alice.page, 'Welcome to the room, Bob');
    await byTestId(bob.page, 'room-message', { direction: 'in' }).filter({ hasText: 'Welcome to the room' }).waitFor(WAIT);
    await send(bob.page, 'Glad to be here');
    await byTestId(alice.page, 'room-message', { direction: 'in' }).filter({ hasText: 'Glad to be here' }).waitFor(WAIT);
    // The room reflected Alice's own message back: sent, no longer sending.
    await byTestId(alice.page, 'room-message', { direction: 'out', state: 'sent' }).filter({ hasText: 'Welcome' }).waitFor(WAIT);
    await shot(bob.page, 'room');
  });

  it('uploads a picture with progress; the other side shows it inline', async () => {
    await openChat(alice, bob.user.jid);
    await openChat(bob, alice.user.jid);
    const picture = await alice.page.screenshot(); // a real PNG of a few dozen kB
    // Notes whether a progress bar ever showed (the upload is too quick on loopback to catch by polling).
    await alice.page.evaluate(() => {
      const w = window as unknown as { sawProgress: boolean };
      w.sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="upload-progress"]')) w.sawProgress = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await byTestId(alice.page, 'upload-input').setInputFiles({ name: 'screen shot.png', mimeType: 'image/png', buffer: picture });

    const image = byTestId(bob.page, 'message-image').last();
    await image.waitFor(WAIT);
    const src = await image.getAttribute('src');
    expect(src).toMatch(/^http:\/\/127\.0\.0\.1:15280\/file_share\/.+\/screen%20shot\.png$/);
    await expect
      .poll(() => image.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth), WAIT)
      .toBe((await alice.page.viewportSize())!.width);
    await byTestId(alice.page, 'message', { direction: 'out' })
      .getByTestId('message-file')
      .filter({ hasText: 'screen shot.png' })
      .waitFor(WAIT);
    expect(await alice.page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress)).toBe(true);
    await expect.poll(() => byTestId(alice.page, 'upload-progress').count(), WAIT).toBe(0);
    await shot(bob.page, 'upload');
  });

  it('opens the Stately inspector on the live client', async () => {
    const [popup] = await Promise.all([alice.context.waitForEvent('page'), byTestId(alice.page, 'inspector-switch').check()]);
    expect(popup.url()).toBe(INSPECTOR_URL);
    // The running actors are introduced, then live events stream in.
    const received = () => popup.evaluate(() => (window as unknown as { received: { type: string; name?: string }[] }).received);
    await expect.poll(async () => (await received()).some((e) => e.type === '@xstate.actor' && e.name === 'session'), WAIT).toBe(true);
    await expect.poll(async () => (await received()).filter((e) => e.type === '@xstate.actor').length, WAIT).toBeGreaterThan(10);
    await send(alice.page, 'inspected');
    await expect.poll(async () => (await received()).some((e) => e.type === '@xstate.event'), WAIT).toBe(true);
    await byTestId(alice.page, 'inspector-switch').uncheck();
    await popup.close();
    await message(bob.page, 'in', 'inspected').waitFor(WAIT);
  });

  it('recovers from a Prosody restart without a page reload and chats again', async () => {
    await stopProsody();
    try {
      for (const p of [alice, bob]) await byTestId(p.page, 'connection-banner', { status: 'reconnecting' }).waitFor(WAIT);
      // With the server down the client goes round waiting and connecting: the countdown shows while it waits.
      await expect.poll(() => byTestId(alice.page, 'connection-text').textContent(), WAIT).toMatch(/Reconnecting in \d+ s/);
      await shot(alice.page, 'reconnecting');
    } finally {
      await startProsody();
    }
    // Skip what is left of the backoff wait, as a user would.
    for (const p of [alice, bob]) {
      await expect
        .poll(async () => {
          const retry = byTestId(p.page, 'retry-now');
          if (await retry.isVisible()) await retry.click({ timeout: 1000 }).catch(() => undefined);
          return banner(p).getAttribute('data-status');
        }, WAIT)
        .toBe('online');
    }
    await send(alice.page, 'Back after the restart');
    await message(bob.page, 'in', 'Back after the restart').waitFor(WAIT);
    await message(alice.page, 'out', 'Back after the restart').and(alice.page.locator('[data-state="displayed"]')).waitFor(WAIT);
    await send(bob.page, 'Welcome back');
    await message(alice.page, 'in', 'Welcome back').waitFor(WAIT);
    // Presence and the room come back on the new session too.
    await byTestId(alice.page, 'contact', { jid: bob.user.jid, presence: 'available' }).waitFor(WAIT);
    // The room is joined again (by the library after the reconnect, or by the app when the room
    // dropped the visit meanwhile).
    for (const p of [alice, bob]) await byTestId(p.page, 'room-entry', { jid: room, status: 'joined' }).waitFor(WAIT);
    for (const p of [alice, bob]) await byTestId(p.page, 'room-entry', { jid: room }).locator('.contact-open').click();
    await send(bob.page, 'Still here after the restart');
    await byTestId(alice.page, 'room-message', { direction: 'in' }).filter({ hasText: 'Still here after the restart' }).waitFor(WAIT);
    await shot(alice.page, 'after-restart');
  });

  it("scrolls back through the archive on a second device of Alice's, then logs out", async () => {
    const second = await openParty(alice.user);
    try {
      const query = new URLSearchParams({
        service: WS_URL,
        domain: alice.user.domain,
        username: alice.user.username,
        password: alice.user.password,
      });
      await second.page.goto(`${origin}/?${query}`);
      await byTestId(second.page, 'login-submit').click();
      await onlineBanner(second).waitFor(WAIT);
      await openChat(second, bob.user.jid);
      await byTestId(second.page, 'load-older').click();
      await byTestId(second.page, 'history-complete').waitFor(WAIT);
      const bodies = await byTestId(second.page, 'message').allTextContents();
      const first = bodies.findIndex((b) => b.includes('Hello Bob, this is Alice'));
      const later = bodies.findIndex((b) => b.includes('Welcome back'));
      expect(first).toBeGreaterThanOrEqual(0);
      expect(later).toBeGreaterThan(first);
      expect(await message(second.page, 'in', 'Hi Alice, nice to chat').count()).toBe(1);
      await shot(second.page, 'scrollback');

      await byTestId(second.page, 'logout').click();
      await byTestId(second.page, 'login-form').waitFor(WAIT);
      // The first device is still online.
      expect(await banner(alice).getAttribute('data-status')).toBe('online');
    } finally {
      await second.context.close();
    }
  });

  it('blocks a contact (presence stops), unblocks it, then removes it', async () => {
    const aliceOnBob = contact(bob, alice.user.jid);
    await aliceOnBob.hover();
    await aliceOnBob.getByTestId('contact-block').click();
    await aliceOnBob.getByTestId('contact-unblock').waitFor({ state: 'attached', ...WAIT });
    expect(await aliceOnBob.locator('.presence').textContent()).toBe('blocked');
    // The server tells Alice that Bob went away, and holds his presence back from her.
    await byTestId(alice.page, 'contact', { jid: bob.user.jid, presence: 'unavailable' }).waitFor(WAIT);

    await aliceOnBob.hover();
    await aliceOnBob.getByTestId('contact-unblock').click();
    await byTestId(alice.page, 'contact', { jid: bob.user.jid, presence: 'available' }).waitFor(WAIT);
    await aliceOnBob.getByTestId('contact-block').waitFor({ state: 'attached', ...WAIT });

    // Removing cancels the subscriptions both ways (RFC 6121 §2.5.2).
    const bobOnAlice = contact(alice, bob.user.jid);
    await bobOnAlice.hover();
    await bobOnAlice.getByTestId('contact-remove').click();
    await bobOnAlice.waitFor({ state: 'detached', ...WAIT });
    await byTestId(bob.page, 'contact', { jid: alice.user.jid, subscription: 'none', presence: 'unavailable' }).waitFor(WAIT);
  });

  it('raised no uncaught error in either page', () => {
    expect(pageErrors).toEqual([]);
  });
});
