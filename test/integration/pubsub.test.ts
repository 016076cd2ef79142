import { xml } from '@xmpp/xml';
import { afterEach, describe, expect, it } from 'vitest';
import { TCP_URL, WS_URL, uniqueUsers, type TestUser } from '../../scripts/prosody.js';
import { createPubsubApi, type PubsubApi } from '../../src/client/pubsub-api.js';
import { bareJid } from '../../src/jid.js';
import { defaultFeatures, withFeatures } from '../../src/xeps/registry.js';
import { NS_PUBSUB_EVENT, createPubsubFeature, type PubsubItemsEmitted, type PubsubOptions } from '../../src/xeps/pubsub/index.js';
import { observedClient, type ObservedClient } from '../support/client.js';
import { befriend } from '../support/contacts.js';

interface Online extends ObservedClient {
  bare: string;
  pubsub: PubsubApi;
}

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

async function online(user: TestUser, options: PubsubOptions = {}, service = TCP_URL): Promise<Online> {
  const c = observedClient(user, service, {}, { features: withFeatures(defaultFeatures, createPubsubFeature(options)) });
  running.push(c);
  await c.client.start();
  const bare = bareJid(c.client.getSnapshot().context.connection.jid)!;
  const pubsub = createPubsubApi(c.client.actor, c.client.services, () => c.client.actor.getSnapshot().status === 'active');
  return { ...c, bare, pubsub };
}

let counter = 0;
const nodeName = (prefix: string) => `urn:example:${prefix}:${Date.now().toString(36)}-${++counter}`;
const note = (text: string) => xml('note', { xmlns: 'urn:example:note' }, text);
const textOf = (item: { payload?: { children: unknown[] } } | undefined) => item?.payload?.children[0];

