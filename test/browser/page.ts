// Runs inside headless Chromium: the browser build of the library logs in over WebSocket with
// the browser's own WebSocket and WebCrypto, pings the server and reports back to the test.
import { createXmppClient, selectConnection } from '../../src/index.js';

interface PageResult {
  statuses: string[];
  jid?: string;
  mechanism?: string;
  pingMs?: number;
  stopped?: string;
  error?: string;
}

declare global {
  interface Window {
    __result?: PageResult;
  }
}

const params = new URLSearchParams(location.hash.slice(1));
const result: PageResult = { statuses: [] };
const client = createXmppClient({
  service: params.get('service')!,
  domain: params.get('domain')!,
  username: params.get('username')!,
  password: params.get('password')!,
});
client.on('status', ({ connection }) => result.statuses.push(connection.status));

client
  .start()
  .then(async (view) => {
    result.jid = view.jid;
    result.mechanism = view.mechanism;
    result.pingMs = await client.ping();
    await client.stop();
    result.stopped = selectConnection(client.getSnapshot()).status;
  })
  .catch((err: unknown) => {
    result.error = err instanceof Error ? err.message : String(err);
  })
  .finally(() => {
    window.__result = result;
  });
