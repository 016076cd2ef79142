import { writeFile, mkdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../src/machines/connection.types.js';
import { C2S_PORT, HTTP_PORT, PROSODY_HOST, killProsody, startProsody, uniqueUsers } from '../../scripts/prosody.js';
import { conversationWith, untilConversation } from '../support/chat-probe.js';
import { observedClient, type ObservedClient } from '../support/client.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { medianAndMax, seededRandom, weightedPick } from '../../scripts/random.js';

/**
 * Two clients exchange 1,000 messages while a seeded schedule of faults breaks their links and
 * the server: every message must arrive exactly once, in order per sender, and every message the
 * app sent must end confirmed (or be reported failed), never silently lost.
 *
 * Replay a run with `XMPP_ADAPTER_FAULT_SEED=<n>`; the figures land in test-output/reliability.json.
 */
const SEED = Number(process.env['XMPP_ADAPTER_FAULT_SEED'] ?? 20261128);
const MESSAGES_PER_SIDE = 500;
const ROUNDS = 60;
/** Relative weights of the faults; killing the server is the slowest to recover from, so the rarest. */
const FAULTS = { cut: 6, blackHole: 2, delay: 2, kill: 1 } as const;
type Fault = keyof typeof FAULTS;

const proxies: FaultProxy[] = [];
const clients: ObservedClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.client.stop()));
  await Promise.all(proxies.map((p) => p.close()));
});

