/** Tables and notes of the end-to-end benchmark (bench/e2e.bench.ts) for RESULTS.md. */
import { fmt, type Section, type Table } from './report.js';
import { max, median, min } from './stats.js';

export interface E2eSample {
  /** ms from the first send to the last expected message reaching the receiving app. */
  receivedMs: number;
  /** Process CPU (both clients of the pair, user + system) over the same span. */
  cpuMs: number;
  /** Prosody's CPU over the same span (it runs other users' sessions too), when /proc tells. */
  prosodyCpuMs: number | undefined;
  loopMs: number;
  senderDoneMs: number | undefined;
  acknowledgedMs: number | undefined;
  received: number;
  lost: number;
  duplicates: number;
  unexpected: number;
}

export interface E2eSeries {
  variant: { id: string; library: string; transport: string };
  samples: E2eSample[];
  failures: string[];
}

interface Context {
  rounds: number;
  messages: number;
  loadBefore: string;
  loadAfter: string;
  pidBefore: string | undefined;
  pidAfter: string | undefined;
}

const SETTLE_MS_NOTE = '300 ms pause after login so that the initial exchanges (roster, disco, carbons, presence) are over';

const medianOf = (values: ReadonlyArray<number | undefined>) => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? median(defined) : NaN;
};
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export function buildE2eSection(series: readonly E2eSeries[], ctx: Context): Section {
  const rate = (s: E2eSample) => (ctx.messages / s.receivedMs) * 1000;
  const rateOf = (id: string) => {
    const found = series.find((s) => s.variant.id === id);
    return found?.samples.length ? median(found.samples.map(rate)) : NaN;
  };

  const main: Table = {
    title: `${fmt.int(ctx.messages)} messages, sender → Prosody → receiver (median of ${ctx.rounds} rounds)`,
    columns: [
      'client',
      'transport',
      'msg/s (received)',
      'msg/s range',
      'received ms',
      'send loop ms',
      'sender done ms',
      'receipts back ms',
      'CPU µs/msg (both clients)',
      'Prosody CPU µs/msg',
      'vs stock (same transport)',
      'lost / dup / unexpected (all rounds)',
      'rounds ok / failed',
    ],
    rows: series.map((s) => {
      const { samples, variant } = s;
      if (!samples.length) return [variant.library, variant.transport, ...Array<string>(10).fill('–'), `0 / ${s.failures.length}`];
      const rates = samples.map(rate);
      const stock = rateOf(`stock-${variant.id.split('-')[1]}`);
      return [
        variant.library,
        variant.transport,
        fmt.int(median(rates)),
        `${fmt.int(min(rates))}–${fmt.int(max(rates))}`,
        fmt.int(medianOf(samples.map((x) => x.receivedMs))),
        fmt.n(medianOf(samples.map((x) => x.loopMs)), 0),
        fmt.int(medianOf(samples.map((x) => x.senderDoneMs))),
        fmt.int(medianOf(samples.map((x) => x.acknowledgedMs))),
        fmt.n(medianOf(samples.map((x) => (x.cpuMs * 1000) / ctx.messages)), 0),
        fmt.n(medianOf(samples.map((x) => (x.prosodyCpuMs === undefined ? undefined : (x.prosodyCpuMs * 1000) / ctx.messages))), 0),
        variant.id === `stock-${variant.transport.toLowerCase()}` ? '1.00×' : fmt.ratio(median(rates), stock),
        `${sum(samples.map((x) => x.lost))} / ${sum(samples.map((x) => x.duplicates))} / ${sum(samples.map((x) => x.unexpected))}`,
        `${samples.length} / ${s.failures.length}`,
      ];
    }),
  };

  const pairs: Array<[string, string, string]> = [
    ['xmpp-adapter / @xmpp/client (goal ≥ 1.00×)', 'ours-tcp', 'stock-tcp'],
    ['xmpp-adapter / @xmpp/client (goal ≥ 1.00×)', 'ours-ws', 'stock-ws'],
    ['xmpp-adapter requestReceipts: false / @xmpp/client (the same job)', 'ours-tcp-noreceipt', 'stock-tcp'],
    ['xmpp-adapter / @xmpp/client sending our stanza, answering receipts (the same protocol work)', 'ours-tcp', 'stock-tcp-receipts'],
    [
      'xmpp-adapter requestReceipts: false / @xmpp/client sending our stanza (the same protocol work)',
      'ours-tcp-noreceipt',
      'stock-tcp-stanza',
    ],
    ['@xmpp/client with our stanza and receipts / @xmpp/client (what the protocol work costs)', 'stock-tcp-receipts', 'stock-tcp'],
    ['@xmpp/client with our stanza / @xmpp/client (what the richer stanza costs)', 'stock-tcp-stanza', 'stock-tcp'],
    ['xmpp-adapter / the XEP-0198 floor doing the same protocol work', 'ours-tcp', 'floor-tcp-receipts'],
    ['xmpp-adapter requestReceipts: false / the XEP-0198 floor sending our stanza', 'ours-tcp-noreceipt', 'floor-tcp-stanza'],
    [
      '@xmpp/client with our stanza and receipts / the XEP-0198 floor doing that work (reference)',
      'stock-tcp-receipts',
      'floor-tcp-receipts',
    ],
    ['the XEP-0198 floor doing our protocol work / @xmpp/client (the most that work allows)', 'floor-tcp-receipts', 'stock-tcp'],
    ['the XEP-0198 floor sending our stanza / @xmpp/client', 'floor-tcp-stanza', 'stock-tcp'],
    ['xmpp-adapter / StanzaJS', 'ours-ws', 'stanza-ws'],
    ['xmpp-adapter / raw-socket floor', 'ours-tcp', 'floor-tcp'],
    ['@xmpp/client / raw-socket floor (reference)', 'stock-tcp', 'floor-tcp'],
  ];
  const goal: Table = {
    title: 'Throughput ratios (median msg/s over median msg/s)',
    columns: ['ratio', 'transport', 'msg/s', 'baseline msg/s', 'ratio', 'goal met'],
    rows: pairs
      .filter(([, a, b]) => Number.isFinite(rateOf(a)) && Number.isFinite(rateOf(b)))
      .map(([label, a, b]) => {
        const [ra, rb] = [rateOf(a), rateOf(b)];
        const isGoal = label.includes('goal');
        return [
          label,
          a.split('-')[1]!.toUpperCase(),
          fmt.int(ra),
          fmt.int(rb),
          fmt.ratio(ra, rb),
          isGoal ? (ra >= rb ? 'yes' : 'no') : '–',
        ];
      }),
  };

  const notes = [
    '**Received** means in the receiving app: for xmpp-adapter the message is in the `chat:<sender>` conversation snapshot (its MessageStore, read through a subscription to that actor); for @xmpp/client its `stanza` event; for StanzaJS its `message` event; for the floor the parsed `<message/>`. msg/s = messages / (first send → last one received).',
    "Each library sends as an app would, without awaiting per message: xmpp-adapter `chat.send` to the `chat` actor (its stanza carries `<origin-id/>`, a XEP-0184 receipt request and `<markable/>`, and the receiver answers every receipt request); @xmpp/client `send(xml('message', …, xml('body')))` (and, in the _our stanza + receipts_ row, the stanza ours sends — origin-id, receipt request, `<markable/>`, `<active/>` — with the receiving app answering each receipt request through `send`; in the _our stanza_ row the same without the receipt request, as ours with `requestReceipts: false` sends); StanzaJS `sendMessage({ to, type: 'chat', body })` (adds an origin-id); the floor one `socket.write` per `<message><body/></message>`; the XEP-0198 floors one `socket.write` per message of our stanza (with or without the receipt request), both sessions answering Prosody's `<r/>` at once and the receiver writing a receipt as soon as it parses a request. Messages go to the receiver's full JID.",
    "**Sender done**: xmpp-adapter — the send loop returned (each stanza is serialized and written by then, and in the sender's conversation as `sending` until the server acknowledges it); @xmpp/client — every `send()` promise resolved; StanzaJS — a `message:sent` for every message; floor — the last write flushed. **Receipts back**: for xmpp-adapter every sent message is `delivered` in the sender's conversation; for the floor with receipts, the sender has parsed a receipt for every message.",
    "CPU is `process.cpuUsage()` over first send → last received, for both clients (one process). Prosody CPU is read from /proc over the same span (other users' sessions included); Prosody shares the 2 cores, so msg/s × Prosody µs/msg near 1,000,000 means the server was the bottleneck. Server-side archiving (MAM, SQLite with a commit per message) is off for the bench accounts through XEP-0313 preferences: with it every client was held to ~100–250 msg/s (`BENCH_E2E_ARCHIVE=1` keeps it on).",
    `Fresh logins for every burst (not timed), ${SETTLE_MS_NOTE}; a full GC before each burst; variants in an order rotated by one per round; a burst is abandoned after 15 s without progress and the rest counted as lost.`,
    `Load average (1/5/15 min) before: ${ctx.loadBefore}, after: ${ctx.loadAfter}.`,
  ];
  for (const s of series)
    if (s.failures.length) notes.push(`**${s.variant.id}: ${s.failures.length} failed round(s)** — first: ${s.failures[0]}`);
  const lost = series.flatMap((s) => s.samples).some((x) => x.lost || x.duplicates || x.unexpected);
  if (lost) notes.push('**Some messages were lost, duplicated or unexpected: see the table.**');
  if (ctx.pidBefore !== ctx.pidAfter)
    notes.push(`**Prosody was restarted during the run (pid ${ctx.pidBefore ?? '?'} → ${ctx.pidAfter ?? '?'}).**`);

  return {
    id: 'e2e',
    heading: 'End-to-end one-to-one throughput (e2e.bench.ts)',
    summary: `${fmt.int(ctx.messages)} chat messages from one client to another through the local Prosody, ${ctx.rounds} round(s) per variant.`,
    tables: [main, goal],
    notes,
  };
}
