import type { Actor, AnyActorRef } from 'xstate';
import { XmppAdapterError } from '../errors.js';
import { normalizeJid } from '../jid.js';
import type { SessionMachine } from '../machines/session.machine.js';

/** Looks a feature actor up for a promise helper: `stopped` before `start()`, `feature-failed` when absent. */
export function featureLookup(session: Actor<SessionMachine>, isRunning: () => boolean): (id: string) => AnyActorRef {
  return (id) => {
    if (!isRunning()) throw new XmppAdapterError('stopped', 'the client is not running: call start() first');
    const actor = session.system.get(id) as AnyActorRef | undefined;
    if (!actor) throw new XmppAdapterError('feature-failed', `the ${id} feature is not part of this client`);
    return actor;
  };
}

/** An `invalid-argument` error: the helper was called with something it cannot use. */
export function argumentError(message: string): XmppAdapterError {
  return new XmppAdapterError('invalid-argument', message);
}

/** A JID argument, normalised, or an `invalid-argument` error thrown. */
export function jidArgument(jid: string): string {
  const normalized = normalizeJid(jid);
  if (normalized === undefined) throw argumentError(`not a JID: ${String(jid)}`);
  return normalized;
}
