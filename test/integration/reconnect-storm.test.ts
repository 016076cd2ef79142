import { afterAll, describe, expect, it } from 'vitest';
import { createXmppClient, type XmppClient } from '../../src/client/create-client.js';
import { C2S_PORT, PROSODY_HOST } from '../../scripts/prosody.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';

/**
 * A server that is down (every connection is reset as soon as it is accepted) and 100 clients in
 * one process: each backs off up to `maxDelay`, and their attempts spread out instead of
 * arriving in lockstep.
 */
const CLIENTS = 100;
const MIN_DELAY = 400;
const MAX_DELAY = 3200;
const WATCH_MS = 10_000;
const BIN_MS = 50;

let proxy: FaultProxy;
const clients: XmppClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await proxy?.close();
});

describe('reconnect storm', () => {
  it(`${CLIENTS} clients against a dead server back off to maxDelay and spread their attempts`, { timeout: 30_000 }, async () => {
    proxy = await startFaultProxy({ host: PROSODY_HOST, port: C2S_PORT });
    proxy.refuse(true);
    const waits: number[][] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const client = createXmppClient({
        service: `xmpp://127.0.0.1:${proxy.port}`,
        domain: 'localhost',
        username: `storm${i}`,
        password: 'unused',
        reconnect: { minDelay: MIN_DELAY, maxDelay: MAX_DELAY },
      });
      const mine: number[] = [];
      waits.push(mine);
      client.on('status', ({ connection }) => {
        if (connection.status === 'reconnecting' && connection.retryInMs !== undefined) mine.push(connection.retryInMs);
      });
      clients.push(client);
    }
    const startedAt = Date.now();
    for (const client of clients) void client.start().catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, WATCH_MS));

    // Backoff: no wait exceeds maxDelay, and later waits are longer than the first ones.
    const all = waits.flat();
    expect(Math.max(...all)).toBeLessThanOrEqual(MAX_DELAY);
    expect(Math.min(...all)).toBeGreaterThanOrEqual(MIN_DELAY);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const firstWaits = waits.map((w) => w[0]!);
    const fourthWaits = waits.filter((w) => w.length > 3).map((w) => w[3]!);
    expect(fourthWaits.length).toBeGreaterThan(CLIENTS / 2);
    expect(mean(fourthWaits)).toBeGreaterThan(mean(firstWaits) * 2);

    // Jitter: after the first attempt (all clients start together), attempts spread over time.
    const retries = proxy.accepted.slice(CLIENTS).map((at) => at - startedAt);
    const bins = new Map<number, number>();
    for (const at of retries) bins.set(Math.floor(at / BIN_MS), (bins.get(Math.floor(at / BIN_MS)) ?? 0) + 1);
    const peak = Math.max(...bins.values());
    const attemptsPerClient = proxy.accepted.length / CLIENTS;
    const spread = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
    const figures = {
      clients: CLIENTS,
      watchedMs: WATCH_MS,
      attempts: proxy.accepted.length,
      attemptsPerClient: Number(attemptsPerClient.toFixed(1)),
      peakRetriesPer50ms: peak,
      firstWaitMs: { mean: Math.round(mean(firstWaits)), stdDev: Math.round(spread(firstWaits)) },
      fourthWaitMs: { mean: Math.round(mean(fourthWaits)), stdDev: Math.round(spread(fourthWaits)) },
    };
    console.info(`[reconnect-storm] ${JSON.stringify(figures)}`);
    // In lockstep every client would retry within the same 50 ms; with full jitter a bin holds a fraction.
    expect(peak).toBeLessThan(CLIENTS / 2);
    // And a dead server is not hammered: a handful of attempts per client in 10 s, not hundreds.
    expect(attemptsPerClient).toBeLessThan(WATCH_MS / MIN_DELAY);
  });
});
