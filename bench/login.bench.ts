/**
 * Login latency: connect + authenticate + bind (+ enable stream management) against the local
 * Prosody, for our client, stock @xmpp/client and StanzaJS. Every round logs each variant in once,
 * in an order rotated by one per round, with a fresh client each time: start → ready → stop.
 *
 * Run: `npm run bench -- login` (BENCH_ROUNDS, BENCH_WARMUP), or `npx tsx bench/login.bench.ts`.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { PROSODY_DOMAIN, SHA256_DOMAIN, TCP_URL, WS_URL, startProsody, uniqueUser, type TestUser } from '../scripts/prosody.js';
import { oursLogin, oursLoginWith, stanzaLogin, stockLogin, type LoginFn } from './lib/clients.js';
import { collectGarbage, describeProsody, envInt, loadAverage, prosodyPid, scramIterations, sleep } from './lib/env.js';
import { fmt, printSection, writeSection, type Section, type Table } from './lib/report.js';
import { measure, median, min, p90 } from './lib/stats.js';

export interface LoginAccounts {
  /** An account on `localhost` (SCRAM-SHA-1 and PLAIN offered). */
  sha1: TestUser;
  /** An account on `sha256.localhost` (SCRAM-SHA-256 and PLAIN offered). */
  sha256: TestUser;
}

type Library = 'xmpp-adapter' | '@xmpp/client' | 'StanzaJS';
type Transport = 'TCP' | 'WS';

interface Variant {
  id: string;
  library: Library;
  transport: Transport;
  account: keyof LoginAccounts;
  /** What we asked for; the mechanism actually used is recorded per login. */
  requested: string;
  note?: string;
  login: LoginFn;
}

const VARIANTS: readonly Variant[] = [
  { id: 'ours-tcp-sha1', library: 'xmpp-adapter', transport: 'TCP', account: 'sha1', requested: 'auto', login: oursLogin },
  { id: 'ours-ws-sha1', library: 'xmpp-adapter', transport: 'WS', account: 'sha1', requested: 'auto', login: oursLogin },
  { id: 'ours-tcp-sha256', library: 'xmpp-adapter', transport: 'TCP', account: 'sha256', requested: 'auto', login: oursLogin },
  { id: 'ours-ws-sha256', library: 'xmpp-adapter', transport: 'WS', account: 'sha256', requested: 'auto', login: oursLogin },
  {
    id: 'stock-tcp-sha1',
    library: '@xmpp/client',
    transport: 'TCP',
    account: 'sha1',
    requested: 'SCRAM-SHA-1',
    login: stockLogin('SCRAM-SHA-1'),
  },
  { id: 'stock-tcp-plain', library: '@xmpp/client', transport: 'TCP', account: 'sha1', requested: 'PLAIN', login: stockLogin('PLAIN') },
  {
    id: 'stock-ws-sha1',
    library: '@xmpp/client',
    transport: 'WS',
    account: 'sha1',
    requested: 'SCRAM-SHA-1',
    login: stockLogin('SCRAM-SHA-1'),
  },
  { id: 'stock-ws-plain', library: '@xmpp/client', transport: 'WS', account: 'sha1', requested: 'PLAIN', login: stockLogin('PLAIN') },
  { id: 'stanza-ws-sha1', library: 'StanzaJS', transport: 'WS', account: 'sha1', requested: 'auto', login: stanzaLogin('auto') },
  { id: 'stanza-ws-sha256', library: 'StanzaJS', transport: 'WS', account: 'sha256', requested: 'auto', login: stanzaLogin('auto') },
  { id: 'stanza-ws-plain', library: 'StanzaJS', transport: 'WS', account: 'sha1', requested: 'PLAIN', login: stanzaLogin('PLAIN') },
  { id: 'ours-tcp-plain', library: 'xmpp-adapter', transport: 'TCP', account: 'sha1', requested: 'PLAIN', login: oursLoginWith(['PLAIN']) },
  { id: 'ours-ws-plain', library: 'xmpp-adapter', transport: 'WS', account: 'sha1', requested: 'PLAIN', login: oursLoginWith(['PLAIN']) },
];

interface Series {
  variant: Variant;
  wallMs: number[];
  cpuMs: number[];
  onlineMs: number[];
  mechanisms: Set<string>;
  /** Wall ms by measured round, for ratios of logins made in the same round. */
  byRound: Map<number, number>;
  failures: string[];
  disabled: boolean;
}

