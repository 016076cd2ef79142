/**
 * A minimal hand-written XMPP client over plain TCP, for the benchmarks' floor and set-up work:
 * stream open → SASL PLAIN → restart → bind (→ initial presence), then raw writes and parsed
 * elements. No stream management, no reconnect, no TLS (the local Prosody offers none), no
 * middleware: what is left is the socket, the XML parser and the server.
 */
import { connect, type Socket } from 'node:net';
import { Parser, type Element } from '@xmpp/xml';
import { C2S_PORT, PROSODY_HOST, type TestUser } from '../../scripts/prosody.js';

export interface RawLogin {
  host: string;
  port: number;
  domain: string;
  username: string;
  password: string;
  /** Send `<presence/>` after binding (a receiver an app would run is available). */
  presence?: boolean;
}

export interface RawSession {
  /** The bound full JID. */
  jid: string;
  socket: Socket;
  /** Every top-level element after login. */
  onElement(fn: (el: Element) => void): void;
  /** Writes raw XML; resolves once the socket has taken it (flushed to the kernel). */
  write(data: string): Promise<void>;
  close(): Promise<void>;
}

const streamHeader = (domain: string) =>
  `<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`;

/** Escapes text and attribute values (the benchmarks' bodies and JIDs are plain, but stay correct). */
export const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** `rawLogin` as one of the local Prosody's accounts, over its loopback c2s port. */
export function rawLoginAs(user: Pick<TestUser, 'domain' | 'username' | 'password'>, presence = false): Promise<RawSession> {
  return rawLogin({ host: PROSODY_HOST, port: C2S_PORT, domain: user.domain, username: user.username, password: user.password, presence });
}

export async function rawLogin(options: RawLogin): Promise<RawSession> {
  const socket = connect({ host: options.host, port: options.port, noDelay: true });
  socket.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });

  let listener: ((el: Element) => void) | undefined;
  const pending: Array<(el: Element) => void> = [];
  let parser = new Parser();
  // A fresh parser per stream (the restart after SASL opens a new <stream:stream>).
  const attach = () => {
    parser = new Parser();
    parser.on('element', (el) => {
      const waiter = pending.shift();
      if (waiter) waiter(el);
      else listener?.(el);
    });
    parser.on('error', (err) => socket.destroy(err));
  };
  attach();
  socket.on('data', (chunk: string) => parser.write(chunk));

  const write = (data: string) => new Promise<void>((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
  const next = () => new Promise<Element>((resolve) => pending.push(resolve));
  const expect = async (name: string) => {
    const el = await next();
    if (el.name !== name) throw new Error(`raw client: expected <${name}/>, got ${el.toString().slice(0, 200)}`);
    return el;
  };

  await write(streamHeader(options.domain));
  await expect('stream:features');
  const plain = Buffer.from(`\0${options.username}\0${options.password}`).toString('base64');
  await write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${plain}</auth>`);
  await expect('success');
  attach();
  await write(streamHeader(options.domain));
  await expect('stream:features');
  await write(`<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`);
  const bound = await expect('iq');
  const jid = bound.getChild('bind')?.getChildText('jid');
  if (!jid) throw new Error(`raw client: bind failed: ${bound.toString()}`);
  if (options.presence) await write('<presence/>');

  return {
    jid,
    socket,
    onElement: (fn) => {
      listener = fn;
    },
    write,
    close: async () => {
      await write('</stream:stream>').catch(() => {});
      socket.end();
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        setTimeout(resolve, 2000).unref();
      });
    },
  };
}

const NS_SM = 'urn:xmpp:sm:3';

/**
 * Turns XEP-0198 on for a raw session, as every library in the benchmarks runs it: `<enable/>`,
 * inbound stanzas counted, each of Prosody's `<r/>` answered at once with `<a h/>`. Every other
 * element, including any that arrive before `<enabled/>`, goes to `onElement`.
 */
export async function enableStreamManagement(session: RawSession, onElement: (el: Element) => void): Promise<void> {
  let handled = 0;
  let counting = false;
  const enabled = new Promise<Element>((resolve) => {
    session.onElement((el) => {
      if (el.name === 'enabled' || el.name === 'failed') return resolve(el);
      // Prosody may still ask after the session is closed: nothing is left to answer then.
      if (el.name === 'r') return void session.write(`<a xmlns='${NS_SM}' h='${handled}'/>`).catch(() => {});
      if (counting && (el.name === 'message' || el.name === 'iq' || el.name === 'presence')) handled++;
      onElement(el);
    });
  });
  await session.write(`<enable xmlns='${NS_SM}'/>`);
  const reply = await enabled;
  if (reply.name !== 'enabled') throw new Error(`raw client: <enable/> answered with ${reply.toString().slice(0, 200)}`);
  counting = true;
}
