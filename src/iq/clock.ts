/** The timer interface of XState's clocks plus a reading; `SimulatedClock` satisfies it in tests. */
export interface Clock {
  setTimeout(fn: (...args: any[]) => void, timeout: number): any;
  clearTimeout(id: any): void;
  /** Milliseconds on a monotonic scale (only differences are meaningful). */
  now(): number;
}

export const realClock: Clock = {
  setTimeout: (fn, timeout) => setTimeout(fn, timeout),
  clearTimeout: (id) => clearTimeout(id),
  now: () => performance.now(),
};
