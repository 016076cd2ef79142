/**
 * Cost of appending one message to a conversation that already holds 1k / 10k / 100k messages:
 * the chunked store (src/store/message-store.ts) beside a naive immer `push` on an array, which
 * copies the whole history on every append. No network; CPU of the append alone.
 */
import { produce } from 'immer';
import { CHUNK_SIZE, append, emptyStore, type MessageStore } from '../src/store/message-store.js';
import { envInt } from './lib/env.js';
import { printSection, writeSection, type Section } from './lib/report.js';
import { median } from './lib/stats.js';

interface Msg {
  id: string;
  from: string;
  body: string;
  stamp: number;
}

const msg = (n: number): Msg => ({
  id: `stanza-id-${n}`,
  from: 'bob@example.org/phone',
  body: `message number ${n}`,
  stamp: 1_700_000_000_000 + n,
});

interface Candidate {
  name: string;
  /** Builds a conversation of `size` messages and returns a function appending message `n`. */
  prepare(size: number): (n: number) => void;
}

const chunked: Candidate = {
  name: 'chunked store (xmpp-adapter)',
  prepare(size) {
    let store: MessageStore<Msg> = emptyStore();
    for (let n = 0; n < size; n++) store = append(store, msg(n));
    return (n) => {
      store = append(store, msg(n));
    };
  },
};

const immerPush: Candidate = {
  name: 'immer produce + push (naive)',
  prepare(size) {
    // Immer freezes its results; a history built by one produce per message would take minutes at 100k.
    let state = { messages: Array.from({ length: size }, (_, n) => msg(n)) };
    return (n) => {
      state = produce(state, (draft) => {
        draft.messages.push(msg(n));
      });
    };
  },
};

function perAppendMicros(candidate: Candidate, size: number, appends: number, rounds: number): number {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const add = candidate.prepare(size);
    for (let n = 0; n < 20; n++) add(size + n); // warm-up
    const start = process.cpuUsage();
    for (let n = 0; n < appends; n++) add(size + 20 + n);
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / appends);
  }
  return median(samples);
}

export async function runMessageStoreBench(): Promise<Section> {
  const sizes = [1_000, 10_000, 100_000];
  const rounds = envInt('BENCH_ROUNDS', 5);
  const results = [chunked, immerPush].map((candidate) => {
    // One unrecorded pass so the first recorded size does not pay for JIT compilation.
    perAppendMicros(candidate, 1_000, 2_000, 1);
    return {
      candidate,
      micros: sizes.map((size) => perAppendMicros(candidate, size, size >= 100_000 && candidate === immerPush ? 50 : 1000, rounds)),
    };
  });
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
  const section: Section = {
    id: 'message-store',
    heading: 'Appending to a conversation (message-store.bench.ts)',
    summary: 'Issue goal: the per-message cost at 100k messages within 2× of the cost at 1k.',
    tables: [
      {
        title: `CPU µs per append, median of ${rounds} rounds`,
        columns: ['store', ...sizes.map((s) => `${s.toLocaleString('en')} held`), '100k ÷ 1k'],
        rows: results.map(({ candidate, micros }) => [candidate.name, ...micros.map(fmt), `${(micros[2]! / micros[0]!).toFixed(2)}×`]),
      },
    ],
    notes: [
      'One unrecorded pass per store first (JIT); each round builds a conversation of the given size, appends 20 messages to warm up, then times 1,000 appends (50 for immer at 100k) with process.cpuUsage().',
      `The chunked store copies at most one chunk of ${CHUNK_SIZE} references per append (and, once per chunk, the list of chunks) and keeps a shared id index for deduplication; immer copies the whole array on every push.`,
    ],
  };
  printSection(section);
  if (process.env.BENCH_WRITE !== '0') writeSection(section);
  return section;
}
