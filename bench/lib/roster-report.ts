/** Tables and notes of the roster benchmark (bench/roster.bench.ts) for RESULTS.md. */
import { fmt, type Section, type Table } from './report.js';
import { median, min, p90 } from './stats.js';
import type { RosterFetch } from './roster-clients.js';

export interface RosterSeries {
  variant: { id: string; library: string; transport: string };
  samples: RosterFetch[];
  failures: string[];
}

interface Context {
  rounds: number;
  warmup: number;
  count: number;
  fillMs: number;
  loadBefore: string;
  loadAfter: string;
  restarted: boolean;
}

export function buildRosterSection(series: readonly RosterSeries[], ctx: Context): Section {
  const totals = (s: RosterSeries) => s.samples.map((x) => x.totalMs);
  const medianOf = (id: string) => {
    const found = series.find((s) => s.variant.id === id);
    return found?.samples.length ? median(totals(found)) : NaN;
  };

  const main: Table = {
    title: `Fresh client → roster of ${fmt.int(ctx.count)} ready (median of ${ctx.rounds} rounds)`,
    columns: [
      'client',
      'transport',
      'ready median ms',
      'ready p90 ms',
      'ready min ms',
      '"online" median ms',
      'ready − online ms',
      'vs @xmpp/client (same transport)',
      'vs StanzaJS',
      'ok / failed',
    ],
    rows: series.map((s) => {
      const { variant } = s;
      if (!s.samples.length) return [variant.library, variant.transport, ...Array<string>(7).fill('–'), `0 / ${s.failures.length}`];
      const ready = totals(s);
      const online = median(s.samples.map((x) => x.onlineMs));
      const afterOnline = median(s.samples.map((x) => x.totalMs - x.onlineMs));
      return [
        variant.library,
        variant.transport,
        fmt.n(median(ready), 1),
        fmt.n(p90(ready), 1),
        fmt.n(min(ready), 1),
        fmt.n(online, 1),
        fmt.n(afterOnline, 1),
        fmt.ratio(median(ready), medianOf(`stock-${variant.transport.toLowerCase()}`)),
        fmt.ratio(median(ready), medianOf('stanza-ws')),
        `${s.samples.length} / ${s.failures.length}`,
      ];
    }),
  };

  const goals: Array<[string, string, string]> = [
    ['xmpp-adapter / @xmpp/client', 'ours-tcp', 'stock-tcp'],
    ['xmpp-adapter / @xmpp/client', 'ours-ws', 'stock-ws'],
    ['xmpp-adapter / StanzaJS', 'ours-ws', 'stanza-ws'],
    ['xmpp-adapter / StanzaJS', 'ours-tcp', 'stanza-ws'],
  ];
  const goal: Table = {
    title: 'Goal: our roster ready sooner than both references (ratio of medians, lower is better)',
    columns: ['ratio', 'ours', 'reference', 'ours ms', 'reference ms', 'ratio', 'faster'],
    rows: goals
      .filter(([, a, b]) => Number.isFinite(medianOf(a)) && Number.isFinite(medianOf(b)))
      .map(([label, a, b]) => [
        label,
        a,
        b,
        fmt.n(medianOf(a), 1),
        fmt.n(medianOf(b), 1),
        fmt.ratio(medianOf(a), medianOf(b)),
        medianOf(a) < medianOf(b) ? 'yes' : 'no',
      ]),
  };

  const notes = [
    "**Ready**: xmpp-adapter — the `roster` actor's snapshot is `ready` (its `items` record holds the result); @xmpp/client — `start()` resolved (`online`), then a roster get through its `iqCaller` answered and its `<item/>`s turned into objects (jid, name, subscription, groups); StanzaJS — `session:started`, then `getRoster()` resolved (parsed by its JXT definitions). Every fetch is checked to hold exactly the contacts that were built.",
    'Timed from `start()` (StanzaJS: `connect()`) on a fresh client, so it includes the login with each library\'s default SASL choice (SCRAM-SHA-1 on `localhost` for all three): stock xmpp.js\'s SCRAM is slow (~0.65 s, see the login benchmark), hence the "online" and "ready − online" columns. xmpp-adapter asks for the roster on `session.online`, which it reaches after XEP-0198 `<enabled/>`, one round trip later than the others\' online.',
    `The roster (${fmt.int(ctx.count)} contacts, a name and one of 10 groups each, subscription none) is built once per run for a fresh account by pipelined roster sets from the account itself: ${(ctx.fillMs / 1000).toFixed(1)} s (Prosody rewrites the whole roster file on every set).`,
    `${ctx.warmup} warm-up round(s) not recorded; a full GC before every fetch; variants in an order rotated by one per round; logout not timed.`,
    `Load average (1/5/15 min) before: ${ctx.loadBefore}, after: ${ctx.loadAfter}.`,
  ];
  for (const s of series)
    if (s.failures.length) notes.push(`**${s.variant.id}: ${s.failures.length} failure(s)** — first: ${s.failures[0]}`);
  if (ctx.restarted) notes.push('**Prosody was restarted during the run.**');

  return {
    id: 'roster',
    heading: `Roster of ${fmt.int(ctx.count)} contacts: fresh client to roster ready (roster.bench.ts)`,
    summary: `${fmt.int(ctx.count)} contacts, ${ctx.rounds} measured round(s) per variant.`,
    tables: [main, goal],
    notes,
  };
}
