/** Tables and notes of the group chat benchmark (bench/muc.bench.ts) for RESULTS.md. */
import { fmt, type Section, type Table } from './report.js';
import { max, median, min } from './stats.js';

export interface JoinSample {
  /** N: occupants once we are in, us included. */
  occupants: number;
  /** ms from the join until the client said joined. */
  wallMs: number;
  /** Process CPU (user + system) over the same span. */
  cpuMs: number;
  prosodyCpuMs: number | undefined;
  /** Occupants in the app's structure when the join resolved, and distinct nicks among them. */
  seen: number;
  distinct: number;
}

export interface BurstSample {
  /** ms from the sender's write until the app held the last message. */
  receivedMs: number;
  cpuMs: number;
  prosodyCpuMs: number | undefined;
  /** ms until the sender's write was flushed to its socket (another process). */
  writtenMs: number;
  received: number;
  lost: number;
  duplicates: number;
  unexpected: number;
  /** Messages in the app's store / array once done. */
  held: number;
}

export interface MucSeries<S> {
  variant: { id: string; library: string; transport: string };
  /** N for joins; 2 (sender and client) for bursts. */
  occupants: number;
  samples: S[];
  failures: string[];
}

interface Context {
  rounds: number;
  warmup: number;
  messages: number;
  sizes: readonly number[];
  fillMs: ReadonlyMap<number, number>;
  registerMs: number;
  loginMs: number;
  loadBefore: string;
  loadAfter: string;
  restarted: boolean;
}

const STOCK = 'stock-tcp';
const range = (values: readonly number[]) => `${fmt.int(min(values))}–${fmt.int(max(values))}`;
const medianOf = <S>(samples: readonly S[], pick: (s: S) => number) => (samples.length ? median(samples.map(pick)) : NaN);
const prosodyMedian = (samples: ReadonlyArray<{ prosodyCpuMs: number | undefined }>) => {
  const known = samples.map((s) => s.prosodyCpuMs).filter((v): v is number => v !== undefined);
  return known.length ? median(known) : NaN;
};

function joinCorrectness(samples: readonly JoinSample[]): string {
  const wrong = samples.filter((s) => s.seen !== s.occupants || s.distinct !== s.occupants);
  if (!samples.length) return '–';
  if (!wrong.length) return `ok: ${samples[0]!.occupants} seen`;
  return `**${wrong.length} wrong**, e.g. ${wrong[0]!.seen} seen (${wrong[0]!.distinct} distinct)`;
}

function burstCorrectness(samples: readonly BurstSample[], expected: number): string {
  if (!samples.length) return '–';
  const wrong = samples.filter((s) => s.received !== expected || s.duplicates || s.unexpected || s.held !== expected);
  if (!wrong.length) return `ok: ${fmt.int(expected)} received, 0 dup`;
  const w = wrong[0]!;
  return `**${wrong.length} wrong**, e.g. ${fmt.int(w.received)} received, ${w.lost} lost, ${w.duplicates} dup, ${w.unexpected} unexpected, ${fmt.int(w.held)} held`;
}

