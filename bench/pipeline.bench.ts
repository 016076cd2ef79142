/**
 * Inbound pipeline throughput, in process, no network: raw XML text → the streaming parser the
 * real transport uses (@xmpp/xml `Parser`) → `transport.stanza` events from a fake transport →
 * session router → feature actors. Compared with the parser alone (the floor) and with stock
 * @xmpp/client's own inbound path (element → middleware → `stanza` handlers).
 *
 * Run: `npm run bench -- pipeline` (BENCH_STANZAS, BENCH_PIPELINE_ROUNDS), or `npx tsx bench/pipeline.bench.ts`.
 */
import { pathToFileURL } from 'node:url';
import { Parser, type Element } from '@xmpp/xml';
import ConnectionTCP from '@xmpp/tcp/lib/Connection.js';
import { assign, fromCallback, setup } from 'xstate';
import type { TransportCommand, TransportEvent } from '../src/actors/transport.types.js';
import { createXmppClient, defaultFeatures, defineFeature, xml, type FeatureModule, type XmppClient } from '../src/index.js';
import { serializeStanza } from '../src/wire/serialize.js';
import { loadStock } from './lib/clients.js';
import { CAPS_PROFILES, OWN_DOMAIN, OWN_JID, STREAM_HEADER, buildCorpus, type Corpus } from './lib/corpus.js';
import { collectGarbage, envInt, loadAverage, nextMacrotask } from './lib/env.js';
import { fmt, printSection, writeSection, type Section, type Table } from './lib/report.js';
import { measure, median, max, min } from './lib/stats.js';

const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const NS_SID = 'urn:xmpp:sid:0';
const GOAL_STANZAS_PER_S = 50_000;

