import type { Element } from '@xmpp/xml';
import { describe, expect, it, vi } from 'vitest';
import { SimulatedClock, createActor, waitFor, type AnyActorRef } from 'xstate';
import { createCoreClient } from '../../../src/client/core-client.js';
import { createXmppClient } from '../../../src/client/create-client.js';
import { bytesToBase64 } from '../../../src/sasl/base64.js';
import { presence } from '../../../src/xeps/presence/index.js';
import { NS_VCARD_UPDATE, applyOwnResource, createProfileLogic, parseOwnResourceUpdate, sha1Hex } from '../../../src/xeps/profile/index.js';
import { parseXml } from '../../support/xml.js';
import { createFakeServer } from '../../support/fake-server.js';
import { fakeServices, featureInput, routeContext } from './harness.js';

const OPTIONS = { service: 'wss://example.org/ws', username: 'alice', password: 'x', domain: 'example.org' };
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7, 7]);
const OTHER_PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9]);
const vcardWith = (bytes?: Uint8Array) =>
  bytes === undefined
    ? xmlOf(`<vCard xmlns='vcard-temp'><FN>Alice</FN></vCard>`)
    : xmlOf(
        `<vCard xmlns='vcard-temp'><FN>Alice</FN><PHOTO><TYPE>image/png</TYPE><BINVAL>${bytesToBase64(bytes)}</BINVAL></PHOTO></vCard>`,
      );
const xmlOf = (text: string) => parseXml(text) as Element;

/** What the update child of a presence says: undefined without one, 'empty', or the photo's text. */
const updateOf = (stanza: Element): string | undefined => {
  const x = stanza.getChild('x', NS_VCARD_UPDATE);
  if (!x) return undefined;
  const photo = x.getChild('photo');
  return photo === undefined ? 'empty' : `photo:${photo.text()}`;
};

async function onlineClient() {
  const server = createFakeServer({ jid: 'alice@example.org/test' });
  const client = createXmppClient(OPTIONS, { transport: server.logic, clock: new SimulatedClock() });
  void client.start().catch(() => {});
  server.acceptConnection();
  await waitFor(client.actor.system.get('caps') as AnyActorRef, (s: { value: unknown }) => s.value === 'ready');
  const broadcasts = () => server.sent((el) => el.name === 'presence' && el.attrs.to === undefined && el.attrs.type === undefined);
  const lastUpdate = () => updateOf(broadcasts().at(-1)!);
  const vcardGets = () =>
    server.sent((el) => el.name === 'iq' && el.attrs.type === 'get' && el.getChild('vCard', 'vcard-temp') !== undefined);
  /** Reads the own vCard, answered with `bytes` as its photo; resolves once our presence names their hash. */
  const readOwnVCard = async (bytes: Uint8Array) => {
    const before = vcardGets().length;
    const read = client.profile.vcard();
    await vi.waitFor(() => expect(vcardGets()).toHaveLength(before + 1));
    server.replyResult(vcardGets()[before]!, vcardWith(bytes));
    await read;
    const hash = await sha1Hex(bytes);
    await vi.waitFor(() => expect(lastUpdate()).toBe(`photo:${hash}`));
    return hash;
  };
  return { server, client, broadcasts, lastUpdate, vcardGets, readOwnVCard };
}

