/** The timer interface of XState's clocks; `SimulatedClock` satisfies it in tests. */
export interface Clock {
  setTimeout(fn: (...args: any[]) => void, timeout: number): any;
  clearTimeout(id: any): void;
}

export const realClock: Clock = {
  setTimeout: (fn, timeout) => setTimeout(fn, timeout),
  clearTimeout: (id) => clearTimeout(id),
};
