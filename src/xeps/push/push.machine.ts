import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import { StanzaError, XmppAdapterError, errorMessage } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import { bareJid } from '../../jid.js';
import { discoInfo } from '../disco/disco.machine.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { NS_PUSH, buildDisable, buildEnable } from './push.codec.js';
import type {
  PublishOptions,
  PushCommand,
  PushCommandOutput,
  PushContext,
  PushEmitted,
  PushEvent,
  PushFailure,
  PushRegistration,
  PushRegistrationView,
} from './push.types.js';

type Services = Pick<FeatureServices, 'iq'>;

/**
 * XEP-0357 §4.1: "Before enabling or disabling push services, a client SHOULD determine whether the
 * user's server supports publishing push notifications; to do so, it MUST send a XEP-0030
 * information query to the user's bare JID" and looks for `urn:xmpp:push:0`.
 */
export async function accountSupportsPush(services: Services, account: string, options?: IqRequestOptions): Promise<boolean> {
  const info = await discoInfo(services, account, undefined, options);
  return info.features.includes(NS_PUSH);
}

/** XEP-0357 §5: asks the own server to publish notifications to `registration`'s app server and node. */
export async function enablePush(services: Services, registration: PushRegistration, options?: IqRequestOptions): Promise<void> {
  await services.iq.request(buildEnable(registration), options);
}

/** XEP-0357 §6: stops notifications to the app server `jid` (only `node` when given). */
export async function disablePush(services: Services, jid: string, node?: string, options?: IqRequestOptions): Promise<void> {
  await services.iq.request(buildDisable(jid, node), options);
}

/** The remembered registrations after a successful command. */
export function applyPushCommand(registrations: readonly PushRegistration[], command: PushCommand): PushRegistration[] {
  if (command.type === 'push.enable') {
    const registration: PushRegistration = { jid: command.jid, node: command.node };
    if (command.publishOptions !== undefined) registration.publishOptions = { ...command.publishOptions };
    // §5: "If the combination of JID and node has already been enabled, then the server SHOULD use the last received request".
    return [...registrations.filter((r) => r.jid !== command.jid || r.node !== command.node), registration];
  }
  // §6: "If a 'node' attribute is provided, then only that combination of JID and node SHOULD be removed … Otherwise, … all enabled entries for the specified service".
  return registrations.filter((r) => r.jid !== command.jid || (command.node !== undefined && r.node !== command.node));
}

function failureOf(error: unknown): PushFailure {
  if (error instanceof StanzaError) {
    const failure: PushFailure = { code: error.code, message: error.message, condition: error.condition };
    if (error.text !== undefined) failure.text = error.text;
    return failure;
  }
  if (error instanceof XmppAdapterError) return { code: error.code, message: error.message };
  return { code: 'feature-failed', message: errorMessage(error) };
}

const UNSUPPORTED: PushFailure = { code: 'unsupported', message: 'the account does not offer push notifications (urn:xmpp:push:0)' };

/** One intent carried out online: the disco check when support is not known yet, then the IQ. Never rejects. */
export async function runPushCommand(
  services: Services,
  input: { command: PushCommand; account: string; supported: boolean | undefined },
  options?: IqRequestOptions,
): Promise<PushCommandOutput> {
  const { command } = input;
  let supported = input.supported;
  try {
    if (supported === undefined) supported = await accountSupportsPush(services, input.account, options);
    if (!supported) return { command, supported, error: UNSUPPORTED };
    if (command.type === 'push.enable') {
      const registration: PushRegistration = { jid: command.jid, node: command.node };
      if (command.publishOptions !== undefined) registration.publishOptions = command.publishOptions;
      await enablePush(services, registration, options);
    } else {
      await disablePush(services, command.jid, command.node, options);
    }
    return supported === input.supported ? { command } : { command, supported };
  } catch (err) {
    return supported === input.supported ? { command, error: failureOf(err) } : { command, supported, error: failureOf(err) };
  }
}