describe('XEP-0153: our own presence carries the vCard avatar update child', () => {
  it('is empty until the vCard is read, then names the photo hash, and an empty photo when there is none', async () => {
    const { server, client, lastUpdate, vcardGets, readOwnVCard } = await onlineClient();
    // §4.1 rule 2: not yet ready to advertise an image.
    expect(lastUpdate()).toBe('empty');
    await readOwnVCard(PNG);

    // Removing the photo: the next presence says there is no image (an empty photo element).
    const removed = client.profile.updateVCard({ photo: null });
    await vi.waitFor(() => expect(vcardGets()).toHaveLength(2));
    server.replyResult(vcardGets()[1]!, vcardWith(PNG));
    const set = await vi.waitFor(() =>
      server.expectOutgoing((el) => el.attrs.type === 'set' && el.getChild('vCard', 'vcard-temp') !== undefined),
    );
    server.replyResult(set);
    await removed;
    await vi.waitFor(() => expect(lastUpdate()).toBe('photo:'));

    // A contact's vCard says nothing about ours.
    const theirs = client.profile.vcard('bob@example.org');
    await vi.waitFor(() => expect(vcardGets()).toHaveLength(3));
    server.replyResult(vcardGets()[2]!, vcardWith(OTHER_PNG));
    await theirs;
    expect(lastUpdate()).toBe('photo:');
    await client.stop();
  });

  it('goes into directed presence and room joins too, and not into a client without the profile feature', async () => {
    const { server, client } = await onlineClient();
    client.send({ type: 'presence.direct', to: 'room@conference.example.org/alice', show: 'available' });
    const directed = server.expectOutgoing((el) => el.name === 'presence' && el.attrs.to === 'room@conference.example.org/alice');
    expect(updateOf(directed)).toBe('empty');
    // Entering a room: after the MUC <x/>, our caps and the update child, as in every presence of ours.
    void client.rooms.join('lobby@conference.example.org', { nick: 'al' }).catch(() => {});
    // The room is asked what it offers first; without an answer it is entered anyway.
    server.replyError(await vi.waitFor(() => server.expectOutgoing({ name: 'iq', to: 'lobby@conference.example.org' })));
    const join = await vi.waitFor(() =>
      server.expectOutgoing((el) => el.name === 'presence' && el.attrs.to === 'lobby@conference.example.org/al'),
    );
    expect(join.getChild('x', 'http://jabber.org/protocol/muc')).toBeDefined();
    expect(join.getChild('c', 'http://jabber.org/protocol/caps')?.attrs.ver).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(updateOf(join)).toBe('empty');
    await client.stop();

    const bare = createFakeServer({ jid: 'alice@example.org/test' });
    const core = createCoreClient(OPTIONS, { transport: bare.logic, clock: new SimulatedClock(), features: [presence] });
    void core.start().catch(() => {});
    bare.acceptConnection();
    const announced = await vi.waitFor(() => bare.expectOutgoing({ name: 'presence' }));
    expect(updateOf(announced)).toBeUndefined();
    await core.stop();
  });

  it('resets the hash when another resource of the account advertises another one (§4.3, §4.4)', async () => {
    const { server, client, broadcasts, lastUpdate, vcardGets, readOwnVCard } = await onlineClient();
    const ours = await readOwnVCard(PNG);
    const theirs = await sha1Hex(OTHER_PNG);

    // The same hash, or an empty update child, from another resource changes nothing.
    const before = broadcasts().length;
    server.pushIncoming(`<presence from='alice@example.org/phone'><x xmlns='${NS_VCARD_UPDATE}'><photo>${ours}</photo></x></presence>`);
    server.pushIncoming(`<presence from='alice@example.org/tablet'><x xmlns='${NS_VCARD_UPDATE}'/></presence>`);
    // Another account's resource, however it is spelled, is not ours to follow.
    server.pushIncoming(`<presence from='alice@example.net/phone'><x xmlns='${NS_VCARD_UPDATE}'><photo>${theirs}</photo></x></presence>`);
    server.pushIncoming(`<presence from='mallory@example.org/alice@example.org'><x xmlns='${NS_VCARD_UPDATE}'/></presence>`);
    await vi.waitFor(() => expect(client.profile.view().of('alice@example.net').vcardAvatar).toBe(theirs));
    expect(broadcasts()).toHaveLength(before);
    expect(vcardGets()).toHaveLength(1);

    // Another hash: advertise none at once, download the vCard, advertise what it holds.
    server.pushIncoming(`<presence from='alice@example.org/phone'><x xmlns='${NS_VCARD_UPDATE}'><photo>${theirs}</photo></x></presence>`);
    await vi.waitFor(() => expect(vcardGets()).toHaveLength(2));
    expect(lastUpdate()).toBe('empty');
    server.replyResult(vcardGets()[1]!, vcardWith(OTHER_PNG));
    await vi.waitFor(() => expect(lastUpdate()).toBe(`photo:${theirs}`));
    await client.stop();
  });

  it('stops advertising while a resource of the account that does not take part is online (§4.3 rule 1)', async () => {
    const { server, client, lastUpdate, vcardGets, readOwnVCard } = await onlineClient();
    await readOwnVCard(PNG);

    server.pushIncoming(`<presence from='alice@example.org/old-client'><show>away</show></presence>`);
    await vi.waitFor(() => expect(lastUpdate()).toBe('empty'));
    // Reading the vCard meanwhile does not bring the hash back while that resource is online.
    const again = client.profile.vcard();
    await vi.waitFor(() => expect(vcardGets()).toHaveLength(2));
    server.replyResult(vcardGets()[1]!, vcardWith(PNG));
    await again;
    server.pushIncoming(`<presence from='alice@example.org/old-client' type='unavailable'/>`);
    // Gone: what was read while it was online may be advertised again.
    await vi.waitFor(async () => expect(lastUpdate()).toBe(`photo:${await sha1Hex(PNG)}`));
    await client.stop();
  });
});

