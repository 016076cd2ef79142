import type { SessionLifecycleEvent } from '../feature.js';
import type { ParsedChatMessage } from '../chat/chat.types.js';

/** `idle` (not asked on this stream), `enabling`, `enabled`, `failed` (the server said no or did not answer). */
export type CarbonsStatus = 'idle' | 'enabling' | 'enabled' | 'failed';

/** A carbon that passed the §11 check (outer `from` = own bare JID), unwrapped by the chat parser. */
export interface CarbonsCopyEvent {
  type: 'carbons.copy';
  /** `received`: a message to us delivered to another resource; `sent`: sent by another resource. */
  direction: 'received' | 'sent';
  message: ParsedChatMessage;
}

/** Intent: ask the server again (e.g. after `failed`). */
export interface CarbonsEnableEvent {
  type: 'carbons.enable';
}

export type CarbonsEvent =
  | CarbonsCopyEvent
  | CarbonsEnableEvent
  | SessionLifecycleEvent
  | { type: `xstate.done.actor.${string}`; output: unknown }
  | { type: `xstate.error.actor.${string}`; error: unknown };

export interface CarbonsContext {
  status: CarbonsStatus;
  /** Why enabling failed (the stanza error condition or the timeout). */
  error: string | undefined;
}