export interface LoginBenchOptions {
  accounts: LoginAccounts;
  rounds?: number;
  warmup?: number;
  /** Pause after each logout, so Prosody has finished with the old session. */
  settleMs?: number;
  /** Write bench/RESULTS.md (default true). */
  write?: boolean;
}

const LOGIN_TIMEOUT_MS = 15_000;
/** A variant that fails this many logins in a row is dropped from the run. */
const MAX_CONSECUTIVE_FAILURES = 3;

export async function runLoginBench(options: LoginBenchOptions): Promise<Section> {
  const rounds = options.rounds ?? envInt('BENCH_ROUNDS', 20);
  const warmup = options.warmup ?? envInt('BENCH_WARMUP', 2);
  const settleMs = options.settleMs ?? 20;
  if (rounds < 1) throw new Error('BENCH_ROUNDS must be at least 1');

  const series: Series[] = VARIANTS.map((variant) => ({
    variant,
    wallMs: [],
    cpuMs: [],
    onlineMs: [],
    mechanisms: new Set(),
    byRound: new Map(),
    failures: [],
    disabled: false,
  }));
  const consecutive = new Map<Series, number>();
  const pidBefore = prosodyPid();
  const loadBefore = loadAverage();
  const targets = {
    sha1: options.accounts.sha1,
    sha256: options.accounts.sha256,
  };

  console.log(`login: ${series.length} variants × (${warmup} warm-up + ${rounds} measured) rounds, order rotated every round`);
  for (let round = -warmup; round < rounds; round++) {
    const offset = ((round % series.length) + series.length) % series.length;
    const order = [...series.slice(offset), ...series.slice(0, offset)];
    for (const s of order) {
      if (s.disabled) continue;
      const { variant } = s;
      const target = {
        service: variant.transport === 'TCP' ? TCP_URL : WS_URL,
        user: targets[variant.account],
        timeoutMs: LOGIN_TIMEOUT_MS,
      };
      collectGarbage();
      let result;
      try {
        result = await measure(() => variant.login(target));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        s.failures.push(`round ${round}: ${message}`);
        const n = (consecutive.get(s) ?? 0) + 1;
        consecutive.set(s, n);
        if (n >= MAX_CONSECUTIVE_FAILURES) s.disabled = true;
        console.warn(`  ${variant.id} failed (round ${round}): ${message}${s.disabled ? ' — dropped' : ''}`);
        await sleep(settleMs);
        continue;
      }
      consecutive.set(s, 0);
      const session = result.value;
      if (round >= 0) {
        s.wallMs.push(result.wallMs);
        s.cpuMs.push(result.cpuMs);
        s.onlineMs.push(session.onlineMs);
        s.mechanisms.add(session.mechanism);
        s.byRound.set(round, result.wallMs);
      } else if (round === -warmup) {
        console.log(`  ${variant.id.padEnd(22)} ${session.mechanism.padEnd(14)} ${session.jid}`);
      }
      await session.stop();
      await sleep(settleMs);
    }
    if (round >= 0 && (round + 1) % 5 === 0) console.log(`  round ${round + 1}/${rounds} done`);
  }
  const pidAfter = prosodyPid();

  const section = buildSection(series, { rounds, warmup, settleMs, pidBefore, pidAfter, loadBefore, accounts: options.accounts });
  section.environment = {
    ...section.environment,
    prosody: await describeProsody(pidBefore, pidAfter),
  };
  printSection(section);
  if (options.write ?? process.env.BENCH_WRITE !== '0') writeSection(section);
  return section;
}

interface Context {
  rounds: number;
  warmup: number;
  settleMs: number;
  pidBefore: string | undefined;
  pidAfter: string | undefined;
  loadBefore: string;
  accounts: LoginAccounts;
}

