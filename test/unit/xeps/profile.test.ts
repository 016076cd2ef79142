import type { Element } from '@xmpp/xml';
import { describe, expect, it, vi } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { bytesToBase64 } from '../../../src/sasl/base64.js';
import {
  NS_AVATAR_DATA,
  NS_AVATAR_METADATA,
  NS_NICK,
  buildAvatarMetadata,
  buildVCardSet,
  connectProfiles,
  createMemoryAvatarCache,
  disableAvatar,
  fetchAvatar,
  fetchAvatarMetadata,
  fetchNick,
  fetchVCardAvatar,
  getVCard,
  mergeVCard,
  parseVCard,
  profile as profileFeature,
  publishAvatar,
  publishNick,
  readAvatarMetadata,
  readNick,
  sha1Hex,
  updateVCard,
  type ProfileChangedEmitted,
  type ProfileLogic,
} from '../../../src/xeps/profile/index.js';
import { NS_PUBSUB, toXmlNode } from '../../../src/xeps/pubsub/index.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, ok, routeContext } from './harness.js';

const ROMEO = routeContext('romeo@montague.lit/home');
/** Waits for the next stanza written (hashing with WebCrypto may take a few turns) and takes what was sent. */
const sent = async (fake: { sent: Element[]; take(): Element[] }): Promise<Element[]> => {
  await vi.waitFor(() => expect(fake.sent.length).toBeGreaterThan(0));
  return fake.take();
};
const plain = (xmlText: string) => toXmlNode(parseXml(xmlText), { nodes: 100, text: 10_000, maxDepth: 8 })!;

// XEP-0084 §3.2 "Publishing avatar metadata" (both examples' infos).
const METADATA = `
<metadata xmlns='urn:xmpp:avatar:metadata'>
  <info bytes='23456' height='64' id='222f4b3c50d7b0df729d299bc6f8e9ef9066971f' type='image/gif'
        url='http://avatars.example.org/happy.gif' width='64'/>
  <info bytes='12345' height='64' id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f' type='image/png' width='64'/>
</metadata>`;

const event = (node: string, inner: string, from: string | null = 'juliet@capulet.lit') =>
  parseXml(
    `<message${from === null ? '' : ` from='${from}'`} to='romeo@montague.lit/home'>` +
      `<event xmlns='http://jabber.org/protocol/pubsub#event'><items node='${node}'>${inner}</items></event>` +
      `<addresses xmlns='http://jabber.org/protocol/address'><address type='replyto' jid='juliet@capulet.lit/chamber'/></addresses></message>`,
  );

// A tiny stand-in for PNG bytes: the hash is what matters.
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

