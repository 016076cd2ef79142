import { afterEach, describe, expect, it } from 'vitest';
import { TCP_URL, WS_URL, uniqueUsers, type TestUser } from '../../scripts/prosody.js';
import { createProfileApi, type ProfileApi } from '../../src/client/profile-api.js';
import { bareJid } from '../../src/jid.js';
import { defaultFeatures, withFeatures } from '../../src/xeps/registry.js';
import { createMemoryAvatarCache, profile, sha1Hex, type AvatarCache } from '../../src/xeps/profile/index.js';
import { observedClient, type ObservedClient } from '../support/client.js';
import { befriend } from '../support/contacts.js';

interface Online extends ObservedClient {
  bare: string;
  profile: ProfileApi;
}

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

async function online(user: TestUser, service = TCP_URL, cache?: AvatarCache): Promise<Online> {
  const c = observedClient(user, service, {}, { features: withFeatures(defaultFeatures, profile) });
  running.push(c);
  await c.client.start();
  const isRunning = () => c.client.actor.getSnapshot().status === 'active';
  return {
    ...c,
    bare: bareJid(c.client.getSnapshot().context.connection.jid)!,
    profile: createProfileApi(c.client.actor, c.client.services, isRunning, cache),
  };
}

// Not a real image: PEP does not look inside, and the hash is what the protocol checks.
const png = (seed: number) => new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 31 + seed) % 256));

describe('profiles (XEP-0084, XEP-0172) against Prosody', () => {
  it('a contact sees the nickname and avatar through PEP and fetches the bytes once', async () => {
    const [aliceUser, bobUser] = await uniqueUsers(['pralice', 'prbob']);
    const cache = createMemoryAvatarCache();
    const [alice, bob] = await Promise.all([online(aliceUser!), online(bobUser!, WS_URL, cache)]);
    await befriend(alice, bob);

    await expect
      .poll(
        async () => {
          await alice.profile.setNick('Alice in PEP');
          return bob.profile.view().of(alice.bare).nick;
        },
        { timeout: 10_000, interval: 500 },
      )
      .toBe('Alice in PEP');

    const bytes = png(7);
    const info = await alice.profile.setAvatar(bytes, { width: 16, height: 16 });
    expect(info).toEqual({ id: await sha1Hex(bytes), type: 'image/png', bytes: bytes.length, width: 16, height: 16 });
    await expect.poll(() => bob.profile.view().of(alice.bare).avatar, { timeout: 5000 }).toEqual(info);

    const fetched = await bob.profile.avatar(alice.bare);
    expect(fetched?.bytes).toEqual(bytes);
    // The second time comes from the cache: no items request goes out.
    const before = bob.inbound.length;
    expect((await bob.profile.avatar(alice.bare))?.bytes).toEqual(bytes);
    expect(bob.inbound.slice(before).some((s) => s.includes('urn:xmpp:avatar:data'))).toBe(false);

    // Her own client reads them back too; disabling clears the contact's view.
    expect(await alice.profile.nick()).toBe('Alice in PEP');
    expect((await alice.profile.avatar())?.info.id).toBe(info.id);
    await alice.profile.disableAvatar();
    await expect.poll(() => bob.profile.view().of(alice.bare).avatar, { timeout: 5000 }).toBeUndefined();
    expect(await bob.profile.avatar(alice.bare)).toBeUndefined();
  });

  it('vCard (XEP-0054) round trip, and the photo hash a contact advertises in presence (XEP-0153)', async () => {
    const [aliceUser, bobUser] = await uniqueUsers(['pvalice', 'pvbob']);
    const [alice, bob] = await Promise.all([online(aliceUser!), online(bobUser!)]);
    await befriend(alice, bob);

    const bytes = png(11);
    const stored = await alice.profile.updateVCard({
      fields: { FN: 'Alice Liddell', NICKNAME: 'alice' },
      photo: { type: 'image/png', bytes },
    });
    expect(stored.fields).toMatchObject({ FN: 'Alice Liddell', NICKNAME: 'alice' });
    const mine = await alice.profile.vcard();
    expect(mine.fields.FN).toBe('Alice Liddell');
    const theirs = await bob.profile.vcard(alice.bare);
    expect(theirs.fields.FN).toBe('Alice Liddell');
    expect(theirs.photo?.type).toBe('image/png');

    // Having written the photo, alice's client announces its hash (XEP-0153 §4.2) without being
    // asked to; Prosody (mod_vcard_legacy) would put the same hash into a presence without one.
    const hash = await sha1Hex(bytes);
    await expect.poll(() => bob.profile.view().of(alice.bare).vcardAvatar, { timeout: 10_000, interval: 100 }).toBe(hash);
    expect((await bob.profile.vcardAvatar(alice.bare))?.bytes).toEqual(bytes);

    await alice.profile.updateVCard({ fields: { NICKNAME: '' } });
    expect((await alice.profile.vcard()).fields).not.toHaveProperty('NICKNAME');
    await expect(alice.profile.updateVCard({ fields: { FN: 'x'.repeat(5000) } })).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
