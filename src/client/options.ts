import type { InspectionEvent, Observer } from 'xstate';
import { InvalidOptionsError } from '../errors.js';
import { isDomain, parseJid } from '../jid.js';
import type { FastToken } from '../sasl/login-memory.js';
import { MECHANISM_PREFERENCE, type MechanismName } from '../sasl/mechanism.js';
import { DEFAULT_MESSAGES_IN_MEMORY } from '../store/message-store.js';
import { DEFAULT_MAX_STANZA_BYTES } from '../wire/limits.js';

export interface Logger {
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

export type ServiceScheme = 'ws:' | 'wss:' | 'xmpp:' | 'xmpps:';

/** Options of `createXmppClient`. */
export interface XmppClientOptions {
  /**
   * Where to connect: `ws://`, `wss://` (WebSocket, RFC 7395), `xmpp://host:port` (TCP with STARTTLS
   * when offered) or `xmpps://host:port` (direct TLS, certificate checked against `domain`).
   *
   * Optional when `domain` is given. Without it, Node looks up the domain's DNS SRV records before
   * every connection attempt — `_xmpps-client._tcp` (direct TLS, XEP-0368) and `_xmpp-client._tcp`
   * (STARTTLS, RFC 6120 §3.2.1), mixed by priority and weight — and tries them in order until one
   * connects; a domain without records is tried on port 5222. A browser cannot query SRV records:
   * there the domain's host-meta (XEP-0156, see `discoverService`) names a WebSocket endpoint.
   */
  service?: string;
  /** The account's domain. Required when `service` is omitted. @default the host name of `service` */
  domain?: string;
  /** The account's localpart (the part before `@`). */
  username: string;
  /** Required unless `fast.token` is given (then the password is only the fallback when the token is refused). */
  password?: string;
  /**
   * FAST token logins (XEP-0484) on servers that offer SASL2 with FAST: the password login asks
   * for a token, and later logins (every reconnect, and the next app start when the token is saved)
   * send the token instead of the password, in one round trip. `false` never asks for one.
   */
  fast?: FastOptions | false;
  /** The resource to bind; the server picks one when omitted. */
  resource?: string;
  /** Passed to XState's `createActor` untouched, e.g. `createBrowserInspector().inspect`. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  reconnect?: {
    /** Smallest wait before a reconnect attempt, in ms. @default 1000 */
    minDelay?: number;
    /** Largest wait before a reconnect attempt, in ms. @default 30000 */
    maxDelay?: number;
    /** A session online this long resets the backoff, in ms. @default 60000 */
    stableAfter?: number;
  };
  keepalive?: {
    /** How often to probe a quiet connection, in ms. @default 30000 */
    interval?: number;
    /** How long a probe may go unanswered before the connection counts as dead, in ms. @default 10000 */
    timeout?: number;
  };
  /** Bound for one connect + authenticate + bind attempt, in ms. @default 20000 */
  connectTimeout?: number;
  /** Default timeout of IQ requests, in ms. @default 15000 */
  iqTimeout?: number;
  /**
   * Allow SASL PLAIN over a connection that is neither encrypted nor to a loopback host.
   * Off by default: the password would cross the network in the clear.
   * @default false
   */
  allowPlainOverInsecure?: boolean;
  /**
   * The SASL mechanisms the client may use, e.g. `['SCRAM-SHA-256']` to refuse anything weaker.
   * Whatever is listed, the strongest mechanism the server offers wins.
   * @default ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']
   */
  mechanisms?: readonly MechanismName[];
  /** Send an available presence (with entity capabilities) when a fresh session starts. @default true */
  initialPresence?: boolean;
  /** Name and version answered to XEP-0092 queries. @default { name: 'xmpp-adapter', version: <package version> } */
  software?: { name: string; version: string; os?: string };
  /** Receives the library's diagnostics. @default silent */
  logger?: Logger;
  /**
   * DNS used to find the service when `service` is omitted (Node only), mainly for tests and
   * private networks: `servers` replaces the system's DNS servers for the SRV queries, e.g.
   * `['10.0.0.53', '[2001:db8::53]:5353']`. The SRV targets' addresses still come from the system
   * resolver.
   */
  dns?: { servers?: readonly string[] };
  /** Bounds on what the network can make the client hold. */
  limits?: {
    /** The largest inbound stanza, in bytes; a bigger one ends the stream (`policy-violation`). @default 1 MiB */
    maxStanzaBytes?: number;
    /**
     * Messages each conversation and room keeps in memory. Past it the oldest are forgotten a chunk
     * at a time (they stay in the server's archive: scrollback brings them back). @default 10000
     */
    messagesInMemory?: number;
  };
}

