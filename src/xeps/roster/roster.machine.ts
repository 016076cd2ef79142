import { assign, fromPromise, setup, spawnChild } from 'xstate';
import { XmppAdapterError, errorMessage } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import { normalizeJid } from '../../jid.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { StanzaParseError, replyResult } from '../iq-request.js';
import { NS_ROSTERVER, buildRosterGet, buildRosterRemove, buildRosterSet, parseRosterResult } from './roster.codec.js';
import type {
  RosterCommand,
  RosterContext,
  RosterEvent,
  RosterItem,
  RosterOptions,
  RosterPushEvent,
  RosterResult,
} from './roster.types.js';
import { define, without, withEntry } from '../keyed-record.js';

/** Asks the server for the roster, from `ver` when given. */
export async function fetchRoster(services: Pick<FeatureServices, 'iq'>, ver?: string, options?: IqRequestOptions): Promise<RosterResult> {
  const reply = await services.iq.request(buildRosterGet(ver), options);
  const result = parseRosterResult(reply);
  if (result instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `malformed roster: ${result.reason}`);
  return result;
}

function contactJid(jid: string): string {
  const normalized = normalizeJid(jid);
  if (normalized === undefined) throw new XmppAdapterError('invalid-options', `not a JID: ${jid}`);
  return normalized;
}

/** RFC 6121 §2.3: adds (or updates) a contact; the change comes back as a roster push. */
export async function addContact(
  services: Pick<FeatureServices, 'iq'>,
  jid: string,
  name?: string,
  groups?: readonly string[],
  options?: IqRequestOptions,
): Promise<void> {
  const item: { jid: string; name?: string; groups?: readonly string[] } = { jid: contactJid(jid) };
  if (name !== undefined) item.name = name;
  if (groups !== undefined) item.groups = groups;
  await services.iq.request(buildRosterSet(item), options);
}

/** RFC 6121 §2.5: removes a contact (the server also cancels the subscriptions both ways). */
export async function removeContact(services: Pick<FeatureServices, 'iq'>, jid: string, options?: IqRequestOptions): Promise<void> {
  await services.iq.request(buildRosterRemove(contactJid(jid)), options);
}

// RFC 6121 §2.4: a roster set replaces the whole item, so updates start from the current one.
/** Renames a contact, keeping its groups. */
export function renameContact(
  services: Pick<FeatureServices, 'iq'>,
  item: Pick<RosterItem, 'jid' | 'groups'>,
  name: string | undefined,
  options?: IqRequestOptions,
): Promise<void> {
  return addContact(services, item.jid, name, item.groups, options);
}

/** Replaces a contact's groups, keeping its name. */
export function setGroups(
  services: Pick<FeatureServices, 'iq'>,
  item: Pick<RosterItem, 'jid' | 'name'>,
  groups: readonly string[],
  options?: IqRequestOptions,
): Promise<void> {
  return addContact(services, item.jid, item.name, groups, options);
}

/** Carries out a roster intent; rejects with the server's `StanzaError` or an invalid JID. */
export function runRosterCommand(services: Pick<FeatureServices, 'iq'>, command: RosterCommand, options?: IqRequestOptions): Promise<void> {
  return command.type === 'roster.add'
    ? addContact(services, command.jid, command.name, command.groups, options)
    : removeContact(services, command.jid, options);
}

/** A copy of `items` with one push applied; keys from the network stay ordinary keys. */
export function applyPush(items: Record<string, RosterItem>, push: Pick<RosterPushEvent, 'item'>): Record<string, RosterItem> {
  const { item } = push;
  return item.subscription === 'remove' ? without(items, item.jid) : withEntry(items, item.jid, item);
}

function recordOf(items: readonly RosterItem[]): Record<string, RosterItem> {
  const record: Record<string, RosterItem> = {};
  for (const item of items) define(record, item.jid, item);
  return record;
}

/** The `ver` to send with a get, or undefined to send none. */
export function verToSend(
  context: Pick<RosterContext, 'ver' | 'versioning'> & Partial<Pick<RosterContext, 'serverVersioning'>>,
): string | undefined {
  // RFC 6121 §2.6.3: "If the server does not advertise support for roster versioning, the client MUST NOT include the 'ver' attribute."
  if (context.versioning === false || context.serverVersioning === false) return undefined;
  if (context.serverVersioning === true) return context.ver ?? '';
  // A `ver` in an earlier result shows the server versions this roster ('auto' knows nothing else).
  if (context.versioning === 'auto') return context.ver;
  // RFC 6121 §2.6.3: a client without a cached roster that wishes to bootstrap versioning "MUST set the 'ver' attribute to the empty string".
  return context.ver ?? '';
}

