/**
 * Connects one demo user to the local Prosody with the Stately inspector attached.
 *
 *   npm run example:inspector              # serves the bridge on http://localhost:8080 for 60 s
 *   INSPECT_SECONDS=0 npm run example:inspector   # stay until Ctrl-C
 *
 * Open http://localhost:8080 in a browser to watch the session, connection, transport and
 * feature actors live. The inspector UI itself is loaded from stately.ai by that page; the
 * bridge and the client run locally. `@statelyai/inspect` is a dev dependency only: the
 * library takes any `inspect` observer and passes it to XState's `createActor` untouched.
 */
import { createWebSocketInspector } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import type { InspectionEvent } from 'xstate';
import { createXmppClient, selectConnection } from '../../src/index.js';
import { PROSODY_DOMAIN, WS_URL, registerUser, startProsody } from '../../scripts/prosody.js';

const port = Number(process.env.INSPECT_PORT ?? 8080);
const seconds = Number(process.env.INSPECT_SECONDS ?? 60);

async function main() {
  await startProsody();
  await registerUser('demo-inspected', 'demo-inspected-password', PROSODY_DOMAIN);

  const server = createInspectorServer({ port, autoOpen: false });
  const inspector = createWebSocketInspector({ url: `ws://localhost:${port}` });
  let forwarded = 0;
  const inspect = (event: InspectionEvent) => {
    forwarded++;
    inspector.inspect.next?.(event);
  };

  const client = createXmppClient({
    service: WS_URL,
    domain: PROSODY_DOMAIN,
    username: 'demo-inspected',
    password: 'demo-inspected-password',
    inspect,
  });
  client.on('status', ({ connection }) => console.log(`connection → ${connection.status}`));
  console.log(`Inspector bridge: open http://localhost:${port} in a browser.`);
  await client.start();
  console.log('online as', selectConnection(client.getSnapshot()).jid);

  await new Promise<void>((resolve) => {
    if (seconds > 0) setTimeout(resolve, seconds * 1000);
    process.once('SIGINT', () => resolve());
  });
  await client.stop();
  console.log(`forwarded ${forwarded} inspection events`);
  inspector.stop();
  server.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
