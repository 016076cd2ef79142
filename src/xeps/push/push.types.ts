import type { SessionLifecycleEvent } from '../feature.js';

/** XEP-0004 values of the `pubsub#publish-options` form the app server asked for (a secret, a token). */
export type PublishOptions = Readonly<Record<string, string>>;

/** One app server the account publishes notifications to (XEP-0357 §5). */
export interface PushRegistration {
  /** The XMPP Push Service (app server) JID. */
  jid: string;
  /** The node the app server provisioned for this device. */
  node: string;
  /** Sent with every publish (§7): credentials shared only with the user's server. */
  publishOptions?: PublishOptions;
}

/**
 * A registration as the actor's context and view hold it: the publish options stay in the actor's
 * closure (they are credentials), so snapshots, inspectors and persisted state never carry them.
 */
export interface PushRegistrationView {
  jid: string;
  node: string;
  /** The registration sends publish options (kept out of this view). */
  hasPublishOptions: boolean;
}

/** App intents; `requestId` ties the `push.finished` report to the call. */
export type PushCommand =
  | { type: 'push.enable'; jid: string; node: string; publishOptions?: PublishOptions; requestId?: string }
  /** Without `node`: every node of that app server (§6). */
  | { type: 'push.disable'; jid: string; node?: string; requestId?: string };

/** How a command ended, as plain data. */
export interface PushCommandOutput {
  command: PushCommand;
  /** What the disco check found out (undefined when it was not needed). */
  supported?: boolean;
  error?: PushFailure;
}

export interface PushFailure {
  /** `unsupported`: the account does not offer `urn:xmpp:push:0`; else the error's code. */
  code: string;
  message: string;
  /** The server's stanza error condition. */
  condition?: string;
  /** The server's error text, if any. */
  text?: string;
}

/** What the actor emits for each command (`actor.on('push.finished', …)`). */
export interface PushFinishedEvent {
  type: 'push.finished';
  requestId: string | undefined;
  command: PushCommand['type'];
  /** The client was offline: the change is remembered and sent on the next session. */
  deferred?: boolean;
  error?: PushFailure;
}

export type PushEmitted = PushFinishedEvent;

export type PushCommandOutcome =
  { type: `xstate.done.actor.${string}`; output: unknown } | { type: `xstate.error.actor.${string}`; error: unknown };

export type PushEvent = SessionLifecycleEvent | PushCommand | PushCommandOutcome;

/**
 * `offline`: no session; `syncing`: checking support and enabling the remembered registrations on
 * a new session; `ready`: done (or nothing to enable); `unsupported`: the account does not offer
 * push; `failed`: the last sync failed (timeout, error answer).
 */
export type PushStatus = 'offline' | 'syncing' | 'ready' | 'unsupported' | 'failed';

export interface PushContext {
  /** The own bare JID while a session exists (the disco target, §4.1). */
  account: string | undefined;
  /** What the app enabled; enabled again on every fresh session. The publish options are not here. */
  registrations: PushRegistrationView[];
  /** Disables asked for while offline, sent on the next session. */
  pendingDisables: Array<{ jid: string; node?: string }>;
  /** Changes made while offline that the server has not seen. */
  dirty: boolean;
  /** Whether the account offers `urn:xmpp:push:0`; undefined until asked on this session. */
  supported: boolean | undefined;
  /** Why the last sync failed. */
  error: string | undefined;
  /** Why the last command failed (cleared by the next one that succeeds). */
  commandError: string | undefined;
}
