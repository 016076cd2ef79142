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
