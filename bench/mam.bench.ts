/**
 * Message archive paging (XEP-0313 MAM + XEP-0059 RSM): an archive of BENCH_MAM_MESSAGES (10,000)
 * chat messages between two fresh accounts is seeded once per run; then every round each variant
 * logs in as the archive's owner with a fresh client and pages the whole archive `with` the peer,
 * at each page size (100 and 250), until the archive says complete. Timed from the first query to
 * every message held by the app; CPU, Prosody's CPU and the heap after the load are recorded.
 * Stock @xmpp/client and StanzaJS beside a raw-socket floor (xmpp-adapter's variant: mam-ours.ts).
 *
 * Run: `npm run bench -- mam` (BENCH_ROUNDS, BENCH_WARMUP, BENCH_MAM_MESSAGES, BENCH_MAM_PAGE_SIZES,
 * BENCH_MAM_VARIANTS), or `npx tsx bench/mam.bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { TCP_URL, WS_URL, startProsody, uniqueUsers, type TestUser } from '../scripts/prosody.js';
import { collectGarbage, describeProsody, envInt, loadAverage, nextMacrotask, prosodyCpuMs, prosodyPid, sleep } from './lib/env.js';
import { buildMamSection, sampleCorrect, type MamSample, type MamSeries } from './lib/mam-report.js';
import { seedArchive } from './lib/mam-seed.js';
import { MAM_VARIANTS, type MamVariant } from './lib/mam-variants.js';
import { benchCommand, printSection, writeSection } from './lib/report.js';

/** The settings of this benchmark that bench/lib/report.ts does not echo itself. */
const MAM_ENV_VARS = ['BENCH_MAM_MESSAGES', 'BENCH_MAM_PAGE_SIZES', 'BENCH_MAM_VARIANTS'] as const;

/** After login: let the initial exchanges (roster, disco, carbons, presence) finish first. */
const SETTLE_MS = 300;
/** A whole load taking longer than this is a failure (a lost page, a loop). */
const LOAD_TIMEOUT_MS = 120_000;

function selectedVariants(): MamVariant[] {
  const wanted = process.env.BENCH_MAM_VARIANTS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted?.length) return [...MAM_VARIANTS];
  const unknown = wanted.filter((id) => !MAM_VARIANTS.some((v) => v.id === id));
  if (unknown.length)
    throw new Error(`BENCH_MAM_VARIANTS: unknown ${unknown.join(', ')}; expected ${MAM_VARIANTS.map((v) => v.id).join(', ')}`);
  return MAM_VARIANTS.filter((v) => wanted.includes(v.id));
}

function pageSizes(): number[] {
  const raw = process.env.BENCH_MAM_PAGE_SIZES?.trim() || '100,250';
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 250))
    throw new Error(`BENCH_MAM_PAGE_SIZES must list integers in 1..250 (the server's max_archive_query_results), got "${raw}"`);
  return sizes;
}

/** The recorded command, with this benchmark's own variables in front (report.ts knows only the shared ones). */
function recordCommand(): void {
  let command = benchCommand();
  const extra = MAM_ENV_VARS.filter((k) => process.env[k] !== undefined && !command.includes(`${k}=`)).map((k) => `${k}=${process.env[k]}`);
  if (extra.length) command = `${extra.join(' ')} ${command}`;
  process.env.BENCH_COMMAND = command;
}

function gcAvailable(): boolean {
  collectGarbage();
  try {
    return runInNewContext('typeof gc') === 'function';
  } catch {
    return false;
  }
}

