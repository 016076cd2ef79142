import { assign, fromPromise, setup, spawnChild } from 'xstate';
import { StanzaError, XmppAdapterError, errorMessage } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import { normalizeJid } from '../../jid.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { StanzaParseError, replyResult } from '../iq-request.js';
import { buildBlock, buildBlocklistRequest, buildUnblock, parseBlocklist } from './blocking.codec.js';
import type { BlockingCommand, BlockingContext, BlockingEvent, BlockingPushEvent } from './blocking.types.js';

/** XEP-0191 §5.2: asks the own server for the block list. */
export async function fetchBlocklist(services: Pick<FeatureServices, 'iq'>, options?: IqRequestOptions): Promise<string[]> {
  const reply = await services.iq.request(buildBlocklistRequest(), options);
  const list = parseBlocklist(reply);
  if (list instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `malformed block list: ${list.reason}`);
  return list;
}

function jidsOf(jids: readonly string[]): string[] {
  return jids.map((jid) => {
    const normalized = normalizeJid(jid);
    if (normalized === undefined) throw new XmppAdapterError('invalid-options', `not a JID: ${jid}`);
    return normalized;
  });
}

/** XEP-0191 §5.3: blocks `jids`; the change comes back as a push. */
export async function block(services: Pick<FeatureServices, 'iq'>, jids: readonly string[], options?: IqRequestOptions): Promise<void> {
  const list = jidsOf(jids);
  if (list.length === 0) throw new XmppAdapterError('invalid-options', 'block needs at least one JID');
  await services.iq.request(buildBlock(list), options);
}

/** XEP-0191 §5.4: unblocks `jids`; with none, unblocks everyone (§5.5). */
export async function unblock(services: Pick<FeatureServices, 'iq'>, jids: readonly string[], options?: IqRequestOptions): Promise<void> {
  await services.iq.request(buildUnblock(jidsOf(jids)), options);
}

/** Carries out a blocking intent; rejects with the server's `StanzaError` or an invalid JID. */
export function runBlockingCommand(
  services: Pick<FeatureServices, 'iq'>,
  command: BlockingCommand,
  options?: IqRequestOptions,
): Promise<void> {
  return command.type === 'blocking.block' ? block(services, command.jids, options) : unblock(services, command.jids, options);
}

/** The block list after one push. */
export function applyBlockingPush(blocked: readonly string[], push: Pick<BlockingPushEvent, 'action' | 'jids'>): string[] {
  if (push.action === 'block') return [...blocked, ...push.jids.filter((jid) => !blocked.includes(jid))];
  if (push.jids.length === 0) return [];
  return blocked.filter((jid) => !push.jids.includes(jid));
}

/**
 * The blocking actor: fetches the block list on each fresh session, applies the server's pushes.
 * An error answer to the fetch means the server does not offer blocking (`unsupported`).
 */
export function createBlockingLogic(services: FeatureServices) {
  let commands = 0;
  return setup({
    types: {
      context: {} as BlockingContext,
      events: {} as BlockingEvent,
      input: {} as FeatureInput,
    },
    actors: {
      fetchBlocklist: fromPromise<string[]>(({ signal }) => fetchBlocklist(services, { signal })),
      // One child per intent, visible in the inspector while its IQ is out.
      command: fromPromise<void, BlockingCommand>(({ input, signal }) => runBlockingCommand(services, input, { signal })),
    },
    actions: {
      runCommand: spawnChild('command', {
        id: () => `command.${++commands}`,
        input: ({ event }) => event as BlockingCommand,
      }),
      applyPush: assign({
        blocked: ({ context, event }) => (event.type === 'blocking.push' ? applyBlockingPush(context.blocked, event) : context.blocked),
      }),
      holdPush: assign({
        heldPushes: ({ context, event }) => (event.type === 'blocking.push' ? [...context.heldPushes, event] : context.heldPushes),
      }),
      // The pushes were applied to `blocked` already; only a fetch result needs them again.
      forgetHeldPushes: assign({ heldPushes: [] }),
      acknowledgePush: ({ event }) => {
        if (event.type === 'blocking.push') services.send(replyResult(event));
      },
      recordError: assign({ error: ({ event }) => errorMessage((event as unknown as { error: unknown }).error) }),
    },
    guards: {
      isFreshSession: ({ event }) => event.type === 'session.online' && !event.resumed,
      answeredWithError: ({ event }) => (event as unknown as { error: unknown }).error instanceof StanzaError,
    },
  }).createMachine({
    id: 'blocking',
    context: { blocked: [], heldPushes: [], error: undefined, commandError: undefined },
    initial: 'idle',
    on: {
      'blocking.block': { actions: 'runCommand' },
      'blocking.unblock': { actions: 'runCommand' },
      // Only command children finish outside `loading` (whose fetch has its own onDone/onError).
      'xstate.done.actor.*': { actions: assign({ commandError: undefined }) },
      'xstate.error.actor.*': { actions: assign({ commandError: ({ event }) => errorMessage(event.error) }) },
      // XEP-0191 §5.2: "A client SHOULD retrieve the block list after authenticating with its server and before completing any blocking or unblocking operations."
      'session.online': { guard: 'isFreshSession', target: '.loading', reenter: true },
      'blocking.refresh': { target: '.loading', reenter: true },
      // XEP-0191 §5.3: the server pushes changes to the resources that requested the list; each push is an IQ set, so it gets a result.
      'blocking.push': { actions: ['applyPush', 'acknowledgePush'] },
    },
    states: {
      // Before the first session, or after a drop cut the fetch: any session fetches from here.
      idle: { on: { 'session.online': 'loading' } },
      loading: {
        invoke: {
          src: 'fetchBlocklist',
          onDone: {
            target: 'ready',
            actions: assign(({ context, event }) => ({
              // Pushes answered before the result are newer than the list it carries.
              blocked: context.heldPushes.reduce(applyBlockingPush, event.output),
              heldPushes: [],
              error: undefined,
            })),
          },
          onError: [
            { guard: 'answeredWithError', target: 'unsupported', actions: ['recordError', 'forgetHeldPushes'] },
            { target: 'failed', actions: ['recordError', 'forgetHeldPushes'] },
          ],
        },
        on: {
          'blocking.push': { actions: ['applyPush', 'holdPush', 'acknowledgePush'] },
          'session.offline': { target: 'idle', actions: 'forgetHeldPushes' },
        },
      },
      ready: {},
      unsupported: {},
      failed: {},
    },
  });
}

export type BlockingLogic = ReturnType<typeof createBlockingLogic>;
