/**
 * The crowd process of the group chat benchmark (forked by bench/lib/muc-crowd.ts): registers and
 * logs in the raw-socket fillers, fills rooms with them, and creates the message rooms and sends the
 * bursts into them. Answers every request over IPC with `{ id, ok, value | error }`.
 *
 * Fillers never parse XML: once logged in, their sockets are scanned as text for the one thing they
 * wait for (their own presence, status 110, from the room they join), everything else is dropped as
 * it arrives. Each of the N-1 occupants of a room is told of every later join, so parsing would cost
 * this process ~N²/2 presences per room for nothing. The room's owner and the burst's sender parse
 * until their room is configured, then drop what comes (the sender gets its 5,000 messages back).
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Parser, type Element } from '@xmpp/xml';
import { C2S_PORT, PROSODY_HOST } from '../../scripts/prosody.js';
import { burstBody, fillerNick, NS_MUC, NS_MUC_OWNER, type CrowdAccount, type CrowdRequest } from './muc-crowd.js';
import { escapeXml, rawLogin, type RawSession } from './raw-xmpp.js';

const NS_REGISTER = 'jabber:iq:register';
const JOIN_TIMEOUT_MS = 120_000;
const LOGIN_CONCURRENCY = 24;

/** XEP-0077 in-band registration (the local Prosody allows it, loopback is exempt from its throttle). */
function registerInBand(account: CrowdAccount): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: PROSODY_HOST, port: C2S_PORT, noDelay: true });
    socket.setEncoding('utf8');
    const parser = new Parser();
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    parser.on('element', (el: Element) => {
      if (el.name === 'stream:features') {
        socket.write(
          `<iq type='set' id='reg'><query xmlns='${NS_REGISTER}'><username>${escapeXml(account.username)}</username>` +
            `<password>${escapeXml(account.password)}</password></query></iq>`,
        );
      } else if (el.name === 'iq' && el.attrs.id === 'reg') {
        socket.end('</stream:stream>');
        if (el.attrs.type === 'result') resolve();
        else fail(new Error(`registering ${account.username}: ${el.toString().slice(0, 300)}`));
      }
    });
    parser.on('error', fail);
    socket.on('data', (chunk: string) => parser.write(chunk));
    socket.on('error', fail);
    socket.on('connect', () =>
      socket.write(
        `<?xml version='1.0'?><stream:stream to='${account.domain}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`,
      ),
    );
  });
}

async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

interface Waiter {
  room: string;
  resolve(): void;
  reject(err: Error): void;
}

/** A filler: its socket scanned as text for its own presence from a room, never parsed. */
class Filler {
  private carry = '';
  private waiter: Waiter | undefined;

  constructor(readonly session: RawSession) {
    session.socket.removeAllListeners('data');
    session.socket.on('data', (chunk: string) => this.scan(chunk));
  }

  /** Joins `room` as `nick`; resolves on our presence (110) from it. */
  join(room: string, nick: string): Promise<void> {
    const joined = new Promise<void>((resolve, reject) => {
      this.carry = '';
      this.waiter = { room, resolve, reject };
    });
    void this.session.write(`<presence to='${escapeXml(`${room}/${nick}`)}'><x xmlns='${NS_MUC}'/></presence>`);
    return joined;
  }

  private scan(chunk: string): void {
    const w = this.waiter;
    if (!w) return;
    const text = this.carry + chunk;
    const from = `from='${w.room}/`;
    // The presence a match sits in: from its `<presence` to the match (Prosody quotes attributes with ').
    const inRoomPresence = (at: number) => {
      const start = text.lastIndexOf('<presence', at);
      return start >= 0 && text.slice(start, at).includes(from) ? start : -1;
    };
    for (let at = text.indexOf("code='110'"); at >= 0; at = text.indexOf("code='110'", at + 1)) {
      if (inRoomPresence(at) < 0) continue;
      this.waiter = undefined;
      this.carry = '';
      w.resolve();
      return;
    }
    for (let at = text.indexOf("type='error'"); at >= 0; at = text.indexOf("type='error'", at + 1)) {
      // An error presence carries type='error' in its opening tag, with the room's from beside it.
      const start = text.lastIndexOf('<presence', at);
      const end = text.indexOf('>', at);
      if (start < 0 || end < 0 || !text.slice(start, end).includes(from)) continue;
      this.waiter = undefined;
      w.reject(new Error(`join refused: ${text.slice(start, start + 400)}`));
      return;
    }
    this.carry = text.slice(-4096);
  }
}

/** After its room is set up, an owner or sender drops whatever it receives. */
function stopParsing(session: RawSession): void {
  session.socket.removeAllListeners('data');
  session.socket.on('data', () => {});
}

function nextMatching(session: RawSession, match: (el: Element) => boolean): Promise<Element> {
  return new Promise((resolve) => session.onElement((el) => match(el) && resolve(el)));
}

/**
 * Creates `room` as `nick` (XEP-0045 §10.1) and configures it: the default configuration with the
 * room's archive (mod_muc_mam, `muc#roomconfig_enablearchiving`) switched off.
 */
