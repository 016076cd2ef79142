/**
 * Plays every hostile case against a live session on the fake transport and checks that nothing
 * throws, no promise is left rejected unhandled, no actor fails, the protected state is unchanged
 * and the protocol's error reply goes out where one is due.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostileCase } from './case.js';
import { expectHealthy, startHostileSession } from './session.js';
import { carbonCases } from './cases/carbons.js';
import { pushCases } from './cases/pushes.js';
import { mamCases } from './cases/mam.js';
import { mucCases } from './cases/muc.js';
import { stanzaIdCases } from './cases/stanza-id.js';
import { iqCases } from './cases/iq.js';
import { delayCases } from './cases/delay.js';
import { jidCases } from './cases/jids.js';
import { floodCases } from './cases/floods.js';

const corpus: HostileCase[] = [
  ...carbonCases,
  ...pushCases,
  ...mamCases,
  ...mucCases,
  ...stanzaIdCases,
  ...iqCases,
  ...delayCases,
  ...jidCases,
  ...floodCases,
];

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

beforeAll(() => {
  process.on('unhandledRejection', onRejection);
});

afterAll(() => {
  process.off('unhandledRejection', onRejection);
  const byClass = new Map<string, number>();
  for (const c of corpus) byClass.set(c.threat, (byClass.get(c.threat) ?? 0) + 1);
  console.log(`hostile corpus: ${corpus.length} cases (${[...byClass].map(([k, n]) => `${k} ${n}`).join(', ')})`);
});

async function play(c: HostileCase): Promise<void> {
  const session = await startHostileSession();
  try {
    await c.setup?.(session);
    await session.settle();
    const parts = [...(c.expect.unchanged ?? [])];
    const before = new Map(parts.map((p) => [p, session.part(p)]));
    session.mark();
    const stanzas = typeof c.stanzas === 'function' ? c.stanzas(session) : c.stanzas;
    expect(() => (c.perRead ? session.pushInReads(stanzas, c.perRead) : session.push(...stanzas))).not.toThrow();
    await session.settle();
    // Let any rejection surface before it is counted.
    await new Promise((resolve) => setImmediate(resolve));

    expectHealthy(session);
    expect(rejections).toEqual([]);
    for (const part of parts) expect({ part, state: session.part(part) }).toEqual({ part, state: before.get(part) });
    const sent = session.sinceMark();
    if (c.expect.silent) expect(sent.map(String)).toEqual([]);
    const due = c.expect.errorReply;
    if (due) {
      const replies = sent.filter((el) => el.name === 'iq' && el.attrs.id === due.id);
      // RFC 6120 §8.2.3: exactly one reply per request.
      expect(replies.map(String)).toHaveLength(1);
      const reply = replies[0]!;
      expect(reply.attrs.type).toBe('error');
      if (due.to !== undefined) expect(reply.attrs.to).toBe(due.to);
      expect(
        reply
          .getChild('error')
          ?.getChildElements()
          .map((e) => e.name),
      ).toContain(due.condition);
    }
    await c.expect.check?.(session);
  } finally {
    await session.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(rejections).toEqual([]);
  }
}

for (const threat of [...new Set(corpus.map((c) => c.threat))]) {
  describe(threat, () => {
    for (const c of corpus.filter((x) => x.threat === threat)) {
      it(c.name, () => play(c));
    }
  });
}
