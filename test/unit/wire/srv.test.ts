import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { SrvRecord } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../scripts/random.js';
import {
  lookupSrv,
  orderByPriorityAndWeight,
  resolveSrvEndpoints,
  selectEndpoints,
  type SrvLookup,
  type SrvResolver,
} from '../../../src/wire/srv.js';
import { XmppStream, withTlsIdentity } from '../../../src/wire/xmpp-stream.js';

const srv = (name: string, port: number, priority = 0, weight = 0): SrvRecord => ({ name, port, priority, weight });

function dnsError(code: string): Error {
  return Object.assign(new Error(`querySrv ${code}`), { code });
}

/** A resolver answering from a table; a missing name is NXDOMAIN, an Error value is thrown. */
function fakeResolver(table: Record<string, SrvRecord[] | Error>): SrvResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async resolveSrv(name) {
      asked.push(name);
      const answer = table[name];
      if (answer === undefined) throw dnsError('ENOTFOUND');
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

/** Returns the given numbers in turn (then 0). */
const sequence =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0;

describe('orderByPriorityAndWeight (RFC 2782)', () => {
  it('puts lower priorities first whatever the weights', () => {
    const records = [srv('c', 1, 30, 100), srv('a', 1, 10, 0), srv('b', 1, 20, 5)];
    expect(orderByPriorityAndWeight(records, seededRandom(1)).map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('draws within a priority by running sums of the weights', () => {
    const records = [srv('light', 1, 0, 10), srv('heavy', 1, 0, 30)];
    // Sum 40: a draw from 0 to 40. Draw 0..10 picks "light" (running sum 10), 11..40 "heavy".
    expect(orderByPriorityAndWeight(records, sequence(0)).map((r) => r.name)).toEqual(['light', 'heavy']);
    expect(orderByPriorityAndWeight(records, sequence(10 / 41)).map((r) => r.name)).toEqual(['light', 'heavy']);
    expect(orderByPriorityAndWeight(records, sequence(11 / 41)).map((r) => r.name)).toEqual(['heavy', 'light']);
    expect(orderByPriorityAndWeight(records, sequence(0.999999)).map((r) => r.name)).toEqual(['heavy', 'light']);
  });

  it('picks each record first about as often as its weight says', () => {
    const records = [srv('one', 1, 0, 10), srv('three', 1, 0, 30), srv('six', 1, 0, 60)];
    const random = seededRandom(42);
    const first: Record<string, number> = { one: 0, three: 0, six: 0 };
    const runs = 20_000;
    for (let i = 0; i < runs; i++) first[orderByPriorityAndWeight(records, random)[0]!.name]!++;
    // Draws 0..100: "one" takes 0..10 (11/101), "three" 11..40 (30/101), "six" 41..100 (60/101).
    expect(first.one! / runs).toBeCloseTo(11 / 101, 1);
    expect(first.three! / runs).toBeCloseTo(30 / 101, 1);
    expect(first.six! / runs).toBeCloseTo(60 / 101, 1);
  });

  it('places weight-0 records first in the running sum, so a draw of 0 takes one and others rarely lose to them', () => {
    const records = [srv('weighted', 1, 0, 50), srv('zero', 1, 0, 0)];
    expect(orderByPriorityAndWeight(records, sequence(0)).map((r) => r.name)).toEqual(['zero', 'weighted']);
    expect(orderByPriorityAndWeight(records, sequence(0.5)).map((r) => r.name)).toEqual(['weighted', 'zero']);
    // Only zeros: the draw is always 0 and the order stays as given.
    const zeros = [srv('x', 1), srv('y', 1), srv('z', 1)];
    expect(orderByPriorityAndWeight(zeros, seededRandom(7)).map((r) => r.name)).toEqual(['x', 'y', 'z']);
  });

  it('places every record exactly once', () => {
    const records = Array.from({ length: 12 }, (_, i) => srv(`h${i}`, 5222, i % 3, (i * 7) % 5));
    const ordered = orderByPriorityAndWeight(records, seededRandom(3));
    expect(new Set(ordered)).toEqual(new Set(records));
    expect(ordered.map((r) => r.priority)).toEqual([...ordered.map((r) => r.priority)].sort());
  });
});

describe('lookupSrv', () => {
  it('sorts answers into records, unavailable ("."), none and failed', async () => {
    const resolver = fakeResolver({
      'a.test': [srv('xmpp.a.test', 5222)],
      'dot.test': [srv('.', 0)],
      'empty-target.test': [srv('', 0)],
      'nodata.test': dnsError('ENODATA'),
      'broken.test': dnsError('ESERVFAIL'),
      'timeout.test': dnsError('ETIMEOUT'),
    });
    expect(await lookupSrv(resolver, 'a.test')).toEqual({ kind: 'records', records: [srv('xmpp.a.test', 5222)] });
    expect(await lookupSrv(resolver, 'dot.test')).toEqual({ kind: 'unavailable' });
    expect(await lookupSrv(resolver, 'empty-target.test')).toEqual({ kind: 'unavailable' });
    expect(await lookupSrv(resolver, 'nodata.test')).toEqual({ kind: 'none' });
    expect(await lookupSrv(resolver, 'missing.test')).toEqual({ kind: 'none' });
    expect(await lookupSrv(resolver, 'broken.test')).toMatchObject({ kind: 'failed' });
    expect(await lookupSrv(resolver, 'timeout.test')).toMatchObject({ kind: 'failed' });
  });

  it('leaves out records that cannot be connected to', async () => {
    const resolver = fakeResolver({ 'a.test': [srv('.', 0), srv('ok.a.test', 5222), srv('zero.a.test', 0)] });
    expect(await lookupSrv(resolver, 'a.test')).toEqual({ kind: 'records', records: [srv('ok.a.test', 5222)] });
  });
});

describe('resolveSrvEndpoints', () => {
  it('asks for both services of the domain', async () => {
    const resolver = fakeResolver({});
    await resolveSrvEndpoints('Example.ORG', { resolver });
    expect(resolver.asked.sort()).toEqual(['_xmpp-client._tcp.example.org', '_xmpps-client._tcp.example.org']);
  });

  it('mixes both record sets by priority and weight: xmpps targets with direct TLS, xmpp targets with STARTTLS', async () => {
    const resolver = fakeResolver({
      '_xmpps-client._tcp.example.org': [srv('tls1.example.org.', 443, 5), srv('tls2.example.org', 5223, 20)],
      '_xmpp-client._tcp.example.org': [srv('tcp1.example.org', 5222, 10), srv('tcp2.example.org', 5222, 30)],
    });
    expect(await resolveSrvEndpoints('example.org', { resolver, random: seededRandom(1) })).toEqual([
      { url: 'xmpps://tls1.example.org:443', tls: 'direct' },
      { url: 'xmpp://tcp1.example.org:5222', tls: 'starttls' },
      { url: 'xmpps://tls2.example.org:5223', tls: 'direct' },
      { url: 'xmpp://tcp2.example.org:5222', tls: 'starttls' },
    ]);
  });

  it('draws between both sets within one priority by weight', async () => {
    const resolver = fakeResolver({
      '_xmpps-client._tcp.example.org': [srv('tls.example.org', 5223, 0, 1)],
      '_xmpp-client._tcp.example.org': [srv('tcp.example.org', 5222, 0, 99)],
    });
    // Running sums: tls 1, tcp 100; a draw of 0 or 1 picks tls, anything above picks tcp.
    const urls = async (r: number) => (await resolveSrvEndpoints('example.org', { resolver, random: sequence(r) })).map((e) => e.url);
    expect(await urls(0)).toEqual(['xmpps://tls.example.org:5223', 'xmpp://tcp.example.org:5222']);
    expect(await urls(0.5)).toEqual(['xmpp://tcp.example.org:5222', 'xmpps://tls.example.org:5223']);
  });

  it('uses the STARTTLS records when direct TLS is decidedly not available', async () => {
    const resolver = fakeResolver({
      '_xmpps-client._tcp.example.org': [srv('.', 0)],
      '_xmpp-client._tcp.example.org': [srv('xmpp.example.org', 5222)],
    });
    expect(await resolveSrvEndpoints('example.org', { resolver })).toEqual([{ url: 'xmpp://xmpp.example.org:5222', tls: 'starttls' }]);
  });

  it('uses the direct TLS records alone when STARTTLS is decidedly not available', async () => {
    const resolver = fakeResolver({
      '_xmpps-client._tcp.example.org': [srv('xmpp.example.org', 5223)],
      '_xmpp-client._tcp.example.org': [srv('.', 0)],
    });
    expect(await resolveSrvEndpoints('example.org', { resolver })).toEqual([{ url: 'xmpps://xmpp.example.org:5223', tls: 'direct' }]);
  });

  it('gives up without the A/AAAA fallback when a "." target says there is no service', async () => {
    const tables: Record<string, SrvRecord[]>[] = [
      { '_xmpps-client._tcp.example.org': [srv('.', 0)], '_xmpp-client._tcp.example.org': [srv('.', 0)] },
      { '_xmpps-client._tcp.example.org': [srv('.', 0)] },
      { '_xmpp-client._tcp.example.org': [srv('.', 0)] },
    ];
    for (const table of tables) {
      await expect(resolveSrvEndpoints('example.org', { resolver: fakeResolver(table) })).rejects.toMatchObject({
        code: 'feature-failed',
      });
    }
  });

  it('falls back to the domain on port 5222 when there are no records, or no answer', async () => {
    const fallback = [{ url: 'xmpp://example.org:5222', tls: 'starttls' }];
    expect(await resolveSrvEndpoints('example.org', { resolver: fakeResolver({}) })).toEqual(fallback);
    const silent = fakeResolver({
      '_xmpps-client._tcp.example.org': dnsError('ETIMEOUT'),
      '_xmpp-client._tcp.example.org': dnsError('ECONNREFUSED'),
    });
    expect(await resolveSrvEndpoints('example.org', { resolver: silent })).toEqual(fallback);
  });

  it('uses the records of one set when the other query failed', async () => {
    const resolver = fakeResolver({
      '_xmpps-client._tcp.example.org': dnsError('ETIMEOUT'),
      '_xmpp-client._tcp.example.org': [srv('xmpp.example.org', 5222)],
    });
    expect(await resolveSrvEndpoints('example.org', { resolver })).toEqual([{ url: 'xmpp://xmpp.example.org:5222', tls: 'starttls' }]);
  });

  it('does not look up SRV records for an IP address', async () => {
    const resolver = fakeResolver({});
    expect(await resolveSrvEndpoints('192.0.2.7', { resolver })).toEqual([{ url: 'xmpp://192.0.2.7:5222', tls: 'starttls' }]);
    expect(resolver.asked).toEqual([]);
  });

  it('selectEndpoints is the pure step: the same answers and draws give the same order', () => {
    const direct: SrvLookup = { kind: 'records', records: [srv('a.test', 5223, 1, 10), srv('b.test', 5223, 1, 10)] };
    const starttls: SrvLookup = { kind: 'none' };
    const once = selectEndpoints('test', direct, starttls, seededRandom(9));
    expect(selectEndpoints('test', direct, starttls, seededRandom(9))).toEqual(once);
  });
});

describe('direct TLS to an SRV target', () => {
  it('names and verifies the XMPP domain, not the host connected to', () => {
    expect(withTlsIdentity({ host: 'xmpp.hosting.example', port: 5223 }, 'xmpps://xmpp.hosting.example:5223', 'example.org')).toEqual({
      host: 'xmpp.hosting.example',
      port: 5223,
      servername: 'example.org',
      ALPNProtocols: ['xmpp-client'],
    });
    // Plain TCP (STARTTLS comes later, upgraded with the domain) and WebSocket are left alone.
    expect(withTlsIdentity({ host: 'h', port: 5222 }, 'xmpp://h:5222', 'example.org')).toEqual({ host: 'h', port: 5222 });
    // RFC 6066 forbids an IP address as SNI.
    expect(withTlsIdentity({ host: '192.0.2.1', port: 5223 }, 'xmpps://192.0.2.1:5223', '192.0.2.1')).not.toHaveProperty('servername');
  });

  const servers: { close(): void }[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  it('sends the domain as SNI and asks for ALPN xmpp-client in its ClientHello', async () => {
    let received: (data: Buffer) => void = () => {};
    const hello = new Promise<Buffer>((resolve) => (received = resolve));
    const server = createServer((socket: Socket) => {
      socket.once('data', (data: Buffer) => {
        received(data);
        socket.destroy();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const stream = new XmppStream(`xmpps://127.0.0.1:${port}`, 'example.org', { observe() {}, onElement() {}, onDrop() {} });
    const opened = stream.open().catch(() => 'failed');
    const { serverName, alpn } = readClientHello(await hello);
    expect(serverName).toBe('example.org');
    expect(alpn).toEqual(['xmpp-client']);
    expect(await opened).toBe('failed');
    stream.abort();
  });
});

/** The server_name (0) and ALPN (16) extensions of a TLS ClientHello record. */
function readClientHello(record: Buffer): { serverName?: string; alpn?: string[] } {
  // Record header (5) + handshake header (4) + version (2) + random (32).
  let at = 5 + 4 + 2 + 32;
  at += 1 + record[at]!; // session id
  at += 2 + record.readUInt16BE(at); // cipher suites
  at += 1 + record[at]!; // compression methods
  const end = at + 2 + record.readUInt16BE(at);
  at += 2;
  const out: { serverName?: string; alpn?: string[] } = {};
  while (at + 4 <= end) {
    const type = record.readUInt16BE(at);
    const length = record.readUInt16BE(at + 2);
    const body = record.subarray(at + 4, at + 4 + length);
    if (type === 0) out.serverName = body.subarray(5, 5 + body.readUInt16BE(3)).toString('ascii');
    if (type === 16) {
      out.alpn = [];
      for (let i = 2; i < body.length; i += 1 + body[i]!) out.alpn.push(body.subarray(i + 1, i + 1 + body[i]!).toString('ascii'));
    }
    at += 4 + length;
  }
  return out;
}
