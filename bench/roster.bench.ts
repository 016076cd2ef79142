/**
 * Roster load: a fresh account gets a roster of BENCH_CONTACTS_ROSTER (2,000) contacts once per
 * run; then every round each variant logs in with a fresh client and fetches it, timed from
 * `start()` to the roster ready for the app. Our client beside stock @xmpp/client and StanzaJS.
 *
 * Run: `npm run bench -- roster` (BENCH_ROUNDS, BENCH_ROSTER_CONTACTS), or `npx tsx bench/roster.bench.ts`.
 */
import { pathToFileURL } from 'node:url';
import { PROSODY_DOMAIN, TCP_URL, WS_URL, startProsody, uniqueUser } from '../scripts/prosody.js';
import { collectGarbage, describeProsody, envInt, loadAverage, prosodyPid, sleep } from './lib/env.js';
import { printSection, writeSection } from './lib/report.js';
import { oursRoster, stanzaRoster, stockRoster, type FetchRoster } from './lib/roster-clients.js';
import { buildRosterSection, type RosterSeries } from './lib/roster-report.js';
import { fillRoster, rosterContacts } from './lib/roster-setup.js';

export interface RosterVariant {
  id: string;
  library: 'xmpp-adapter' | '@xmpp/client' | 'StanzaJS';
  transport: 'TCP' | 'WS';
  fetch: FetchRoster;
}

const VARIANTS: readonly RosterVariant[] = [
  { id: 'ours-tcp', library: 'xmpp-adapter', transport: 'TCP', fetch: oursRoster },
  { id: 'stock-tcp', library: '@xmpp/client', transport: 'TCP', fetch: stockRoster },
  { id: 'ours-ws', library: 'xmpp-adapter', transport: 'WS', fetch: oursRoster },
  { id: 'stock-ws', library: '@xmpp/client', transport: 'WS', fetch: stockRoster },
  { id: 'stanza-ws', library: 'StanzaJS', transport: 'WS', fetch: stanzaRoster },
];

/** Why a fetch's JIDs are not the roster that was built, or undefined when they are. */
function mismatch(jids: readonly string[], expected: ReadonlySet<string>): string | undefined {
  const got = new Set(jids);
  const missing = [...expected].filter((j) => !got.has(j)).length;
  const extra = [...got].filter((j) => !expected.has(j)).length;
  if (jids.length === expected.size && missing === 0 && extra === 0) return undefined;
  return `${jids.length} items (${got.size} distinct), ${missing} missing, ${extra} unexpected`;
}

export async function runRosterBench(): Promise<void> {
  const rounds = envInt('BENCH_ROUNDS', 5);
  const warmup = envInt('BENCH_WARMUP', 1);
  const count = envInt('BENCH_ROSTER_CONTACTS', 2000);
  const account = await uniqueUser('bench-roster');
  const contacts = rosterContacts(count, PROSODY_DOMAIN);
  console.log(`roster: filling ${account.jid} with ${count} contacts (pipelined roster sets)…`);
  const fillMs = await fillRoster(account, contacts);
  console.log(`  done in ${(fillMs / 1000).toFixed(1)} s`);
  const expected = new Set(contacts.map((c) => c.jid));

  const series: Array<RosterSeries & { variant: RosterVariant }> = VARIANTS.map((variant) => ({ variant, samples: [], failures: [] }));
  const pidBefore = prosodyPid();
  const loadBefore = loadAverage();
  console.log(`roster: ${series.length} variants × (${warmup} warm-up + ${rounds} measured) rounds, order rotated every round`);
  for (let round = -warmup; round < rounds; round++) {
    const offset = ((round % series.length) + series.length) % series.length;
    for (const s of [...series.slice(offset), ...series.slice(0, offset)]) {
      const service = s.variant.transport === 'TCP' ? TCP_URL : WS_URL;
      collectGarbage();
      try {
        const fetched = await s.variant.fetch(service, account);
        const wrong = mismatch(fetched.jids, expected);
        if (wrong) throw new Error(`wrong roster: ${wrong}`);
        if (round >= 0) s.samples.push(fetched);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        s.failures.push(`round ${round + 1}: ${message}`);
        console.warn(`  ${s.variant.id} failed (round ${round + 1}): ${message}`);
      }
      await sleep(50);
    }
    if (round >= 0) console.log(`  round ${round + 1}/${rounds} done`);
  }

  const pidAfter = prosodyPid();
  const section = buildRosterSection(series, {
    rounds,
    warmup,
    count,
    fillMs,
    loadBefore,
    loadAfter: loadAverage(),
    restarted: pidAfter !== pidBefore,
  });
  section.environment = { ...section.environment, prosody: await describeProsody(pidBefore, pidAfter) };
  printSection(section);
  if (process.env.BENCH_WRITE !== '0') writeSection(section);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await startProsody();
  await runRosterBench();
  process.exit(0);
}
