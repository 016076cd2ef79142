import { assign, enqueueActions, fromPromise, setup, spawnChild, type AnyActorRef } from 'xstate';
import { StanzaError, XmppAdapterError, errorMessage } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import { bareJid, parseJid } from '../../jid.js';
import { discoInfo } from '../disco/disco.machine.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import {
  MAX_BOOKMARKS,
  NS_BOOKMARKS,
  NS_BOOKMARKS_COMPAT,
  NS_BOOKMARKS_LEGACY,
  bookmarkProblem,
  buildItemsRequest,
  buildPublishBookmark,
  buildPublishLegacy,
  buildRetractBookmark,
  parseBookmarkItems,
  parseLegacyItems,
  roomJidOf,
} from './bookmarks.codec.js';
import type {
  Bookmark,
  BookmarkChange,
  BookmarkChanges,
  BookmarksCommand,
  BookmarksContext,
  BookmarksEvent,
  BookmarksMode,
  LegacyUrlBookmark,
} from './bookmarks.types.js';

type Iq = Pick<FeatureServices, 'iq'>;

export interface BookmarksHelperOptions extends IqRequestOptions {
  /** Where to store: `native` (XEP-0402, the default) or `legacy` (XEP-0048 via XEP-0223). */
  mode?: BookmarksMode;
}

/** What a load finds: the bookmarks and where they live, or that the account has no PEP service. */
export type BookmarksLoad =
  { mode: BookmarksMode; bookmarks: Bookmark[]; urls: LegacyUrlBookmark[] } | { mode: 'unsupported'; reason: string };

const isItemNotFound = (error: unknown) => error instanceof StanzaError && error.condition === 'item-not-found';

/**
 * Where the account keeps bookmarks. XEP-0402 §5.3: a server that unifies both storages "SHOULD
 * announce the "urn:xmpp:bookmarks:…#compat" feature on the account. Clients may use that feature
 * as an indication that it is safe to store bookmarks using only XEP-0402"; without it we keep
 * to the XEP-0048 storage every client reads. XEP-0223 §5: the account must show a `pubsub/pep`
 * identity for either.
 */
export async function discoverBookmarksMode(
  services: Iq,
  ownBare: string,
  options?: IqRequestOptions,
): Promise<BookmarksMode | 'unsupported'> {
  const info = await discoInfo(services, ownBare, undefined, options);
  if (info.features.includes(NS_BOOKMARKS_COMPAT)) return 'native';
  if (info.identities.some((i) => i.category === 'pubsub' && i.type === 'pep')) return 'legacy';
  return 'unsupported';
}

/** XEP-0402 §3.2: every bookmark item; a node that does not exist yet holds none. */
export async function fetchBookmarks(services: Iq, options?: IqRequestOptions): Promise<Bookmark[]> {
  let reply;
  try {
    reply = await services.iq.request(buildItemsRequest(NS_BOOKMARKS), options);
  } catch (error) {
    if (isItemNotFound(error)) return [];
    throw error;
  }
  const list = parseBookmarkItems(reply);
  if (list instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `malformed bookmarks: ${list.reason}`);
  return list;
}

/** XEP-0048 §3.3: the legacy storage item; a node that does not exist yet is an empty storage. */
export async function fetchLegacyBookmarks(
  services: Iq,
  options?: IqRequestOptions,
): Promise<{ bookmarks: Bookmark[]; urls: LegacyUrlBookmark[] }> {
  let reply;
  try {
    reply = await services.iq.request(buildItemsRequest(NS_BOOKMARKS_LEGACY), options);
  } catch (error) {
    if (isItemNotFound(error)) return { bookmarks: [], urls: [] };
    throw error;
  }
  const storage = parseLegacyItems(reply);
  if (storage instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `malformed legacy bookmarks: ${storage.reason}`);
  return storage;
}

/** Discovers the mode, then fetches from the matching node. */
export async function loadBookmarks(services: Iq, ownBare: string, options?: IqRequestOptions): Promise<BookmarksLoad> {
  const mode = await discoverBookmarksMode(services, ownBare, options);
  if (mode === 'unsupported') return { mode, reason: 'the account offers no PEP service' };
  if (mode === 'native') return { mode, bookmarks: await fetchBookmarks(services, options), urls: [] };
  return { mode, ...(await fetchLegacyBookmarks(services, options)) };
}

