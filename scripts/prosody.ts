/**
 * Helpers for the repo's local Prosody (config/prosody/prosody.cfg.lua, managed by scripts/prosody.sh).
 *
 * Used by integration tests, the demo and benchmarks. Everything is loopback only.
 */
import { fileURLToPath } from 'node:url';
import { newTestUser, runScript as runServerScript, tryConnect, type TestUser } from './server-control.js';

/** Main virtual host; accounts store SCRAM-SHA-1 credentials. */
export const PROSODY_DOMAIN = 'localhost';
/** Virtual host with `password_hash = "SHA-256"`, so SCRAM-SHA-256 is offered. */
export const SHA256_DOMAIN = 'sha256.localhost';
/** Virtual host with SASL2 (XEP-0388) and Bind2 (XEP-0386) from prosody-modules. */
export const SASL2_DOMAIN = 'sasl2.localhost';
/** MUC component (with MAM). */
export const MUC_DOMAIN = 'conference.localhost';
/** XEP-0363 HTTP file upload component. */
export const UPLOAD_DOMAIN = 'upload.localhost';

export const PROSODY_HOST = '127.0.0.1';
export const C2S_PORT = 15222;
export const HTTP_PORT = 15280;

export const TCP_URL = `xmpp://${PROSODY_HOST}:${C2S_PORT}`;
export const WS_URL = `ws://${PROSODY_HOST}:${HTTP_PORT}/xmpp-websocket`;
export const BOSH_URL = `http://${PROSODY_HOST}:${HTTP_PORT}/http-bind`;

/** Absolute path of scripts/prosody.sh (beside this file). */
export const PROSODY_SCRIPT = fileURLToPath(new URL('./prosody.sh', import.meta.url));

export type { TestUser };

export interface UserSpec {
  username: string;
  password: string;
  /** Defaults to {@link PROSODY_DOMAIN}. */
  host?: string;
}

const runScript = (args: readonly string[], timeoutMs: number) => runServerScript(PROSODY_SCRIPT, args, timeoutMs);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `127.0.0.1:port` accepts TCP connections.
 * @returns true if the port came up within `timeoutMs`, false otherwise.
 */
export async function waitForPort(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (await tryConnect(port, PROSODY_HOST, Math.max(50, Math.min(1000, remaining)))) return true;
    if (Date.now() + 100 > deadline) return false;
    await sleep(100);
  }
}

/**
 * True if both the c2s and the HTTP (websocket/BOSH) ports accept connections.
 * Checks ports rather than the pidfile, so it also detects an externally managed server.
 */
export async function isProsodyUp(): Promise<boolean> {
  const [c2s, http] = await Promise.all([tryConnect(C2S_PORT, PROSODY_HOST, 1000), tryConnect(HTTP_PORT, PROSODY_HOST, 1000)]);
  return c2s && http;
}

/**
 * Starts the local Prosody (installing it first if needed and possible). Idempotent.
 * @returns true if this call started it, false if it was already running.
 */
export async function startProsody(): Promise<boolean> {
  if (await isProsodyUp()) return false;
  // Generous: the script itself waits up to 15 s, plus a possible apt-get install.
  await runScript(['start'], 300_000);
  return true;
}

/** Graceful stop (SIGTERM, then SIGKILL after a grace period). Idempotent. */
export async function stopProsody(): Promise<void> {
  await runScript(['stop'], 30_000);
}

/** SIGKILL, for fault-injection tests (connections drop without a stream close). Idempotent. */
export async function killProsody(): Promise<void> {
  await runScript(['kill'], 15_000);
}

/** Creates `username@host`, or resets its password if it exists. Works while the server is running. */
export async function registerUser(username: string, password: string, host: string = PROSODY_DOMAIN): Promise<void> {
  await runScript(['register', username, password, host], 30_000);
}

/** Registers many accounts via prosodyctl, 4 processes at a time. Rejects with the first failure. */
export async function registerUsers(users: readonly UserSpec[], concurrency = 4): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < users.length) {
      const user = users[next++];
      if (user === undefined) return;
      await registerUser(user.username, user.password, user.host ?? PROSODY_DOMAIN);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, users.length)) }, () => worker());
  await Promise.all(workers);
}

/** Registers a fresh account `<prefix>-<time>-<random>@host` so every run gets new users. */
export async function uniqueUser(prefix: string, host: string = PROSODY_DOMAIN): Promise<TestUser> {
  const user = newTestUser(prefix, host);
  await registerUser(user.username, user.password, host);
  return user;
}

/** Like {@link uniqueUser} for several prefixes at once (registered concurrently, order preserved). */
export async function uniqueUsers(prefixes: readonly string[], host: string = PROSODY_DOMAIN): Promise<TestUser[]> {
  const users = prefixes.map((prefix) => newTestUser(prefix, host));
  await registerUsers(users.map((u) => ({ username: u.username, password: u.password, host })));
  return users;
}