describe('pubsub (XEP-0060, XEP-0163, XEP-0223) against Prosody', () => {
  it('publishes, reads (all, latest, by id, paged) and retracts on the own PEP node', async () => {
    const [user] = await uniqueUsers(['psown']);
    const alice = await online(user!);
    const node = nodeName('own');
    const keepAll = { 'pubsub#max_items': '10', 'pubsub#persist_items': 'true' };

    const first = await alice.pubsub.publish(node, note('one'), { id: 'one', publishOptions: keepAll });
    expect(first).toEqual({ node, id: 'one' });
    // Without an id, Prosody makes one up and reports it (XEP-0060 §7.1.2).
    const second = await alice.pubsub.publish(node, note('two'), { publishOptions: keepAll });
    expect(second.id).toEqual(expect.any(String));
    await alice.pubsub.publish(node, note('three'), { id: 'three', publishOptions: keepAll });

    const all = await alice.pubsub.items(node);
    expect(all.items.map(textOf).sort()).toEqual(['one', 'three', 'two']);
    const latest = await alice.pubsub.items(node, { latest: 1 });
    expect(latest.items.map(textOf)).toEqual(['three']);
    const byId = await alice.pubsub.items(node, { ids: [second.id!] });
    expect(byId.items).toEqual([{ id: second.id, payload: { name: 'note', attrs: { xmlns: 'urn:example:note' }, children: ['two'] } }]);

    // XEP-0059 paging through the node, two at a time. Prosody 0.12 takes the request but answers with
    // every item and no <set/> (XEP-0060 §6.5.4 paging is a SHOULD); the paged path is unit-tested.
    const seen: string[] = [];
    let page = await alice.pubsub.items(node, { page: { max: 2 } });
    seen.push(...page.items.map((i) => i.id!));
    if (page.rsm?.last !== undefined && seen.length < 3) {
      page = await alice.pubsub.items(node, { page: { max: 2, after: page.rsm.last } });
      seen.push(...page.items.map((i) => i.id!));
    }
    expect(seen.sort()).toEqual(['one', 'three', second.id!].sort());

    await alice.pubsub.retract(node, 'one');
    expect((await alice.pubsub.items(node)).items.map(textOf).sort()).toEqual(['three', 'two']);
    // The node's configuration (owner) reflects the publish-options.
    const config = await alice.pubsub.nodeConfig(node);
    expect(config.fields.find((f) => f.var === 'pubsub#max_items')?.values).toEqual(['10']);
    await alice.pubsub.deleteNode(node);
    await expect(alice.pubsub.items(node)).rejects.toMatchObject({ condition: 'item-not-found' });
    await expect(alice.pubsub.publish('', note('x'))).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('a contact with a presence subscription gets the PEP notification; a forged one changes nothing', async () => {
    const [aliceUser, bobUser, malloryUser] = await uniqueUsers(['psalice', 'psbob', 'psmallory']);
    const node = nodeName('mood');
    // Bob advertises `<node>+notify` in his caps, so alice's PEP service sends him her items.
    const [alice, bob, mallory] = await Promise.all([
      online(aliceUser!),
      online(bobUser!, { notify: [node] }, WS_URL),
      online(malloryUser!, { notify: [node] }),
    ]);
    await befriend(alice, bob);
    const heard: PubsubItemsEmitted[] = [];
    bob.pubsub.onItems((e) => heard.push(e));

    // Prosody learns bob's interest from his caps; publish until the notification comes through.
    await expect
      .poll(
        async () => {
          await alice.pubsub.publish(node, note('happy'), { id: 'current' });
          return textOf(bob.pubsub.view().latest(alice.bare, node));
        },
        { timeout: 10_000, interval: 500 },
      )
      .toBe('happy');
    expect(heard.some((e) => e.service === alice.bare && e.node === node)).toBe(true);
    expect(bob.inbound.some((s) => s.includes(NS_PUBSUB_EVENT) && s.includes(`from="${alice.bare}"`))).toBe(true);

    // Mallory (no subscription) writes a message shaped like alice's notification, with alice's
    // bare JID as `from`; the server stamps mallory's full JID over it.
    const marker = `forged-${Date.now().toString(36)}`;
    mallory.client.sendStanza(
      xml(
        'message',
        { to: bob.client.getSnapshot().context.connection.jid!, from: alice.bare, type: 'headline', id: marker },
        xml(
          'event',
          { xmlns: NS_PUBSUB_EVENT },
          xml('items', { node }, xml('item', { id: 'current' }, note('evil')), xml('retract', { id: 'current' })),
        ),
      ),
    );
    await expect.poll(() => bob.inbound.some((s) => s.includes(marker)), { timeout: 5000 }).toBe(true);
    expect(textOf(bob.pubsub.view().latest(alice.bare, node))).toBe('happy');
    expect(bob.pubsub.view().items(bareJid(mallory.client.getSnapshot().context.connection.jid)!, node)).toEqual([]);

    // A retraction by alice reaches bob.
    const count = heard.length;
    await alice.pubsub.retract(node, 'current');
    await expect.poll(() => bob.pubsub.view().items(alice.bare, node), { timeout: 5000 }).toEqual([]);
    expect(heard.slice(count)).toContainEqual(expect.objectContaining({ service: alice.bare, node, retracted: ['current'] }));
  });

  it('stores private data (XEP-0223) and reads it back; a contact cannot read it', async () => {
    const [aliceUser, bobUser] = await uniqueUsers(['psprivate', 'psprivbob']);
    const [alice, bob] = await Promise.all([online(aliceUser!), online(bobUser!)]);
    await befriend(alice, bob);
    const node = nodeName('settings');

    expect(await alice.pubsub.loadPrivate(node)).toBeUndefined();
    await alice.pubsub.storePrivate(node, xml('settings', { xmlns: 'urn:example:settings' }, xml('theme', {}, 'dark')));
    expect(await alice.pubsub.loadPrivate(node)).toEqual({
      id: 'current',
      payload: { name: 'settings', attrs: { xmlns: 'urn:example:settings' }, children: [{ name: 'theme', attrs: {}, children: ['dark'] }] },
    });
    const config = await alice.pubsub.nodeConfig(node);
    expect(config.fields.find((f) => f.var === 'pubsub#access_model')?.values).toEqual(['whitelist']);

    // Even with a presence subscription, the whitelist keeps bob out.
    await expect(bob.pubsub.items(node, { service: alice.bare })).rejects.toMatchObject({ code: 'stanza-error' });

    // A second store replaces the item.
    await alice.pubsub.storePrivate(node, xml('settings', { xmlns: 'urn:example:settings' }, xml('theme', {}, 'light')));
    expect((await alice.pubsub.loadPrivate(node))?.payload?.children).toEqual([{ name: 'theme', attrs: {}, children: ['light'] }]);
  });
});
