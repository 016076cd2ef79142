import type { SessionLifecycleEvent } from '../feature.js';
import type { IqRequestRef } from '../iq-request.js';

/** A block or unblock push from the own server (XEP-0191 §5.3, §5.4). An unblock without JIDs unblocks everyone (§5.5). */
export interface BlockingPushEvent extends IqRequestRef {
  type: 'blocking.push';
  action: 'block' | 'unblock';
  jids: string[];
}

export type BlockingRoutedEvent = BlockingPushEvent;

/** App intents; the change comes back as a push (XEP-0191 §5.3, §5.4). */
export type BlockingCommand =
  | { type: 'blocking.block'; jids: readonly string[] }
  /** With no JIDs, unblocks everyone (§5.5). */
  | { type: 'blocking.unblock'; jids: readonly string[] };

/** How a command child (`command.<n>`) ends. */
export type BlockingCommandOutcome = { type: `xstate.done.actor.${string}` } | { type: `xstate.error.actor.${string}`; error: unknown };

export type BlockingEvent =
  BlockingRoutedEvent | SessionLifecycleEvent | BlockingCommand | BlockingCommandOutcome | { type: 'blocking.refresh' };

/** `unsupported`: the server answered the block list request with an error. */
export type BlockingStatus = 'idle' | 'loading' | 'ready' | 'unsupported' | 'failed';

export interface BlockingContext {
  /** Blocked JIDs (normalised), in the order they were blocked. */
  blocked: string[];
  /** Pushes that arrived while the list was being fetched, applied again to its result. */
  heldPushes: BlockingPushEvent[];
  /** Why the last fetch failed. */
  error: string | undefined;
  /** Why the last `blocking.block` / `blocking.unblock` failed (cleared by the next one that succeeds). */
  commandError: string | undefined;
}
