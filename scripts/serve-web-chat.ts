/**
 * Serves the web chat example (examples/web-chat) against the local Prosody: starts Prosody
 * (installing it when run as root), registers demo-alice and demo-bob, makes them contacts, starts
 * Vite's dev server on 127.0.0.1 and prints a login link for each. Runs until Ctrl-C.
 *
 *   npx tsx scripts/serve-web-chat.ts          # port 5173, or the next free one
 *   WEB_CHAT_PORT=8000 npx tsx scripts/serve-web-chat.ts
 */
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { waitFor, type AnyActorRef } from 'xstate';
import { connectRoster, createXmppClient, type XmppClient } from '../src/index.js';
import { PROSODY_DOMAIN, TCP_URL, WS_URL, registerUser, startProsody } from './prosody.js';

const users = [
  { username: 'demo-alice', password: 'demo-alice-password', name: 'Alice' },
  { username: 'demo-bob', password: 'demo-bob-password', name: 'Bob' },
] as const;
const jidOf = (username: string) => `${username}@${PROSODY_DOMAIN}`;
const appRoot = fileURLToPath(new URL('../examples/web-chat/', import.meta.url));

const rosterReady = (client: XmppClient) =>
  waitFor(client.feature('roster') as AnyActorRef, (s) => s.value === 'ready', { timeout: 10_000 });
const mutual = (client: XmppClient, other: string) =>
  connectRoster(client.feature('roster')!.getSnapshot()).get(other)?.subscription === 'both';

/** Makes the two demo users contacts of each other (subscription `both`), unless they already are. */
async function befriendDemoUsers(): Promise<void> {
  const clients = users.map((u) =>
    createXmppClient({ service: TCP_URL, domain: PROSODY_DOMAIN, username: u.username, password: u.password }),
  );
  try {
    await Promise.all(clients.map((c) => c.start()));
    await Promise.all(clients.map(rosterReady));
    const [alice, bob] = clients as [XmppClient, XmppClient];
    const [aliceJid, bobJid] = users.map((u) => jidOf(u.username)) as [string, string];
    if (mutual(alice, bobJid) && mutual(bob, aliceJid)) return;
    // Each approves the other's request as it comes, and asks for the other's presence in turn.
    alice.on('contact.request', ({ jid }) => jid === bobJid && alice.contacts.approve(jid));
    bob.on('contact.request', ({ jid }) => jid === aliceJid && bob.contacts.approve(jid));
    await alice.contacts.add(bobJid, users[1].name);
    await bob.contacts.add(aliceJid, users[0].name);
    await Promise.all([
      waitFor(alice.feature('roster') as AnyActorRef, () => mutual(alice, bobJid), { timeout: 10_000 }),
      waitFor(bob.feature('roster') as AnyActorRef, () => mutual(bob, aliceJid), { timeout: 10_000 }),
    ]);
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
  }
}

async function main() {
  console.log('Starting Prosody…');
  await startProsody();
  for (const u of users) await registerUser(u.username, u.password, PROSODY_DOMAIN);
  try {
    await befriendDemoUsers();
    console.log('demo-alice and demo-bob are contacts.');
  } catch (err) {
    console.warn('Could not make the demo users contacts (add each other in the app):', err);
  }

  const server = await createServer({
    configFile: `${appRoot}vite.config.ts`,
    server: { host: '127.0.0.1', port: Number(process.env.WEB_CHAT_PORT ?? 5173), strictPort: false },
  });
  await server.listen();
  const base = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${server.config.server.port}/`;

  console.log(`\nWeb chat: ${base}\nOpen one link per browser window (or a private window for the second):\n`);
  for (const u of users) {
    const query = new URLSearchParams({ service: WS_URL, domain: PROSODY_DOMAIN, username: u.username, password: u.password });
    console.log(`  ${u.name.padEnd(6)} ${base}?${query}`);
  }
  console.log('\nProsody keeps running afterwards (npm run prosody -- stop). Ctrl-C to stop the web server.');

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
