import type { Actor, AnyActorRef } from 'xstate';
import { StanzaError, XmppAdapterError, type XmppErrorCode } from '../errors.js';
import type { SessionMachine } from '../machines/session.machine.js';
import type { PublishOptions, PushCommand, PushFailure, PushFinishedEvent } from '../xeps/push/index.js';
import { argumentError, featureLookup, jidArgument } from './require-feature.js';

/** Outcome of `enable` / `disable`. */
export interface PushResult {
  /** The client was offline: the change is remembered and reaches the server on the next session. */
  deferred: boolean;
}

/** Promise helpers over the `push` feature (XEP-0357). */
export interface PushApi {
  /**
   * Asks the server to publish notifications for this account to the app server `jid` at `node`,
   * with `form` as publish options (e.g. `{ secret }`); remembered and enabled again on every
   * fresh session. Rejects with `feature-failed` when the account does not offer push.
   */
  enable(jid: string, node: string, form?: PublishOptions): Promise<PushResult>;
  /** Stops notifications to `jid` (only to `node` when given) and forgets the registration. */
  disable(jid: string, node?: string): Promise<PushResult>;
}

const KNOWN_CODES: ReadonlySet<string> = new Set<XmppErrorCode>([
  'timeout',
  'aborted',
  'not-online',
  'stopped',
  'disconnected',
  'bad-reply',
]);

function failureError(failure: PushFailure): XmppAdapterError {
  if (failure.condition !== undefined) return new StanzaError(failure.condition, undefined, failure.text);
  const code = KNOWN_CODES.has(failure.code) ? (failure.code as XmppErrorCode) : 'feature-failed';
  return new XmppAdapterError(code, `push: ${failure.message}`);
}

function checkNode(node: unknown): string {
  if (typeof node !== 'string' || node.length === 0) throw argumentError('node must be a non-empty string');
  return node;
}

function checkForm(form: PublishOptions | undefined): PublishOptions | undefined {
  if (form === undefined) return undefined;
  if (form === null || typeof form !== 'object') throw argumentError('form must be an object of field values');
  for (const [name, value] of Object.entries(form)) {
    if (name === '' || name === 'FORM_TYPE' || typeof value !== 'string') {
      throw argumentError(`form field ${name || '(empty)'} must be a named string value other than FORM_TYPE`);
    }
  }
  return { ...form };
}

/** Builds `client.push`: each helper sends the push actor its intent and settles on `push.finished`. */
export function createPushApi(session: Actor<SessionMachine>, isRunning: () => boolean): PushApi {
  const requireFeature = featureLookup(session, isRunning);

  function request(actor: AnyActorRef, command: PushCommand & { requestId: string }): Promise<PushResult> {
    return new Promise((resolve, reject) => {
      const subscription = actor.on('push.finished', (event: PushFinishedEvent) => {
        if (event.requestId !== command.requestId) return;
        subscription.unsubscribe();
        if (event.error) reject(failureError(event.error));
        else resolve({ deferred: event.deferred === true });
      });
      actor.send(command);
    });
  }
  const requestId = () => globalThis.crypto.randomUUID();

  return {
    async enable(jid, node, form) {
      const command: PushCommand & { requestId: string } = {
        type: 'push.enable',
        jid: jidArgument(jid),
        node: checkNode(node),
        requestId: requestId(),
      };
      const publishOptions = checkForm(form);
      if (publishOptions !== undefined) command.publishOptions = publishOptions;
      return request(requireFeature('push'), command);
    },
    async disable(jid, node) {
      const command: PushCommand & { requestId: string } = { type: 'push.disable', jid: jidArgument(jid), requestId: requestId() };
      if (node !== undefined) command.node = checkNode(node);
      return request(requireFeature('push'), command);
    },
  };
}
