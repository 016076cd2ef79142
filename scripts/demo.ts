/**
 * The main job: start the local Prosody (installing it when run as root), register two demo
 * users, connect them — alice over TCP, bob over WebSocket — make them contacts, chat with
 * receipts and read markers, and print the machine states and views they went through.
 * Run with `npm run demo`.
 */
import type { AnyActorRef } from 'xstate';
import { connectChat, connectRoster, createXmppClient, selectConnection, type ChatMessage, type XmppClient } from '../src/index.js';
import { PROSODY_DOMAIN, TCP_URL, WS_URL, registerUser, startProsody } from './prosody.js';

const users = [
  { username: 'demo-alice', password: 'demo-alice-password', service: TCP_URL },
  { username: 'demo-bob', password: 'demo-bob-password', service: WS_URL },
] as const;
const ALICE = `demo-alice@${PROSODY_DOMAIN}`;
const BOB = `demo-bob@${PROSODY_DOMAIN}`;

function describeState(client: XmppClient): string {
  const snapshot = client.getSnapshot();
  const view = selectConnection(snapshot);
  const children = Object.keys(snapshot.children).sort().join(', ');
  const online =
    view.status === 'online' ? ` as ${view.jid} (${view.mechanism}, stream management ${view.streamManagement ? 'on' : 'off'})` : '';
  return `session=${JSON.stringify(snapshot.value)} connection=${view.status}${online} actors=[${children}]`;
}

/** Resolves once `check` holds for the actor's snapshot (the way a UI re-renders on change). */
function until<T>(actor: AnyActorRef | undefined, check: (snapshot: never) => T | undefined, what: string): Promise<T> {
  if (!actor) return Promise.reject(new Error(`${what}: no such actor`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not within 10 s`)), 10_000);
    const test = (snapshot: unknown) => {
      const result = check(snapshot as never);
      if (result === undefined) return false;
      clearTimeout(timer);
      resolve(result);
      return true;
    };
    if (test(actor.getSnapshot())) return;
    const subscription = actor.subscribe((snapshot) => {
      if (test(snapshot)) subscription.unsubscribe();
    });
  });
}

const stateOf = (client: XmppClient, peer: string, id: string) =>
  until(
    client.feature(`chat:${peer}`),
    (s) => {
      const message = connectChat(s).messages.find((m) => m.id === id);
      return message?.state === 'displayed' ? message : undefined;
    },
    'displayed marker',
  );

async function main() {
  const started = await startProsody();
  console.log(started ? 'Started the local Prosody.' : 'The local Prosody is already running.');
  for (const user of users) await registerUser(user.username, user.password, PROSODY_DOMAIN);

  const [alice, bob] = users.map((user) => {
    const client = createXmppClient({ service: user.service, domain: PROSODY_DOMAIN, username: user.username, password: user.password });
    client.on('status', ({ connection }) => console.log(`  ${user.username.padEnd(10)} → ${connection.status}`));
    // Each asks to see the other's presence; whoever is asked says yes.
    client.on('contact.request', ({ jid }) => {
      console.log(`  ${user.username.padEnd(10)} ← subscription request from ${jid}: approved`);
      client.contacts.approve(jid);
    });
    client.on('message', ({ message }: { message: ChatMessage }) =>
      console.log(`  ${user.username.padEnd(10)} ${message.direction === 'in' ? '←' : '→'} "${message.body}"`),
    );
    return client;
  }) as [XmppClient, XmppClient];

  console.log('\nConnecting (alice over TCP, bob over WebSocket):');
  await Promise.all([alice.start(), bob.start()]);

  console.log('\nContacts (the server keeps them between runs):');
  await Promise.all([alice.contacts.add(BOB, 'Bob'), bob.contacts.add(ALICE, 'Alice')]);
  const aliceRoster = await until(
    alice.feature('roster'),
    (s) => {
      const view = connectRoster(s, { presence: alice.feature('presence')!.getSnapshot() });
      return view.get(BOB)?.subscription === 'both' ? view : undefined;
    },
    'mutual subscription',
  );
  console.log(`  alice's roster: ${aliceRoster.contacts.map((c) => `${c.name ?? c.jid} (${c.subscription})`).join(', ')}`);
  bob.presence.set('away', 'making coffee');

  console.log('\nChatting:');
  const arrived = new Promise<void>((resolve) => {
    const off = bob.on('message', ({ message }) => {
      if (message.direction === 'in') {
        off();
        resolve();
      }
    });
  });
  const sent = await alice.messages.send(BOB, `Hello Bob, it is ${new Date().toISOString()}`);
  await arrived;
  console.log(`  bob has ${connectChat(bob.feature(`chat:${ALICE}`)!.getSnapshot()).unread} unread message(s) from alice; he reads them`);
  bob.messages.markRead(ALICE);
  const displayed = await stateOf(alice, BOB, sent.id);
  console.log(`  alice's message is now "${displayed.state}" (receipt, then bob's displayed marker)`);
  const bobInAlice = await until(
    alice.feature('presence'),
    (s) => {
      const contact = connectRoster(alice.feature('roster')!.getSnapshot(), { presence: s }).get(BOB);
      return contact?.presence?.show === 'away' ? contact.presence : undefined;
    },
    "bob's presence at alice",
  );
  console.log(`  alice sees bob as ${bobInAlice.show} ("${bobInAlice.status ?? ''}")`);

  console.log('\nMachine states while online:');
  console.log(`  alice: ${describeState(alice)}`);
  console.log(`  bob:   ${describeState(bob)}`);

  console.log('\nStopping:');
  await Promise.all([alice.stop(), bob.stop()]);
  console.log(`  alice: ${describeState(alice)}`);
  console.log(`  bob:   ${describeState(bob)}`);
  console.log('\nDone. `npm run prosody stop` stops the server.');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
