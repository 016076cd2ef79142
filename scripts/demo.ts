/**
 * The main job: start the local Prosody (installing it when run as root), register two demo
 * users, connect them — alice over TCP, bob over WebSocket — exchange a message and print the
 * machine states they went through. Run with `npm run demo`.
 */
import { xml } from '@xmpp/xml';
import { fromCallback } from 'xstate';
import { createXmppClient, defaultFeatures, defineFeature, selectConnection, type XmppClient } from '../src/index.js';
import { PROSODY_DOMAIN, TCP_URL, WS_URL, registerUser, startProsody } from './prosody.js';

const users = [
  { username: 'demo-alice', password: 'demo-alice-password', service: TCP_URL },
  { username: 'demo-bob', password: 'demo-bob-password', service: WS_URL },
] as const;

interface InboxMessage {
  type: 'inbox.message';
  from: string;
  text: string;
}

/**
 * A feature written for the demo, to show the extension point: it claims chat messages with a
 * body and emits them from its actor. (Full conversations are the chat feature's job.)
 */
const inbox = defineFeature<InboxMessage>({
  id: 'demo-inbox',
  spec: [],
  discoFeatures: [],
  handles: [{ stanza: 'message', ns: 'jabber:client' }],
  route(stanza) {
    const text = stanza.getChildText('body');
    return stanza.attrs.type === 'chat' && text ? [{ type: 'inbox.message', from: stanza.attrs.from ?? '', text }] : [];
  },
  logic: () =>
    fromCallback<InboxMessage, unknown, InboxMessage>(({ receive, emit }) => {
      receive((event) => emit(event));
    }),
  lifetime: 'session',
});

function describeState(client: XmppClient): string {
  const snapshot = client.getSnapshot();
  const view = selectConnection(snapshot);
  const children = Object.keys(snapshot.children).sort().join(', ');
  const online =
    view.status === 'online' ? ` as ${view.jid} (${view.mechanism}, stream management ${view.streamManagement ? 'on' : 'off'})` : '';
  return `session=${JSON.stringify(snapshot.value)} connection=${view.status}${online} actors=[${children}]`;
}

async function main() {
  const started = await startProsody();
  console.log(started ? 'Started the local Prosody.' : 'The local Prosody is already running.');
  for (const user of users) await registerUser(user.username, user.password, PROSODY_DOMAIN);

  const [alice, bob] = users.map((user) => {
    const client = createXmppClient(
      { service: user.service, domain: PROSODY_DOMAIN, username: user.username, password: user.password },
      { features: [...defaultFeatures, inbox] },
    );
    client.on('status', ({ connection }) => console.log(`  ${user.username.padEnd(10)} → ${connection.status}`));
    return client;
  }) as [XmppClient, XmppClient];

  console.log('\nConnecting (alice over TCP, bob over WebSocket):');
  await Promise.all([alice.start(), bob.start()]);

  const body = `Hello Bob, it is ${new Date().toISOString()}`;
  const incoming = new Promise<InboxMessage>((resolve) => {
    bob.actor.system.get(inbox.id)!.on('inbox.message', (event: InboxMessage) => resolve(event));
  });
  console.log(`\nalice sends: "${body}"`);
  alice.sendStanza(xml('message', { to: `demo-bob@${PROSODY_DOMAIN}`, type: 'chat' }, xml('body', {}, body)));
  const { text } = await incoming;
  console.log(`\nbob received: "${text}"`);

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
