/**
 * What the receiving side of the end-to-end benchmark saw: every expected body counted once,
 * duplicates and strangers counted apart, the time the last missing one arrived, and the time
 * of the latest progress (to give up on a stalled run instead of hanging).
 */
import { performance } from 'node:perf_hooks';

export class Delivery {
  readonly expected: ReadonlySet<string>;
  private readonly seen = new Set<string>();
  duplicates = 0;
  unexpected = 0;
  /** performance.now() when the last expected body arrived. */
  completedAt: number | undefined;
  lastProgressAt = performance.now();
  private resolveComplete!: () => void;
  readonly complete = new Promise<void>((resolve) => (this.resolveComplete = resolve));

  constructor(bodies: readonly string[]) {
    this.expected = new Set(bodies);
  }

  /** A message with `body` reached the receiving app (event, or conversation snapshot). */
  record(body: string): void {
    if (!this.expected.has(body)) {
      this.unexpected++;
      return;
    }
    if (this.seen.has(body)) {
      this.duplicates++;
      return;
    }
    this.seen.add(body);
    this.lastProgressAt = performance.now();
    if (this.seen.size === this.expected.size) {
      this.completedAt = this.lastProgressAt;
      this.resolveComplete();
    }
  }

  get received(): number {
    return this.seen.size;
  }

  get lost(): number {
    return this.expected.size - this.seen.size;
  }

  /** Resolves when complete, or once nothing new has arrived for `idleMs`. */
  async settle(idleMs: number): Promise<void> {
    let timer: ReturnType<typeof setInterval> | undefined;
    const stalled = new Promise<void>((resolve) => {
      timer = setInterval(() => {
        if (performance.now() - this.lastProgressAt > idleMs) resolve();
      }, 100);
    });
    try {
      await Promise.race([this.complete, stalled]);
    } finally {
      clearInterval(timer);
    }
  }
}

/** One sending burst as a library saw it. */
export interface SendOutcome {
  /** ms spent in the synchronous send loop (handing every message to the library). */
  loopMs: number;
  /** Resolves when the sender is done by the library's own account (see bench/README.md). */
  done: Promise<void>;
  /** Ours only: resolves when every message is `delivered` (the receiver's XEP-0184 receipts came back). */
  acknowledged?: Promise<void>;
}

/** Two logged-in clients of one library, ready for a burst. */
export interface E2ePair {
  /** The receiving client's full JID: messages go there, so no presence routing is involved. */
  receiverJid: string;
  sendAll(to: string, bodies: readonly string[]): SendOutcome;
  stop(): Promise<void>;
}

export interface E2eEndpoints {
  service: string;
  sender: { username: string; password: string; domain: string; jid: string };
  receiver: { username: string; password: string; domain: string; jid: string };
}

export type OpenPair = (endpoints: E2eEndpoints, delivery: Delivery) => Promise<E2ePair>;
