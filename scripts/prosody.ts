/**
 * Helpers for the repo's local Prosody (config/prosody/prosody.cfg.lua, managed by scripts/prosody.sh).
 *
 * Used by integration tests, the demo and benchmarks. Everything is loopback only.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Main virtual host; accounts store SCRAM-SHA-1 credentials. */
export const PROSODY_DOMAIN = 'localhost';
/** Virtual host with `password_hash = "SHA-256"`, so SCRAM-SHA-256 is offered. */
export const SHA256_DOMAIN = 'sha256.localhost';
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

export interface TestUser {
  /** Local part, e.g. `alice-lx3k9a-5f2c1e`. */
  username: string;
  password: string;
  /** Bare JID, e.g. `alice-lx3k9a-5f2c1e@localhost`. */
  jid: string;
  /** Domain part of `jid`. */
  domain: string;
}

export interface UserSpec {
  username: string;
  password: string;
  /** Defaults to {@link PROSODY_DOMAIN}. */
  host?: string;
}

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
    const { stdout } = await execFileAsync(PROSODY_SCRIPT, [...args], {
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
    throw new Error(`scripts/prosody.sh ${args[0] ?? ''} failed (${exit})${output ? `:\n${output}` : ''}`, {
      cause: err,
    });
  }
}

/** Resolves true as soon as `host:port` accepts a TCP connection, false when the attempt fails. */
function tryConnect(port: number, host: string, attemptTimeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
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

function makeUser(prefix: string, host: string): TestUser {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9._-]/g, '-') || 'user';
  const username = `${clean}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  return { username, password, jid: `${username}@${host}`, domain: host };
}

/** Registers a fresh account `<prefix>-<time>-<random>@host` so every run gets new users. */
export async function uniqueUser(prefix: string, host: string = PROSODY_DOMAIN): Promise<TestUser> {
  const user = makeUser(prefix, host);
  await registerUser(user.username, user.password, host);
  return user;
}

/** Like {@link uniqueUser} for several prefixes at once (registered concurrently, order preserved). */
export async function uniqueUsers(prefixes: readonly string[], host: string = PROSODY_DOMAIN): Promise<TestUser[]> {
  const users = prefixes.map((prefix) => makeUser(prefix, host));
  await registerUsers(users.map((u) => ({ username: u.username, password: u.password, host })));
  return users;
}
