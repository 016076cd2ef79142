/**
 * Small statistics helpers for the benchmarks: order statistics over samples and a `measure`
 * wrapper that records wall-clock time and this process's CPU time around one piece of work.
 */
import { performance } from 'node:perf_hooks';

export interface Measurement<T = void> {
  /** Wall-clock time, in ms (performance.now()). */
  wallMs: number;
  /** CPU time of the whole process (user + system, every thread), in ms. */
  cpuMs: number;
  value: T;
}

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('no samples');
  return [...values].sort((a, b) => a - b);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) with linear interpolation between closest ranks
 * (R-7 / NumPy's default): with 20 samples, p90 lies between the 18th and 19th smallest.
 */
export function quantile(values: readonly number[], q: number): number {
  const s = sorted(values);
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);
export const p90 = (values: readonly number[]): number => quantile(values, 0.9);
export const min = (values: readonly number[]): number => sorted(values)[0]!;
export const max = (values: readonly number[]): number => sorted(values).at(-1)!;
export const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

/**
 * Runs `fn` once and measures it. CPU time is `process.cpuUsage()` around the work, so it counts
 * everything this process did meanwhile (timers, GC, socket I/O) — the benchmarks run one thing
 * at a time so that this is the client's own cost. Other processes (Prosody) are not counted.
 */
export async function measure<T>(fn: () => T | Promise<T>): Promise<Measurement<T>> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  return { wallMs, cpuMs: cpuMsSince(cpu), value };
}

/** Summary of one series, in the unit of the samples. */
export interface Summary {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return { n: values.length, median: median(values), p90: p90(values), min: min(values), max: max(values) };
}