/** See {@link XmppClientOptions.fast}. */
export interface FastOptions {
  /**
   * A stable id of this installation, sent as the SASL2 user-agent id (XEP-0388): servers tie FAST
   * tokens (and Bind2 resources) to it, so save it with the token. @default a random id per client
   */
  userAgentId?: string;
  /** A token saved from an earlier session: the first login tries it before the password. */
  token?: FastToken;
  /**
   * Receives each token the server issues, and `undefined` when the server refused the current
   * one. Keep it as safely as a password (XEP-0484 §5.1: never in a UI, a backup or an export).
   */
  onToken?(token: FastToken | undefined): void;
}

export interface ResolvedOptions {
  /**
   * The service of the first attempt. When `discover` is set it is `xmpp://<domain>`, a stand-in
   * for "the endpoints DNS (or host-meta) names at this attempt" that the transport resolves.
   */
  service: string;
  /** No `service` was given: the transport finds the endpoints of `domain` before each attempt. */
  discover: boolean;
  dns: { servers: readonly string[] | undefined };
  scheme: ServiceScheme;
  host: string;
  domain: string;
  username: string;
  password: string | undefined;
  fast: { enabled: boolean; userAgentId: string | undefined; token: FastToken | undefined; onToken: FastOptions['onToken'] };
  resource: string | undefined;
  reconnect: { minDelay: number; maxDelay: number; stableAfter: number };
  keepalive: { interval: number; timeout: number };
  connectTimeout: number;
  iqTimeout: number;
  allowPlainOverInsecure: boolean;
  mechanisms: readonly MechanismName[];
  initialPresence: boolean;
  software: { name: string; version: string; os?: string };
  logger: Logger;
  limits: { maxStanzaBytes: number; messagesInMemory: number };
}

export const LIBRARY_VERSION = '0.1.0';

