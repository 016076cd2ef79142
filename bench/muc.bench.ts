/**
 * Group chat (XEP-0045 MUC) through the local Prosody, two measurements:
 *
 * 1. Joining a crowded room: rooms of N occupants (BENCH_MUC_OCCUPANTS, 50, 200 and 500) are filled
 *    once per run with N-1 raw-socket occupants (a child process, bench/lib/muc-crowd*.ts); then every
 *    round each client logs in (not timed) and joins each room, timed from the join until the client
 *    says joined with the full occupant list (N, us included). Client CPU per occupant presence is
 *    the figure that must stay flat as N grows.
 * 2. Receiving a burst: a raw-socket sender (the same for every client, in the child process) writes
 *    BENCH_MUC_MESSAGES (5,000) groupchat messages into a fresh room in which the measured client is
 *    the other occupant; timed from the write until the app holds the last one.
 *
 * xmpp-adapter beside stock @xmpp/client and StanzaJS, rounds with a rotated order, medians.
 *
 * Run: `npm run bench -- muc` (BENCH_ROUNDS, BENCH_WARMUP, BENCH_MUC_OCCUPANTS, BENCH_MUC_MESSAGES,
 * BENCH_MUC_VARIANTS), or `npx tsx bench/muc.bench.ts`.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PROSODY_DOMAIN, TCP_URL, WS_URL, startProsody, type TestUser } from '../scripts/prosody.js';
import { Delivery } from './lib/e2e-delivery.js';
import { collectGarbage, describeProsody, envInt, loadAverage, prosodyCpuMs, prosodyPid, sleep } from './lib/env.js';
import { oursMuc, rawMuc, stanzaMuc, stockMuc, type MucSession, type OpenMuc } from './lib/muc-clients.js';
import { Crowd, burstBody, roomJid } from './lib/muc-crowd.js';
import { buildMucSection, type BurstSample, type JoinSample, type MucSeries } from './lib/muc-report.js';
import { benchCommand, printSection, writeSection } from './lib/report.js';

export interface MucVariant {
  id: string;
  library: 'xmpp-adapter' | '@xmpp/client' | 'StanzaJS' | 'raw socket (floor)';
  transport: 'TCP' | 'WS';
  open: OpenMuc;
}

export const MUC_VARIANTS: readonly MucVariant[] = [
  { id: 'ours-tcp', library: 'xmpp-adapter', transport: 'TCP', open: oursMuc },
  { id: 'stock-tcp', library: '@xmpp/client', transport: 'TCP', open: stockMuc },
  { id: 'ours-ws', library: 'xmpp-adapter', transport: 'WS', open: oursMuc },
  { id: 'stanza-ws', library: 'StanzaJS', transport: 'WS', open: stanzaMuc(WS_URL) },
  { id: 'floor-tcp', library: 'raw socket (floor)', transport: 'TCP', open: rawMuc },
];

/** The settings of this benchmark that bench/lib/report.ts does not echo itself. */
const MUC_ENV_VARS = ['BENCH_MUC_OCCUPANTS', 'BENCH_MUC_MESSAGES', 'BENCH_MUC_VARIANTS'] as const;
/** After login: let the initial exchanges (roster, disco, carbons, presence) finish first. */
const SETTLE_MS = 300;
/** Give up on a burst once nothing new has arrived for this long (the rest counts as lost). */
const IDLE_TIMEOUT_MS = 15_000;

function selectedVariants(): MucVariant[] {
  const wanted = process.env.BENCH_MUC_VARIANTS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted?.length) return [...MUC_VARIANTS];
  const unknown = wanted.filter((id) => !MUC_VARIANTS.some((v) => v.id === id));
  if (unknown.length)
    throw new Error(`BENCH_MUC_VARIANTS: unknown ${unknown.join(', ')}; expected ${MUC_VARIANTS.map((v) => v.id).join(', ')}`);
  return MUC_VARIANTS.filter((v) => wanted.includes(v.id));
}

function occupantCounts(): number[] {
  const raw = process.env.BENCH_MUC_OCCUPANTS?.trim() || '50,200,500';
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 2))
    throw new Error(`BENCH_MUC_OCCUPANTS must list integers of at least 2 (the client and one more), got "${raw}"`);
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** The recorded command, with this benchmark's own variables in front (report.ts knows only the shared ones). */
function recordCommand(): void {
  let command = benchCommand();
  const extra = MUC_ENV_VARS.filter((k) => process.env[k] !== undefined && !command.includes(`${k}=`)).map((k) => `${k}=${process.env[k]}`);
  if (extra.length) command = `${extra.join(' ')} ${command}`;
  process.env.BENCH_COMMAND = command;
}

