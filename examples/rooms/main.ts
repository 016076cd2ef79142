/**
 * Group chat (XEP-0045) on the local Prosody: alice creates a room and bookmarks it with autojoin
 * (XEP-0402); bob joins, they talk, alice kicks him; alice's second device joins the room on its
 * own from the bookmark, with the history paged from the room's archive (XEP-0313).
 *
 *   npm run example:rooms
 */
import { waitFor, type SnapshotFrom } from 'xstate';
import { connectRoom, createXmppClient, type RoomLogic, type XmppClient } from '../../src/index.js';
import { addBookmark } from '../../src/xeps/bookmarks/index.js';
import { MUC_DOMAIN, PROSODY_DOMAIN, TCP_URL, WS_URL, registerUser, startProsody } from '../../scripts/prosody.js';

async function connect(username: string, service: string, resource: string): Promise<XmppClient> {
  const client = createXmppClient({ service, domain: PROSODY_DOMAIN, username, password: `${username}-password`, resource });
  await client.start();
  return client;
}

const view = (client: XmppClient, room: string) => connectRoom(client.rooms.actor(room)!.getSnapshot() as SnapshotFrom<RoomLogic>);

async function main() {
  await startProsody();
  const stamp = Date.now().toString(36);
  const [aliceName, bobName] = [`rooms-alice-${stamp}`, `rooms-bob-${stamp}`];
  for (const name of [aliceName, bobName]) await registerUser(name, `${name}-password`, PROSODY_DOMAIN);
  const room = `balcony-${stamp}@${MUC_DOMAIN}`;

  const alice = await connect(aliceName, TCP_URL, 'desk');
  const created = await alice.rooms.create(room, { nick: 'alice', config: { 'muc#roomconfig_roomname': 'The balcony' } });
  console.log(`alice created ${room}: role ${created.self?.role}, affiliation ${created.self?.affiliation}`);
  await addBookmark(alice.services, { room, name: 'The balcony', autojoin: true, nick: 'alice' });
  console.log('alice bookmarked it with autojoin');

  const bob = await connect(bobName, WS_URL, 'phone');
  const joined = await bob.rooms.join(room, { nick: 'bob' });
  console.log(`bob joined: ${joined.occupants.map((o) => `${o.nick} (${o.role})`).join(', ')}`);
  alice.rooms.setSubject(room, 'Wherefore art thou');
  await alice.rooms.send(room, 'hello bob');
  await waitFor(bob.rooms.actor(room)!, () => view(bob, room).messages.length === 1);
  await bob.rooms.send(room, 'hello alice');
  await waitFor(bob.rooms.actor(room)!, () => view(bob, room).messages.length === 2 && view(bob, room).subject !== undefined);
  console.log(
    `bob sees subject "${view(bob, room).subject}" and: ${view(bob, room)
      .messages.map((m) => `${m.nick}: ${m.body}`)
      .join(' | ')}`,
  );

  await alice.rooms.kick(room, 'bob', 'that is enough');
  await waitFor(bob.rooms.actor(room)!, () => view(bob, room).status === 'ended');
  console.log(`bob's room: ${view(bob, room).status}, ${view(bob, room).failure?.reason} by ${view(bob, room).failure?.by}`);

  // A second device of alice's: the bookmark joins the room, and the history comes from the room's archive.
  const tablet = await connect(aliceName, WS_URL, 'tablet');
  await waitFor(tablet.feature('muc')!, () => tablet.rooms.actor(room) !== undefined);
  await waitFor(tablet.rooms.actor(room)!, () => view(tablet, room).status === 'joined' && view(tablet, room).messages.length >= 2);
  console.log(
    `alice's tablet joined from the bookmark and has: ${view(tablet, room)
      .messages.map((m) => `${m.nick}: ${m.body}`)
      .join(' | ')}`,
  );

  await Promise.all([alice.stop(), bob.stop(), tablet.stop()]);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
