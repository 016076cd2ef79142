import { xml } from '@xmpp/xml';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type AnyActorRef, type SnapshotFrom } from 'xstate';
import { MUC_DOMAIN, TCP_URL, WS_URL, uniqueUsers, type TestUser } from '../../scripts/prosody.js';
import type { FeatureModule } from '../../src/xeps/feature.js';
import { defaultFeatures, withFeatures } from '../../src/xeps/registry.js';
import {
  NS_BOOKMARKS,
  NS_PUBSUB_EVENT,
  addBookmark,
  bookmarks,
  connectBookmarks,
  createBookmarksFeature,
  removeBookmark,
  type BookmarksLogic,
  type BookmarksView,
} from '../../src/xeps/bookmarks/index.js';
import { connectRoom, type RoomLogic } from '../../src/xeps/muc/index.js';
import { observedClient, type ObservedClient } from '../support/client.js';
import type { BookmarksCommand } from '../../src/xeps/bookmarks/index.js';

/** Bookmarks intents through the session (not yet in the client's `AppIntent` union). */
const intent = (c: ObservedClient, event: BookmarksCommand) => c.client.actor.send(event as never);

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

async function online(user: TestUser, service = TCP_URL, feature: FeatureModule = bookmarks): Promise<ObservedClient> {
  const c = observedClient(user, service, {}, { features: withFeatures(defaultFeatures, feature) });
  running.push(c);
  await c.client.start();
  return c;
}

const bookmarksActor = (c: ObservedClient) => c.client.actor.system.get('bookmarks') as AnyActorRef;

async function bookmarksWhere(c: ObservedClient, check: (view: BookmarksView) => boolean): Promise<BookmarksView> {
  const snapshot = await waitFor(bookmarksActor(c), (s) => check(connectBookmarks(s as SnapshotFrom<BookmarksLogic>)), {
    timeout: 10_000,
  });
  return connectBookmarks(snapshot as SnapshotFrom<BookmarksLogic>);
}

/** Waits for the room actor the muc manager spawns, then for it to be joined. */
async function joined(c: ObservedClient, room: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!c.client.rooms.actor(room)) {
    if (Date.now() > deadline) throw new Error(`no room actor for ${room}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await waitFor(c.client.rooms.actor(room)!, (s) => connectRoom(s as SnapshotFrom<RoomLogic>).status === 'joined', { timeout: 10_000 });
}

let counter = 0;
const roomName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}@${MUC_DOMAIN}`;

describe('bookmarks (XEP-0402) against Prosody', () => {
  it('adds an autojoin bookmark, another client sees it, a fresh login joins the room, then removes it', async () => {
    const [user, hostUser] = await uniqueUsers(['bmark', 'bmhost']);
    // The room exists, made by someone else.
    const host = await online(hostUser!);
    const room = roomName('bm');
    await host.client.rooms.create(room, { nick: 'host' });

    // Two clients of the account that only store (Prosody's multi-session occupant presence is not
    // something the muc actor takes yet, so only one session of the account joins the room).
    const storeOnly = createBookmarksFeature({ joinOnChange: false });
    const [first, second] = await Promise.all([online(user!, TCP_URL, storeOnly), online(user!, WS_URL, storeOnly)]);
    // mod_bookmarks announces urn:xmpp:bookmarks:1#compat on the account: native storage.
    for (const c of [first, second]) {
      expect(await bookmarksWhere(c, (v) => v.status === 'ready')).toMatchObject({ mode: 'native', bookmarks: [] });
    }

    const stored = await addBookmark(first.client.services, { room, name: 'Book club', autojoin: true, nick: 'bookie' });
    expect(stored).toEqual({ room, name: 'Book club', autojoin: true, nick: 'bookie' });

    // The other client of the account gets the PEP notification from the own bare JID.
    const seen = await bookmarksWhere(second, (v) => v.get(room) !== undefined);
    expect(seen.get(room)).toEqual({ room, name: 'Book club', autojoin: true, nick: 'bookie' });
    expect(second.inbound.some((s) => s.includes(NS_PUBSUB_EVENT) && s.includes(`node="${NS_BOOKMARKS}"`))).toBe(true);
    await bookmarksWhere(first, (v) => v.get(room) !== undefined);

    // A fresh login of the account joins the autojoin room by itself.
    const third = await online(user!);
    await bookmarksWhere(third, (v) => v.status === 'ready' && v.get(room)?.autojoin === true);
    await joined(third, room);
    expect(connectRoom(third.client.rooms.actor(room)!.getSnapshot() as SnapshotFrom<RoomLogic>).self?.nick).toBe('bookie');

    // Removing retracts with notify: every client drops it.
    await removeBookmark(first.client.services, room);
    for (const c of [first, second, third]) await bookmarksWhere(c, (v) => v.get(room) === undefined);
  });

  it('runs the intents and ignores a bookmark notification forged by another account', async () => {
    const [ownerUser, malloryUser] = await uniqueUsers(['bmowner', 'bmmallory']);
    const [owner, mallory] = await Promise.all([online(ownerUser!), online(malloryUser!)]);
    await bookmarksWhere(owner, (v) => v.status === 'ready');
    const room = roomName('intent');

    intent(owner, { type: 'bookmarks.add', bookmark: { room, autojoin: false, name: 'Quiet room' } });
    await bookmarksWhere(owner, (v) => v.get(room)?.name === 'Quiet room');
    intent(owner, { type: 'bookmarks.update', room, changes: { name: 'Renamed' } });
    await bookmarksWhere(owner, (v) => v.get(room)?.name === 'Renamed');

    // A message shaped like a PEP notification, from someone else: nothing changes.
    const forged = `forged-${Date.now().toString(36)}@${MUC_DOMAIN}`;
    const ownerJid = owner.client.getSnapshot().context.connection.jid!;
    mallory.client.services.send(
      xml(
        'message',
        { to: ownerJid, type: 'headline' },
        xml(
          'event',
          { xmlns: NS_PUBSUB_EVENT },
          xml(
            'items',
            { node: NS_BOOKMARKS },
            xml('item', { id: forged }, xml('conference', { xmlns: NS_BOOKMARKS, autojoin: 'true' })),
            xml('retract', { id: room }),
          ),
        ),
      ),
    );
    await waitFor(owner.client.actor, () => owner.inbound.some((s) => s.includes(forged)), { timeout: 5000 });
    const after = connectBookmarks(bookmarksActor(owner).getSnapshot() as SnapshotFrom<BookmarksLogic>);
    expect(after.get(forged)).toBeUndefined();
    expect(after.get(room)?.name).toBe('Renamed');
    expect(owner.client.rooms.actor(forged)).toBeUndefined();

    intent(owner, { type: 'bookmarks.remove', room });
    await bookmarksWhere(owner, (v) => v.get(room) === undefined && v.commandError === undefined);
  });
});