/** heapUsed after two full GCs a macrotask apart (one alone left up to ~1 MB of the session's garbage in trials). */
async function heapUsedAfterGc(): Promise<number> {
  collectGarbage();
  await nextMacrotask();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not complete after ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** One load: fresh login (not timed), then the whole archive, then the heap with the results held. */
async function load(
  variant: MamVariant,
  owner: TestUser,
  peer: string,
  pageSize: number,
  seededOrigins: ReadonlySet<string>,
): Promise<MamSample> {
  const session = await variant.open(variant.transport === 'TCP' ? TCP_URL : WS_URL, owner);
  try {
    await sleep(SETTLE_MS);
    const heapBefore = await heapUsedAfterGc();
    const cpu0 = process.cpuUsage();
    const prosody0 = prosodyCpuMs();
    const t0 = performance.now();
    const loaded = await timeout(session.loadAll(peer, pageSize), LOAD_TIMEOUT_MS, variant.id);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const prosody1 = prosodyCpuMs();
    // `loaded` (and the session) still hold the results here.
    const heapAfter = await heapUsedAfterGc();
    const ids = loaded.archiveIds();
    const origins = loaded.originIds?.();
    const missingOrigins = origins
      ? seededOrigins.size - new Set(origins.filter((o) => o !== undefined && seededOrigins.has(o))).size
      : undefined;
    return {
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      prosodyCpuMs: prosody0 !== undefined && prosody1 !== undefined ? prosody1 - prosody0 : undefined,
      pages: loaded.pages,
      messages: loaded.messages,
      distinct: new Set(ids).size,
      missingOrigins,
      heapBefore,
      heapAfter,
    };
  } finally {
    await session.stop();
  }
}

export async function runMamBench(): Promise<void> {
  recordCommand();
  const rounds = envInt('BENCH_ROUNDS', 3);
  const warmup = envInt('BENCH_WARMUP', 1);
  const messages = envInt('BENCH_MAM_MESSAGES', 10_000);
  if (rounds < 1 || messages < 1) throw new Error('BENCH_ROUNDS and BENCH_MAM_MESSAGES must be at least 1');
  const sizes = pageSizes();
  const variants = selectedVariants();
  const oursWired = MAM_VARIANTS.some((v) => v.id.startsWith('ours'));

  const [owner, peer] = (await uniqueUsers(['bench-mam-a', 'bench-mam-b'])) as [TestUser, TestUser];
  console.log(`mam: seeding ${messages} messages between ${owner.jid} and ${peer.jid} (pipelined, raw sockets)…`);
  const seed = await seedArchive(owner, peer, messages);
  const rate = (messages / seed.seedMs) * 1000;
  console.log(
    `  archived in ${(seed.seedMs / 1000).toFixed(1)} s (${rate.toFixed(0)} msg/s; ${seed.countWaitMs.toFixed(0)} ms waiting for the count)`,
  );
  const seededOrigins = new Set(seed.messages.map((m) => m.originId));

  const series: Array<MamSeries & { variant: MamVariant }> = variants.flatMap((variant) =>
    sizes.map((pageSize) => ({ variant, pageSize, samples: [], failures: [] })),
  );
  const gc = gcAvailable();
  const pidBefore = prosodyPid();
  const loadBefore = loadAverage();
  console.log(
    `mam: ${variants.length} variants × ${sizes.length} page sizes × (${warmup} warm-up + ${rounds} measured) rounds, order rotated every round`,
  );
  for (let round = -warmup; round < rounds; round++) {
    const offset = (((round + warmup) % series.length) + series.length) % series.length;
    for (const s of [...series.slice(offset), ...series.slice(0, offset)]) {
      const label = `${round < 0 ? 'warm-up' : `round ${round + 1}`} ${s.variant.id} page ${s.pageSize}`;
      try {
        const sample = await load(s.variant, owner, peer.jid, s.pageSize, seededOrigins);
        if (!sampleCorrect(sample, messages))
          console.warn(
            `  ${label}: held ${sample.messages} (${sample.distinct} distinct, ${sample.missingOrigins ?? '?'} origin-ids missing)`,
          );
        if (round >= 0) s.samples.push(sample);
        console.log(
          `  ${label.padEnd(32)} ${sample.wallMs.toFixed(0).padStart(6)} ms  ${sample.pages} pages  CPU ${sample.cpuMs.toFixed(0)} ms  Prosody ${sample.prosodyCpuMs ?? '?'} ms`,
        );
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (round >= 0) s.failures.push(`round ${round + 1}: ${message}`);
        console.warn(`  ${label} failed: ${message}`);
      }
      await sleep(100);
    }
  }

  const pidAfter = prosodyPid();
  const section = buildMamSection(series, {
    rounds,
    warmup,
    messages,
    pageSizes: sizes,
    seedMs: seed.seedMs,
    countWaitMs: seed.countWaitMs,
    fromA: seed.messages.filter((m) => m.from === 'a').length,
    fromB: seed.messages.filter((m) => m.from === 'b').length,
    gcAvailable: gc,
    oursWired,
    loadBefore,
    loadAfter: loadAverage(),
    restarted: pidAfter !== pidBefore,
  });
  section.environment = { ...section.environment, prosody: await describeProsody(pidBefore, pidAfter, 'SQLite archive') };
  printSection(section);
  if (process.env.BENCH_WRITE !== '0') writeSection(section);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await startProsody();
  await runMamBench();
  process.exit(0);
}
