/**
 * `npm run bench` — login latency, inbound pipeline throughput, appends to a long conversation,
 * end-to-end 1:1 throughput through Prosody, loading a 2,000-contact roster, paging a 10,000-message archive (MAM),
 * group chat (joining rooms of up to 500 occupants, a 5,000-message burst), browser bundle sizes.
 * `npm run bench -- login` (or `pipeline`, `message-store`, `e2e`, `roster`, `mam`, `muc`, `bundle`) runs one of them. With both, each runs in
 * a child process of its own, so that neither inherits the other's JIT and heap state.
 *
 * The login, e2e, roster, mam and muc benchmarks need the local Prosody: it is started through scripts/prosody.ts if it is
 * not up (and left running), and fresh accounts are registered for every run.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startProsody } from '../scripts/prosody.js';
import { createLoginAccounts, runLoginBench } from './login.bench.js';
import { runPipelineBench } from './pipeline.bench.js';
import { runMessageStoreBench } from './message-store.bench.js';
import { runE2eBench } from './e2e.bench.js';
import { runRosterBench } from './roster.bench.js';
import { runMamBench } from './mam.bench.js';
import { runMucBench } from './muc.bench.js';
import { runBundleBench } from './bundle.bench.js';
import { warnIfProsodyDataIsLarge } from './lib/env.js';
import { benchCommand } from './lib/report.js';

const BENCHMARKS = ['login', 'pipeline', 'message-store', 'e2e', 'roster', 'mam', 'muc', 'bundle'] as const;
type Benchmark = (typeof BENCHMARKS)[number];
/** The benchmarks that run against the local Prosody. */
const PROSODY_BENCHMARKS: readonly Benchmark[] = ['login', 'e2e', 'roster', 'mam', 'muc'];

function selected(argv: readonly string[]): Benchmark[] {
  if (argv.length === 0) return [...BENCHMARKS];
  const unknown = argv.filter((a) => !(BENCHMARKS as readonly string[]).includes(a));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; expected any of: ${BENCHMARKS.join(', ')}`);
    process.exit(2);
  }
  return BENCHMARKS.filter((b) => argv.includes(b));
}

const which = selected(process.argv.slice(2));

if (which.length > 1) {
  // Each benchmark in a fresh process: JIT and heap state left behind by one changes the other's
  // figures (the pipeline ran up to ~25 % faster after the login benchmark in the same process).
  process.env.BENCH_COMMAND ??= benchCommand();
  for (const benchmark of which) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), benchmark], {
      stdio: 'inherit',
      env: process.env,
    });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
  process.exit(0);
}

if (which.some((b) => PROSODY_BENCHMARKS.includes(b))) warnIfProsodyDataIsLarge();

if (which.includes('login')) {
  const started = await startProsody();
  console.log(started ? 'Prosody started (left running afterwards)' : 'Prosody already running');
  const accounts = await createLoginAccounts();
  console.log(`accounts: ${accounts.sha1.jid}, ${accounts.sha256.jid}`);
  await runLoginBench({ accounts });
}
if (which.includes('pipeline')) {
  await runPipelineBench();
}
if (which.includes('message-store')) {
  await runMessageStoreBench();
}
if (which.includes('bundle')) {
  await runBundleBench();
}
if (which.includes('e2e') || which.includes('roster') || which.includes('mam') || which.includes('muc')) {
  // Each needs the local Prosody and registers fresh accounts of its own.
  await startProsody();
  if (which.includes('e2e')) await runE2eBench();
  if (which.includes('roster')) await runRosterBench();
  if (which.includes('mam')) await runMamBench();
  if (which.includes('muc')) await runMucBench();
}
if (process.env.BENCH_WRITE !== '0') console.log('results written to bench/RESULTS.md');
// Lingering sockets or timers from the clients under test must not keep the process alive.
process.exit(0);