function checked(bookmark: Bookmark): Bookmark {
  const room = roomJidOf(bookmark?.room);
  if (room === undefined) throw new XmppAdapterError('invalid-argument', `not a bare room JID: ${String(bookmark?.room)}`);
  const clean: Bookmark = { ...bookmark, room, autojoin: bookmark.autojoin === true };
  const problem = bookmarkProblem(clean);
  if (problem !== undefined) throw new XmppAdapterError('invalid-argument', `bad bookmark: ${problem}`);
  return clean;
}

function checkedRoom(room: string): string {
  const jid = roomJidOf(room);
  if (jid === undefined) throw new XmppAdapterError('invalid-argument', `not a bare room JID: ${String(room)}`);
  return jid;
}

/**
 * Adds or replaces the bookmark of `bookmark.room`. Native: publishes its one item (XEP-0402
 * §3.3). Legacy: reads the storage, changes it and writes it back whole (XEP-0048 §3.1). Resolves
 * with the stored bookmark; rejects with the server's `StanzaError`, or `invalid-argument`.
 */
export async function addBookmark(services: Iq, bookmark: Bookmark, options: BookmarksHelperOptions = {}): Promise<Bookmark> {
  const clean = checked(bookmark);
  const { mode = 'native', ...request } = options;
  if (mode === 'native') {
    await services.iq.request(buildPublishBookmark(clean), request);
    return clean;
  }
  const storage = await fetchLegacyBookmarks(services, request);
  const index = storage.bookmarks.findIndex((b) => b.room === clean.room);
  if (index === -1 && storage.bookmarks.length >= MAX_BOOKMARKS) {
    throw new XmppAdapterError('invalid-argument', `more than ${MAX_BOOKMARKS} bookmarks`);
  }
  // XEP-0048 has no extensions element: they would be lost, so they are not written.
  const { extensions: _dropped, ...legacy } = clean;
  const next = index === -1 ? [...storage.bookmarks, legacy] : storage.bookmarks.map((b, i) => (i === index ? legacy : b));
  await services.iq.request(buildPublishLegacy(next, storage.urls), request);
  return legacy;
}

/** Removes the bookmark of `room` (XEP-0402 §3.4 retract with notify, or a legacy rewrite without it). */
export async function removeBookmark(services: Iq, room: string, options: BookmarksHelperOptions = {}): Promise<void> {
  const jid = checkedRoom(room);
  const { mode = 'native', ...request } = options;
  if (mode === 'native') {
    await services.iq.request(buildRetractBookmark(jid), request);
    return;
  }
  const storage = await fetchLegacyBookmarks(services, request);
  if (!storage.bookmarks.some((b) => b.room === jid)) return;
  await services.iq.request(
    buildPublishLegacy(
      storage.bookmarks.filter((b) => b.room !== jid),
      storage.urls,
    ),
    request,
  );
}

/** The bookmarks after one change. */
export function applyBookmarkChange(bookmarks: Readonly<Record<string, Bookmark>>, change: BookmarkChange): Record<string, Bookmark> {
  switch (change.kind) {
    case 'set': {
      if (!(change.bookmark.room in bookmarks) && Object.keys(bookmarks).length >= MAX_BOOKMARKS) return { ...bookmarks };
      return { ...bookmarks, [change.bookmark.room]: change.bookmark };
    }
    case 'retract': {
      const { [change.room]: _gone, ...rest } = bookmarks;
      return rest;
    }
    case 'replace':
      return Object.fromEntries(change.bookmarks.slice(0, MAX_BOOKMARKS).map((b) => [b.room, b]));
  }
}

/** Bookmarks as a record keyed by room. */
export const byRoom = (list: readonly Bookmark[]): Record<string, Bookmark> => Object.fromEntries(list.map((b) => [b.room, b]));

/** The `muc.join` intent for a bookmark (XEP-0045 nick: the bookmark's, else the own localpart). */
export function joinIntentFor(bookmark: Bookmark, me: string | undefined) {
  const nick = bookmark.nick ?? parseJid(me)?.local ?? 'me';
  return {
    type: 'muc.join' as const,
    room: bookmark.room,
    nick,
    ...(bookmark.password !== undefined ? { password: bookmark.password } : {}),
  };
}

/** Rooms that `after` asks to autojoin and `before` did not. */
function newlyAutojoined(before: Readonly<Record<string, Bookmark>>, after: Readonly<Record<string, Bookmark>>): Bookmark[] {
  return Object.values(after).filter((b) => b.autojoin && !before[b.room]?.autojoin);
}

