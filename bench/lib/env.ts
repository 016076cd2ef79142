/** Environment helpers shared by the benchmarks: settings from env, GC, Prosody facts. */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A positive integer from the environment, or `fallback`. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

let gcFn: (() => void) | undefined;
/**
 * Full garbage collection before a measured step, so that collecting an earlier step's garbage
 * does not land in the next measurement. Uses `--expose-gc` at run time (the npm script passes
 * no node flags); a no-op if that is refused.
 */
export function collectGarbage(): void {
  if (!gcFn) {
    try {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    } catch {
      gcFn = () => {};
    }
  }
  gcFn();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

export const PROSODY_RUN_DIR = process.env.XMPP_ADAPTER_RUN_DIR ?? '/tmp/xmpp-adapter-prosody';

/** The pid in Prosody's pidfile, to notice a restart (by someone else) during a run. */
export function prosodyPid(): string | undefined {
  try {
    return readFileSync(join(PROSODY_RUN_DIR, 'prosody.pid'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Prosody's file-store name encoding: everything but [A-Za-z0-9] becomes %xx. */
const encodeStoreName = (name: string) => name.replace(/[^a-zA-Z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** The SCRAM iteration count stored for an account, read from Prosody's data directory (best effort). */
export function scramIterations(username: string, host: string): number | undefined {
  try {
    const file = join(PROSODY_RUN_DIR, 'data', encodeStoreName(host), 'accounts', `${encodeStoreName(username)}.dat`);
    const match = /\["iteration_count"\]\s*=\s*(\d+)/.exec(readFileSync(file, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Above this, Prosody's data directory makes the server measurably slower (see describeProsody). */
const LARGE_DATA_MB = 100;

/** Megabytes in Prosody's data directory (accounts, SQLite archive), or undefined without one. */
export function prosodyDataMb(dir = join(PROSODY_RUN_DIR, 'data')): number | undefined {
  let bytes = 0;
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) bytes += statSync(child).size;
    }
  };
  try {
    walk(dir);
  } catch {
    return undefined;
  }
  return Math.round(bytes / 1e6);
}

/**
 * Warns when Prosody's data directory has grown past LARGE_DATA_MB. Every test and benchmark run
 * leaves accounts and archived messages behind; with 808 MB of them, Prosody took 1.7–2.2× as long
 * to page the same archive (raw-socket floor, `npm run bench -- mam`) as on a fresh directory.
 */
export function warnIfProsodyDataIsLarge(): void {
  const mb = prosodyDataMb();
  if (mb !== undefined && mb > LARGE_DATA_MB)
    console.warn(
      `warning: Prosody's data directory holds ${mb} MB, which slows the server down; ` +
        '`bash scripts/prosody.sh reset` starts it on a fresh one (all local accounts and archives are lost)',
    );
}

/** The report's Prosody line: version, pid (and a restart during the run), the data directory's size. */
export async function describeProsody(pidBefore: string | undefined, pidAfter: string | undefined, note?: string): Promise<string> {
  const restarted = pidAfter !== pidBefore ? ` → ${pidAfter ?? '?'}: RESTARTED during the run` : '';
  const data = prosodyDataMb();
  const parts = [`${await prosodyVersion()} (pid ${pidBefore ?? '?'}${restarted})`];
  if (data !== undefined) parts.push(`data directory ${data} MB after the run`);
  if (note) parts.push(note);
  return parts.join(', ');
}

/** The installed Prosody version (Debian package), best effort. */
export function prosodyVersion(): Promise<string> {
  return new Promise((resolve) => {
    execFile('dpkg-query', ['-W', '-f=${Version}', 'prosody'], { timeout: 5000 }, (err, stdout) => {
      resolve(err || !stdout.trim() ? 'unknown' : stdout.trim());
    });
  });
}

export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

/**
 * CPU time (user + system, ms) Prosody has used so far, from /proc (Linux), or undefined. The
 * server shares the machine with the clients: its share of a run tells client cost from server cost.
 */
export function prosodyCpuMs(pid = prosodyPid()): number | undefined {
  if (!pid) return undefined;
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15 (clock ticks, 100/s on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
