/**
 * Helpers for the repo's local ejabberd (config/ejabberd/ejabberd.yml, managed by scripts/ejabberd.sh):
 * the second test server, for what only ejabberd has (MucSub, ejabberd's mod_muc, interop).
 *
 * Everything is loopback only. Ports are apart from the repo's Prosody (15222/15280), see scripts/prosody.ts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestUser } from './prosody.js';

export type { TestUser } from './prosody.js';

const execFileAsync = promisify(execFile);

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

interface ExecFailure {
  code?: number | string | null;
  signal?: NodeJS.Signals | null;
  stdout?: string;
  stderr?: string;
  message: string;
}

function isExecFailure(err: unknown): err is ExecFailure {
  return typeof err === 'object' && err !== null && 'message' in err;
}

async function runScript(args: readonly string[], timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await execFileAsync(EJABBERD_SCRIPT, [...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
      env: process.env,
    });
    return stdout;
  } catch (err: unknown) {
    if (!isExecFailure(err)) throw err;
    const output = [err.stderr, err.stdout]
      .filter((s): s is string => typeof s === 'string' && s.trim() !== '')
      .join('\n')
      .trim();
    const exit = err.signal ? `signal ${err.signal}` : `exit code ${String(err.code)}`;
    throw new Error(`scripts/ejabberd.sh ${args[0] ?? ''} failed (${exit})${output ? `:\n${output}` : ''}`, {
      cause: err,
    });
  }
}

/** Resolves true as soon as `127.0.0.1:port` accepts a TCP connection, false when the attempt fails. */
function tryConnect(port: number, attemptTimeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: EJABBERD_HOST });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(attemptTimeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * True if both the c2s and the HTTP (websocket/BOSH) ports accept connections.
 * Checks ports rather than the pidfile, so it also detects an externally managed server.
 */
export async function isEjabberdUp(): Promise<boolean> {
  const [c2s, http] = await Promise.all([tryConnect(EJABBERD_C2S_PORT, 1000), tryConnect(EJABBERD_HTTP_PORT, 1000)]);
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
  const clean = prefix.toLowerCase().replace(/[^a-z0-9._-]/g, '-') || 'user';
  const username = `${clean}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  await registerEjabberdUser(username, password, host);
  return { username, password, jid: `${username}@${host}`, domain: host };
}