describe('profile codec', () => {
  it('reads XEP-0084 metadata and prefers the PNG in the data node', () => {
    const infos = ok(readAvatarMetadata(plain(METADATA)));
    expect(infos).toEqual([
      {
        id: '222f4b3c50d7b0df729d299bc6f8e9ef9066971f',
        type: 'image/gif',
        bytes: 23456,
        width: 64,
        height: 64,
        url: 'http://avatars.example.org/happy.gif',
      },
      { id: '111f4b3c50d7b0df729d299bc6f8e9ef9066971f', type: 'image/png', bytes: 12345, width: 64, height: 64 },
    ]);
    // Empty metadata: the avatar is disabled (XEP-0084 §3.5).
    expect(ok(readAvatarMetadata(plain(`<metadata xmlns='${NS_AVATAR_METADATA}'/>`)))).toEqual([]);
    // Infos without a SHA-1 id, type or size are skipped; a javascript: URL is dropped.
    const odd = plain(
      `<metadata xmlns='${NS_AVATAR_METADATA}'><info bytes='1' id='nothex' type='image/png'/><info id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f' type='image/png'/>` +
        `<info bytes='1' id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f' type='image/png' url='javascript:alert(1)'/></metadata>`,
    );
    expect(ok(readAvatarMetadata(odd))).toEqual([{ id: '111f4b3c50d7b0df729d299bc6f8e9ef9066971f', type: 'image/png', bytes: 1 }]);
    expect(
      buildAvatarMetadata([
        { id: '111f4b3c50d7b0df729d299bc6f8e9ef9066971f', type: 'image/png', bytes: 12345, width: 64, height: 64 },
      ]).toString(),
    ).toBe(
      `<metadata xmlns="${NS_AVATAR_METADATA}"><info bytes="12345" id="111f4b3c50d7b0df729d299bc6f8e9ef9066971f" type="image/png" width="64" height="64"/></metadata>`,
    );
  });

  it('reads XEP-0172 nicknames', () => {
    expect(readNick(plain(`<nick xmlns='${NS_NICK}'>Ishmael</nick>`))).toBe('Ishmael');
    expect(readNick(plain(`<nick xmlns='${NS_NICK}'/>`))).toBe('');
    expect(readNick(plain(`<nick xmlns='urn:other'>Ishmael</nick>`))).toBeUndefined();
    expect(readNick(plain(`<nick xmlns='${NS_NICK}'>${'x'.repeat(2000)}</nick>`))).toBeUndefined();
  });

  it('routes avatar and nickname notifications of accounts only', () => {
    // XEP-0084 §3.3 "Subscribers receive avatar metadata notification".
    const metadata = `<item id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'>${METADATA}</item>`;
    expect(profileFeature.route(event(NS_AVATAR_METADATA, metadata), ROMEO)).toEqual([
      {
        type: 'profile.notification',
        jid: 'juliet@capulet.lit',
        avatar: { id: '111f4b3c50d7b0df729d299bc6f8e9ef9066971f', type: 'image/png', bytes: 12345, width: 64, height: 64 },
      },
    ]);
    // XEP-0172 §4.5 "PEP Node Generates Notifications".
    expect(
      profileFeature.route(event(NS_NICK, `<item><nick xmlns='${NS_NICK}'>CallMeIshmael</nick></item>`, 'narrator@moby-dick.lit'), ROMEO),
    ).toEqual([{ type: 'profile.notification', jid: 'narrator@moby-dick.lit', nick: 'CallMeIshmael' }]);
    expect(profileFeature.route(event(NS_AVATAR_METADATA, `<item><metadata xmlns='${NS_AVATAR_METADATA}'/></item>`), ROMEO)).toEqual([
      { type: 'profile.notification', jid: 'juliet@capulet.lit', avatar: null },
    ]);
    expect(profileFeature.route(event(NS_NICK, `<retract id='current'/>`), ROMEO)).toEqual([
      { type: 'profile.notification', jid: 'juliet@capulet.lit', nick: null },
    ]);
    // Full JIDs, servers and components have no PEP profile; other nodes are not profiles.
    for (const from of ['juliet@capulet.lit/chamber', 'capulet.lit', 'pubsub.capulet.lit']) {
      expect(profileFeature.route(event(NS_NICK, `<item><nick xmlns='${NS_NICK}'>Evil</nick></item>`, from), ROMEO)).toEqual([]);
    }
    expect(profileFeature.route(event('urn:example', `<item><nick xmlns='${NS_NICK}'>X</nick></item>`), ROMEO)).toEqual([]);
    expect(profileFeature.discoFeatures).toEqual([`${NS_AVATAR_METADATA}+notify`, `${NS_NICK}+notify`]);
  });
});