/** Connection statuses with the time each was reached. */
function timeline(c: ObservedClient) {
  const entries: { status: ConnectionStatus; at: number }[] = [];
  c.client.on('status', ({ connection }) => {
    entries.push({ status: connection.status, at: Date.now() });
    // For diagnostics: where in the inbound stream each status change fell.
    c.debugLog.push({ message: 'status', data: { status: connection.status, resumed: connection.resumed, read: c.inbound.length } });
  });
  return {
    /** When the client was online again after having lost the link at or after `since`; undefined while not. */
    recoveredAt(since: number): number | undefined {
      const lostAt = entries.findIndex((e) => e.at >= since && e.status !== 'online');
      if (lostAt === -1) return undefined;
      return entries.slice(lostAt).find((e) => e.status === 'online')?.at;
    },
  };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Splits `total` into `parts` random non-negative sizes. */
function split(random: () => number, total: number, parts: number): number[] {
  const weights = Array.from({ length: parts }, () => random());
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.floor((w / sum) * total));
  sizes[parts - 1]! += total - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

describe('exactly-once delivery under injected faults', () => {
  it(
    `1,000 messages, ${ROUNDS} seeded faults (seed ${SEED}): none lost, none duplicated, order kept per sender`,
    { timeout: 600_000 },
    async () => {
      const random = seededRandom(SEED);
      const [tcp, ws] = await Promise.all([
        startFaultProxy({ host: PROSODY_HOST, port: C2S_PORT }),
        startFaultProxy({ host: PROSODY_HOST, port: HTTP_PORT }),
      ]);
      proxies.push(tcp, ws);
      const [aliceUser, bobUser] = await uniqueUsers(['once-a', 'once-b']);
      const options = { reconnect: { minDelay: 50, maxDelay: 1000 }, keepalive: { interval: 500, timeout: 1000 } };
      const alice = observedClient(aliceUser!, `xmpp://127.0.0.1:${tcp.port}`, options);
      const bob = observedClient(bobUser!, `ws://127.0.0.1:${ws.port}/xmpp-websocket`, options);
      clients.push(alice, bob);
      const lines = { alice: timeline(alice), bob: timeline(bob) };
      await Promise.all([alice.client.start(), bob.client.start()]);

      const sent = { alice: [] as string[], bob: [] as string[] };
      const send = (from: 'alice' | 'bob', count: number) => {
        for (let i = 0; i < count; i++) {
          const body = `${from} ${sent[from].length}`;
          sent[from].push(body);
          void (from === 'alice' ? alice : bob).client.messages.send(from === 'alice' ? bobUser!.jid : aliceUser!.jid, body);
        }
      };

      const injected: Record<Fault, number> = { cut: 0, blackHole: 0, delay: 0, kill: 0 };
      const recoveries: number[] = [];
      const sizes = { alice: split(random, MESSAGES_PER_SIDE, ROUNDS), bob: split(random, MESSAGES_PER_SIDE, ROUNDS) };
      for (let round = 0; round < ROUNDS; round++) {
        // The fault strikes at a random point of the round's messages.
        const before = { alice: Math.floor(random() * (sizes.alice[round]! + 1)), bob: Math.floor(random() * (sizes.bob[round]! + 1)) };
        send('alice', before.alice);
        send('bob', before.bob);
        await new Promise((resolve) => setTimeout(resolve, random() * 50));

        const fault = weightedPick(random, FAULTS);
        injected[fault]++;
        const at = Date.now();
        let hit: ('alice' | 'bob')[] = [];
        if (fault === 'cut') {
          const which = weightedPick(random, { both: 1, alice: 1, bob: 1 });
          if (which !== 'bob') tcp.cutAll();
          if (which !== 'alice') ws.cutAll();
          hit = which === 'both' ? ['alice', 'bob'] : [which];
        } else if (fault === 'blackHole') {
          const victim = random() < 0.5 ? 'alice' : 'bob';
          (victim === 'alice' ? tcp : ws).blackHole();
          hit = [victim];
        } else if (fault === 'delay') {
          tcp.delay(150);
          ws.delay(150);
        } else {
          await killProsody();
          hit = ['alice', 'bob'];
        }

        send('alice', sizes.alice[round]! - before.alice);
        send('bob', sizes.bob[round]! - before.bob);

        if (fault === 'kill') await startProsody();
        if (fault === 'delay') {
          await new Promise((resolve) => setTimeout(resolve, 300 + random() * 300));
          tcp.delay(0);
          ws.delay(0);
        }
        for (const who of hit) {
          const back = await until(`${who} back online after a ${fault}`, () => lines[who].recoveredAt(at), 60_000);
          recoveries.push(back - at);
        }
      }

      // Every message the apps sent is confirmed by the server or reported failed ...
      const settled = (m: { state: string }) => m.state !== 'sending';
      await untilConversation(
        alice.client,
        bobUser!.jid,
        (ms) => ms.filter((m) => m.direction === 'out').length === MESSAGES_PER_SIDE && ms.every(settled),
        60_000,
      );
      await untilConversation(
        bob.client,
        aliceUser!.jid,
        (ms) => ms.filter((m) => m.direction === 'out').length === MESSAGES_PER_SIDE && ms.every(settled),
        60_000,
      );
      const failed = {
        alice: conversationWith(alice.client, bobUser!.jid)
          .filter((m) => m.direction === 'out' && m.state === 'error')
          .map((m) => m.body),
        bob: conversationWith(bob.client, aliceUser!.jid)
          .filter((m) => m.direction === 'out' && m.state === 'error')
          .map((m) => m.body),
      };
      // ... and each one not reported failed reaches the other side (live, resent, or caught up from the archive).
      const expected = { bob: sent.alice.filter((b) => !failed.alice.includes(b)), alice: sent.bob.filter((b) => !failed.bob.includes(b)) };
      const received = (c: ObservedClient, peer: string) =>
        conversationWith(c.client, peer)
          .filter((m) => m.direction === 'in')
          .map((m) => m.body);
      // Waits give up quietly: what never arrived is counted as lost and asserted below.
      await untilConversation(
        bob.client,
        aliceUser!.jid,
        () => new Set(received(bob, aliceUser!.jid)).size >= expected.bob.length,
        60_000,
      ).catch(() => {});
      await untilConversation(
        alice.client,
        bobUser!.jid,
        () => new Set(received(alice, bobUser!.jid)).size >= expected.alice.length,
        60_000,
      ).catch(() => {});

      const inAtBob = received(bob, aliceUser!.jid);
      const inAtAlice = received(alice, bobUser!.jid);
      const lost = [...expected.bob.filter((b) => !inAtBob.includes(b)), ...expected.alice.filter((b) => !inAtAlice.includes(b))];
      const duplicated = inAtBob.length - new Set(inAtBob).size + (inAtAlice.length - new Set(inAtAlice).size);
      const recovery = medianAndMax(recoveries);
      const figures = {
        seed: SEED,
        faults: ROUNDS,
        byKind: injected,
        messages: sent.alice.length + sent.bob.length,
        reportedFailed: failed.alice.length + failed.bob.length,
        lost: lost.length,
        duplicated,
        recoveryMs: recovery,
      };
      console.info(`[exactly-once] ${JSON.stringify(figures)}`);
      await mkdir('test-output', { recursive: true });
      await writeFile('test-output/reliability.json', `${JSON.stringify(figures, null, 2)}\n`);

      for (const [c, peer, want] of [
        [bob, aliceUser!.jid, expected.bob],
        [alice, bobUser!.jid, expected.alice],
      ] as const) {
        await writeDiagnostics(c, peer, want);
      }
      expect(lost).toEqual([]);
      expect(duplicated).toBe(0);
      expect(inAtBob).toEqual(expected.bob);
      expect(inAtAlice).toEqual(expected.alice);
      expect(Object.values(injected).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(50);
    },
  );
});

/**
 * When the conversation with `peer` is not `want` in order: the store around the first difference
 * and how each of its messages arrived (live, resent, archive page), in test-output/, to replay.
 */
async function writeDiagnostics(c: ObservedClient, peer: string, want: readonly string[]): Promise<void> {
  const messages = conversationWith(c.client, peer).filter((m) => m.direction === 'in');
  const at = messages.findIndex((m, k) => m.body !== want[k]);
  if (at === -1) return;
  const arrivals = c.inbound.flatMap((xml, k) => {
    const body = /<body>(.*?)<\/body>/.exec(xml)?.[1];
    if (body === undefined && !xml.includes('<fin')) return [];
    const query = /queryid="([^"]+)"/.exec(xml)?.[1]?.replace(/^(.{8}).*\./, '$1….');
    const stanzaId = /<stanza-id[^>]* id="([^"]+)"/.exec(xml)?.[1]?.slice(0, 8);
    return [{ read: k, body, query, stanzaId, fin: xml.includes('<fin') ? xml.slice(0, 300) : undefined }];
  });
  const window = messages.slice(Math.max(0, at - 5), at + 10).map((m) => [m.body, m.stamp, m.stanzaId?.slice(0, 8)]);
  console.info(`[exactly-once] ${peer} differs at ${at}: expected ${want[at]}, see test-output/exactly-once-${at}.json`);
  await writeFile(
    `test-output/exactly-once-${at}.json`,
    JSON.stringify(
      {
        seed: SEED,
        at,
        window,
        // The whole order received, to see where the missing ones went.
        order: messages.map((m) => m.body).join(', '),
        bodies: Object.fromEntries(conversationWith(c.client, peer).map((m) => [m.id, m.body])),
        arrivals,
        log: c.debugLog.filter((l) => l.message !== 'stream-management ack'),
      },
      null,
      1,
    ),
  );
}