const cpuMsOf = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const delta = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? b - a : undefined);

async function openSession(variant: MucVariant, account: TestUser): Promise<MucSession> {
  const session = await variant.open(variant.transport === 'TCP' ? TCP_URL : WS_URL, account);
  await sleep(SETTLE_MS);
  return session;
}

/** Fresh login (not timed), then the join, timed until the client says joined. */
async function joinOnce(variant: MucVariant, account: TestUser, room: string, occupants: number): Promise<JoinSample> {
  const session = await openSession(variant, account);
  try {
    collectGarbage();
    const cpu0 = process.cpuUsage();
    const prosody0 = prosodyCpuMs();
    const t0 = performance.now();
    const joined = await session.join(room, `bench-${variant.id}`);
    const wallMs = performance.now() - t0;
    const cpuMs = cpuMsOf(cpu0);
    return { occupants, wallMs, cpuMs, prosodyCpuMs: delta(prosody0, prosodyCpuMs()), seen: joined.occupants, distinct: joined.distinct };
  } finally {
    await session.stop(room);
  }
}

/** A fresh room with the sender in it, the client joined (not timed), then the burst. */
async function burstOnce(variant: MucVariant, account: TestUser, crowd: Crowd, label: string, count: number): Promise<BurstSample> {
  const room = roomJid(`bench-muc-msg-${label}`);
  const prefix = `${label}-${randomBytes(3).toString('hex')}`;
  await crowd.request({ cmd: 'createRoom', room, nick: 'sender' });
  await crowd.request({ cmd: 'prepare', room, prefix, count });
  const bodies = Array.from({ length: count }, (_, i) => burstBody(prefix, i));
  const delivery = new Delivery(bodies);
  const session = await openSession(variant, account);
  try {
    await session.join(room, `bench-${variant.id}`);
    session.follow(room, delivery);
    collectGarbage();
    const cpu0 = process.cpuUsage();
    const prosody0 = prosodyCpuMs();
    const t0 = performance.now();
    delivery.lastProgressAt = t0;
    const written = crowd.request({ cmd: 'burst', room }).then(() => performance.now() - t0);
    await delivery.settle(IDLE_TIMEOUT_MS);
    const receivedMs = (delivery.completedAt ?? performance.now()) - t0;
    const cpuMs = cpuMsOf(cpu0);
    const prosodyMs = delta(prosody0, prosodyCpuMs());
    return {
      receivedMs,
      cpuMs,
      prosodyCpuMs: prosodyMs,
      writtenMs: await written,
      received: delivery.received,
      lost: delivery.lost,
      duplicates: delivery.duplicates,
      unexpected: delivery.unexpected,
      held: session.held(room),
    };
  } finally {
    await session.stop(room);
    await crowd.request({ cmd: 'closeRoom', room });
  }
}