describe('profile requests', () => {
  it('publishes the avatar data under its SHA-1, then the metadata', async () => {
    const fake = fakeServices(ROMEO.me);
    const id = await sha1Hex(PNG);
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    const done = publishAvatar(fake.services, PNG, { width: 64, height: 64 });
    const [data] = await sent(fake);
    const publish = (iq: Element) => iq.getChild('pubsub', NS_PUBSUB)!.getChild('publish')!;
    expect(publish(data!).attrs.node).toBe(NS_AVATAR_DATA);
    expect(publish(data!).getChild('item')!.attrs.id).toBe(id);
    expect(publish(data!).getChild('item')!.getChild('data', NS_AVATAR_DATA)!.text()).toBe(bytesToBase64(PNG));
    // The metadata goes out only once the data is stored (XEP-0084 §3.1).
    expect(fake.take()).toEqual([]);
    fake.reply(data!);
    const [meta] = await sent(fake);
    expect(publish(meta!).toString()).toBe(
      `<publish node="${NS_AVATAR_METADATA}"><item id="${id}"><metadata xmlns="${NS_AVATAR_METADATA}">` +
        `<info bytes="${PNG.length}" id="${id}" type="image/png" width="64" height="64"/></metadata></item></publish>`,
    );
    fake.reply(meta!);
    expect(await done).toEqual({ id, type: 'image/png', bytes: PNG.length, width: 64, height: 64 });

    await expect(publishAvatar(fake.services, new Uint8Array())).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(publishAvatar(fake.services, PNG, { width: 0 })).rejects.toMatchObject({ code: 'invalid-argument' });
    const off = disableAvatar(fake.services);
    const [stop] = fake.take();
    expect(publish(stop!).getChild('item')!.toString()).toBe(`<item><metadata xmlns="${NS_AVATAR_METADATA}"/></item>`);
    fake.reply(stop!);
    await off;
  });

  it('fetches avatar data by id, checks its SHA-1, and uses the cache without asking again', async () => {
    const fake = fakeServices(ROMEO.me);
    const id = await sha1Hex(PNG);
    const cache = createMemoryAvatarCache();
    const fetched = fetchAvatar(fake.services, 'juliet@capulet.lit', id, { cache });
    const [iq] = await sent(fake);
    expect(iq!.attrs.to).toBe('juliet@capulet.lit');
    expect(iq!.getChild('pubsub')!.getChild('items')!.toString()).toBe(`<items node="${NS_AVATAR_DATA}"><item id="${id}"/></items>`);
    // Line feeds in the base64 are accepted (XEP-0084 §2.1).
    const base64 = bytesToBase64(PNG).replace(/(.{4})/g, '$1\n');
    fake.reply(
      iq!,
      `<pubsub xmlns='${NS_PUBSUB}'><items node='${NS_AVATAR_DATA}'><item id='${id}'><data xmlns='${NS_AVATAR_DATA}'>${base64}</data></item></items></pubsub>`,
    );
    expect(await fetched).toEqual(PNG);

    // Cached: XEP-0084 §3.4 "it MUST NOT retrieve the image data".
    expect(await fetchAvatar(fake.services, 'juliet@capulet.lit', id, { cache })).toEqual(PNG);
    expect(fake.take()).toEqual([]);

    // Bytes that do not hash to the id are refused, and not cached.
    const other = '0'.repeat(40);
    const forged = fetchAvatar(fake.services, 'juliet@capulet.lit', other, { cache });
    fake.reply(
      (await sent(fake))[0]!,
      `<pubsub xmlns='${NS_PUBSUB}'><items node='${NS_AVATAR_DATA}'><item id='${other}'><data xmlns='${NS_AVATAR_DATA}'>${bytesToBase64(PNG)}</data></item></items></pubsub>`,
    );
    await expect(forged).rejects.toMatchObject({ code: 'bad-reply' });
    expect(await cache.get(other)).toBeUndefined();
    // A poisoned cache entry is not used either.
    await cache.set(other, PNG);
    const again = fetchAvatar(fake.services, 'juliet@capulet.lit', other, { cache });
    expect(await sent(fake)).toHaveLength(1);
    await expect(fetchAvatar(fake.services, 'juliet@capulet.lit', 'nothex')).rejects.toMatchObject({ code: 'invalid-argument' });
    void again.catch(() => {});
  });

  it('reads metadata and nicknames, none when the node does not exist', async () => {
    const fake = fakeServices(ROMEO.me);
    const meta = fetchAvatarMetadata(fake.services, 'juliet@capulet.lit');
    const [metaIq] = fake.take();
    expect(metaIq!.getChild('pubsub')!.getChild('items')!.attrs).toEqual({ node: NS_AVATAR_METADATA, max_items: '1' });
    fake.reply(
      metaIq!,
      `<pubsub xmlns='${NS_PUBSUB}'><items node='${NS_AVATAR_METADATA}'><item id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'>${METADATA}</item></items></pubsub>`,
    );
    expect((await meta)?.type).toBe('image/png');

    const nick = fetchNick(fake.services, 'narrator@moby-dick.lit');
    fake.reply(
      fake.take()[0]!,
      `<pubsub xmlns='${NS_PUBSUB}'><items node='${NS_NICK}'><item id='current'><nick xmlns='${NS_NICK}'>Ishmael</nick></item></items></pubsub>`,
    );
    expect(await nick).toBe('Ishmael');
    const none = fetchNick(fake.services, 'nobody@moby-dick.lit');
    fake.reply(fake.take()[0]!, `<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    expect(await none).toBeUndefined();

    const set = publishNick(fake.services, ' Romeo ');
    const [pub] = fake.take();
    expect(pub!.getChild('pubsub')!.getChild('publish')!.toString()).toBe(
      `<publish node="${NS_NICK}"><item id="current"><nick xmlns="${NS_NICK}">Romeo</nick></item></publish>`,
    );
    fake.reply(pub!);
    await set;
    await expect(publishNick(fake.services, 'x'.repeat(2000))).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});

describe('profile actor', () => {
  it('keeps nicknames and avatar metadata per account, ignoring spoofed senders', () => {
    const fake = fakeServices(ROMEO.me);
    const actor = createActor(profileFeature.logic(fake.services) as ProfileLogic, { input: featureInput({ jid: ROMEO.me }) }).start();
    const changes: ProfileChangedEmitted[] = [];
    actor.on('profile.changed', (e) => changes.push(e));
    const deliver = (stanza: Element) => {
      for (const e of profileFeature.route(stanza, ROMEO)) actor.send(e);
    };
    const view = () => connectProfiles(actor.getSnapshot() as SnapshotFrom<ProfileLogic>);

    deliver(event(NS_NICK, `<item id='current'><nick xmlns='${NS_NICK}'>Jules</nick></item>`));
    deliver(event(NS_AVATAR_METADATA, `<item id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'>${METADATA}</item>`));
    // The same nickname again changes nothing.
    deliver(event(NS_NICK, `<item id='current'><nick xmlns='${NS_NICK}'>Jules</nick></item>`));
    // Forged: from a full JID, from the server.
    deliver(event(NS_NICK, `<item id='current'><nick xmlns='${NS_NICK}'>Evil</nick></item>`, 'juliet@capulet.lit/chamber'));
    deliver(event(NS_AVATAR_METADATA, `<item><metadata xmlns='${NS_AVATAR_METADATA}'/></item>`, 'capulet.lit'));
    // Another contact's nickname lands under that contact only.
    deliver(event(NS_NICK, `<item id='current'><nick xmlns='${NS_NICK}'>Juliet</nick></item>`, 'tybalt@capulet.lit'));

    expect(view().of('Juliet@capulet.lit/anything')).toEqual({
      nick: 'Jules',
      avatar: { id: '111f4b3c50d7b0df729d299bc6f8e9ef9066971f', type: 'image/png', bytes: 12345, width: 64, height: 64 },
    });
    expect(view().displayName('tybalt@capulet.lit')).toBe('Juliet');
    expect(view().displayName('nurse@capulet.lit', 'Nurse')).toBe('Nurse');
    expect(changes.map((c) => c.jid)).toEqual(['juliet@capulet.lit', 'juliet@capulet.lit', 'tybalt@capulet.lit']);

    deliver(event(NS_AVATAR_METADATA, `<item><metadata xmlns='${NS_AVATAR_METADATA}'/></item>`));
    deliver(event(NS_NICK, `<retract id='current'/>`));
    expect(view().of('juliet@capulet.lit')).toEqual({});
    const context = actor.getSnapshot().context;
    expect(JSON.parse(JSON.stringify(context))).toEqual(context);
  });
});

// XEP-0153 §3.1 "User's Client Publishes Avatar Data to vCard" (the base64 made real).
const vcardOf = (base64: string) => `
<vCard xmlns='vcard-temp'>
  <BDAY>1476-06-09</BDAY>
  <ADR><CTRY>Italy</CTRY><LOCALITY>Verona</LOCALITY><HOME/></ADR>
  <NICKNAME/>
  <N><GIVEN>Juliet</GIVEN><FAMILY>Capulet</FAMILY></N>
  <EMAIL>jcapulet@shakespeare.lit</EMAIL>
  <PHOTO>
    <TYPE>image/jpeg</TYPE>
    <BINVAL>
      ${base64}
    </BINVAL>
  </PHOTO>
</vCard>`;

const presence = (inner: string, from = 'juliet@capulet.com/balcony', attrs = '') =>
  parseXml(`<presence from='${from}'${attrs}>${inner}</presence>`);

describe('vCard (XEP-0054) and vCard avatars (XEP-0153)', () => {
  it('reads a vCard and merges changes, keeping what it does not know', () => {
    const vcard = ok(parseVCard(parseXml(vcardOf(bytesToBase64(PNG)))));
    expect(vcard.fields).toEqual({ BDAY: '1476-06-09', NICKNAME: '' });
    expect(vcard.photo).toEqual({ type: 'image/jpeg', base64: bytesToBase64(PNG) });
    const merged = mergeVCard(vcard.node, { fields: { FN: 'Juliet Capulet', BDAY: '' }, photo: null });
    const set = buildVCardSet(merged);
    const out = set.getChild('vCard', 'vcard-temp')!;
    expect(out.getChild('BDAY')).toBeUndefined();
    expect(out.getChild('PHOTO')).toBeUndefined();
    expect(out.getChildText('FN')).toBe('Juliet Capulet');
    expect(out.getChild('ADR')!.getChildText('LOCALITY')).toBe('Verona');
    expect(out.getChild('N')!.getChildText('FAMILY')).toBe('Capulet');
    expect(parseVCard(parseXml(`<iq type='result'/>`))).toHaveProperty('kind', 'stanza-parse-error');
  });

  it('routes the presence hash of contacts, not of room occupants', async () => {
    const hash = await sha1Hex(PNG);
    const update = (photo: string) => `<x xmlns='vcard-temp:x:update'>${photo}</x>`;
    expect(profileFeature.route(presence(update(`<photo>${hash}</photo>`)), ROMEO)).toEqual([
      { type: 'profile.vcardAvatar', jid: 'juliet@capulet.com', hash },
    ]);
    // "the photo element MUST be empty" when there is no avatar; an empty update child is "not yet ready".
    expect(profileFeature.route(presence(update('<photo/>')), ROMEO)).toEqual([
      { type: 'profile.vcardAvatar', jid: 'juliet@capulet.com', hash: null },
    ]);
    expect(profileFeature.route(presence(update('')), ROMEO)).toEqual([]);
    expect(profileFeature.route(presence(update('<photo>not-a-hash</photo>')), ROMEO)).toEqual([]);
    expect(
      profileFeature.route(presence(update(`<photo>${hash}</photo>`), 'juliet@capulet.com/balcony', ` type='unavailable'`), ROMEO),
    ).toEqual([]);
    const occupant = presence(
      update(`<photo>${hash}</photo>`) + `<x xmlns='http://jabber.org/protocol/muc#user'/>`,
      'room@muc.capulet.com/juliet',
    );
    expect(profileFeature.route(occupant, ROMEO)).toEqual([]);
    expect(profileFeature.route(presence(update(`<photo>${hash}</photo>`), 'capulet.com'), ROMEO)).toEqual([]);
  });

  it('keeps the hash per contact in one transition per batch', async () => {
    const fake = fakeServices(ROMEO.me);
    const actor = createActor(profileFeature.logic(fake.services) as ProfileLogic, { input: featureInput({ jid: ROMEO.me }) }).start();
    const hash = await sha1Hex(PNG);
    actor.send({
      type: 'profile.batch',
      events: [
        { type: 'profile.vcardAvatar', jid: 'juliet@capulet.com', hash },
        { type: 'profile.vcardAvatar', jid: 'nurse@capulet.com', hash: null },
        { type: 'profile.notification', jid: 'juliet@capulet.com', nick: 'Jules' },
      ],
    });
    const view = connectProfiles(actor.getSnapshot() as SnapshotFrom<ProfileLogic>);
    expect(view.of('juliet@capulet.com')).toEqual({ vcardAvatar: hash, nick: 'Jules' });
    expect(view.all['nurse@capulet.com']).toEqual({});
  });

  it('fetches the vCard photo once, checked against the hash', async () => {
    const fake = fakeServices(ROMEO.me);
    const hash = await sha1Hex(PNG);
    const cache = createMemoryAvatarCache();
    const got = fetchVCardAvatar(fake.services, 'juliet@capulet.com/balcony', hash, { cache });
    const [iq] = await sent(fake);
    // XEP-0153 §3.2: "this request is sent to the user's bare JID, not full JID".
    expect(iq!.attrs.to).toBe('juliet@capulet.com');
    expect(iq!.getChild('vCard', 'vcard-temp')).toBeDefined();
    fake.reply(iq!, vcardOf(bytesToBase64(PNG).replace(/(.{8})/g, '$1\n')));
    expect(await got).toEqual(PNG);
    expect(await fetchVCardAvatar(fake.services, 'juliet@capulet.com', hash, { cache })).toEqual(PNG);
    expect(fake.take()).toEqual([]);

    const wrong = fetchVCardAvatar(fake.services, 'juliet@capulet.com', 'f'.repeat(40));
    fake.reply((await sent(fake))[0]!, vcardOf(bytesToBase64(PNG)));
    await expect(wrong).rejects.toMatchObject({ code: 'bad-reply' });
  });

  it('updates the own vCard: read, change, write back whole', async () => {
    const fake = fakeServices(ROMEO.me);
    const done = updateVCard(fake.services, { fields: { FN: 'Romeo Montague' }, photo: { type: 'image/png', bytes: PNG } });
    const [get] = fake.take();
    expect(get!.attrs.to).toBeUndefined();
    fake.reply(get!, `<vCard xmlns='vcard-temp'><N><GIVEN>Romeo</GIVEN></N><FN>Romeo</FN></vCard>`);
    const [set] = await sent(fake);
    expect(set!.attrs.type).toBe('set');
    expect(set!.getChild('vCard')!.toString()).toBe(
      `<vCard xmlns="vcard-temp"><N><GIVEN>Romeo</GIVEN></N><FN>Romeo Montague</FN>` +
        `<PHOTO><TYPE>image/png</TYPE><BINVAL>${bytesToBase64(PNG)}</BINVAL></PHOTO></vCard>`,
    );
    fake.reply(set!);
    expect((await done).fields.FN).toBe('Romeo Montague');
    await expect(updateVCard(fake.services, { fields: { EVIL: 'x' } as never })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(updateVCard(fake.services, { photo: { type: 'text/html', bytes: PNG } })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    expect(fake.take()).toEqual([]);
    // No vCard yet: item-not-found reads as an empty one.
    const empty = getVCard(fake.services, 'nobody@capulet.com');
    fake.reply(fake.take()[0]!, `<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    expect((await empty).fields).toEqual({});
  });
});
