/**
 * Exponential backoff with full jitter: attempt n (from 0) waits a uniformly random time between
 * `minDelay` and `min(maxDelay, minDelay * 2^(n+1))`, so a crowd of clients that lost the same
 * server spreads out instead of reconnecting in lockstep — from the very first retry on.
 */
export function reconnectDelay(attempt: number, minDelay: number, maxDelay: number, random: () => number): number {
  const ceiling = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt + 1, 30));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(minDelay + r * (ceiling - minDelay));
}