export async function runMucBench(): Promise<void> {
  recordCommand();
  const rounds = envInt('BENCH_ROUNDS', 3);
  const warmup = envInt('BENCH_WARMUP', 1);
  const messages = envInt('BENCH_MUC_MESSAGES', 5000);
  if (rounds < 1 || messages < 1) throw new Error('BENCH_ROUNDS and BENCH_MUC_MESSAGES must be at least 1');
  const sizes = occupantCounts();
  const variants = selectedVariants();
  const largest = sizes.at(-1)!;

  // Accounts: the rooms' owner (also every burst's sender), N-2 fillers for the largest room, one per variant.
  const run = `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const account = (name: string): TestUser => {
    const username = `bench-muc-${run}-${name}`;
    return { username, password: randomBytes(9).toString('base64url'), jid: `${username}@${PROSODY_DOMAIN}`, domain: PROSODY_DOMAIN };
  };
  const owner = account('owner');
  const fillers = Array.from({ length: largest - 2 }, (_, i) => account(`f${i}`));
  const measured = new Map(variants.map((v) => [v.id, account(v.id)]));

  const crowd = Crowd.start();
  try {
    const registered = await crowd.request({ cmd: 'register', accounts: [owner, ...fillers, ...measured.values()] });
    const loggedIn = await crowd.request({ cmd: 'login', accounts: [owner, ...fillers] });
    console.log(
      `muc: ${registered.sessions} accounts registered in-band in ${(registered.ms / 1000).toFixed(1)} s, ${loggedIn.sessions} fillers logged in in ${(loggedIn.ms / 1000).toFixed(1)} s`,
    );
    const rooms = new Map<number, string>();
    const fillMs = new Map<number, number>();
    for (const n of sizes) {
      const room = roomJid(`bench-muc-${n}`);
      // N-1 occupants: the owner and N-2 fillers; the measured client makes N.
      const filled = await crowd.request({ cmd: 'fill', room, count: n - 1 });
      rooms.set(n, room);
      fillMs.set(n, filled.ms);
      console.log(`  ${room}: ${n - 1} occupants in ${(filled.ms / 1000).toFixed(1)} s`);
    }

    const joinSeries: Array<MucSeries<JoinSample> & { variant: MucVariant }> = variants.flatMap((variant) =>
      sizes.map((n) => ({ variant, occupants: n, samples: [], failures: [] })),
    );
    const burstSeries: Array<MucSeries<BurstSample> & { variant: MucVariant }> = variants.map((variant) => ({
      variant,
      occupants: 2,
      samples: [],
      failures: [],
    }));
    const pidBefore = prosodyPid();
    const loadBefore = loadAverage();

    console.log(`muc joins: ${variants.length} variants × ${sizes.length} sizes × (${warmup} warm-up + ${rounds} measured) rounds`);
    for (let round = -warmup; round < rounds; round++) {
      const offset = (((round + warmup) % variants.length) + variants.length) % variants.length;
      for (const n of sizes) {
        const order = [...variants.slice(offset), ...variants.slice(0, offset)];
        for (const variant of order) {
          const s = joinSeries.find((x) => x.variant === variant && x.occupants === n)!;
          const label = `${round < 0 ? 'warm-up' : `round ${round + 1}`} ${variant.id} N=${n}`;
          try {
            const sample = await joinOnce(variant, measured.get(variant.id)!, rooms.get(n)!, n);
            if (round >= 0) s.samples.push(sample);
            console.log(
              `  ${label.padEnd(28)} ${sample.wallMs.toFixed(0).padStart(5)} ms  CPU ${sample.cpuMs.toFixed(0).padStart(4)} ms  ${((sample.cpuMs * 1000) / n).toFixed(0).padStart(5)} µs/presence  Prosody ${sample.prosodyCpuMs ?? '?'} ms  seen ${sample.seen}`,
            );
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            if (round >= 0) s.failures.push(`round ${round + 1}: ${message}`);
            console.warn(`  ${label} failed: ${message}`);
          }
          await sleep(100);
        }
      }
    }

    console.log(`muc bursts: ${variants.length} variants × (${warmup} warm-up + ${rounds} measured) rounds × ${messages} messages`);
    for (let round = -warmup; round < rounds; round++) {
      const offset = (((round + warmup) % variants.length) + variants.length) % variants.length;
      for (const s of [...burstSeries.slice(offset), ...burstSeries.slice(0, offset)]) {
        const { variant } = s;
        const label = `${round < 0 ? 'w' : `r${round + 1}`}-${variant.id}`;
        try {
          const sample = await burstOnce(variant, measured.get(variant.id)!, crowd, label, messages);
          if (round >= 0) s.samples.push(sample);
          const rate = (messages / sample.receivedMs) * 1000;
          console.log(
            `  ${(round < 0 ? 'warm-up' : `round ${round + 1}`).padEnd(8)} ${variant.id.padEnd(10)} ${rate.toFixed(0).padStart(6)} msg/s  CPU ${sample.cpuMs.toFixed(0)} ms  Prosody ${sample.prosodyCpuMs ?? '?'} ms  received ${sample.received}, lost ${sample.lost}, dup ${sample.duplicates}, held ${sample.held}`,
          );
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          if (round >= 0) s.failures.push(`round ${round + 1}: ${message}`);
          console.warn(`  ${label} failed: ${message}`);
        }
        await sleep(200);
      }
    }

    const pidAfter = prosodyPid();
    const section = buildMucSection(joinSeries, burstSeries, {
      rounds,
      warmup,
      messages,
      sizes,
      fillMs,
      registerMs: registered.ms,
      loginMs: loggedIn.ms,
      loadBefore,
      loadAfter: loadAverage(),
      restarted: pidAfter !== pidBefore,
    });
    section.environment = { ...section.environment, prosody: await describeProsody(pidBefore, pidAfter) };
    printSection(section);
    if (process.env.BENCH_WRITE !== '0') writeSection(section);
  } finally {
    await crowd.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await startProsody();
  await runMucBench();
  process.exit(0);
}