interface SyncInput {
  account: string;
  registrations: PushRegistration[];
  pendingDisables: PushContext['pendingDisables'];
}

const keyOf = (jid: string, node: string) => `${jid}\u0000${node}`;

/**
 * The publish options of the registrations, outside any snapshot: XEP-0357 §5 calls them
 * credentials the app server shares only with the user's server.
 */
class PublishOptionsVault {
  private readonly byRegistration = new Map<string, PublishOptions>();

  constructor(registrations: readonly PushRegistration[]) {
    for (const r of registrations)
      if (r.publishOptions !== undefined) this.byRegistration.set(keyOf(r.jid, r.node), { ...r.publishOptions });
  }

  /** The registrations after `command`, as the context shows them; the vault follows the same change. */
  apply(registrations: readonly PushRegistrationView[], command: PushCommand): PushRegistrationView[] {
    const next = applyPushCommand(
      registrations.map((r) => ({ jid: r.jid, node: r.node })),
      command,
    );
    if (command.type === 'push.enable') {
      const key = keyOf(command.jid, command.node);
      if (command.publishOptions !== undefined) this.byRegistration.set(key, { ...command.publishOptions });
      else this.byRegistration.delete(key);
    }
    const kept = new Set(next.map((r) => keyOf(r.jid, r.node)));
    for (const key of [...this.byRegistration.keys()]) if (!kept.has(key)) this.byRegistration.delete(key);
    return next.map((r) => this.view(r));
  }

  view(r: { jid: string; node: string }): PushRegistrationView {
    return { jid: r.jid, node: r.node, hasPublishOptions: this.byRegistration.has(keyOf(r.jid, r.node)) };
  }

  /** The full registration, publish options included, for the IQ that enables it. */
  full(r: PushRegistrationView): PushRegistration {
    const publishOptions = this.byRegistration.get(keyOf(r.jid, r.node));
    return publishOptions === undefined ? { jid: r.jid, node: r.node } : { jid: r.jid, node: r.node, publishOptions };
  }
}

/**
 * A new session: checks support, sends the disables asked for while offline, and enables every
 * remembered registration again (a fresh session has no server-side state of this client's).
 */
export async function syncPush(services: Services, input: SyncInput, options?: IqRequestOptions): Promise<{ supported: boolean }> {
  const supported = await accountSupportsPush(services, input.account, options);
  if (!supported) return { supported };
  for (const { jid, node } of input.pendingDisables) await disablePush(services, jid, node, options);
  for (const registration of input.registrations) await enablePush(services, registration, options);
  return { supported };
}

export interface PushFeatureOptions {
  /** Registrations to restore (e.g. saved from `connectPush(snapshot).enabled` by the app); enabled on the first session. */
  enabled?: readonly PushRegistration[];
}

/**
 * The push actor: remembers what the app enabled and enables it again on every fresh session
 * (a resumed one kept it); commands run as `command.<n>` children and report `push.finished`.
 */
