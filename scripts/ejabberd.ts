/**
 * Helpers for the repo's local ejabberd (config/ejabberd/ejabberd.yml, managed by scripts/ejabberd.sh):
 * the second test server, for what only ejabberd has (MucSub, ejabberd's mod_muc, interop).
 *
 * Everything is loopback only. Ports are apart from the repo's Prosody (15222/15280), see scripts/prosody.ts.
 */
import { fileURLToPath } from 'node:url';
import { newTestUser, runScript as runServerScript, tryConnect, type TestUser } from './server-control.js';

export type { TestUser };

/** The one virtual host; passwords are stored in plain, so PLAIN and every SCRAM variant work. */
export const EJABBERD_DOMAIN = 'ejabberd.localhost';
/** mod_muc service: MucSub (`urn:xmpp:mucsub:0`) and MAM in every new room. */
export const EJABBERD_MUC_DOMAIN = 'conference.ejabberd.localhost';

export const EJABBERD_HOST = '127.0.0.1';
export const EJABBERD_C2S_PORT = 25222;
export const EJABBERD_HTTP_PORT = 25280;

export const EJABBERD_TCP_URL = `xmpp://${EJABBERD_HOST}:${EJABBERD_C2S_PORT}`;
export const EJABBERD_WS_URL = `ws://${EJABBERD_HOST}:${EJABBERD_HTTP_PORT}/xmpp-websocket`;
export const EJABBERD_BOSH_URL = `http://${EJABBERD_HOST}:${EJABBERD_HTTP_PORT}/http-bind`;

/** MucSub namespace, advertised by the MUC service and by rooms that allow subscriptions. */
export const NS_MUCSUB = 'urn:xmpp:mucsub:0';

/** Absolute path of scripts/ejabberd.sh (beside this file). */
export const EJABBERD_SCRIPT = fileURLToPath(new URL('./ejabberd.sh', import.meta.url));

const runScript = (args: readonly string[], timeoutMs: number) => runServerScript(EJABBERD_SCRIPT, args, timeoutMs);

/**
 * True if both the c2s and the HTTP (websocket/BOSH) ports accept connections.
 * Checks ports rather than the pidfile, so it also detects an externally managed server.
 */
export async function isEjabberdUp(): Promise<boolean> {
  const [c2s, http] = await Promise.all([
    tryConnect(EJABBERD_C2S_PORT, EJABBERD_HOST, 1000),
    tryConnect(EJABBERD_HTTP_PORT, EJABBERD_HOST, 1000),
  ]);
  return c2s && http;
}

/**
 * Starts the local ejabberd (installing it first if needed and possible). Idempotent.
 * @returns true if this call started it, false if it was already running.
 */
export async function startEjabberd(): Promise<boolean> {
  if (await isEjabberdUp()) return false;
  // Generous: the script waits up to 60 s, plus a possible apt-get install.
  await runScript(['start'], 300_000);
  return true;
}

/** Graceful stop (`ejabberdctl stop`, then SIGTERM/SIGKILL after grace periods). Idempotent. */
export async function stopEjabberd(): Promise<void> {
  await runScript(['stop'], 60_000);
}

/**
 * Creates `username@host` with `ejabberdctl register` (through the run directory's config), or resets the
 * password if the account exists. The server must be running: accounts live in its Mnesia database.
 */
export async function registerEjabberdUser(username: string, password: string, host: string = EJABBERD_DOMAIN): Promise<void> {
  await runScript(['register', username, password, host], 60_000);
}

/** Registers a fresh account `<prefix>-<time>-<random>@host` so every run gets new users. */
export async function uniqueEjabberdUser(prefix: string, host: string = EJABBERD_DOMAIN): Promise<TestUser> {
  const user = newTestUser(prefix, host);
  await registerEjabberdUser(user.username, user.password, host);
  return user;
}
