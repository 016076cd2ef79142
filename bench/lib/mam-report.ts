/** Tables and notes of the MAM paging benchmark (bench/mam.bench.ts) for RESULTS.md. */
import { fmt, type Section, type Table } from './report.js';
import { max, median, min } from './stats.js';

export interface MamSample {
  /** ms from the first query to the archive's `complete` (all results held by the app). */
  wallMs: number;
  /** Process CPU (user + system) over the same span. */
  cpuMs: number;
  /** Prosody's CPU over the same span, when /proc tells. */
  prosodyCpuMs: number | undefined;
  pages: number;
  messages: number;
  /** Distinct archive ids among the messages held. */
  distinct: number;
  /** Seeded origin-ids missing from what was held (undefined: the variant does not read them). */
  missingOrigins: number | undefined;
  /** heapUsed after a full GC, after login (before the first query) and after the load, results still held. */
  heapBefore: number;
  heapAfter: number;
}

export interface MamSeries {
  variant: { id: string; library: string; transport: string };
  pageSize: number;
  samples: MamSample[];
  failures: string[];
}

interface Context {
  rounds: number;
  warmup: number;
  messages: number;
  pageSizes: readonly number[];
  seedMs: number;
  countWaitMs: number;
  fromA: number;
  fromB: number;
  gcAvailable: boolean;
  oursWired: boolean;
  loadBefore: string;
  loadAfter: string;
  restarted: boolean;
}

const MB = 2 ** 20;

/** Whether a sample held exactly the seeded archive. */
export const sampleCorrect = (s: MamSample, expected: number) =>
  s.messages === expected && s.distinct === expected && (s.missingOrigins === undefined || s.missingOrigins === 0);

function correctness(samples: readonly MamSample[], expected: number): string {
  const wrong = samples.filter((s) => !sampleCorrect(s, expected));
  const origins = samples.some((s) => s.missingOrigins !== undefined) ? ', origin-ids checked' : '';
  if (!wrong.length) return `ok: ${fmt.int(expected)} held, 0 dup${origins}`;
  const w = wrong[0]!;
  const missing = w.missingOrigins ? `, ${w.missingOrigins} origin-ids missing` : '';
  return `**${wrong.length} wrong**, e.g. ${fmt.int(w.messages)} held, ${fmt.int(w.messages - w.distinct)} dup${missing}`;
}