async function createRoom(session: RawSession, room: string, nick: string): Promise<void> {
  const self = nextMatching(
    session,
    (el) =>
      el.name === 'presence' &&
      el.attrs.from === `${room}/${nick}` &&
      (el.attrs.type === 'error' ||
        el
          .getChild('x', `${NS_MUC}#user`)
          ?.getChildren('status')
          .some((s) => s.attrs.code === '110') === true),
  );
  await session.write(`<presence to='${escapeXml(`${room}/${nick}`)}'><x xmlns='${NS_MUC}'/></presence>`);
  const presence = await self;
  if (presence.attrs.type === 'error') throw new Error(`creating ${room}: ${presence.toString().slice(0, 300)}`);
  const created = presence
    .getChild('x', `${NS_MUC}#user`)
    ?.getChildren('status')
    .some((s) => s.attrs.code === '201');
  if (!created) throw new Error(`${room} already existed`);
  const id = `cfg-${randomBytes(4).toString('hex')}`;
  const answer = nextMatching(session, (el) => el.name === 'iq' && el.attrs.id === id);
  await session.write(
    `<iq type='set' to='${escapeXml(room)}' id='${id}'><query xmlns='${NS_MUC_OWNER}'><x xmlns='jabber:x:data' type='submit'>` +
      `<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>` +
      `<field var='muc#roomconfig_enablearchiving'><value>0</value></field></x></query></iq>`,
  );
  const iq = await answer;
  if (iq.attrs.type !== 'result') throw new Error(`configuring ${room}: ${iq.toString().slice(0, 300)}`);
  stopParsing(session);
}

const fillers: Filler[] = [];
let owner: CrowdAccount | undefined;
/** Owner / sender sessions by room. */
const roomSessions = new Map<string, RawSession>();
/** Bursts built ahead of their timing, by room. */
const bursts = new Map<string, string>();

const loginAs = (account: CrowdAccount) =>
  rawLogin({ host: PROSODY_HOST, port: C2S_PORT, domain: account.domain, username: account.username, password: account.password });

async function handle(request: CrowdRequest): Promise<unknown> {
  const t0 = performance.now();
  switch (request.cmd) {
    case 'register': {
      await pool(request.accounts, LOGIN_CONCURRENCY, registerInBand);
      return { ms: performance.now() - t0, sessions: request.accounts.length };
    }
    case 'login': {
      // The first account owns the rooms and sends the bursts (a fresh session each time); the others fill rooms.
      const [first, ...rest] = request.accounts;
      owner = first;
      const sessions = await pool(rest, LOGIN_CONCURRENCY, loginAs);
      fillers.push(...sessions.map((s) => new Filler(s)));
      return { ms: performance.now() - t0, sessions: fillers.length };
    }
    case 'fill': {
      // The owner is occupant 1, fillers the other count - 1; all fillers join at once (each its own socket).
      if (!owner) throw new Error('not logged in');
      if (request.count - 1 > fillers.length) throw new Error(`${request.count - 1} fillers needed, ${fillers.length} logged in`);
      const session = await loginAs(owner);
      await createRoom(session, request.room, 'owner');
      roomSessions.set(request.room, session);
      const joins = fillers.slice(0, request.count - 1).map((f, i) => f.join(request.room, fillerNick(i)));
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(joins),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`filling ${request.room}: timeout`)), JOIN_TIMEOUT_MS))),
      ]).finally(() => clearTimeout(timer));
      return { ms: performance.now() - t0, occupants: request.count };
    }
    case 'createRoom': {
      if (!owner) throw new Error('not logged in');
      const session = await loginAs(owner);
      await createRoom(session, request.room, request.nick);
      roomSessions.set(request.room, session);
      return { ms: performance.now() - t0 };
    }
    case 'prepare': {
      const to = escapeXml(request.room);
      let xml = '';
      for (let i = 0; i < request.count; i++)
        xml += `<message type='groupchat' to='${to}' id='${request.prefix}-${i}'><body>${escapeXml(burstBody(request.prefix, i))}</body></message>`;
      bursts.set(request.room, xml);
      return { ms: performance.now() - t0 };
    }
    case 'burst': {
      const session = roomSessions.get(request.room);
      const xml = bursts.get(request.room);
      if (!session || xml === undefined) throw new Error(`no session or no prepared burst in ${request.room}`);
      bursts.delete(request.room);
      // One write: Prosody reads it as fast as it routes, the same for every client under test.
      await session.write(xml);
      return { writtenMs: performance.now() - t0 };
    }
    case 'closeRoom': {
      const session = roomSessions.get(request.room);
      roomSessions.delete(request.room);
      await session?.close();
      return { ms: performance.now() - t0 };
    }
    case 'close': {
      await Promise.all([...fillers.map((f) => f.session.close()), ...[...roomSessions.values()].map((s) => s.close())]);
      return { ms: performance.now() - t0 };
    }
  }
}

process.on('message', (message: CrowdRequest & { id: number }) => {
  handle(message).then(
    (value) => process.send?.({ id: message.id, ok: true, value }),
    (err: unknown) => process.send?.({ id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
