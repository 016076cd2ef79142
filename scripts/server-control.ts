/**
 * What the TypeScript wrappers of the repo's server scripts (prosody.sh, ejabberd.sh) share:
 * running a script with a readable failure, probing a port, and making fresh test accounts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { basename } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** An account on a local test server. */
export interface TestUser {
  username: string;
  password: string;
  /** Bare JID: `username@domain`. */
  jid: string;
  /** Domain part of `jid`. */
  domain: string;
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

/** Runs `script args…` and resolves with its stdout; a failure says which command, how it ended and what it printed. */
export async function runScript(script: string, args: readonly string[], timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await execFileAsync(script, [...args], { encoding: 'utf8', timeout: timeoutMs, env: process.env });
    return stdout;
  } catch (err: unknown) {
    if (!isExecFailure(err)) throw err;
    const output = [err.stderr, err.stdout]
      .filter((s): s is string => typeof s === 'string' && s.trim() !== '')
      .join('\n')
      .trim();
    const exit = err.signal ? `signal ${err.signal}` : `exit code ${String(err.code)}`;
    throw new Error(`scripts/${basename(script)} ${args[0] ?? ''} failed (${exit})${output ? `:\n${output}` : ''}`, { cause: err });
  }
}

/** Resolves true as soon as `host:port` accepts a TCP connection, false when the attempt fails. */
export function tryConnect(port: number, host: string, attemptTimeoutMs: number): Promise<boolean> {
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

/** A fresh account name and password for `<prefix>-<time>-<random>@host` (not registered yet). */
export function newTestUser(prefix: string, host: string): TestUser {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9._-]/g, '-') || 'user';
  const username = `${clean}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  return { username, password, jid: `${username}@${host}`, domain: host };
}
