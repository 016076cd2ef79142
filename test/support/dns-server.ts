/**
 * A DNS server on loopback UDP that answers SRV queries from a table, for tests of SRV discovery.
 * Just enough of RFC 1035 for `node:dns`' resolver: one question per query, answers uncompressed
 * except for the owner name, NXDOMAIN for names not in the table, an empty answer for other types.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import type { SrvRecord } from 'node:dns';

const TYPE_SRV = 33;
const CLASS_IN = 1;
const RCODE_NXDOMAIN = 3;

export interface DnsServer {
  /** `127.0.0.1:<port>`, as `dns.servers` takes it. */
  readonly address: string;
  /** Every name asked for, in order (lower case, no trailing dot). */
  readonly queries: string[];
  /** Replaces the records of `name`; `undefined` removes the name (NXDOMAIN). */
  set(name: string, records: readonly SrvRecord[] | undefined): void;
  close(): Promise<void>;
}

/** Reads the question's name; returns it and the offset after it. */
function readName(packet: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = start;
  for (;;) {
    const length = packet[at];
    if (length === undefined || length > 63) throw new Error('unsupported name encoding');
    at += 1;
    if (length === 0) break;
    labels.push(packet.subarray(at, at + length).toString('ascii'));
    at += length;
  }
  return { name: labels.join('.').toLowerCase(), end: at };
}

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
}

function srvAnswer(record: SrvRecord): Buffer {
  const target = record.name === '.' ? Buffer.from([0]) : encodeName(record.name);
  const rdata = Buffer.alloc(6);
  rdata.writeUInt16BE(record.priority, 0);
  rdata.writeUInt16BE(record.weight, 2);
  rdata.writeUInt16BE(record.port, 4);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // the owner name: a pointer to the question's name
  head.writeUInt16BE(TYPE_SRV, 2);
  head.writeUInt16BE(CLASS_IN, 4);
  head.writeUInt32BE(1, 6); // TTL: one second
  head.writeUInt16BE(rdata.length + target.length, 10);
  return Buffer.concat([head, rdata, target]);
}

/** The answer to one query packet, or undefined for a packet not worth answering. */
function answer(query: Buffer, table: Map<string, readonly SrvRecord[]>, queries: string[]): Buffer | undefined {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return undefined;
  const { name, end } = readName(query, 12);
  const type = query.readUInt16BE(end);
  queries.push(name);
  const records = table.get(name);
  const answers = records && type === TYPE_SRV ? records.map(srvAnswer) : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  // QR, the query's opcode and RD, AA, RA; NXDOMAIN when the name is unknown.
  const flags = 0x8000 | (query.readUInt16BE(2) & 0x7900) | 0x0400 | 0x0080 | (records ? 0 : RCODE_NXDOMAIN);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, query.subarray(12, end + 4), ...answers]);
}

/** Starts the server on 127.0.0.1 with a free port. */
export async function startDnsServer(records: Record<string, readonly SrvRecord[]> = {}): Promise<DnsServer> {
  const table = new Map(Object.entries(records).map(([name, r]) => [name.toLowerCase(), r]));
  const queries: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    let reply: Buffer | undefined;
    try {
      reply = answer(message, table, queries);
    } catch {
      return;
    }
    if (reply) socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    set(name, value) {
      if (value === undefined) table.delete(name.toLowerCase());
      else table.set(name.toLowerCase(), value);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
