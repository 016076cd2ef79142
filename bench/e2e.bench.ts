/**
 * End-to-end one-to-one throughput through the local Prosody: one client sends BENCH_MESSAGES
 * (10,000) chat messages to another as fast as its library takes them, timed until the receiving
 * app has every one of them; bodies are checked (lost / duplicated / unexpected). Our client
 * beside stock @xmpp/client, StanzaJS and a raw-socket floor, in rounds with a rotated order.
 *
 * Run: `npm run bench -- e2e` (BENCH_ROUNDS, BENCH_MESSAGES, BENCH_E2E_VARIANTS), or
 * `npx tsx bench/e2e.bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { TCP_URL, WS_URL, startProsody, uniqueUsers, type TestUser } from '../scripts/prosody.js';
import { disableArchiving } from './lib/archive-prefs.js';
import { Delivery, type E2eEndpoints, type OpenPair } from './lib/e2e-delivery.js';
import { oursPair, oursPairWith } from './lib/e2e-ours.js';
import {
  floorPairDoingOurWork,
  rawPair,
  stanzaPair,
  stockPair,
  stockPairWithOurStanza,
  stockPairWithReceipts,
} from './lib/e2e-references.js';
import { buildE2eSection, type E2eSample, type E2eSeries } from './lib/e2e-report.js';
import { collectGarbage, describeProsody, envInt, loadAverage, prosodyCpuMs, prosodyPid, sleep } from './lib/env.js';
import { printSection, writeSection } from './lib/report.js';

export interface E2eVariant {
  id: string;
  library:
    | 'xmpp-adapter'
    | 'xmpp-adapter, requestReceipts: false'
    | '@xmpp/client'
    | '@xmpp/client, our stanza'
    | '@xmpp/client, our stanza + receipts'
    | 'StanzaJS'
    | 'raw socket (floor)'
    | 'raw socket + XEP-0198, our stanza + receipts (floor)'
    | 'raw socket + XEP-0198, our stanza (floor)';
  transport: 'TCP' | 'WS';
  open: OpenPair;
}

export const E2E_VARIANTS: readonly E2eVariant[] = [
  { id: 'ours-tcp', library: 'xmpp-adapter', transport: 'TCP', open: oursPair },
  { id: 'stock-tcp', library: '@xmpp/client', transport: 'TCP', open: stockPair },
  { id: 'floor-tcp', library: 'raw socket (floor)', transport: 'TCP', open: rawPair },
  { id: 'ours-ws', library: 'xmpp-adapter', transport: 'WS', open: oursPair },
  { id: 'stock-ws', library: '@xmpp/client', transport: 'WS', open: stockPair },
  {
    id: 'ours-tcp-noreceipt',
    library: 'xmpp-adapter, requestReceipts: false',
    transport: 'TCP',
    open: oursPairWith({ receipts: false }),
  },
  { id: 'stanza-ws', library: 'StanzaJS', transport: 'WS', open: stanzaPair(WS_URL) },
  { id: 'stock-tcp-receipts', library: '@xmpp/client, our stanza + receipts', transport: 'TCP', open: stockPairWithReceipts },
  { id: 'stock-tcp-stanza', library: '@xmpp/client, our stanza', transport: 'TCP', open: stockPairWithOurStanza },
  {
    id: 'floor-tcp-receipts',
    library: 'raw socket + XEP-0198, our stanza + receipts (floor)',
    transport: 'TCP',
    open: floorPairDoingOurWork(true),
  },
  { id: 'floor-tcp-stanza', library: 'raw socket + XEP-0198, our stanza (floor)', transport: 'TCP', open: floorPairDoingOurWork(false) },
];

/** Give up on a burst once nothing new has arrived for this long (the rest counts as lost). */
const IDLE_TIMEOUT_MS = 15_000;
/** After login: let the initial exchanges (roster, disco, carbons, presence) finish first. */
const SETTLE_MS = 300;

function selectedVariants(): E2eVariant[] {
  const wanted = process.env.BENCH_E2E_VARIANTS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted?.length) return [...E2E_VARIANTS];
  const unknown = wanted.filter((id) => !E2E_VARIANTS.some((v) => v.id === id));
  if (unknown.length)
    throw new Error(`BENCH_E2E_VARIANTS: unknown ${unknown.join(', ')}; expected ${E2E_VARIANTS.map((v) => v.id).join(', ')}`);
  return E2E_VARIANTS.filter((v) => wanted.includes(v.id));
}

const elapsedSince = (t0: number) => (promise: Promise<unknown> | undefined) =>
  promise?.then(() => performance.now() - t0) ?? Promise.resolve(undefined);