interface Pipeline {
  id: string;
  label: string;
  /** One socket read: raw text into the pipeline's parser. */
  write(chunk: string): void;
  /** Resolves when everything written has been handled (microtasks and queued replies included). */
  drain(): Promise<void>;
  /** Counters for the sanity checks after each round. */
  counters(): { handled: number; pongs: number; messages: number };
  /** Extra facts for the report (e.g. caps vers verified). */
  describe?(): string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Parser alone (the floor)
// ---------------------------------------------------------------------------------------------

function parseOnly(): Pipeline {
  const parser = new Parser();
  let handled = 0;
  parser.on('element', () => {
    handled++;
  });
  parser.write(STREAM_HEADER);
  return {
    id: 'parse',
    label: '@xmpp/xml Parser alone (floor)',
    write: (chunk) => parser.write(chunk),
    drain: nextMacrotask,
    counters: () => ({ handled, pongs: 0, messages: 0 }),
    close: async () => {},
  };
}

// ---------------------------------------------------------------------------------------------
// xmpp-adapter: fake transport → session → router → features
// ---------------------------------------------------------------------------------------------

interface BenchMessageEvent {
  type: 'bench.message';
  from: string;
  id: string;
  body: string;
}

/**
 * What an app's chat feature minimally does: read body and origin-id in `route`, count in its
 * actor. Registered only in the "+ message feature" variant: the default features claim no
 * chat messages, so without it messages end at the router.
 */
export const benchMessageFeature = defineFeature<BenchMessageEvent>({
  id: 'bench-messages',
  spec: [],
  discoFeatures: [],
  handles: [{ stanza: 'message', ns: 'jabber:client' }],
  route(stanza) {
    const body = stanza.getChildText('body');
    if (body === null || stanza.attrs.from === undefined) return [];
    const id = stanza.getChild('origin-id', NS_SID)?.attrs.id ?? stanza.attrs.id ?? '';
    return [{ type: 'bench.message', from: stanza.attrs.from, id, body }];
  },
  logic: () =>
    setup({
      types: { context: {} as { received: number; lastId: string | undefined }, events: {} as BenchMessageEvent },
    }).createMachine({
      id: 'bench-messages',
      context: { received: 0, lastId: undefined },
      on: {
        'bench.message': {
          actions: assign({ received: ({ context }) => context.received + 1, lastId: ({ event }) => event.id }),
        },
      },
    }),
  lifetime: 'session',
});

/** The server side of the fake link: answers what the client asks (caps disco#info, server pings). */
function answer(stanza: Element): Element | undefined {
  if (stanza.name !== 'iq' || stanza.attrs.type !== 'get') return undefined;
  const { id, to } = stanza.attrs;
  const query = stanza.getChild('query', NS_DISCO_INFO);
  if (query && to) {
    const node = query.attrs.node ?? '';
    const profile = CAPS_PROFILES.find((p) => node === `${p.node}#${p.ver}`);
    if (!profile) return undefined;
    return xml(
      'iq',
      { type: 'result', id, from: to, to: OWN_JID },
      xml(
        'query',
        { xmlns: NS_DISCO_INFO, node },
        xml('identity', { category: profile.identity.category, type: profile.identity.type, name: profile.identity.name }),
        ...profile.features.map((f) => xml('feature', { var: f })),
      ),
    );
  }
  if (stanza.getChild('ping', 'urn:xmpp:ping') && (to === undefined || to === OWN_DOMAIN)) {
    return xml('iq', { type: 'result', id, from: OWN_DOMAIN, to: OWN_JID });
  }
  return undefined;
}

async function oursPipeline(features: readonly FeatureModule[], id: string, label: string): Promise<Pipeline> {
  const link: { sendBack?: (event: TransportEvent) => void } = {};
  let pongs = 0;
  let bytesOut = 0;

  const fakeTransport = fromCallback<TransportCommand, Record<string, never>, TransportEvent>(({ sendBack, receive }) => {
    link.sendBack = sendBack;
    receive((command) => {
      switch (command.type) {
        case 'transport.connect':
          sendBack({ type: 'transport.authenticating', mechanism: 'SCRAM-SHA-1' });
          sendBack({ type: 'transport.binding' });
          sendBack({ type: 'transport.online', jid: OWN_JID, resumed: false, smEnabled: true, secure: true });
          return;
        case 'transport.send': {
          // What the real transport does with an outbound stanza, minus the socket.
          bytesOut += serializeStanza(command.stanza).length;
          const { stanza } = command;
          if (stanza.name === 'iq' && stanza.attrs.type === 'result' && stanza.attrs.id?.startsWith('ping-')) pongs++;
          const reply = answer(stanza);
          if (reply) queueMicrotask(() => sendBack({ type: 'transport.stanza', stanza: reply }));
          return;
        }
        case 'transport.close':
          sendBack({ type: 'transport.closed' });
          return;
        case 'transport.abort':
          sendBack({ type: 'transport.dropped', reason: command.reason });
          return;
        case 'transport.requestAck':
          return;
      }
    });
    return () => {
      link.sendBack = undefined;
    };
  });

  const client: XmppClient = createXmppClient(
    {
      service: `xmpp://${OWN_DOMAIN}`,
      domain: OWN_DOMAIN,
      username: 'alice',
      password: 'bench',
      resource: 'bench',
      // Nothing may time out or probe during a long run: every request gets an answer anyway.
      iqTimeout: 3_600_000,
      keepalive: { interval: 3_600_000, timeout: 3_600_000 },
    },
    { transport: fakeTransport, features },
  );
  const errors: string[] = [];
  client.on('error', (event) => errors.push(`${event.source}: ${event.message}`));
  await client.start();
  if (!link.sendBack) throw new Error('fake transport did not start');

  let handled = 0;
  const parser = new Parser();
  // Like the real transport: the stanzas of one read go to the session as one event.
  let batch: Element[] = [];
  parser.on('element', (el: Element) => {
    handled++;
    batch.push(el);
  });
  const flush = () => {
    if (batch.length === 0) return;
    const stanzas = batch;
    batch = [];
    link.sendBack?.({ type: 'transport.stanzas', stanzas });
  };
  parser.write(STREAM_HEADER);

  const featureContext = <T>(systemId: string): T | undefined =>
    (client.actor.system.get(systemId)?.getSnapshot() as { context?: T } | undefined)?.context;

  return {
    id,
    label,
    write: (chunk) => {
      parser.write(chunk);
      flush();
    },
    async drain() {
      await nextMacrotask();
      await nextMacrotask();
    },
    counters: () => ({ handled, pongs, messages: featureContext<{ received: number }>('bench-messages')?.received ?? 0 }),
    describe() {
      const caps = featureContext<{ known: Record<string, unknown>; failed: Record<string, unknown>; jidToVer: Record<string, unknown> }>(
        'caps',
      );
      const known = caps ? Object.keys(caps.known).length : 0;
      const failed = caps ? Object.keys(caps.failed).length : 0;
      const jids = caps ? Object.keys(caps.jidToVer).length : 0;
      const inactive = features
        .map((f) => [f.id, client.actor.system.get(f.id)?.getSnapshot().status] as const)
        .filter(([, status]) => status !== 'active')
        .map(([id, status]) => `${id} ${status ?? 'missing'}`);
      return [
        `caps vers verified ${known}/${CAPS_PROFILES.length}${failed ? `, ${failed} failed` : ''}, ${jids} JIDs tracked`,
        `${fmt.int(bytesOut)} chars written`,
        inactive.length ? `**feature actors not active: ${inactive.join(', ')}**` : 'all feature actors active',
        errors.length ? `**${errors.length} actor error(s): ${errors.slice(0, 3).join('; ')}**` : 'no actor errors',
      ].join('; ');
    },
    close: () => client.stop(),
  };
}

// ---------------------------------------------------------------------------------------------
// Stock @xmpp/client: element → middleware (SM counter, iq callee) → 'stanza' handlers
// ---------------------------------------------------------------------------------------------

async function stockPipeline(): Promise<Pipeline> {
  const { client, jid } = await loadStock();
  const xmpp = client({ service: `xmpp://${OWN_DOMAIN}`, domain: OWN_DOMAIN, username: 'alice', password: 'bench', resource: 'bench' });
  xmpp.reconnect.stop();
  // What a connected client has: its JID, the status, the transport class whose send() it uses;
  // the socket write is the one part replaced.
  xmpp.jid = jid(OWN_JID);
  xmpp.status = 'online';
  xmpp.Transport = ConnectionTCP;
  let pongs = 0;
  let bytesOut = 0;
  xmpp.write = async (data: string) => {
    bytesOut += data.length;
    if (data.startsWith('<iq') && data.includes('"result"') && data.includes('ping-')) pongs++;
  };
  const errors: unknown[] = [];
  xmpp.on('error', (err: unknown) => errors.push(err));

  let handled = 0;
  let messages = 0;
  let lastId = '';
  // The app's handler does what benchMessageFeature does for us: read body and origin-id.
  xmpp.on('stanza', (el: Element) => {
    if (el.name !== 'message') return;
    const body = el.getChildText('body');
    if (body === null || el.attrs.from === undefined) return;
    lastId = el.getChild('origin-id', NS_SID)?.attrs.id ?? el.attrs.id ?? '';
    messages++;
  });

  const parser = new Parser();
  parser.on('element', (el: Element) => {
    handled++;
    xmpp._onElement(el);
  });
  parser.write(STREAM_HEADER);

  return {
    id: 'stock',
    label: '@xmpp/client 0.14 inbound (middleware + stanza handler)',
    write: (chunk) => parser.write(chunk),
    async drain() {
      await nextMacrotask();
      await nextMacrotask();
    },
    counters: () => ({ handled, pongs, messages }),
    describe: () => `${errors.length} errors; ${fmt.int(bytesOut)} chars written; last id ${lastId ? 'seen' : 'none'}`,
    close: async () => {},
  };
}

// ---------------------------------------------------------------------------------------------
// Runner
// ---------------------------------------------------------------------------------------------

async function feed(pipeline: Pipeline, corpus: Corpus): Promise<void> {
  for (const chunk of corpus.chunks) {
    pipeline.write(chunk);
    // Socket reads arrive in separate macrotasks; so do these.
    await nextMacrotask();
  }
  await pipeline.drain();
}

const KINDS = ['message', 'presence', 'iq'] as const;
type Kind = (typeof KINDS)[number];

interface PipelineSeries {
  pipeline: Pipeline;
  wallMs: number[];
  cpuMs: number[];
  problems: string[];
  /** CPU µs per stanza when fed only one kind, one entry per round. */
  byKind: Partial<Record<Kind, number[]>>;
}

/** One measured pass over `corpus`, after a full GC, with the sanity checks. */
async function timedRound(s: PipelineSeries, corpus: Corpus, label: string) {
  const before = s.pipeline.counters();
  collectGarbage();
  const m = await measure(() => feed(s.pipeline, corpus));
  const after = s.pipeline.counters();
  // Every stanza parsed, every ping answered, every message seen (where counted).
  const handled = after.handled - before.handled;
  const pongs = after.pongs - before.pongs;
  const messages = after.messages - before.messages;
  if (handled !== corpus.stanzas) s.problems.push(`${label}: ${handled} of ${corpus.stanzas} stanzas parsed`);
  if (s.pipeline.id !== 'parse' && pongs !== corpus.counts.iq) s.problems.push(`${label}: ${pongs} of ${corpus.counts.iq} pings answered`);
  if ((s.pipeline.id === 'ours+msg' || s.pipeline.id === 'stock') && messages !== corpus.counts.message) {
    s.problems.push(`${label}: ${messages} of ${corpus.counts.message} messages reached the handler`);
  }
  return m;
}

export interface PipelineBenchOptions {
  stanzas?: number;
  rounds?: number;
  write?: boolean;
}

export async function runPipelineBench(options: PipelineBenchOptions = {}): Promise<Section> {
  const stanzas = options.stanzas ?? envInt('BENCH_STANZAS', 200_000);
  const rounds = options.rounds ?? envInt('BENCH_PIPELINE_ROUNDS', 5);
  if (stanzas < 1 || rounds < 1) throw new Error('BENCH_STANZAS and BENCH_PIPELINE_ROUNDS must be at least 1');
  const loadBefore = loadAverage();

  const corpus = buildCorpus(stanzas, { contacts: envInt('BENCH_CONTACTS', 40) });
  const warm = buildCorpus(Math.min(20_000, Math.max(2_000, Math.round(stanzas / 10))), { seed: 42, contacts: corpus.contacts });
  console.log(
    `pipeline: ${fmt.int(stanzas)} stanzas per round (${corpus.counts.message} messages, ${corpus.counts.presence} presences, ${corpus.counts.iq} pings; ` +
      `${fmt.n(corpus.bytes / 2 ** 20, 1)} MiB in ${corpus.chunks.length} chunks), ${rounds} rounds, warm-up ${fmt.int(warm.stanzas)}`,
  );

  const wanted = (process.env.BENCH_PIPELINES ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const include = (id: string) => wanted.length === 0 || wanted.includes(id);
  const pipelines: Pipeline[] = [];
  if (include('parse')) pipelines.push(parseOnly());
  if (include('ours')) pipelines.push(await oursPipeline(defaultFeatures, 'ours', 'xmpp-adapter, defaultFeatures'));
  if (include('ours+msg')) {
    pipelines.push(
      await oursPipeline([...defaultFeatures, benchMessageFeature], 'ours+msg', 'xmpp-adapter, defaultFeatures + message feature'),
    );
  }
  if (include('stock')) pipelines.push(await stockPipeline());
  if (pipelines.length === 0)
    throw new Error(`BENCH_PIPELINES="${process.env.BENCH_PIPELINES}" names none of parse, ours, ours+msg, stock`);
  const series: PipelineSeries[] = pipelines.map((pipeline) => ({ pipeline, wallMs: [], cpuMs: [], problems: [], byKind: {} }));

  for (const s of series) {
    await feed(s.pipeline, warm);
    await feed(s.pipeline, warm);
  }
  const rotated = (round: number) => {
    const offset = round % series.length;
    return [...series.slice(offset), ...series.slice(0, offset)];
  };
  for (let round = 0; round < rounds; round++) {
    for (const s of rotated(round)) {
      const m = await timedRound(s, corpus, `round ${round}`);
      s.wallMs.push(m.wallMs);
      s.cpuMs.push(m.cpuMs);
      collectGarbage();
      console.log(
        `  round ${round + 1}/${rounds} ${s.pipeline.id.padEnd(9)} ${fmt.int(stanzas / (m.wallMs / 1000)).padStart(9)} stanzas/s heap ${fmt.n(process.memoryUsage().heapUsed / 2 ** 20, 1)} MiB`,
      );
    }
  }

  // The same pipelines fed one kind of stanza at a time: where the cost per stanza comes from.
  const kindStanzas = Math.max(1_000, Math.round(stanzas / 4));
  const kindRounds = Math.min(3, rounds);
  for (const kind of KINDS) {
    const only = buildCorpus(kindStanzas, { seed: 7, contacts: corpus.contacts, mix: { message: 0, presence: 0, iq: 0, [kind]: 1 } });
    for (let round = 0; round < kindRounds; round++) {
      for (const s of rotated(round)) {
        const m = await timedRound(s, only, `${kind}-only round ${round}`);
        (s.byKind[kind] ??= []).push((m.cpuMs * 1000) / kindStanzas);
      }
    }
  }
  console.log(`  per-kind breakdown: ${fmt.int(kindStanzas)} stanzas × ${kindRounds} rounds per kind`);

  const descriptions = series.map((s) => [s.pipeline.id, s.pipeline.describe?.()] as const);
  for (const s of series) await s.pipeline.close();

  const section = buildSection(series, { stanzas, rounds, corpus, warm: warm.stanzas, loadBefore, descriptions, kindStanzas, kindRounds });
  printSection(section);
  if (options.write ?? process.env.BENCH_WRITE !== '0') writeSection(section);
  return section;
}

interface Context {
  stanzas: number;
  rounds: number;
  corpus: Corpus;
  warm: number;
  loadBefore: string;
  descriptions: ReadonlyArray<readonly [string, string | undefined]>;
  kindStanzas: number;
  kindRounds: number;
}

function buildSection(series: PipelineSeries[], ctx: Context): Section {
  const rate = (s: PipelineSeries) => s.wallMs.map((w) => ctx.stanzas / (w / 1000));
  const cpuUs = (s: PipelineSeries) => (median(s.cpuMs) * 1000) / ctx.stanzas;
  const find = (id: string) => series.find((s) => s.pipeline.id === id);
  const stock = find('stock');
  const parse = find('parse');

  const table: Table = {
    title: `Inbound throughput, ${fmt.int(ctx.stanzas)} stanzas per round, median of ${ctx.rounds} rounds`,
    columns: [
      'pipeline',
      'stanzas/s (median)',
      'min – max stanzas/s',
      'CPU µs/stanza',
      'above the parser, µs/stanza',
      'stanzas/s vs stock',
      'CPU vs stock',
      `≥ ${fmt.int(GOAL_STANZAS_PER_S)}/s`,
    ],
    rows: series.map((s) => {
      const r = rate(s);
      const isOurs = s.pipeline.id.startsWith('ours');
      return [
        s.pipeline.label,
        fmt.int(median(r)),
        `${fmt.int(min(r))} – ${fmt.int(max(r))}`,
        fmt.n(cpuUs(s), 2),
        parse && s !== parse ? fmt.n(cpuUs(s) - cpuUs(parse), 2) : '–',
        stock ? fmt.ratio(median(r), median(rate(stock))) : '–',
        stock ? fmt.ratio(cpuUs(s), cpuUs(stock)) : '–',
        isOurs ? (median(r) >= GOAL_STANZAS_PER_S ? 'yes' : 'no') : '',
      ];
    }),
  };

  const { counts } = ctx.corpus;
  const kindCost = (s: PipelineSeries, kind: Kind) => {
    const values = s.byKind[kind];
    return values?.length ? median(values) : NaN;
  };
  const share = (kind: Kind) => counts[kind] / ctx.corpus.stanzas;
  const byKind: Table = {
    title: `CPU µs per stanza by kind (each kind alone, ${fmt.int(ctx.kindStanzas)} stanzas, median of ${ctx.kindRounds})`,
    columns: ['pipeline', 'message', 'presence + caps', 'iq ping (answered)', 'weighted by the mix', 'measured on the mix'],
    rows: series.map((s) => [
      s.pipeline.label,
      ...KINDS.map((k) => fmt.n(kindCost(s, k), 2)),
      fmt.n(
        KINDS.reduce((sum, k) => sum + share(k) * kindCost(s, k), 0),
        2,
      ),
      fmt.n(cpuUs(s), 2),
    ]),
  };
  const notes = [
    `Mix per round: ${counts.message} chat messages (body + origin-id), ${counts.presence} presences with caps from ${ctx.corpus.contacts.length} contacts using ${CAPS_PROFILES.length} client versions, ${counts.iq} server pings; ${fmt.n(ctx.corpus.bytes / 2 ** 20, 1)} MiB of XML written to the parser in ${ctx.corpus.chunks.length} chunks of ~64 KiB, one macrotask each (as socket reads). Warm-up: twice ${fmt.int(ctx.warm)} stanzas per pipeline.`,
    'Every pipeline parses with @xmpp/xml\'s streaming `Parser` (what the TCP transport uses); "above the parser" is CPU per stanza minus the parser-alone floor.',
    "xmpp-adapter: `createXmppClient(opts, { transport: fakeTransport, features })`; the fake transport goes online on `transport.connect`, hands the elements parsed from each chunk over as one `transport.stanzas` event (as the real transport does per socket read), serializes what the client sends (as the real one does, minus the socket) and answers the client's caps disco#info queries and keepalive pings. Not included: the real transport's XEP-0198 counting of inbound stanzas.",
    'With `defaultFeatures` chat messages go to the chat feature: each is parsed for its XEP-0359/0184/0333/0085 payloads, checked against its sender, stored in the `chat:<sender>` conversation (one actor per contact, a MessageStore each, every message kept), counted as unread and handed to `client.on(\'message\')` listeners. "+ message feature" adds, on top, a bench feature that reads body and origin-id in `route` and counts in an XState actor. Presences go to the caps actor (tracks the ver of every contact, verifies new vers — all verified during warm-up) and to the presence actor (per-resource presence); pings go to the ping actor, which replies.',
    '@xmpp/client: a real `client()` with its JID, status and TCP transport class set and `write` replaced; each parsed element goes through `_onElement` (the same call its socket parser makes): middleware (stream-management counter, iq callee answering pings) and `stanza` listeners, one of which reads body and origin-id of messages. It does no caps processing, so it does less work per presence than xmpp-adapter.',
    `CPU is process.cpuUsage() (user + system) around each round; the loop is single-threaded, so CPU ≈ wall unless the machine is busy. Load average before (1/5/15 min): ${ctx.loadBefore}, after: ${loadAverage()}.`,
  ];
  for (const [id, description] of ctx.descriptions) if (description) notes.push(`${id}: ${description}.`);
  for (const s of series)
    if (s.problems.length)
      notes.push(`**${s.pipeline.id}: ${s.problems.length} sanity check(s) failed** — ${s.problems.slice(0, 3).join('; ')}`);

  return {
    id: 'pipeline',
    heading: 'Inbound pipeline throughput (pipeline.bench.ts)',
    summary: `Issue goal: ≥ ${fmt.int(GOAL_STANZAS_PER_S)} stanzas/s through transport → router → feature actor.`,
    tables: [table, byKind],
    notes,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runPipelineBench();
}