export interface BookmarksOptions {
  /**
   * Join the autojoin rooms after each fresh login (XEP-0402 §3.2: the client "then SHOULD join
   * every MUC identified by the items' 'id' attribute that have an 'autojoin' attribute that is
   * set to "true" or "1""). @default true
   */
  autojoin?: boolean;
  /**
   * Join a room as soon as a change (another client's notification, or our own intent) makes it
   * autojoin (XEP-0402 §4: "it SHOULD join the room immediately if the 'autojoin' attribute is both
   * present and true"). @default true
   */
  joinOnChange?: boolean;
}

interface CommandInput {
  command: BookmarksCommand;
  mode: BookmarksMode | undefined;
  current: Bookmark | undefined;
}

/** Carries out one intent; resolves with the change it made, rejects with the server's `StanzaError`. */
export async function runBookmarksCommand(services: Iq, input: CommandInput, options?: IqRequestOptions): Promise<BookmarkChange> {
  const { command, mode, current } = input;
  if (mode === undefined) throw new XmppAdapterError('not-online', 'bookmarks are not loaded');
  switch (command.type) {
    case 'bookmarks.add': {
      const bookmark = await addBookmark(services, command.bookmark, { ...options, mode });
      return { kind: 'set', bookmark };
    }
    case 'bookmarks.update': {
      if (!current) throw new XmppAdapterError('invalid-argument', `no bookmark for ${String(command.room)}`);
      const changes: BookmarkChanges = command.changes ?? {};
      const bookmark = await addBookmark(services, { ...current, ...changes, room: current.room }, { ...options, mode });
      return { kind: 'set', bookmark };
    }
    case 'bookmarks.remove': {
      const room = checkedRoom(command.room);
      await removeBookmark(services, room, { ...options, mode });
      return { kind: 'retract', room };
    }
  }
}

/**
 * The bookmarks actor: on each fresh session, finds where the account keeps bookmarks, fetches
 * them and joins the autojoin rooms through the `muc` actor (when there is one); applies the
 * own account's PEP notifications; runs add/update/remove intents.
 */
