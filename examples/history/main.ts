/**
 * Message history (XEP-0313) on the local Prosody: alice writes to bob from her phone; her new
 * laptop, which has never seen that conversation, scrolls back page by page (what a "load older"
 * control shows), loads the rest, searches by time and reads her archiving preferences.
 *
 *   npm run example:history
 */
import type { SnapshotFrom } from 'xstate';
import { connectChat, createXmppClient, type XmppClient } from '../../src/index.js';
import type { ArchiveLogic } from '../../src/xeps/archive/index.js';
import type { ConversationLogic } from '../../src/xeps/chat/index.js';
import { PROSODY_DOMAIN, TCP_URL, WS_URL, registerUser, startProsody } from '../../scripts/prosody.js';

async function connect(username: string, service: string, resource: string): Promise<XmppClient> {
  const client = createXmppClient({ service, domain: PROSODY_DOMAIN, username, password: `${username}-password`, resource });
  await client.start();
  return client;
}

/** The conversation as a UI binds it: messages, unread, and the scrollback state from the archive actor. */
function conversation(client: XmppClient, peer: string) {
  const chat = client.feature(`chat:${peer}`)!.getSnapshot() as SnapshotFrom<ConversationLogic>;
  return connectChat(chat, client.feature('archive')!.getSnapshot() as SnapshotFrom<ArchiveLogic>);
}

async function main() {
  await startProsody();
  const stamp = Date.now().toString(36);
  const [aliceName, bobName] = [`history-alice-${stamp}`, `history-bob-${stamp}`];
  for (const name of [aliceName, bobName]) await registerUser(name, `${name}-password`, PROSODY_DOMAIN);
  const bob = `${bobName}@${PROSODY_DOMAIN}`;

  const phone = await connect(aliceName, TCP_URL, 'phone');
  for (let n = 1; n <= 120; n++) await phone.messages.send(bob, `message ${n} of 120`);
  await phone.ping(); // the server has handled (and archived) all of them
  const sentBy = new Date().toISOString();
  await phone.stop();
  console.log("alice's phone sent 120 messages to bob");

  // The laptop starts empty: everything below comes from alice's archive on the server.
  const laptop = await connect(aliceName, WS_URL, 'laptop');
  const first = await laptop.archive.loadOlder(bob, { max: 25 });
  let view = conversation(laptop, bob);
  console.log(`load older: +${first.added} → "${view.messages[0]?.body}" … "${view.last(1)[0]?.body}"`);
  console.log(`  history: loading=${view.history.loading}, no more history=${view.history.complete}`);

  const rest = await laptop.archive.loadAll(bob, { max: 50 });
  view = conversation(laptop, bob);
  console.log(`load all: +${rest.added} in ${rest.pages} pages → ${view.messages.length} messages from "${view.messages[0]?.body}"`);
  console.log(`  history: no more history=${view.history.complete}, unread=${view.unread} (history is not news)`);

  const found = await laptop.archive.search(bob, { end: sentBy, max: 10 });
  console.log(`search up to ${sentBy}: ${found.length} results, returned rather than added to the conversation`);
  const prefs = await laptop.archive.prefs();
  console.log(`archiving preferences: default ${prefs.default}, always [${prefs.always.join(', ')}], never [${prefs.never.join(', ')}]`);
  console.log('after a reconnect that cannot resume, the client catches up on its own: client.feature("archive") shows progress');
  await laptop.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