function buildSection(series: Series[], ctx: Context): Section {
  const byId = new Map(series.map((s) => [s.variant.id, s]));
  const med = (id: string, key: 'wallMs' | 'cpuMs') => {
    const values = byId.get(id)?.[key] ?? [];
    return values.length ? median(values) : NaN;
  };
  const baselineOf = (t: Transport) => (t === 'TCP' ? 'stock-tcp-sha1' : 'stock-ws-sha1');

  const main: Table = {
    title: `Login latency per client: fresh client, connect → SASL → bind → XEP-0198 enabled (median of ${ctx.rounds})`,
    columns: [
      'client',
      'transport',
      'host',
      'mechanism used',
      'wall median ms',
      'wall p90 ms',
      'wall min ms',
      '"online" event median ms',
      'CPU median ms',
      'wall vs stock SCRAM-SHA-1',
      'CPU vs stock SCRAM-SHA-1',
      'ok / failed',
    ],
    rows: series.map((s) => {
      const v = s.variant;
      const base = baselineOf(v.transport);
      const has = s.wallMs.length > 0;
      return [
        `${v.library}${v.note ? ` (${v.note})` : ''}`,
        v.transport,
        ctx.accounts[v.account].domain,
        [...s.mechanisms].join(', ') || `(${v.requested})`,
        has ? fmt.n(median(s.wallMs), 2) : '–',
        has ? fmt.n(p90(s.wallMs), 2) : '–',
        has ? fmt.n(min(s.wallMs), 2) : '–',
        has ? fmt.n(median(s.onlineMs), 2) : '–',
        has ? fmt.n(median(s.cpuMs), 2) : '–',
        has ? fmt.ratio(median(s.wallMs), med(base, 'wallMs')) : '–',
        has ? fmt.ratio(median(s.cpuMs), med(base, 'cpuMs')) : '–',
        `${s.wallMs.length} / ${s.failures.length}`,
      ];
    }),
  };

  const pairs: Array<[string, string, string]> = [
    ['xmpp-adapter SCRAM-SHA-1 / @xmpp/client PLAIN', 'ours-tcp-sha1', 'stock-tcp-plain'],
    ['xmpp-adapter SCRAM-SHA-1 / @xmpp/client PLAIN', 'ours-ws-sha1', 'stock-ws-plain'],
    ['xmpp-adapter SCRAM-SHA-1 / StanzaJS PLAIN', 'ours-ws-sha1', 'stanza-ws-plain'],
    ['xmpp-adapter SCRAM-SHA-256 / @xmpp/client PLAIN', 'ours-tcp-sha256', 'stock-tcp-plain'],
    ['xmpp-adapter SCRAM-SHA-256 / @xmpp/client PLAIN', 'ours-ws-sha256', 'stock-ws-plain'],
    ['xmpp-adapter SCRAM-SHA-1 / xmpp-adapter PLAIN (the goal: same client)', 'ours-tcp-sha1', 'ours-tcp-plain'],
    ['xmpp-adapter SCRAM-SHA-1 / xmpp-adapter PLAIN (the goal: same client)', 'ours-ws-sha1', 'ours-ws-plain'],
    ['@xmpp/client SCRAM-SHA-1 / @xmpp/client PLAIN (reference)', 'stock-tcp-sha1', 'stock-tcp-plain'],
    ['@xmpp/client SCRAM-SHA-1 / @xmpp/client PLAIN (reference)', 'stock-ws-sha1', 'stock-ws-plain'],
    ['StanzaJS SCRAM-SHA-1 / StanzaJS PLAIN (reference)', 'stanza-ws-sha1', 'stanza-ws-plain'],
  ];
  const goal: Table = {
    title: 'SCRAM vs PLAIN — issue goal: a SCRAM login within 1.25× of a PLAIN login (ratio of wall medians)',
    columns: [
      'ratio',
      'transport',
      'SCRAM wall ms',
      'PLAIN wall ms',
      'wall ratio',
      'paired wall ratio',
      'SCRAM CPU ms',
      'PLAIN CPU ms',
      'CPU ratio',
      '≤ 1.25× (wall)',
    ],
    rows: pairs
      .filter(([, a, b]) => byId.has(a) && byId.has(b))
      .map(([label, a, b]) => {
        const [wa, wb, ca, cb] = [med(a, 'wallMs'), med(b, 'wallMs'), med(a, 'cpuMs'), med(b, 'cpuMs')];
        const ratio = wa / wb;
        const [ra, rb] = [byId.get(a)!.byRound, byId.get(b)!.byRound];
        const paired = [...ra].filter(([round]) => rb.has(round)).map(([round, wall]) => wall / rb.get(round)!);
        return [
          label,
          byId.get(a)!.variant.transport,
          fmt.n(wa, 2),
          fmt.n(wb, 2),
          fmt.ratio(wa, wb),
          paired.length ? `${median(paired).toFixed(2)}×` : '–',
          fmt.n(ca, 2),
          fmt.n(cb, 2),
          fmt.ratio(ca, cb),
          Number.isFinite(ratio) ? (ratio <= 1.25 ? 'yes' : 'no') : '–',
        ];
      }),
  };

  const notes: string[] = [
    `Each login is timed from creating the client to "ready": resource bound **and** XEP-0198 \`<enabled/>\` received, because that is when our \`start()\` resolves. Stock xmpp.js (\`online\`) and StanzaJS (\`session:started\`) announce themselves one round trip earlier, right after the bind result; that earlier point is the '"online" event' column (for us it equals the wall time).`,
    `CPU is \`process.cpuUsage()\` (user + system, all threads, so WebCrypto/libuv work counts) around the same span. Prosody's CPU is not included; it shares the machine's ${availableParallelism()} cores, so wall times include its scheduling.`,
    `${ctx.warmup} warm-up round(s) per variant are not recorded; a full GC runs before every login; ${ctx.settleMs} ms pause after each logout. Rounds alternate all variants in an order rotated by one each round.`,
    `Ratios in the first table are to stock @xmpp/client SCRAM-SHA-1 over the same transport. The second table's ratios are SCRAM median / PLAIN median; the paired ratio is the median over rounds of (SCRAM login / PLAIN login of the same round), which cancels drift between rounds. On this shared 2-core machine either ratio has moved by up to ±0.15 between runs of 20 rounds; use more rounds (BENCH_ROUNDS) for a verdict near 1.25.`,
    `"Same client, PLAIN" for xmpp-adapter: the client's \`mechanisms: ['PLAIN']\` option; everything else about the login is the same as the SCRAM rows.`,
    `Stock @xmpp/client: mechanism forced through its \`credentials(authenticate, mechanisms)\` callback; its WebSocket transport needs \`globalThis.WebSocket\` in Node 20, set (to \`ws\`) only while it logs in. StanzaJS: its Node platform brings \`ws\` itself; PLAIN forced with \`client.sasl.disable()\` of every other mechanism; "auto" = its own preference order.`,
  ];
  const iter1 = scramIterations(ctx.accounts.sha1.username, ctx.accounts.sha1.domain);
  const iter256 = scramIterations(ctx.accounts.sha256.username, ctx.accounts.sha256.domain);
  if (iter1 || iter256)
    notes.push(`SCRAM iteration count stored by Prosody: ${iter1 ?? '?'} (localhost), ${iter256 ?? '?'} (sha256.localhost).`);
  for (const s of series) {
    if (s.failures.length)
      notes.push(
        `**${s.variant.id}: ${s.failures.length} failed login(s)${s.disabled ? ', dropped after 3 in a row' : ''}** — first: ${s.failures[0]}`,
      );
    const wide = s.wallMs.length >= 5 && p90(s.wallMs) > 2 * median(s.wallMs);
    if (wide) notes.push(`${s.variant.id}: wide spread (p90 ${fmt.n(p90(s.wallMs), 1)} ms vs median ${fmt.n(median(s.wallMs), 1)} ms).`);
  }
  if (ctx.pidBefore !== ctx.pidAfter)
    notes.push(
      `**Prosody was restarted during the run (pid ${ctx.pidBefore ?? '?'} → ${ctx.pidAfter ?? '?'}); figures may be disturbed.**`,
    );

  return {
    id: 'login',
    heading: 'Login latency (login.bench.ts)',
    summary: `Rounds: ${ctx.rounds} measured + ${ctx.warmup} warm-up per variant; load average before the run (1/5/15 min): ${ctx.loadBefore}, after: ${loadAverage()}.`,
    tables: [main, goal],
    notes,
  };
}

/** Registers the two accounts the login benchmark uses (fresh ones every run). */
export async function createLoginAccounts(): Promise<LoginAccounts> {
  const [sha1, sha256] = await Promise.all([uniqueUser('bench-login', PROSODY_DOMAIN), uniqueUser('bench-login', SHA256_DOMAIN)]);
  return { sha1, sha256 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await startProsodyAndRun();
}

async function startProsodyAndRun(): Promise<void> {
  await startProsody();
  await runLoginBench({ accounts: await createLoginAccounts() });
}
