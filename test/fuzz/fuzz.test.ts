/**
 * Property-based fuzzing with fast-check, every property on a fixed seed (reproducible):
 * codecs and feature routes never throw and return a refusal or plain data; routes keep their
 * trust checks under mutation; a live session fed mutated stanzas never fails an actor.
 */
import type { Element } from '@xmpp/xml';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeJid, parseJid } from '../../src/jid.js';
import { createRouter } from '../../src/router/router.js';
import { defaultFeatures } from '../../src/xeps/registry.js';
import { expectHealthy, startHostileSession } from '../hostile/session.js';
import { mutatedStanza, randomStanza } from './mutate.js';
import { ALL_SEEDS, OWN, SEEDS, type SeedGroup } from './seeds.js';
import { CONTEXT, SERIALIZED_TARGETS, TARGETS, impurity, type Target } from './targets.js';

/** Inputs per codec group and per feature route; kept so the folder runs in well under 30 s on 2 slow cores. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const SESSION_RUNS = Number(process.env.FUZZ_SESSION_RUNS ?? 20);
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20261128);

let iterations = 0;
let calls = 0;
let seedOffset = 0;
const options = (numRuns: number) => ({ seed: BASE_SEED + seedOffset++, numRuns, endOnFailure: true });

afterAll(() => {
  console.log(`fuzz: ${iterations} iterations (${calls} codec and route calls)`);
});

function describeInput(el: Element): string {
  const text = el.toString();
  return text.length > 600 ? `${text.slice(0, 600)}… (${text.length} chars)` : text;
}

/** Calls `target`, failing with the input when it throws or returns anything but plain data. */
function probe(target: Target, el: Element): unknown {
  calls++;
  let out: unknown;
  try {
    out = target.run(el);
  } catch (err) {
    throw new Error(`${target.name} threw ${String(err)} on ${describeInput(el)}`);
  }
  const bad = impurity(out, target.elementsAllowed);
  if (bad !== undefined) throw new Error(`${target.name} returned impure data at ${bad} for ${describeInput(el)}`);
  return out;
}

/** Mostly the group's own seeds, sometimes any seed, sometimes a random tree. */
const inputsFor = (seeds: readonly string[]) =>
  fc.oneof(
    { weight: 5, arbitrary: mutatedStanza(seeds) },
    { weight: 1, arbitrary: mutatedStanza(ALL_SEEDS) },
    { weight: 1, arbitrary: randomStanza },
  );

describe('codecs never throw and return a refusal or plain data', () => {
  for (const group of Object.keys(TARGETS) as SeedGroup[]) {
    it(group, () => {
      fc.assert(
        fc.property(inputsFor(SEEDS[group]), (el) => {
          iterations++;
          for (const target of TARGETS[group]) probe(target, el);
        }),
        options(RUNS),
      );
    });
  }

  it('stanza-head reads serialized stanzas', () => {
    fc.assert(
      fc.property(inputsFor(ALL_SEEDS), (el) => {
        iterations++;
        for (const target of SERIALIZED_TARGETS) probe(target, el);
      }),
      options(RUNS),
    );
  });
});

const bare = (jid: string | undefined) => {
  const parts = parseJid(jid);
  return parts && (parts.local === undefined ? parts.domain : `${parts.local}@${parts.domain}`);
};

/** Trust checks that must hold for any stanza a feature accepts (the events it returns). */
const INVARIANTS: Record<string, (stanza: Element) => void> = {
  // RFC 6121 §2.1.6: pushes only without `from` or from the own bare JID.
  roster: (s) => expect([undefined, OWN]).toContain(s.attrs.from === undefined ? undefined : normalizeJid(s.attrs.from)),
  // XEP-0191: pushes from the own account (or its server).
  blocking: (s) => expect([undefined, OWN, 'example.org']).toContain(s.attrs.from === undefined ? undefined : normalizeJid(s.attrs.from)),
  // XEP-0280 §11: carbons only from the own bare JID.
  carbons: (s) => expect(normalizeJid(s.attrs.from)).toBe(OWN),
  // XEP-0402 / XEP-0163: notifications from the own account.
  bookmarks: (s) => expect([undefined, OWN]).toContain(s.attrs.from === undefined ? undefined : normalizeJid(s.attrs.from)),
  // XEP-0313 §8.2: results from the archive asked, a bare JID (or the own account without `from`).
  archive: (s) => {
    if (s.attrs.from !== undefined) expect(normalizeJid(s.attrs.from)).toBe(bare(s.attrs.from));
  },
  // Responders answer requests they can reply to: an IQ get with an id.
  ping: (s) => expect([s.name, s.attrs.type, Boolean(s.attrs.id)]).toEqual(['iq', 'get', true]),
  time: (s) => expect([s.name, s.attrs.type, Boolean(s.attrs.id)]).toEqual(['iq', 'get', true]),
  version: (s) => expect([s.name, s.attrs.type, Boolean(s.attrs.id)]).toEqual(['iq', 'get', true]),
  disco: (s) => expect([s.name, s.attrs.type, Boolean(s.attrs.id)]).toEqual(['iq', 'get', true]),
};

describe('feature routes never throw, return typed plain events and keep their trust checks', () => {
  for (const feature of defaultFeatures) {
    it(feature.id, () => {
      const seeds = (SEEDS as Record<string, readonly string[]>)[feature.id] ?? ALL_SEEDS;
      fc.assert(
        fc.property(inputsFor(seeds), (el) => {
          iterations++;
          const events = probe({ name: `${feature.id}.route`, run: (stanza) => feature.route(stanza, CONTEXT) }, el);
          expect(Array.isArray(events)).toBe(true);
          for (const event of events as Array<{ type: unknown }>) expect(typeof event.type).toBe('string');
          if ((events as unknown[]).length > 0) INVARIANTS[feature.id]?.(el);
        }),
        options(RUNS),
      );
    });
  }

  it('the router over every feature', () => {
    const router = createRouter(defaultFeatures);
    fc.assert(
      fc.property(inputsFor(ALL_SEEDS), (el) => {
        iterations++;
        probe({ name: 'router.route', run: (stanza) => router.route(stanza, CONTEXT).map((d) => d.event) }, el);
      }),
      options(RUNS),
    );
  });
});

describe('a live session fed mutated stanzas', () => {
  it('never throws, never fails an actor and stays online', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(mutatedStanza(ALL_SEEDS), { minLength: 1, maxLength: 40 }), async (stanzas) => {
          iterations++;
          const session = await startHostileSession();
          try {
            for (const stanza of stanzas) {
              calls++;
              expect(() => session.push(stanza)).not.toThrow();
            }
            await session.settle();
            await session.answerIqs();
            await new Promise((resolve) => setImmediate(resolve));
            expectHealthy(session);
            expect(rejections).toEqual([]);
          } finally {
            await session.stop();
          }
        }),
        options(SESSION_RUNS),
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  }, 120_000);
});
