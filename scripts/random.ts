/**
 * Seeded randomness for tests and benchmarks.
 *
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence on every machine, so a
 * fault schedule that found a bug can be replayed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** One of `choices`, each as likely as its weight. */
export function weightedPick<T extends string>(random: () => number, choices: Readonly<Record<T, number>>): T {
  const entries = Object.entries(choices) as [T, number][];
  let r = random() * entries.reduce((sum, [, w]) => sum + w, 0);
  for (const [choice, weight] of entries) {
    r -= weight;
    if (r < 0) return choice;
  }
  return entries[entries.length - 1]![0];
}

/** The median and maximum of `values` (undefined when empty). */
export function medianAndMax(values: readonly number[]): { median: number; max: number } | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, max: sorted[sorted.length - 1]! };
}