describe('XEP-0153 across reconnects', () => {
  it('keeps the hash on a fresh session, and forgets the resources that did not take part', async () => {
    const server = createFakeServer({ jid: 'alice@example.org/test' });
    const clock = new SimulatedClock();
    const client = createXmppClient(OPTIONS, { transport: server.logic, clock });
    void client.start().catch(() => {});
    server.acceptConnection();
    await waitFor(client.actor.system.get('caps') as AnyActorRef, (s: { value: unknown }) => s.value === 'ready');
    const read = client.profile.vcard();
    const get = await vi.waitFor(() =>
      server.expectOutgoing((el) => el.attrs.type === 'get' && el.getChild('vCard', 'vcard-temp') !== undefined),
    );
    server.replyResult(get, vcardWith(PNG));
    await read;
    const hash = `photo:${await sha1Hex(PNG)}`;
    const presences = () => server.sent((el) => el.name === 'presence' && el.attrs.to === undefined);
    await vi.waitFor(() => expect(updateOf(presences().at(-1)!)).toBe(hash));
    const reconnect = async () => {
      server.drop();
      clock.increment(60_000);
      const before = presences().length;
      server.acceptConnection();
      await vi.waitFor(() => expect(presences().length).toBeGreaterThan(before));
      return before;
    };

    // The presence that opens the fresh session carries the hash at once.
    let before = await reconnect();
    expect(updateOf(presences()[before]!)).toBe(hash);

    // A resource without the update child makes us forget the hash; it belongs to the old stream,
    // so on the new one the next read of the vCard is advertised again.
    server.pushIncoming(`<presence from='alice@example.org/old-client'/>`);
    await vi.waitFor(() => expect(updateOf(presences().at(-1)!)).toBe('empty'));
    before = await reconnect();
    expect(updateOf(presences()[before]!)).toBe('empty');
    const again = client.profile.vcard();
    const second = await vi.waitFor(() =>
      server.expectOutgoing((el) => el.attrs.type === 'get' && el.getChild('vCard', 'vcard-temp') !== undefined && el !== get),
    );
    server.replyResult(second, vcardWith(PNG));
    await again;
    await vi.waitFor(() => expect(updateOf(presences().at(-1)!)).toBe(hash));
    await client.stop();
  });
});

describe('XEP-0153 and the own PEP avatar', () => {
  it('forgets the hash when the app sets or disables the PEP avatar, as servers mirror it into the vCard', async () => {
    const { server, client, lastUpdate, readOwnVCard } = await onlineClient();
    const publishes = () =>
      server.sent((el) => el.attrs.type === 'set' && el.getChild('pubsub', 'http://jabber.org/protocol/pubsub') !== undefined);
    let answered = 0;
    const answerPublishes = async (count: number) => {
      for (const end = answered + count; answered < end; answered++) {
        await vi.waitFor(() => expect(publishes().length).toBeGreaterThan(answered));
        server.replyResult(publishes()[answered]!);
      }
    };
    const ours = await readOwnVCard(PNG);
    expect(lastUpdate()).toBe(`photo:${ours}`);
    // A contact's new avatar is not ours.
    server.pushIncoming(
      `<message from='bob@example.org' to='alice@example.org/test' type='headline'><event xmlns='http://jabber.org/protocol/pubsub#event'>` +
        `<items node='urn:xmpp:avatar:metadata'><item id='${'c'.repeat(40)}'><metadata xmlns='urn:xmpp:avatar:metadata'>` +
        `<info bytes='9' id='${'c'.repeat(40)}' type='image/png'/></metadata></item></items></event></message>`,
    );
    await vi.waitFor(() => expect(client.profile.view().of('bob@example.org').avatar?.id).toBe('c'.repeat(40)));
    expect(lastUpdate()).toBe(`photo:${ours}`);

    // Data, then metadata: once published, not ready again (Prosody fills in the new hash itself).
    const set = client.profile.setAvatar(OTHER_PNG);
    await answerPublishes(2);
    await set;
    await vi.waitFor(() => expect(lastUpdate()).toBe('empty'));
    await readOwnVCard(OTHER_PNG);
    const disabled = client.profile.disableAvatar();
    await answerPublishes(1);
    await disabled;
    await vi.waitFor(() => expect(lastUpdate()).toBe('empty'));
    await client.stop();
  });
});

