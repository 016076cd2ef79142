/**
 * The crowd of the group chat benchmark: raw-socket occupants that fill the rooms, and the sender of
 * the message bursts. They live in a child process of their own (bench/lib/muc-crowd-child.ts), so
 * that reading their sockets (hundreds of them, every one told of every join) is not counted as the
 * measured client's CPU, and so that the sender is the same for every client under test.
 *
 * The parent talks to it with request/answer messages over the fork IPC channel.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MUC_DOMAIN } from '../../scripts/prosody.js';

export const NS_MUC = 'http://jabber.org/protocol/muc';
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
export const NS_MUC_OWNER = 'http://jabber.org/protocol/muc#owner';

/** A fresh room JID on the local MUC service. */
export const roomJid = (name: string) => `${name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${Date.now().toString(36)}@${MUC_DOMAIN}`;

/** The nick of filler `i` (every filler joins every room with the same nick). */
export const fillerNick = (i: number) => `occupant-${String(i).padStart(4, '0')}`;

/** Body `i` of a burst: ~60 characters, distinct per burst and per message. */
export const burstBody = (prefix: string, i: number) => `${prefix} message ${i}: see you at the station after the meeting`;

export interface CrowdAccount {
  username: string;
  password: string;
  domain: string;
}

/** What the parent asks of the crowd. */
export type CrowdRequest =
  | { cmd: 'register'; accounts: CrowdAccount[] }
  | { cmd: 'login'; accounts: CrowdAccount[] }
  | { cmd: 'fill'; room: string; count: number }
  | { cmd: 'createRoom'; room: string; nick: string }
  | { cmd: 'prepare'; room: string; prefix: string; count: number }
  | { cmd: 'burst'; room: string }
  | { cmd: 'closeRoom'; room: string }
  | { cmd: 'close' };

export type CrowdAnswer<C extends CrowdRequest['cmd']> = C extends 'register' | 'login'
  ? { ms: number; sessions: number }
  : C extends 'fill'
    ? { ms: number; occupants: number }
    : C extends 'burst'
      ? { writtenMs: number }
      : { ms: number };

interface Envelope {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export class Crowd {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: Envelope) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.value);
      else w.reject(new Error(`crowd: ${m.error}`));
    });
    child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`crowd process exited (${code})`));
      this.waiting.clear();
    });
  }

  /** Forks the crowd process (with this process's node flags, i.e. the tsx loader). */
  static start(): Crowd {
    const child = fork(fileURLToPath(new URL('./muc-crowd-child.ts', import.meta.url)), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Crowd(child);
  }

  /** The crowd process's pid, to read its CPU from /proc. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  request<R extends CrowdRequest>(request: R): Promise<CrowdAnswer<R['cmd']>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, ...request });
    });
  }

  async close(): Promise<void> {
    await Promise.race([this.request({ cmd: 'close' }).catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    this.child.kill();
  }
}