export function buildMamSection(series: readonly MamSeries[], ctx: Context): Section {
  const medianWall = (id: string, pageSize: number) => {
    const found = series.find((s) => s.variant.id === id && s.pageSize === pageSize);
    return found?.samples.length ? median(found.samples.map((x) => x.wallMs)) : NaN;
  };

  const main: Table = {
    title: `Fresh login → whole archive of ${fmt.int(ctx.messages)} messages held by the app (median of ${ctx.rounds} rounds)`,
    columns: [
      'client',
      'transport',
      'page size',
      'pages',
      'wall ms',
      'wall range ms',
      'msg/s',
      'vs @xmpp/client',
      'vs floor',
      'CPU ms',
      'CPU µs/msg',
      'Prosody CPU ms',
      'Prosody ms/page',
      'waiting ms/page',
      'heap after load MiB',
      'heap Δ bytes/msg',
      'correct (every round)',
      'rounds ok / failed',
    ],
    rows: series.map((s) => {
      const { samples, variant } = s;
      if (!samples.length)
        return [variant.library, variant.transport, String(s.pageSize), ...Array<string>(14).fill('–'), `0 / ${s.failures.length}`];
      const walls = samples.map((x) => x.wallMs);
      const wall = median(walls);
      const prosody = samples.map((x) => x.prosodyCpuMs).filter((v): v is number => v !== undefined);
      const pages = median(samples.map((x) => x.pages));
      const delta = median(samples.map((x) => (x.heapAfter - x.heapBefore) / Math.max(1, x.messages)));
      return [
        variant.library,
        variant.transport,
        String(s.pageSize),
        fmt.int(pages),
        fmt.int(wall),
        `${fmt.int(min(walls))}–${fmt.int(max(walls))}`,
        fmt.int((ctx.messages / wall) * 1000),
        fmt.ratio(wall, medianWall('stock-tcp', s.pageSize)),
        fmt.ratio(wall, medianWall('floor-tcp', s.pageSize)),
        fmt.int(median(samples.map((x) => x.cpuMs))),
        fmt.n(median(samples.map((x) => (x.cpuMs * 1000) / Math.max(1, x.messages))), 1),
        prosody.length ? fmt.int(median(prosody)) : '–',
        prosody.length ? fmt.n(median(prosody) / pages, 1) : '–',
        prosody.length === samples.length
          ? fmt.n(median(samples.map((x) => Math.max(0, x.wallMs - x.cpuMs - x.prosodyCpuMs!) / x.pages)), 1)
          : '–',
        fmt.n(median(samples.map((x) => x.heapAfter)) / MB, 1),
        fmt.int(delta),
        correctness(samples, ctx.messages),
        `${samples.length} / ${s.failures.length}`,
      ];
    }),
  };

  const goalRows: string[][] = [];
  for (const pageSize of ctx.pageSizes) {
    const floor = medianWall('floor-tcp', pageSize);
    const floorSm = medianWall('floor-sm-tcp', pageSize);
    const floorSmBack = medianWall('floor-sm-back-tcp', pageSize);
    for (const s of series.filter((x) => x.pageSize === pageSize && x.variant.id.startsWith('ours') && x.samples.length)) {
      const wall = medianWall(s.variant.id, pageSize);
      const refs = ['stock-tcp', 'stanza-ws'].map((id) => medianWall(id, pageSize));
      const faster = refs.every((r) => Number.isFinite(r)) ? (refs.every((r) => wall < r) ? 'yes' : 'no') : '–';
      goalRows.push([
        s.variant.library,
        s.variant.transport,
        String(pageSize),
        fmt.int(wall),
        fmt.int(floor),
        fmt.ratio(wall, floor),
        Number.isFinite(floor) ? (wall <= 1.2 * floor ? 'yes' : 'no') : '–',
        fmt.ratio(wall, floorSm),
        fmt.ratio(wall, floorSmBack),
        faster,
      ]);
    }
  }
  const goal: Table = {
    title: 'Goal: xmpp-adapter faster than @xmpp/client and StanzaJS, within 1.2× of the floor (ratio of medians)',
    columns: [
      'client',
      'transport',
      'page size',
      'wall ms',
      'floor ms',
      'vs floor',
      '≤ 1.2× floor',
      'vs floor + XEP-0198',
      'vs the same, backward',
      'faster than @xmpp/client and StanzaJS',
    ],
    rows: goalRows,
  };

  const notes = [
    "**Held**: floor — the archive id of every `<result/>` (raw socket, @xmpp/xml parser, no stream management; _raw socket + XEP-0198_ is the same with stream management enabled and each of Prosody's `<r/>` answered at once, as the libraries do: the floor for a client running XEP-0198, which costs Prosody an `<r/>` and an `<a/>` per result here since `smacks_max_unacked_stanzas` is 0; _backward_ pages it with `<before>` = the previous `<first>`, as xmpp-adapter's `loadAll` does); @xmpp/client — a `stanza` listener turns each result into `{ id, from, to, body, stamp, originId }` in an array, each page one `iqCaller.request`; StanzaJS — `searchHistory({ with, paging: { max, after } })` page after page, its parsed `MAMResult`s concatenated as returned" +
      (ctx.oursWired
        ? '; xmpp-adapter — `client.archive.loadAll(peer, { max: pageSize })`, then the `chat:<peer>` conversation store.'
        : '.'),
    "The references page forward (RSM `<after>` = the previous page's `<last>`, from the start of the archive)" +
      (ctx.oursWired ? ", xmpp-adapter's `loadAll` backward from the newest (its scrollback direction: `<before>`)" : '') +
      ', until `<fin complete="true">`, filtered `with` B. **Wall** runs from the first query to the `complete` page with all its results held; the login before it (fresh client each time, 300 ms pause after it) and the logout are not timed.',
    `**CPU** is this process's (\`process.cpuUsage()\`) over the same span; **Prosody CPU** is the server's, from /proc (10 ms ticks): it builds every page from SQLite and serialises every result, and it is single-threaded, so _Prosody ms/page_ is a floor for every client.`,
    "**Waiting ms/page** = (wall − client CPU − Prosody CPU) / pages: time in which neither side computed, a lower bound since the two may overlap on two cores. Tens of ms per page point at the TCP stack: stock @xmpp/client leaves Nagle on (no `setNoDelay`), so its query IQ, written right after its `<a/>` answer to Prosody's XEP-0198 `<r/>`, waits for the server's delayed ACK (~40 ms on Linux).",
    `**Heap after load**: \`heapUsed\` after a full GC with the results still held${ctx.gcAvailable ? '' : ' (**no GC available: figures include garbage**)'}; _heap Δ bytes/msg_ is that minus \`heapUsed\` after a full GC right after login, per message held (what holding the archive costs; the floor keeps only the ids). All variants run in the same process, so the absolute figure includes the other libraries' loaded code. Strings read off a parsed element are V8 slices of the socket chunk it came in: keeping one (the floor keeps only the archive id) keeps the whole chunk, i.e. roughly the result's XML (~450–700 bytes), alive; a copy (\`Buffer.from(s).toString()\`) would not.`,
    `**Correct**: the messages held equal the seeded count, their archive ids are distinct, and (where the variant reads them) every seeded origin-id is among them.`,
    `Archive: ${fmt.int(ctx.messages)} chat messages between two fresh accounts (A → B ${fmt.int(ctx.fromA)}, B → A ${fmt.int(ctx.fromB)}), bodies of 40–120 characters, each with a stanza id and a XEP-0359 origin-id; only A's archive is queried (B's archiving is off). Seeded over raw sockets, every stanza of each side written at once: ${(ctx.seedMs / 1000).toFixed(1)} s (${fmt.int((ctx.messages / ctx.seedMs) * 1000)} msg/s, Prosody's SQLite archive commits once per message), of which ${fmt.int(ctx.countWaitMs)} ms waiting for the archive count (RSM \`<max>0</max>\`) after every message was delivered. Not part of the figures above.`,
    `${ctx.warmup} warm-up round(s) not recorded; each round runs every variant at every page size (${ctx.pageSizes.join(', ')}) once, in an order rotated by one per round; full GC before each load. Prosody's \`max_archive_query_results\` is 250.`,
    `Load average (1/5/15 min) before: ${ctx.loadBefore}, after: ${ctx.loadAfter}.`,
  ];
  if (!ctx.oursWired)
    notes.push(
      "xmpp-adapter is not in this run: the library's MAM API (`client.archive.loadAll`) does not exist yet; `oursMam` in bench/lib/mam-ours.ts is ready for it.",
    );
  for (const s of series)
    if (s.failures.length)
      notes.push(`**${s.variant.id} (page ${s.pageSize}): ${s.failures.length} failure(s)** — first: ${s.failures[0]}`);
  if (ctx.restarted) notes.push('**Prosody was restarted during the run.**');

  return {
    id: 'mam',
    heading: `Archive of ${fmt.int(ctx.messages)} messages: paging it all through MAM (mam.bench.ts)`,
    summary: `${fmt.int(ctx.messages)} archived messages, page sizes ${ctx.pageSizes.join(' and ')}, ${ctx.rounds} measured round(s) per variant and page size.`,
    tables: goalRows.length ? [main, goal] : [main],
    notes,
  };
}