export function createBookmarksLogic(services: FeatureServices, options: BookmarksOptions = {}) {
  const { autojoin = true, joinOnChange = true } = options;
  let commands = 0;

  // Sends `muc.join` for each room to the `muc` actor, if the client has one (its only contract here).
  const joinAll = (
    system: { get(id: string): AnyActorRef | undefined },
    enqueue: { sendTo(to: AnyActorRef, event: { type: string }): void },
    rooms: readonly Bookmark[],
    me: string | undefined,
  ) => {
    if (rooms.length === 0) return;
    const muc = system.get('muc');
    if (!muc) return;
    for (const bookmark of rooms) enqueue.sendTo(muc, joinIntentFor(bookmark, me));
  };

  return setup({
    types: {
      context: {} as BookmarksContext,
      events: {} as BookmarksEvent,
      input: {} as FeatureInput,
    },
    actors: {
      load: fromPromise<BookmarksLoad, { ownBare: string }>(({ input, signal }) => loadBookmarks(services, input.ownBare, { signal })),
      // One child per intent, visible in the inspector while its IQs are out.
      command: fromPromise<BookmarkChange, CommandInput>(({ input, signal }) => runBookmarksCommand(services, input, { signal })),
    },
    actions: {
      runCommand: spawnChild('command', {
        id: () => `command.${++commands}`,
        input: ({ context, event }) => {
          const command = event as BookmarksCommand;
          const room = command.type === 'bookmarks.add' ? undefined : roomJidOf(command.room);
          return { command, mode: context.mode, current: room === undefined ? undefined : context.bookmarks[room] };
        },
      }),
      // Applies changes of the mode in use, joining the rooms they newly make autojoin.
      applyChanges: enqueueActions(({ context, event, enqueue, system }) => {
        let changes: BookmarkChange[];
        if (event.type === 'bookmarks.notification') {
          if (event.mode !== context.mode) return;
          changes = event.changes;
        } else if (event.type.startsWith('xstate.done.actor.')) {
          changes = [(event as { output: BookmarkChange }).output];
        } else {
          return;
        }
        const before = context.bookmarks;
        let after = before;
        let urls = context.legacyUrls;
        for (const change of changes) {
          after = applyBookmarkChange(after, change);
          if (change.kind === 'replace' && change.urls !== undefined) urls = change.urls;
        }
        enqueue.assign({ bookmarks: after, legacyUrls: urls });
        if (joinOnChange) {
          const rooms = newlyAutojoined(before, after);
          joinAll(system, enqueue, rooms, context.me);
        }
      }),
      holdNotification: assign({
        held: ({ context, event }) =>
          event.type === 'bookmarks.notification' && context.held.length < MAX_BOOKMARKS ? [...context.held, event] : context.held,
      }),
      recordError: assign({ error: ({ event }) => errorMessage((event as unknown as { error: unknown }).error) }),
    },
    guards: {
      isFreshSession: ({ event }) => event.type === 'session.online' && !event.resumed,
      hasSession: ({ context }) => context.me !== undefined,
      foundNoPep: ({ event }) => (event as unknown as { output: BookmarksLoad }).output.mode === 'unsupported',
    },
  }).createMachine({
    id: 'bookmarks',
    context: ({ input }) => ({
      me: input.jid,
      bookmarks: {},
      mode: undefined,
      status: 'idle',
      error: undefined,
      commandError: undefined,
      held: [],
      legacyUrls: [],
    }),
    initial: 'idle',
    on: {
      'bookmarks.add': { actions: 'runCommand' },
      'bookmarks.update': { actions: 'runCommand' },
      'bookmarks.remove': { actions: 'runCommand' },
      // Only command children finish outside `loading` (whose load has its own onDone/onError).
      'xstate.done.actor.*': { actions: ['applyChanges', assign({ commandError: undefined })] },
      'xstate.error.actor.*': { actions: assign({ commandError: ({ event }) => errorMessage(event.error) }) },
      'session.online': [
        { guard: 'isFreshSession', target: '.loading', reenter: true, actions: assign({ me: ({ event }) => event.jid }) },
        { actions: assign({ me: ({ event }) => event.jid }) },
      ],
      'bookmarks.refresh': { guard: 'hasSession', target: '.loading', reenter: true },
      'bookmarks.notification': { actions: 'applyChanges' },
    },
    states: {
      // Before the first session, or after a drop cut the load: any session loads from here.
      idle: {
        entry: assign({ status: 'idle' }),
        on: { 'session.online': { target: 'loading', actions: assign({ me: ({ event }) => event.jid }) } },
      },
      loading: {
        entry: assign({ status: 'loading', held: [] }),
        invoke: {
          src: 'load',
          input: ({ context }) => ({ ownBare: bareJid(context.me)! }),
          onDone: [
            {
              guard: 'foundNoPep',
              target: 'unsupported',
              actions: assign({
                mode: undefined,
                bookmarks: {},
                held: [],
                error: ({ event }) => (event.output.mode === 'unsupported' ? event.output.reason : undefined),
              }),
            },
            {
              target: 'ready',
              actions: enqueueActions(({ context, event, enqueue, system }) => {
                const load = event.output;
                if (load.mode === 'unsupported') return;
                // Notifications answered before the result are newer than the list it carries.
                let bookmarks = byRoom(load.bookmarks.slice(0, MAX_BOOKMARKS));
                let urls = load.urls;
                for (const held of context.held) {
                  if (held.mode !== load.mode) continue;
                  for (const change of held.changes) {
                    bookmarks = applyBookmarkChange(bookmarks, change);
                    if (change.kind === 'replace' && change.urls !== undefined) urls = change.urls;
                  }
                }
                enqueue.assign({ mode: load.mode, bookmarks, legacyUrls: urls, held: [], error: undefined });
                if (autojoin) {
                  const rooms = Object.values(bookmarks).filter((b) => b.autojoin);
                  joinAll(system, enqueue, rooms, context.me);
                }
              }),
            },
          ],
          onError: { target: 'failed', actions: ['recordError', assign({ held: [] })] },
        },
        on: {
          'bookmarks.notification': { actions: 'holdNotification' },
          'session.offline': { target: 'idle', actions: assign({ held: [] }) },
        },
      },
      ready: { entry: assign({ status: 'ready' }) },
      unsupported: { entry: assign({ status: 'unsupported' }) },
      failed: { entry: assign({ status: 'failed' }) },
    },
  });
}

export type BookmarksLogic = ReturnType<typeof createBookmarksLogic>;