describe('XEP-0153 own-resource routing and rules, pure', () => {
  const ALICE = routeContext('alice@example.org/test');
  const presenceFrom = (from: string, inner = '', type?: string) =>
    parseXml(`<presence from='${from}'${type ? ` type='${type}'` : ''}>${inner}</presence>`);

  it('reads only other resources of the own account', () => {
    const x = (photo?: string) => `<x xmlns='${NS_VCARD_UPDATE}'>${photo === undefined ? '' : `<photo>${photo}</photo>`}</x>`;
    const hash = 'a'.repeat(40);
    expect(parseOwnResourceUpdate(presenceFrom('alice@example.org/phone', x(hash)), ALICE)).toEqual({
      type: 'profile.ownResource',
      jid: 'alice@example.org/phone',
      update: { hash },
    });
    expect(parseOwnResourceUpdate(presenceFrom('ALICE@example.org/phone', x('')), ALICE)?.update).toEqual({ hash: null });
    expect(parseOwnResourceUpdate(presenceFrom('alice@example.org/phone', x()), ALICE)?.update).toBe('empty');
    expect(parseOwnResourceUpdate(presenceFrom('alice@example.org/phone'), ALICE)?.update).toBe('none');
    expect(parseOwnResourceUpdate(presenceFrom('alice@example.org/phone', '', 'unavailable'), ALICE)?.update).toBe('gone');
    // Declined: our own reflected presence, the bare JID, other accounts, errors, a photo that is no SHA-1.
    expect(parseOwnResourceUpdate(presenceFrom('alice@example.org/test', x(hash)), ALICE)).toBeUndefined();
    expect(parseOwnResourceUpdate(presenceFrom('alice@example.org', x(hash)), ALICE)).toBeUndefined();
    expect(parseOwnResourceUpdate(presenceFrom('alice@example.orb/phone', x(hash)), ALICE)).toBeUndefined();
    expect(parseOwnResourceUpdate(presenceFrom('alice@example.org/phone', '', 'error'), ALICE)).toBeUndefined();
    expect(parseOwnResourceUpdate(presenceFrom('alice@example.org/phone', x('not-a-hash')), ALICE)).toBeUndefined();
  });

  it('takes what the app learnt of its own vCard without touching any account’s profile', () => {
    const actor = createActor(createProfileLogic(fakeServices(ALICE.me).services), { input: featureInput({ jid: ALICE.me }) }).start();
    const changed: unknown[] = [];
    actor.on('profile.changed', (event) => changed.push(event));
    actor.send({ type: 'profile.ownVCard', hash: 'a'.repeat(40) });
    expect(actor.getSnapshot().context.ownVCard).toEqual({ hash: 'a'.repeat(40), nonConforming: [] });
    expect(actor.getSnapshot().context.profiles).toEqual({});
    expect(changed).toEqual([]);
  });

  it('resets only when something was advertised and the other resource disagrees', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const from = (update: 'none' | 'empty' | 'gone' | { hash: string | null }) =>
      ({ type: 'profile.ownResource', jid: 'alice@example.org/phone', update }) as const;
    expect(applyOwnResource({ nonConforming: [] }, from({ hash: b })).reset).toBe(false);
    expect(applyOwnResource({ hash: a, nonConforming: [] }, from({ hash: a })).reset).toBe(false);
    expect(applyOwnResource({ hash: a, nonConforming: [] }, from({ hash: b }))).toEqual({ state: { nonConforming: [] }, reset: true });
    expect(applyOwnResource({ hash: a, nonConforming: [] }, from({ hash: null })).reset).toBe(true);
    expect(applyOwnResource({ hash: null, nonConforming: [] }, from({ hash: null })).reset).toBe(false);
    expect(applyOwnResource({ hash: a, nonConforming: [] }, from('empty'))).toEqual({
      state: { hash: a, nonConforming: [] },
      reset: false,
    });
    const withOld = applyOwnResource({ hash: a, nonConforming: [] }, from('none'));
    expect(withOld).toEqual({ state: { nonConforming: ['alice@example.org/phone'] }, reset: false });
    expect(applyOwnResource(withOld.state, from('gone')).state).toEqual({ nonConforming: [] });
  });
});