export function buildMucSection(
  joins: ReadonlyArray<MucSeries<JoinSample>>,
  bursts: ReadonlyArray<MucSeries<BurstSample>>,
  ctx: Context,
): Section {
  const joinOf = (id: string, n: number) => joins.find((s) => s.variant.id === id && s.occupants === n);
  const cpuAt = (id: string, n: number) => medianOf(joinOf(id, n)?.samples ?? [], (x) => x.cpuMs);
  const wallAt = (id: string, n: number) => medianOf(joinOf(id, n)?.samples ?? [], (x) => x.wallMs);
  /** CPU per extra occupant between the previous size and this one (difference of medians). */
  const marginal = (id: string, n: number) => {
    const i = ctx.sizes.indexOf(n);
    if (i <= 0) return NaN;
    const prev = ctx.sizes[i - 1]!;
    return ((cpuAt(id, n) - cpuAt(id, prev)) * 1000) / (n - prev);
  };

  const joinTable: Table = {
    title: `Join a room of N occupants → joined with all N in the app (median of ${ctx.rounds} rounds)`,
    columns: [
      'client',
      'transport',
      'N',
      'wall ms',
      'wall range ms',
      'wall vs @xmpp/client',
      'CPU ms',
      'CPU µs/presence',
      'marginal µs/presence',
      'CPU vs @xmpp/client',
      'Prosody CPU ms',
      'occupants (every round)',
      'rounds ok / failed',
    ],
    rows: joins.map((s) => {
      const { samples, variant, occupants: n } = s;
      if (!samples.length)
        return [variant.library, variant.transport, String(n), ...Array<string>(9).fill('–'), `0 / ${s.failures.length}`];
      const walls = samples.map((x) => x.wallMs);
      const cpu = cpuAt(variant.id, n);
      const prosody = prosodyMedian(samples);
      return [
        variant.library,
        variant.transport,
        String(n),
        fmt.int(median(walls)),
        range(walls),
        fmt.ratio(median(walls), wallAt(STOCK, n)),
        fmt.n(cpu, 1),
        fmt.n((cpu * 1000) / n, 0),
        fmt.n(marginal(variant.id, n), 0),
        fmt.ratio(cpu, cpuAt(STOCK, n)),
        Number.isFinite(prosody) ? fmt.int(prosody) : '–',
        joinCorrectness(samples),
        `${samples.length} / ${s.failures.length}`,
      ];
    }),
  };

  const ids = [...new Set(joins.map((s) => s.variant.id))];
  const smallest = ctx.sizes[0]!;
  const largest = ctx.sizes.at(-1)!;
  const flatTable: Table = {
    title: 'Client CPU per occupant presence as the room grows (must not grow with N)',
    columns: [
      'client',
      'transport',
      ...ctx.sizes.map((n) => `µs/presence N=${n}`),
      ...ctx.sizes.slice(1).map((n, i) => `marginal ${ctx.sizes[i]}→${n}`),
      `N=${largest} / N=${smallest}`,
      'flat?',
    ],
    rows: ids.map((id) => {
      const s = joins.find((x) => x.variant.id === id)!;
      const per = ctx.sizes.map((n) => (cpuAt(id, n) * 1000) / n);
      const margins = ctx.sizes.slice(1).map((n) => marginal(id, n));
      const growth = per.at(-1)! / per[0]!;
      // Per-presence CPU falls with N when fixed costs dominate; it rises when each presence costs more in a bigger room.
      const flat = margins.length >= 2 ? margins.at(-1)! <= 1.5 * Math.max(margins[0]!, 1) : growth <= 1.5;
      return [
        s.variant.library,
        s.variant.transport,
        ...per.map((v) => fmt.n(v, 0)),
        ...margins.map((v) => fmt.n(v, 0)),
        fmt.ratio(per.at(-1)!, per[0]!),
        Number.isFinite(growth) ? (flat ? 'yes' : '**no**') : '–',
      ];
    }),
  };

  const stockBurst = bursts.find((s) => s.variant.id === STOCK);
  const stockRate = medianOf(stockBurst?.samples ?? [], (x) => (ctx.messages / x.receivedMs) * 1000);
  const stockCpu = medianOf(stockBurst?.samples ?? [], (x) => (x.cpuMs * 1000) / ctx.messages);
  const burstTable: Table = {
    title: `${fmt.int(ctx.messages)} groupchat messages into a joined room → all in the app (median of ${ctx.rounds} rounds)`,
    columns: [
      'client',
      'transport',
      'msg/s',
      'msg/s range',
      'vs @xmpp/client',
      'at least as fast?',
      'received ms',
      'sender written ms',
      'CPU ms',
      'CPU µs/msg',
      'CPU vs @xmpp/client',
      'Prosody CPU µs/msg',
      'correct (every round)',
      'rounds ok / failed',
    ],
    rows: bursts.map((s) => {
      const { samples, variant } = s;
      if (!samples.length) return [variant.library, variant.transport, ...Array<string>(11).fill('–'), `0 / ${s.failures.length}`];
      const rates = samples.map((x) => (ctx.messages / x.receivedMs) * 1000);
      const rate = median(rates);
      const cpuPerMsg = median(samples.map((x) => (x.cpuMs * 1000) / ctx.messages));
      const prosody = prosodyMedian(samples);
      return [
        variant.library,
        variant.transport,
        fmt.int(rate),
        range(rates),
        Number.isFinite(stockRate) ? `${(rate / stockRate).toFixed(2)}×` : '–',
        variant.library === 'xmpp-adapter' && Number.isFinite(stockRate) ? (rate >= stockRate ? 'yes' : '**no**') : '',
        fmt.int(median(samples.map((x) => x.receivedMs))),
        fmt.int(median(samples.map((x) => x.writtenMs))),
        fmt.int(median(samples.map((x) => x.cpuMs))),
        fmt.n(cpuPerMsg, 1),
        fmt.ratio(cpuPerMsg, stockCpu),
        Number.isFinite(prosody) ? fmt.n((prosody * 1000) / ctx.messages, 1) : '–',
        burstCorrectness(samples, ctx.messages),
        `${samples.length} / ${s.failures.length}`,
      ];
    }),
  };

  const fills = ctx.sizes.map((n) => `N=${n}: ${((ctx.fillMs.get(n) ?? NaN) / 1000).toFixed(1)} s`).join(', ');
  const notes = [
    `**Rooms of N** (${ctx.sizes.join(', ')}): filled once per run with N-1 occupants over raw sockets in a child process (bench/lib/muc-crowd-child.ts) — the owner, who created the room and configured it (defaults, archiving off), and N-2 filler accounts, all joined at once, each on its own socket; the measured client makes N. Fillers never parse: their sockets are scanned as text for their own presence (status 110) and dropped otherwise, so none of this is counted as the client's CPU. Accounts registered in-band (XEP-0077, ${(ctx.registerMs / 1000).toFixed(1)} s), fillers logged in in ${(ctx.loginMs / 1000).toFixed(1)} s; filling took ${fills} (Prosody tells each of the N-1 of every later join: ~N² presences).`,
    "**Join**: every round each client logs in afresh (not timed, 300 ms pause, full GC), joins with nick `bench-<variant>` and leaves again (the room confirmed it) before it stops. Timed from the join until: xmpp-adapter — `client.rooms.join(room, { nick })` resolved (its room actor asks the room for disco#info first, XEP-0045 §6.4, one round trip the others skip), occupants = `view.occupants`; @xmpp/client — the join presence sent with `send`, its `stanza` listener keeping a Map of occupants by nick until our own presence (110); StanzaJS — `joinRoom(room, nick)` resolved, occupants a Map kept from its `muc:available` events; raw socket (floor) — bench/lib/raw-xmpp.ts (no stream management), the join presence as a string, @xmpp/xml's parser and a Map, until our own presence. Every client asks for the default discussion history; the rooms have none.",
    '**CPU µs/presence** = client CPU (`process.cpuUsage()`, this process only) of the join / N; it includes the fixed cost of a join (a presence out, our own presence, the subject, disco#info for ours), so it falls with N when a presence is cheap. **Marginal µs/presence** = (median CPU at N − median CPU at the previous N) / the difference in N: the cost of one more occupant, the figure that must stay flat. _Flat?_ says yes when the last marginal figure is within 1.5× of the first.',
    `**Burst**: for every (client, round) a fresh room, created and configured (archiving off) by a raw-socket sender in the child process; the client joins it (not timed), then the sender writes ${fmt.int(ctx.messages)} groupchat messages (~150 bytes each, distinct bodies) in one socket write. The sender is the same raw client for every variant, so only the receiving client differs. Timed from the write until the app holds the last one: xmpp-adapter — the room actor's \`messages\` store (\`client.rooms.actor(room)\`, a snapshot subscription reading each new position); @xmpp/client — a \`stanza\` listener pushing \`{ id, nick, body, stanzaId }\` into an array; StanzaJS — its \`groupchat\` event, the message pushed into an array; the floor — parsed \`<message/>\`s counted. _Sender written_ is when the sender's write was flushed (Prosody reads as fast as it routes).`,
    "**Prosody CPU** from /proc over the same span (10 ms ticks): per message it routes the sender's stanza, reflects it to the sender, sends it to the client, and (XEP-0198, `smacks_max_unacked_stanzas = 0`) asks the client for acks. Prosody is single-threaded: when msg/s × Prosody µs/msg nears one second per second the server is the limit. The machine's two cores are shared by Prosody, the client and the crowd process.",
    "**Room archiving is off** in every benchmark room (`muc#roomconfig_enablearchiving` = 0 in the owner's configuration form, mod_muc_mam): Prosody's SQLite archive commits once per stored message. With archiving off the room's disco#info lists no MAM, so xmpp-adapter joins with history rather than catching up from the archive. Prosody's configuration is left as it is: no `max_occupants` (Prosody 0.12's mod_muc has none), `max_history_messages` unset, mod_limits c2s at 1 GB/s.",
    `${ctx.warmup} warm-up round(s) not recorded; the order of the clients is rotated by one per round.`,
    `Load average (1/5/15 min) before: ${ctx.loadBefore}, after: ${ctx.loadAfter}.`,
  ];
  for (const s of [...joins, ...bursts])
    if (s.failures.length) notes.push(`**${s.variant.id} (N=${s.occupants}): ${s.failures.length} failure(s)** — first: ${s.failures[0]}`);
  if (ctx.restarted) notes.push('**Prosody was restarted during the run.**');

  return {
    id: 'muc',
    heading: `Group chat: joining rooms of ${ctx.sizes.join(' / ')} occupants, a burst of ${fmt.int(ctx.messages)} messages (muc.bench.ts)`,
    summary: `Rooms of ${ctx.sizes.join(', ')} occupants and a ${fmt.int(ctx.messages)}-message burst, ${ctx.rounds} measured round(s) per client.`,
    tables: [joinTable, flatTable, burstTable],
    notes,
  };
}
