// After `npm run build`: the published entry points load in Node (ESM and CommonJS) and log in to
// the local Prosody with a fresh account. Run by .ci/run; needs `scripts/prosody.sh start` first.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const username = `dist-check-${process.pid}`;
const password = 'dist-check-password';
execFileSync('bash', [new URL('./prosody.sh', import.meta.url).pathname, 'register', username, password], { stdio: 'ignore' });

const esm = await import('../dist/index.js');
const cjs = require('../dist/index.cjs');
const targets = [
  ['ESM', esm, 'ws://127.0.0.1:15280/xmpp-websocket'],
  ['CommonJS', cjs, 'xmpp://127.0.0.1:15222'],
];
for (const [format, lib, service] of targets) {
  const client = lib.createXmppClient({ service, domain: 'localhost', username, password });
  const view = await client.start();
  await client.stop();
  console.log(`dist ${format}: logged in as ${view.jid} with ${view.mechanism} over ${service}`);
}

// `xmpp-adapter/testing`: a client on the fake server goes online, and its errors are the main
// entry's classes (both entries share one chunk).
for (const [format, testing, lib] of [
  ['ESM', await import('../dist/testing.js'), esm],
  ['CommonJS', require('../dist/testing.cjs'), cjs],
]) {
  const { client, connect } = testing.createTestClient();
  await connect();
  const sameClasses = client.messages.send('', 'x').then(
    () => false,
    (err) => err instanceof lib.XmppAdapterError,
  );
  if (!(await sameClasses)) throw new Error(`dist ${format} testing entry: errors are not the main entry's classes`);
  console.log(`dist ${format} testing: fake-server client online as ${client.getSnapshot().context.connection.jid}`);
}