/** Bounded wait for a sender-side milestone that may never come (e.g. receipts of lost messages). */
const upTo = <T>(promise: Promise<T>, ms: number) => Promise.race([promise, sleep(ms).then(() => undefined)]);

async function burst(variant: E2eVariant, endpoints: E2eEndpoints, bodies: string[]): Promise<E2eSample> {
  const delivery = new Delivery(bodies);
  const pair = await variant.open(endpoints, delivery);
  try {
    await sleep(SETTLE_MS);
    collectGarbage();
    const cpu0 = process.cpuUsage();
    const prosody0 = prosodyCpuMs();
    const t0 = performance.now();
    delivery.lastProgressAt = t0;
    const outcome = pair.sendAll(pair.receiverJid, bodies);
    const since = elapsedSince(t0);
    const [doneMs, ackedMs] = [since(outcome.done), since(outcome.acknowledged)];
    await delivery.settle(IDLE_TIMEOUT_MS);
    const receivedMs = (delivery.completedAt ?? performance.now()) - t0;
    const cpu = process.cpuUsage(cpu0);
    const prosody1 = prosodyCpuMs();
    return {
      receivedMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      prosodyCpuMs: prosody0 !== undefined && prosody1 !== undefined ? prosody1 - prosody0 : undefined,
      loopMs: outcome.loopMs,
      senderDoneMs: await upTo(doneMs, IDLE_TIMEOUT_MS),
      acknowledgedMs: await upTo(ackedMs, IDLE_TIMEOUT_MS),
      received: delivery.received,
      lost: delivery.lost,
      duplicates: delivery.duplicates,
      unexpected: delivery.unexpected,
    };
  } finally {
    await pair.stop();
  }
}

export async function runE2eBench(): Promise<void> {
  const rounds = envInt('BENCH_ROUNDS', 3);
  const messages = envInt('BENCH_MESSAGES', 10_000);
  if (rounds < 1 || messages < 1) throw new Error('BENCH_ROUNDS and BENCH_MESSAGES must be at least 1');
  const variants = selectedVariants();
  const users = await uniqueUsers(variants.flatMap((v) => [`bench-e2e-${v.id}-a`, `bench-e2e-${v.id}-b`]));
  if (process.env.BENCH_E2E_ARCHIVE !== '1') await Promise.all(users.map(disableArchiving));
  const pairs = new Map<string, { sender: TestUser; receiver: TestUser }>(
    variants.map((v, i) => [v.id, { sender: users[2 * i]!, receiver: users[2 * i + 1]! }]),
  );
  const series: Array<E2eSeries & { variant: E2eVariant }> = variants.map((variant) => ({ variant, samples: [], failures: [] }));
  const pidBefore = prosodyPid();
  const loadBefore = loadAverage();

  console.log(`e2e: ${variants.length} variants × ${rounds} rounds × ${messages} messages, order rotated every round`);
  for (let round = 0; round < rounds; round++) {
    const order = [...series.slice(round % series.length), ...series.slice(0, round % series.length)];
    for (const s of order) {
      const { variant } = s;
      const accounts = pairs.get(variant.id)!;
      const bodies = Array.from({ length: messages }, (_, i) => `${variant.id} round ${round} message ${i}`);
      const endpoints = { service: variant.transport === 'TCP' ? TCP_URL : WS_URL, ...accounts };
      try {
        const sample = await burst(variant, endpoints, bodies);
        s.samples.push(sample);
        const rate = (messages / sample.receivedMs) * 1000;
        const server = sample.prosodyCpuMs === undefined ? '' : `, Prosody ${((sample.prosodyCpuMs * 1000) / messages).toFixed(0)} µs/msg`;
        console.log(
          `  round ${round + 1} ${variant.id.padEnd(10)} ${rate.toFixed(0).padStart(6)} msg/s  received ${sample.received}, lost ${sample.lost}, dup ${sample.duplicates}${server}`,
        );
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        s.failures.push(`round ${round + 1}: ${message}`);
        console.warn(`  round ${round + 1} ${variant.id} failed: ${message}`);
      }
      await sleep(200);
    }
  }

  const pidAfter = prosodyPid();
  const section = buildE2eSection(series, { rounds, messages, loadBefore, loadAfter: loadAverage(), pidBefore, pidAfter });
  section.environment = { ...section.environment, prosody: await describeProsody(pidBefore, pidAfter) };
  printSection(section);
  if (process.env.BENCH_WRITE !== '0') writeSection(section);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await startProsody();
  await runE2eBench();
  process.exit(0);
}
