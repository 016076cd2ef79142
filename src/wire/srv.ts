// Where to connect for a domain, from its DNS SRV records: RFC 6120 §3.2 (_xmpp-client, STARTTLS)
// and XEP-0368 (_xmpps-client, direct TLS). Node only: platform.ts uses it, the browser build never
// sees it (browsers cannot query SRV records; they read host-meta instead, see host-meta.ts).
import type { SrvRecord } from 'node:dns';
import { XmppAdapterError } from '../errors.js';

/** `direct`: TLS from the first byte (`xmpps://`); `starttls`: plain TCP upgraded after the stream opens (`xmpp://`). */
export type TlsMode = 'direct' | 'starttls';

/** One place to try, in the order they should be tried. */
export interface Endpoint {
  url: string;
  tls: TlsMode;
}

/** The one method used of `node:dns/promises`' `Resolver`, so tests can pass their own. */
export interface SrvResolver {
  resolveSrv(name: string): Promise<SrvRecord[]>;
}

export interface SrvOptions {
  resolver: SrvResolver;
  /** A number in [0, 1), as `Math.random` gives; tests pass a fixed sequence. @default Math.random */
  random?: () => number;
}

/** The `xmpp-client` port of RFC 6120 §3.2.2's fallback. */
export const DEFAULT_CLIENT_PORT = 5222;

/** The answer to one SRV query. */
export type SrvLookup =
  /** Usable records (the "." record left out). */
  | { kind: 'records'; records: readonly SrvRecord[] }
  /** A single record with target "." (RFC 2782: the service is decidedly not available at this domain). */
  | { kind: 'unavailable' }
  /** The name has no SRV records (NXDOMAIN or no data). */
  | { kind: 'none' }
  /** No usable answer came back (timeout, server failure, refused). */
  | { kind: 'failed'; message: string };

/** DNS error codes that are an answer ("there is nothing"), not a failure to get one. */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND', 'NODATA']);

function isNoTarget(record: SrvRecord): boolean {
  return record.name === '' || record.name === '.';
}

/** Runs one SRV query and sorts its outcome into the four cases the selection cares about. */
export async function lookupSrv(resolver: SrvResolver, name: string): Promise<SrvLookup> {
  let records: SrvRecord[];
  try {
    records = await resolver.resolveSrv(name);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && NO_RECORDS.has(code)) return { kind: 'none' };
    return { kind: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
  if (records.length === 1 && isNoTarget(records[0]!)) return { kind: 'unavailable' };
  const usable = records.filter((r) => !isNoTarget(r) && Number.isInteger(r.port) && r.port > 0 && r.port < 65536);
  return usable.length > 0 ? { kind: 'records', records: usable } : { kind: 'none' };
}

/**
 * RFC 2782's order: ascending priority; within one priority, a weighted random draw repeated until
 * every record is placed (records of weight 0 go first in the running sum, so they are picked only
 * rarely, and still always placed).
 */
export function orderByPriorityAndWeight<T extends { priority: number; weight: number }>(
  records: readonly T[],
  random: () => number = Math.random,
): T[] {
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  const ordered: T[] = [];
  for (const priority of priorities) {
    const remaining = records.filter((r) => r.priority === priority).sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1));
    while (remaining.length > 0) {
      const total = remaining.reduce((sum, r) => sum + Math.max(0, r.weight), 0);
      // A whole number from 0 to total, both included, as RFC 2782 describes.
      const draw = Math.min(total, Math.floor(random() * (total + 1)));
      let running = 0;
      let index = remaining.length - 1;
      for (let i = 0; i < remaining.length; i++) {
        running += Math.max(0, remaining[i]!.weight);
        if (running >= draw) {
          index = i;
          break;
        }
      }
      ordered.push(remaining.splice(index, 1)[0]!);
    }
  }
  return ordered;
}

function hostForUrl(host: string): string {
  const bare = host.endsWith('.') ? host.slice(0, -1) : host;
  return bare.includes(':') ? `[${bare}]` : bare.toLowerCase();
}

function endpointOf(record: SrvRecord, tls: TlsMode): Endpoint {
  const scheme = tls === 'direct' ? 'xmpps' : 'xmpp';
  return { url: `${scheme}://${hostForUrl(record.name)}:${record.port}`, tls };
}

/** The RFC 6120 §3.2.2 fallback: the domain itself on the xmpp-client port, STARTTLS. */
export function fallbackEndpoint(domain: string): Endpoint {
  return { url: `xmpp://${hostForUrl(domain)}:${DEFAULT_CLIENT_PORT}`, tls: 'starttls' };
}

/**
 * Combines the answers for `_xmpps-client._tcp` (direct TLS) and `_xmpp-client._tcp` (STARTTLS)
 * into the order to try. Throws `feature-failed` when DNS says the domain offers no client service.
 */
export function selectEndpoints(domain: string, direct: SrvLookup, starttls: SrvLookup, random: () => number = Math.random): Endpoint[] {
  // XEP-0368 §3 (1): "Both 'xmpp-' and 'xmpps-' records SHOULD be treated as the same record with
  // regard to connection order as specified by RFC 2782, in that all priorities and weights are mixed."
  // XEP-0368 §3 (2): "Where 'service' starts with 'xmpps-' the client or server MUST connect with
  // direct TLS enabled."
  // XEP-0368 §3 (3): "Where 'service' starts with 'xmpp-' the client or server MUST NOT connect with
  // direct TLS enabled".
  const tagged = [
    ...(direct.kind === 'records' ? direct.records.map((record) => ({ record, tls: 'direct' as const })) : []),
    ...(starttls.kind === 'records' ? starttls.records.map((record) => ({ record, tls: 'starttls' as const })) : []),
  ];
  if (tagged.length > 0) {
    const ordered = orderByPriorityAndWeight(
      tagged.map((t) => ({ ...t, priority: t.record.priority, weight: t.record.weight })),
      random,
    );
    // RFC 6120 §3.2.1: once SRV records were received, failing to connect to all of them does not
    // lead to the A/AAAA fallback, so the list ends here.
    return ordered.map((t) => endpointOf(t.record, t.tls));
  }
  // XEP-0368 §5: with an _xmpps-client target of ".", "the initiating party SHOULD look up
  // _xmpp-client (or _xmpp-server) records. The initiating party MUST NOT perform A/AAAA fallback
  // as per RFC 6120". The _xmpp-client answer was looked at above; nothing usable came of it.
  if (direct.kind === 'unavailable' || starttls.kind === 'unavailable') {
    throw new XmppAdapterError('feature-failed', `DNS says ${domain} offers no XMPP client service (SRV target ".")`);
  }
  // RFC 6120 §3.2.2: no SRV records (or no answer at all): the domain itself, on port 5222.
  return [fallbackEndpoint(domain)];
}

/** An IPv4 or IPv6 literal has no SRV records to look up. */
function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/**
 * The endpoints of `domain` in the order to try them: both SRV record sets queried at once and
 * mixed (XEP-0368), or the domain on port 5222 when it has none (RFC 6120 §3.2.2).
 */
export async function resolveSrvEndpoints(domain: string, options: SrvOptions): Promise<Endpoint[]> {
  const name = domain.toLowerCase();
  if (isIpLiteral(name)) return [fallbackEndpoint(name)];
  const [direct, starttls] = await Promise.all([
    lookupSrv(options.resolver, `_xmpps-client._tcp.${name}`),
    lookupSrv(options.resolver, `_xmpp-client._tcp.${name}`),
  ]);
  return selectEndpoints(name, direct, starttls, options.random);
}