export function createPushLogic(services: FeatureServices, options: PushFeatureOptions = {}) {
  let commands = 0;
  const vault = new PublishOptionsVault(options.enabled ?? []);
  const initial = (options.enabled ?? []).map((r) => vault.view(r));
  return setup({
    types: {
      context: {} as PushContext,
      events: {} as PushEvent,
      input: {} as FeatureInput,
      emitted: {} as PushEmitted,
    },
    actors: {
      sync: fromPromise<{ supported: boolean }, SyncInput>(({ input, signal }) => syncPush(services, input, { signal })),
      command: fromPromise<PushCommandOutput, { command: PushCommand; account: string; supported: boolean | undefined }>(
        ({ input, signal }) => runPushCommand(services, input, { signal }),
      ),
    },
    guards: {
      // A resumed session kept the server's state, unless the app changed something while offline.
      needsSync: ({ context, event }) =>
        event.type === 'session.online' &&
        (!event.resumed || context.dirty) &&
        (context.registrations.length > 0 || context.pendingDisables.length > 0),
      knownUnsupported: ({ context, event }) => event.type === 'session.online' && event.resumed && context.supported === false,
    },
    actions: {
      rememberAccount: assign(({ context, event }) =>
        event.type === 'session.online' ? { account: bareJid(event.jid), supported: event.resumed ? context.supported : undefined } : {},
      ),
      runCommand: enqueueActions(({ enqueue, context, event }) => {
        const command = event as PushCommand;
        enqueue.spawnChild('command', {
          id: `command.${++commands}`,
          input: { command, account: context.account!, supported: context.supported },
        });
      }),
      // Offline: remembered now, sent on the next session.
      deferCommand: enqueueActions(({ enqueue, context, event }) => {
        const command = event as PushCommand;
        enqueue.assign({
          registrations: vault.apply(context.registrations, command),
          pendingDisables:
            command.type === 'push.disable'
              ? [...context.pendingDisables, command.node === undefined ? { jid: command.jid } : { jid: command.jid, node: command.node }]
              : context.pendingDisables,
          dirty: true,
        });
        enqueue.emit({ type: 'push.finished', requestId: command.requestId, command: command.type, deferred: true });
      }),
      finishCommand: enqueueActions(({ enqueue, context, event }) => {
        if (!event.type.startsWith('xstate.done.actor.command.')) return;
        const output = (event as { output: PushCommandOutput }).output;
        const { command, error, supported } = output;
        enqueue.assign({
          registrations: error ? context.registrations : vault.apply(context.registrations, command),
          supported: supported ?? context.supported,
          commandError: error?.message,
        });
        enqueue.emit({ type: 'push.finished', requestId: command.requestId, command: command.type, ...(error ? { error } : {}) });
      }),
    },
  }).createMachine({
    id: 'push',
    context: {
      account: undefined,
      registrations: initial,
      pendingDisables: [],
      dirty: initial.length > 0,
      supported: undefined,
      error: undefined,
      commandError: undefined,
    },
    initial: 'offline',
    on: {
      'session.offline': '.offline',
      'xstate.done.actor.*': { actions: 'finishCommand' },
    },
    states: {
      offline: {
        on: {
          'session.online': [
            { guard: 'needsSync', target: 'syncing', actions: 'rememberAccount' },
            { guard: 'knownUnsupported', target: 'unsupported', actions: 'rememberAccount' },
            { target: 'ready', actions: ['rememberAccount', assign({ dirty: false, pendingDisables: [] })] },
          ],
          'push.enable': { actions: 'deferCommand' },
          'push.disable': { actions: 'deferCommand' },
        },
      },
      syncing: {
        invoke: {
          src: 'sync',
          input: ({ context }) => ({
            account: context.account!,
            registrations: context.registrations.map((r) => vault.full(r)),
            pendingDisables: context.pendingDisables,
          }),
          onDone: [
            {
              guard: ({ event }) => !event.output.supported,
              target: 'unsupported',
              actions: assign({ supported: false, dirty: false, pendingDisables: [], error: undefined }),
            },
            { target: 'ready', actions: assign({ supported: true, dirty: false, pendingDisables: [], error: undefined }) },
          ],
          // Still to send: a resumed session tries again too.
          onError: { target: 'failed', actions: assign({ error: ({ event }) => errorMessage(event.error), dirty: true }) },
        },
        on: {
          'push.enable': { actions: 'runCommand' },
          'push.disable': { actions: 'runCommand' },
        },
      },
      ready: {
        on: {
          'push.enable': { actions: 'runCommand' },
          'push.disable': { actions: 'runCommand' },
        },
      },
      unsupported: {
        on: {
          'push.enable': { actions: 'runCommand' },
          'push.disable': { actions: 'runCommand' },
        },
      },
      failed: {
        on: {
          'push.enable': { actions: 'runCommand' },
          'push.disable': { actions: 'runCommand' },
        },
      },
    },
  });
}

export type PushLogic = ReturnType<typeof createPushLogic>;