const SCHEMES: readonly ServiceScheme[] = ['ws:', 'wss:', 'xmpp:', 'xmpps:'];

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function positiveMs(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionsError(option, `expected a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function positiveCount(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionsError(option, `expected a positive whole number, got ${String(value)}`);
  }
  return value;
}

function requiredString(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionsError(option, 'a non-empty string is required');
  }
  return value;
}

function resolveMechanisms(mechanisms: readonly MechanismName[] | undefined): readonly MechanismName[] {
  if (mechanisms === undefined) return MECHANISM_PREFERENCE;
  const unknown = Array.isArray(mechanisms) ? mechanisms.filter((m) => !MECHANISM_PREFERENCE.includes(m)) : ['(not a list)'];
  if (unknown.length > 0 || mechanisms.length === 0) {
    throw new InvalidOptionsError(
      'mechanisms',
      `expected a non-empty list of ${MECHANISM_PREFERENCE.join(', ')}; got ${unknown.join(', ') || 'none'}`,
    );
  }
  return mechanisms;
}

/** An IPv4 or IPv6 address, optionally with a port (`[v6]:port` for IPv6): what `Resolver.setServers` takes. */
const DNS_SERVER = /^(?:\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?|\[[0-9a-f:.]+\](?::\d{1,5})?|[0-9a-f]*:[0-9a-f:.]*)$/i;

function resolveFast(fast: XmppClientOptions['fast']): ResolvedOptions['fast'] {
  if (fast === false) return { enabled: false, userAgentId: undefined, token: undefined, onToken: undefined };
  if (fast === undefined) return { enabled: true, userAgentId: undefined, token: undefined, onToken: undefined };
  if (fast === null || typeof fast !== 'object') throw new InvalidOptionsError('fast', 'expected an object or false');
  const { userAgentId, token, onToken } = fast;
  if (userAgentId !== undefined && (typeof userAgentId !== 'string' || userAgentId.trim() === '' || userAgentId.length > 256)) {
    throw new InvalidOptionsError('fast.userAgentId', 'expected a non-empty string of at most 256 characters');
  }
  if (token !== undefined) {
    const valid =
      token !== null &&
      typeof token === 'object' &&
      [token.mechanism, token.token, token.expiry].every((field) => typeof field === 'string' && field !== '');
    if (!valid) throw new InvalidOptionsError('fast.token', 'expected { mechanism, token, expiry } as saved from onToken');
  }
  if (onToken !== undefined && typeof onToken !== 'function') throw new InvalidOptionsError('fast.onToken', 'expected a function');
  return { enabled: true, userAgentId, token, onToken };
}

function resolveDnsServers(dns: XmppClientOptions['dns']): readonly string[] | undefined {
  if (dns === undefined) return undefined;
  if (dns === null || typeof dns !== 'object') throw new InvalidOptionsError('dns', 'expected an object');
  const servers = dns.servers;
  if (servers === undefined) return undefined;
  if (!Array.isArray(servers) || servers.length === 0) {
    throw new InvalidOptionsError('dns.servers', 'expected a non-empty list of IP addresses');
  }
  for (const server of servers) {
    if (typeof server !== 'string' || !DNS_SERVER.test(server)) {
      throw new InvalidOptionsError('dns.servers', `"${String(server)}" is not an IP address (with an optional port)`);
    }
  }
  return [...servers];
}

/** Checks every option and fills in defaults; throws `InvalidOptionsError` before any I/O. */
export function resolveOptions(options: XmppClientOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionsError('options', 'an options object is required');
  }
  // Without a service, the domain names where to look (SRV records, or host-meta in a browser).
  const discover = options.service === undefined || options.service === null;
  let service: string;
  if (discover) {
    if (options.domain === undefined || options.domain === null) {
      throw new InvalidOptionsError('service', 'give a service URL, or a domain to find the service of');
    }
    const named = requiredString('domain', options.domain).toLowerCase();
    if (!isDomain(named)) throw new InvalidOptionsError('domain', `"${named}" is not a valid domain`);
    service = `xmpp://${named}`;
  } else {
    service = requiredString('service', options.service);
  }
  let url: URL;
  try {
    url = new URL(service);
  } catch {
    throw new InvalidOptionsError('service', `"${service}" is not a URL (expected ws://, wss://, xmpp:// or xmpps://)`);
  }
  const scheme = url.protocol as ServiceScheme;
  if (!SCHEMES.includes(scheme)) {
    throw new InvalidOptionsError('service', `unsupported scheme "${url.protocol}" (expected ws:, wss:, xmpp: or xmpps:)`);
  }
  if (!url.hostname) throw new InvalidOptionsError('service', `"${service}" has no host`);

  const domain = (options.domain ?? url.hostname).toLowerCase();
  if (!isDomain(domain)) throw new InvalidOptionsError('domain', `"${domain}" is not a valid domain`);

  const username = requiredString('username', options.username);
  if (!parseJid(`${username}@${domain}`)) {
    throw new InvalidOptionsError('username', `"${username}" is not a valid JID localpart`);
  }
  const fast = resolveFast(options.fast);
  const password = fast.token && options.password === undefined ? undefined : requiredString('password', options.password);
  if (options.resource !== undefined && !parseJid(`${domain}/${options.resource}`)) {
    throw new InvalidOptionsError('resource', `"${options.resource}" is not a valid resource`);
  }

  const minDelay = positiveMs('reconnect.minDelay', options.reconnect?.minDelay, 1000);
  const maxDelay = positiveMs('reconnect.maxDelay', options.reconnect?.maxDelay, 30_000);
  if (maxDelay < minDelay) throw new InvalidOptionsError('reconnect.maxDelay', 'must not be smaller than reconnect.minDelay');

  return {
    service,
    discover,
    dns: { servers: resolveDnsServers(options.dns) },
    scheme,
    host: url.hostname,
    domain,
    username,
    password,
    fast,
    resource: options.resource,
    reconnect: { minDelay, maxDelay, stableAfter: positiveMs('reconnect.stableAfter', options.reconnect?.stableAfter, 60_000) },
    keepalive: {
      interval: positiveMs('keepalive.interval', options.keepalive?.interval, 30_000),
      timeout: positiveMs('keepalive.timeout', options.keepalive?.timeout, 10_000),
    },
    connectTimeout: positiveMs('connectTimeout', options.connectTimeout, 20_000),
    iqTimeout: positiveMs('iqTimeout', options.iqTimeout, 15_000),
    allowPlainOverInsecure: options.allowPlainOverInsecure === true,
    mechanisms: resolveMechanisms(options.mechanisms),
    initialPresence: options.initialPresence !== false,
    software: options.software ?? { name: 'xmpp-adapter', version: LIBRARY_VERSION },
    logger: options.logger ?? silentLogger,
    limits: {
      maxStanzaBytes: positiveCount('limits.maxStanzaBytes', options.limits?.maxStanzaBytes, DEFAULT_MAX_STANZA_BYTES),
      messagesInMemory: positiveCount('limits.messagesInMemory', options.limits?.messagesInMemory, DEFAULT_MESSAGES_IN_MEMORY),
    },
  };
}