/**
 * The roster actor: fetches the roster on each fresh session (by version when it can), applies
 * and acknowledges the server's pushes, and keeps the contacts as a plain record.
 */
export function createRosterLogic(services: FeatureServices, options: RosterOptions = {}) {
  let commands = 0;
  return setup({
    types: {
      context: {} as RosterContext,
      events: {} as RosterEvent,
      input: {} as FeatureInput,
    },
    actors: {
      fetchRoster: fromPromise<RosterResult, { ver: string | undefined }>(({ input, signal }) =>
        fetchRoster(services, input.ver, { signal }),
      ),
      // One child per intent, visible in the inspector while its IQ is out.
      command: fromPromise<void, RosterCommand>(({ input, signal }) => runRosterCommand(services, input, { signal })),
    },
    actions: {
      runCommand: spawnChild('command', {
        id: () => `command.${++commands}`,
        input: ({ event }) => event as RosterCommand,
      }),
      // RFC 6120 §8.2.3: an IQ set gets a result (or an error); the push is accepted, so a result.
      acknowledgePush: ({ event }) => {
        if (event.type === 'roster.push') services.send(replyResult(event));
      },
      applyPush: assign(({ context, event }) => {
        if (event.type !== 'roster.push') return {};
        return { items: applyPush(context.items, event), ver: event.ver ?? context.ver };
      }),
      holdPush: assign({
        heldPushes: ({ context, event }) => (event.type === 'roster.push' ? [...context.heldPushes, event] : context.heldPushes),
      }),
      // The pushes were applied to `items` already; only a fetch result needs them again.
      forgetHeldPushes: assign({ heldPushes: [] }),
      noteStreamFeatures: assign({
        serverVersioning: ({ event }) =>
          event.type === 'session.online' && event.streamFeatures !== undefined ? event.streamFeatures.includes(NS_ROSTERVER) : undefined,
      }),
      recordError: assign({ error: ({ event }) => errorMessage((event as unknown as { error: unknown }).error) }),
    },
    guards: {
      isFreshSession: ({ event }) => event.type === 'session.online' && !event.resumed,
    },
  }).createMachine({
    id: 'roster',
    context: () => ({
      items: options.cache ? { ...options.cache.items } : {},
      ver: options.cache?.ver,
      versioning: options.versioning ?? (options.cache ? true : 'auto'),
      serverVersioning: undefined,
      heldPushes: [],
      error: undefined,
      commandError: undefined,
    }),
    initial: 'idle',
    on: {
      'roster.add': { actions: 'runCommand' },
      'roster.remove': { actions: 'runCommand' },
      // Only command children finish outside `loading` (whose fetch has its own onDone/onError).
      'xstate.done.actor.*': { actions: assign({ commandError: undefined }) },
      'xstate.error.actor.*': { actions: assign({ commandError: ({ event }) => errorMessage(event.error) }) },
      // A resumed stream (XEP-0198) lost no pushes: only fresh sessions fetch.
      'session.online': { guard: 'isFreshSession', target: '.loading', reenter: true, actions: 'noteStreamFeatures' },
      'roster.refresh': { target: '.loading', reenter: true },
      'roster.push': { actions: ['applyPush', 'acknowledgePush'] },
    },
    states: {
      // Before the first session, or after a drop cut the fetch: a resumed stream does not bring
      // the answer of a request we gave up, so any session fetches from here.
      idle: { on: { 'session.online': { target: 'loading', actions: 'noteStreamFeatures' } } },
      loading: {
        invoke: {
          src: 'fetchRoster',
          input: ({ context }) => ({ ver: verToSend(context) }),
          onDone: {
            target: 'ready',
            actions: assign(({ context, event }) => {
              const result = event.output;
              // A complete roster without `ver` is unversioned: an old `ver` no longer describes it.
              let items = result.kind === 'complete' ? recordOf(result.items) : context.items;
              let ver = result.kind === 'complete' ? result.ver : context.ver;
              // Pushes sent after the result (interim pushes, RFC 6121 §2.6) are newer than it.
              for (const push of context.heldPushes) {
                items = applyPush(items, push);
                ver = push.ver ?? ver;
              }
              return { items, ver, heldPushes: [], error: undefined };
            }),
          },
          onError: { target: 'failed', actions: ['recordError', 'forgetHeldPushes'] },
        },
        on: {
          // Shown at once, and applied again on top of the result when it comes.
          'roster.push': { actions: ['applyPush', 'holdPush', 'acknowledgePush'] },
          // Leaving aborts the request.
          'session.offline': { target: 'idle', actions: 'forgetHeldPushes' },
        },
      },
      ready: {},
      failed: {},
    },
  });
}

export type RosterLogic = ReturnType<typeof createRosterLogic>;
