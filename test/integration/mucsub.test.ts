import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type SnapshotFrom } from 'xstate';
import { EJABBERD_MUC_DOMAIN, EJABBERD_TCP_URL, uniqueEjabberdUser } from '../../scripts/ejabberd.js';
import { MUCSUB_NODES, connectRoom, type RoomLogic } from '../../src/xeps/muc/index.js';
import { observedClient, type ObservedClient } from '../support/client.js';

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

async function online(prefix: string): Promise<ObservedClient> {
  const c = observedClient(await uniqueEjabberdUser(prefix), EJABBERD_TCP_URL);
  running.push(c);
  await c.client.start();
  return c;
}

describe('ejabberd MucSub', () => {
  it("a subscriber gets the room's messages without joining, lists the subscription, and stops getting them after unsubscribing", async () => {
    const [alice, bob] = await Promise.all([online('subalice'), online('subbob')]);
    const room = `sub-${Date.now().toString(36)}@${EJABBERD_MUC_DOMAIN}`;
    await alice.client.rooms.create(room, { nick: 'alice' });

    const granted = await bob.client.rooms.subscribe(room, { nick: 'bob' });
    expect(granted).toContain(MUCSUB_NODES.messages);
    const listed = await bob.client.rooms.subscriptions(EJABBERD_MUC_DOMAIN);
    expect(listed.map((s) => s.jid)).toContain(room);

    await alice.client.rooms.send(room, 'to the subscribers');
    const view = () => connectRoom(bob.client.rooms.actor(room)!.getSnapshot() as SnapshotFrom<RoomLogic>);
    await waitFor(bob.client.rooms.actor(room)!, () => view().messages.some((m) => m.body === 'to the subscribers'), { timeout: 10_000 });
    expect(view()).toMatchObject({ status: 'left', subscribed: true });
    expect(view().messages.map((m) => [m.nick, m.body])).toEqual([['alice', 'to the subscribers']]);

    await bob.client.rooms.unsubscribe(room);
    expect(view().subscribed).toBe(false);
    await alice.client.rooms.send(room, 'not for bob');
    // A round trip through the room after the message: had it reached bob, it would be here by now.
    await alice.client.rooms.send(room, 'marker');
    await waitFor(
      alice.client.rooms.actor(room)!,
      (s) => connectRoom(s as SnapshotFrom<RoomLogic>).messages.every((m) => m.state === 'sent'),
      {
        timeout: 10_000,
      },
    );
    await bob.client.ping();
    expect(view().messages.map((m) => m.body)).toEqual(['to the subscribers']);
  });
});
