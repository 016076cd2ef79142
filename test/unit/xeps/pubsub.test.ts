import { xml, type Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { StanzaError, XmppAdapterError } from '../../../src/errors.js';
import {
  NS_PUBSUB,
  PRIVATE_PUBLISH_OPTIONS,
  applyNotification,
  buildItemsRequest,
  buildPublish,
  buildRetract,
  connectPubsub,
  createNode,
  createPubsubFeature,
  createPubsubLogic,
  deleteNode,
  items,
  loadPrivate,
  nodeConfig,
  configureNode,
  parseItemsResult,
  publish,
  pubsub as pubsubFeature,
  retract,
  storePrivate,
  subscribe,
  unsubscribe,
  type PubsubEmitted,
  type PubsubLogic,
  type PubsubOptions,
} from '../../../src/xeps/pubsub/index.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, ok, routeContext } from './harness.js';

const ROMEO = routeContext('romeo@montague.lit/orchard');
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

// XEP-0060 §6.5.4: "Service returns some items via result set management" (payloads shortened).
const ITEMS_PAGE = `
<pubsub xmlns='http://jabber.org/protocol/pubsub'>
  <items node='princely_musings'>
    <item id='368866411b877c30064a5f62b917cffe'>
      <entry xmlns='http://www.w3.org/2005/Atom'><title>The Uses of This World</title></entry>
    </item>
    <item id='3300659945416e274474e469a1f0154c'>
      <entry xmlns='http://www.w3.org/2005/Atom'><title>Ghostly Encounters</title></entry>
    </item>
  </items>
  <set xmlns='http://jabber.org/protocol/rsm'>
    <first index='0'>368866411b877c30064a5f62b917cffe</first>
    <last>3300659945416e274474e469a1f0154c</last>
    <count>19</count>
  </set>
</pubsub>`;

// XEP-0163 §1.2: "Interested parties receive event notifications" (juliet's tune, to romeo).
const TUNE = `<tune xmlns='http://jabber.org/protocol/tune'><artist>Gerald Finzi</artist><length>255</length></tune>`;
const notification = (inner: string, from: string | null = 'juliet@capulet.lit', node = 'http://jabber.org/protocol/tune', extra = '') =>
  parseXml(
    `<message${from === null ? '' : ` from='${from}'`} to='romeo@montague.lit/orchard' type='headline' id='tunefoo1'>` +
      `<event xmlns='http://jabber.org/protocol/pubsub#event'><items node='${node}'>${inner}</items></event>${extra}</message>`,
  );

const entry = (title: string) => ({
  name: 'entry',
  attrs: { xmlns: 'http://www.w3.org/2005/Atom' },
  children: [{ name: 'title', attrs: {}, children: [title] }],
});

const formFields = (form: Element) =>
  Object.fromEntries(form.getChildren('field').map((f) => [f.attrs.var, f.getChildren('value').map((v) => v.text())]));

describe('pubsub codec', () => {
  it('builds the XEP-0060 requests', () => {
    const payload = parseXml(`<entry xmlns='http://www.w3.org/2005/Atom'><title>Soliloquy</title></entry>`);
    // XEP-0060 §7.1.5 "Publishing with options".
    const pub = buildPublish({
      service: 'pubsub.shakespeare.lit',
      node: 'princely_musings',
      id: 'ae890ac52d0df67ed7cfdf51b644e901',
      payload,
      options: { 'pubsub#access_model': 'presence' },
    });
    expect(pub.attrs).toMatchObject({ type: 'set', to: 'pubsub.shakespeare.lit' });
    expect(pub.getChild('pubsub', NS_PUBSUB)!.getChild('publish')!.toString()).toBe(
      `<publish node="princely_musings"><item id="ae890ac52d0df67ed7cfdf51b644e901">` +
        `<entry xmlns="http://www.w3.org/2005/Atom"><title>Soliloquy</title></entry></item></publish>`,
    );
    const form = pub.getChild('pubsub')!.getChild('publish-options')!.getChild('x', 'jabber:x:data')!;
    expect(form.attrs.type).toBe('submit');
    expect(formFields(form)).toEqual({
      FORM_TYPE: ['http://jabber.org/protocol/pubsub#publish-options'],
      'pubsub#access_model': ['presence'],
    });
    // XEP-0163 §3: the own PEP service is addressed without 'to'.
    expect(buildPublish({ node: 'n', payload }).attrs.to).toBeUndefined();
    // XEP-0060 §7.2.1 with §7.2.2.1's notify.
    expect(buildRetract({ node: 'princely_musings', id: 'ae89', notify: true }).getChild('pubsub')!.toString()).toBe(
      `<pubsub xmlns="${NS_PUBSUB}"><retract node="princely_musings" notify="true"><item id="ae89"/></retract></pubsub>`,
    );
    // XEP-0060 §6.5.7, §6.5.8 and XEP-0059 paging.
    expect(buildItemsRequest({ node: 'princely_musings', maxItems: 2 }).getChild('pubsub')!.toString()).toBe(
      `<pubsub xmlns="${NS_PUBSUB}"><items node="princely_musings" max_items="2"/></pubsub>`,
    );
    expect(
      buildItemsRequest({ node: 'n', ids: ['a', 'b'] })
        .getChild('pubsub')!
        .getChild('items')!
        .toString(),
    ).toBe(`<items node="n"><item id="a"/><item id="b"/></items>`);
    expect(
      buildItemsRequest({ node: 'n', page: { max: 10, after: 'x' } })
        .getChild('pubsub')!
        .getChild('set')!
        .toString(),
    ).toBe(`<set xmlns="http://jabber.org/protocol/rsm"><max>10</max><after>x</after></set>`);
  });

  it('reads an items result with its RSM page', () => {
    expect(ok(parseItemsResult(parseXml(ITEMS_PAGE), 'princely_musings'))).toEqual({
      node: 'princely_musings',
      items: [
        { id: '368866411b877c30064a5f62b917cffe', payload: entry('The Uses of This World') },
        { id: '3300659945416e274474e469a1f0154c', payload: entry('Ghostly Encounters') },
      ],
      rsm: { first: '368866411b877c30064a5f62b917cffe', firstIndex: 0, last: '3300659945416e274474e469a1f0154c', count: 19 },
    });
    // Another node's items are not the answer asked for.
    expect(parseItemsResult(parseXml(ITEMS_PAGE), 'other')).toHaveProperty('kind', 'stanza-parse-error');
    // An item with two payloads breaks XEP-0060 §7.1.1 and is skipped; so is one over the budget.
    const odd = parseXml(
      `<pubsub xmlns='${NS_PUBSUB}'><items node='n'><item id='two'><a xmlns='x'/><b xmlns='x'/></item>` +
        `<item id='big'><a xmlns='x'>${'y'.repeat(100)}</a></item><item id='empty'/></items></pubsub>`,
    );
    expect(ok(parseItemsResult(odd, 'n', { nodes: 10, text: 50, maxDepth: 4 })).items).toEqual([{ id: 'empty' }]);
  });

  it('routes notifications from a bare JID only, one event per node', () => {
    const [event] = pubsubFeature.route(notification(`<item>${TUNE}</item>`), ROMEO);
    expect(event).toEqual({
      type: 'pubsub.notification',
      service: 'juliet@capulet.lit',
      node: 'http://jabber.org/protocol/tune',
      items: [
        {
          payload: {
            name: 'tune',
            attrs: { xmlns: 'http://jabber.org/protocol/tune' },
            children: [
              { name: 'artist', attrs: {}, children: ['Gerald Finzi'] },
              { name: 'length', attrs: {}, children: ['255'] },
            ],
          },
        },
      ],
      retracted: [],
    });
    // No 'from': the own account (RFC 6120 §8.1.2.1).
    expect(pubsubFeature.route(notification(`<item>${TUNE}</item>`, null), ROMEO)[0]).toHaveProperty('service', 'romeo@montague.lit');
    expect(pubsubFeature.route(notification(`<item>${TUNE}</item>`, 'Juliet@Capulet.lit'), ROMEO)[0]).toHaveProperty(
      'service',
      'juliet@capulet.lit',
    );
    // Full JIDs and non-JIDs are nobody's PEP service.
    for (const from of ['juliet@capulet.lit/balcony', 'pubsub.shakespeare.lit/x', '@@', '']) {
      expect(pubsubFeature.route(notification(`<item>${TUNE}</item>`, from), ROMEO)).toEqual([]);
    }
    // XEP-0060 §7.2.2.1 retract, §8.5 purge, §8.4 delete; XEP-0163 §4.3.4 replay with a delay.
    const stamp = `<delay xmlns='urn:xmpp:delay' stamp='2003-12-13T23:58:37Z'/>`;
    expect(pubsubFeature.route(notification(`<retract id='a'/>`, 'juliet@capulet.lit', 'n', stamp), ROMEO)).toEqual([
      { type: 'pubsub.notification', service: 'juliet@capulet.lit', node: 'n', items: [], retracted: ['a'], delay: '2003-12-13T23:58:37Z' },
    ]);
    const purge = parseXml(
      `<message from='pubsub.shakespeare.lit'><event xmlns='http://jabber.org/protocol/pubsub#event'>` +
        `<purge node='princely_musings'/><delete node='old'/><configuration node='c'/></event></message>`,
    );
    expect(pubsubFeature.route(purge, ROMEO).map((e) => [e.node, e.cleared])).toEqual([
      ['princely_musings', 'purge'],
      ['old', 'delete'],
    ]);
    // Errors and empty item lists route nothing.
    expect(
      pubsubFeature.route(
        parseXml(`<message type='error' from='juliet@capulet.lit'><event xmlns='http://jabber.org/protocol/pubsub#event'/></message>`),
        ROMEO,
      ),
    ).toEqual([]);
    expect(pubsubFeature.route(notification(''), ROMEO)).toEqual([]);
  });

  it('advertises +notify for the nodes it follows at every contact', () => {
    expect(pubsubFeature.discoFeatures).toEqual(['urn:xmpp:avatar:metadata+notify', 'http://jabber.org/protocol/nick+notify']);
    expect(createPubsubFeature({ notify: ['urn:xmpp:microblog:0', 'urn:xmpp:microblog:0'] }).discoFeatures).toEqual([
      'urn:xmpp:microblog:0+notify',
    ]);
  });

  it('applies notifications to the kept items', () => {
    const a = { id: 'a' };
    const b = { id: 'b' };
    const base = { type: 'pubsub.notification' as const, service: 's', node: 'n', items: [], retracted: [] };
    expect(applyNotification([a], { ...base, items: [b, { id: 'a', publisher: 'x@y' }] }, 10)).toEqual([b, { id: 'a', publisher: 'x@y' }]);
    expect(applyNotification([a, b], { ...base, retracted: ['a'] }, 10)).toEqual([b]);
    expect(applyNotification([a, b], { ...base, cleared: 'purge' }, 10)).toEqual([]);
    expect(applyNotification([a], { ...base, items: [b, { id: 'c' }] }, 2)).toEqual([b, { id: 'c' }]);
  });
});

describe('pubsub requests', () => {
  it('publishes and reports the ItemID the service made up', async () => {
    const fake = fakeServices(ROMEO.me);
    const done = publish(fake.services, 'http://jabber.org/protocol/tune', parseXml(TUNE));
    const [iq] = fake.take();
    expect(iq!.attrs.to).toBeUndefined();
    fake.reply(
      iq!,
      `<pubsub xmlns='${NS_PUBSUB}'><publish node='http://jabber.org/protocol/tune'><item id='ae890ac52d0df67ed7cfdf51b644e901'/></publish></pubsub>`,
    );
    expect(await done).toEqual({ node: 'http://jabber.org/protocol/tune', id: 'ae890ac52d0df67ed7cfdf51b644e901' });
  });

  it('checks its arguments before sending anything', async () => {
    const fake = fakeServices(ROMEO.me);
    const s = fake.services;
    const payload = parseXml(TUNE);
    const bad: Array<() => Promise<unknown>> = [
      () => publish(s, '', payload),
      () => publish(s, 'n', 'not xml' as never),
      () => publish(s, 'n', payload, { service: 'a@b@c' }),
      () => publish(s, 'n', payload, { id: 'x'.repeat(2000) }),
      () => publish(s, 'n', payload, { publishOptions: { FORM_TYPE: 'x' } }),
      () => publish(s, 'n', payload, { publishOptions: { 'pubsub#max_items': 3 as never } }),
      () => retract(s, 'n', ''),
      () => items(s, 'n', { latest: 0 }),
      () => items(s, 'n', { latest: 2, ids: ['a'] }),
      () => items(s, 'n', { page: { max: 10, after: 'a', before: 'b' } }),
      () => items(s, 'n', { ids: [] }),
      () => subscribe(s, 'pubsub.shakespeare.lit', 'n', 'not a jid@@'),
      () => unsubscribe(s, '', 'n', 'romeo@montague.lit'),
      () => configureNode(s, 'n', null as never),
      () => createNode(s, '', {}),
    ];
    for (const call of bad) await expect(call()).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(fake.take()).toEqual([]);
  });

  it('reads the latest items, pages, and passes the server error on', async () => {
    const fake = fakeServices(ROMEO.me);
    const latest = items(fake.services, 'princely_musings', { service: 'pubsub.shakespeare.lit', latest: 2 });
    const [iq] = fake.take();
    expect(iq!.getChild('pubsub')!.getChild('items')!.attrs.max_items).toBe('2');
    fake.reply(iq!, ITEMS_PAGE);
    expect((await latest).items.map((i) => i.id)).toEqual(['368866411b877c30064a5f62b917cffe', '3300659945416e274474e469a1f0154c']);

    const page = items(fake.services, 'princely_musings', { service: 'pubsub.shakespeare.lit', page: { max: 2, after: 'x' } });
    const [paged] = fake.take();
    fake.reply(paged!, `<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await expect(page).rejects.toBeInstanceOf(StanzaError);
    await expect(page).rejects.toMatchObject({ condition: 'item-not-found' });

    // A result that is not an items result is a bad reply.
    const broken = items(fake.services, 'n');
    fake.reply(fake.take()[0]!, '');
    await expect(broken).rejects.toMatchObject({ code: 'bad-reply' });
  });

  it('subscribes, configures, creates and deletes', async () => {
    const fake = fakeServices(ROMEO.me);
    // XEP-0060 §6.1.2 "Service replies with success".
    const sub = subscribe(fake.services, 'pubsub.shakespeare.lit', 'princely_musings', 'francisco@denmark.lit');
    const [subIq] = fake.take();
    expect(subIq!.getChild('pubsub')!.getChild('subscribe')!.attrs).toEqual({ node: 'princely_musings', jid: 'francisco@denmark.lit' });
    fake.reply(
      subIq!,
      `<pubsub xmlns='${NS_PUBSUB}'><subscription node='princely_musings' jid='francisco@denmark.lit' subid='ba49252aaa4f5d320c24d3766f0bdcade78c78d3' subscription='subscribed'/></pubsub>`,
    );
    expect(await sub).toEqual({
      node: 'princely_musings',
      jid: 'francisco@denmark.lit',
      subscription: 'subscribed',
      subid: 'ba49252aaa4f5d320c24d3766f0bdcade78c78d3',
    });

    const unsub = unsubscribe(fake.services, 'pubsub.shakespeare.lit', 'princely_musings', 'francisco@denmark.lit');
    fake.reply(fake.take()[0]!);
    await unsub;

    // XEP-0060 §8.2.2: the configuration form.
    const config = nodeConfig(fake.services, 'princely_musings');
    const [cfgIq] = fake.take();
    expect(cfgIq!.getChild('pubsub')!.attrs.xmlns).toBe('http://jabber.org/protocol/pubsub#owner');
    fake.reply(
      cfgIq!,
      `<pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><configure node='princely_musings'><x xmlns='jabber:x:data' type='form'>` +
        `<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>` +
        `<field var='pubsub#max_items' type='text-single'><value>10</value></field></x></configure></pubsub>`,
    );
    expect((await config).fields).toContainEqual({ var: 'pubsub#max_items', type: 'text-single', values: ['10'] });

    const set = configureNode(fake.services, 'princely_musings', { 'pubsub#max_items': '20', 'pubsub#deliver_payloads': false });
    const [setIq] = fake.take();
    expect(formFields(setIq!.getChild('pubsub')!.getChild('configure')!.getChild('x')!)).toEqual({
      FORM_TYPE: ['http://jabber.org/protocol/pubsub#node_config'],
      'pubsub#max_items': ['20'],
      'pubsub#deliver_payloads': ['false'],
    });
    fake.reply(setIq!);
    await set;

    // XEP-0060 §8.1.1: an instant node gets its NodeID from the service.
    const created = createNode(fake.services, undefined, { service: 'pubsub.shakespeare.lit' });
    fake.reply(fake.take()[0]!, `<pubsub xmlns='${NS_PUBSUB}'><create node='25e3d37dabbab9541f7523321421edc5bfeb2dae'/></pubsub>`);
    expect(await created).toBe('25e3d37dabbab9541f7523321421edc5bfeb2dae');
    const named = createNode(fake.services, 'princely_musings');
    fake.reply(fake.take()[0]!);
    expect(await named).toBe('princely_musings');

    const deleted = deleteNode(fake.services, 'princely_musings');
    const [delIq] = fake.take();
    expect(delIq!.getChild('pubsub')!.toString()).toBe(
      `<pubsub xmlns="http://jabber.org/protocol/pubsub#owner"><delete node="princely_musings"/></pubsub>`,
    );
    fake.reply(delIq!);
    await deleted;
  });

  it('stores private data with the XEP-0223 publish-options and reads it back', async () => {
    const fake = fakeServices(ROMEO.me);
    const payload = xml('settings', { xmlns: 'urn:example:settings' }, xml('theme', {}, 'dark'));
    const stored = storePrivate(fake.services, 'urn:example:settings', payload);
    const [iq] = fake.take();
    expect(iq!.attrs.to).toBeUndefined();
    expect(iq!.getChild('pubsub')!.getChild('publish')!.getChild('item')!.attrs.id).toBe('current');
    expect(formFields(iq!.getChild('pubsub')!.getChild('publish-options')!.getChild('x')!)).toEqual({
      FORM_TYPE: ['http://jabber.org/protocol/pubsub#publish-options'],
      'pubsub#persist_items': ['true'],
      'pubsub#access_model': ['whitelist'],
    });
    expect(PRIVATE_PUBLISH_OPTIONS).toEqual({ 'pubsub#persist_items': 'true', 'pubsub#access_model': 'whitelist' });
    fake.reply(iq!);
    await stored;

    const loaded = loadPrivate(fake.services, 'urn:example:settings');
    const [get] = fake.take();
    expect(get!.getChild('pubsub')!.getChild('items')!.toString()).toBe(`<items node="urn:example:settings"><item id="current"/></items>`);
    fake.reply(
      get!,
      `<pubsub xmlns='${NS_PUBSUB}'><items node='urn:example:settings'><item id='current'>${payload.toString()}</item></items></pubsub>`,
    );
    expect(await loaded).toEqual({
      id: 'current',
      payload: { name: 'settings', attrs: { xmlns: 'urn:example:settings' }, children: [{ name: 'theme', attrs: {}, children: ['dark'] }] },
    });

    // No node yet: nothing stored.
    const none = loadPrivate(fake.services, 'urn:example:other');
    fake.reply(fake.take()[0]!, `<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    expect(await none).toBeUndefined();
    // A precondition the node does not meet is the server's error, passed on (XEP-0060 §7.1.5).
    const refused = storePrivate(fake.services, 'urn:example:settings', payload);
    fake.reply(
      fake.take()[0]!,
      `<error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><precondition-not-met xmlns='http://jabber.org/protocol/pubsub#errors'/></error>`,
      'error',
    );
    await expect(refused).rejects.toMatchObject({ condition: 'conflict' });
    await expect(storePrivate(fake.services, 'n', 42 as never)).rejects.toBeInstanceOf(XmppAdapterError);
  });
});

function startPubsub(options: PubsubOptions = {}) {
  const fake = fakeServices(ROMEO.me);
  const feature = createPubsubFeature(options);
  const actor = createActor(feature.logic(fake.services) as PubsubLogic, { input: featureInput({ jid: ROMEO.me }) }).start();
  const emitted: PubsubEmitted[] = [];
  actor.on('pubsub.items', (e) => emitted.push(e));
  const deliver = (stanza: Element) => {
    for (const event of feature.route(stanza, ROMEO)) actor.send(event);
  };
  const view = () => connectPubsub(actor.getSnapshot() as SnapshotFrom<PubsubLogic>);
  return { ...fake, actor, emitted, deliver, view };
}

const NICK = 'http://jabber.org/protocol/nick';
const nickItem = (nick: string) => `<item id='current'><nick xmlns='${NICK}'>${nick}</nick></item>`;

describe('pubsub actor', () => {
  it('keeps the latest items of followed PEP nodes and emits them', async () => {
    const p = startPubsub();
    expect(p.view().follows).toEqual([{ node: 'urn:xmpp:avatar:metadata' }, { node: NICK }]);
    p.deliver(notification(nickItem('Juliet'), 'juliet@capulet.lit', NICK));
    p.deliver(notification(nickItem('Jules'), 'juliet@capulet.lit', NICK));
    // Own nodes come from the own bare JID (or without 'from').
    p.deliver(notification(nickItem('Romeo'), null, NICK));
    await flush();
    expect(p.view().latest('Juliet@capulet.lit', NICK)?.payload?.children).toEqual(['Jules']);
    expect(p.view().items('juliet@capulet.lit', NICK)).toHaveLength(1);
    expect(p.view().latest('romeo@montague.lit', NICK)?.payload?.children).toEqual(['Romeo']);
    expect(p.emitted.map((e) => [e.service, e.items[0]?.payload?.children[0]])).toEqual([
      ['juliet@capulet.lit', 'Juliet'],
      ['juliet@capulet.lit', 'Jules'],
      ['romeo@montague.lit', 'Romeo'],
    ]);
    p.deliver(notification(`<retract id='current'/>`, 'juliet@capulet.lit', NICK));
    expect(p.view().items('juliet@capulet.lit', NICK)).toEqual([]);
  });

  it('ignores spoofed notifications: from a full JID, another contact, another service', () => {
    const p = startPubsub({
      notify: [NICK],
      follow: [
        { service: 'pubsub.shakespeare.lit', node: 'princely_musings' },
        { service: 'nurse@capulet.lit', node: 'urn:example:rounds' },
      ],
    });
    p.actor.send({ type: 'pubsub.follow', node: 'urn:example:tune' });
    p.deliver(notification(nickItem('Juliet'), 'juliet@capulet.lit', NICK));
    const before = p.actor.getSnapshot().context;

    // From a full JID, even the right account's: declined by the route.
    p.deliver(notification(nickItem('Forged'), 'juliet@capulet.lit/balcony', NICK));
    // A node followed at one service, from another service or another contact.
    p.deliver(notification(`<item id='x'><entry xmlns='http://www.w3.org/2005/Atom'/></item>`, 'pubsub.evil.lit', 'princely_musings'));
    p.deliver(
      notification(`<item id='x'><entry xmlns='http://www.w3.org/2005/Atom'/></item>`, 'pubsub.shakespeare.lit/res', 'princely_musings'),
    );
    p.deliver(notification(`<item id='r'><rounds xmlns='urn:example:rounds'/></item>`, 'tybalt@capulet.lit', 'urn:example:rounds'));
    // A PEP node followed at every contact, from a server (not an account), or a node not followed.
    p.deliver(notification(nickItem('Server'), 'capulet.lit', NICK));
    p.deliver(notification(nickItem('Other'), 'juliet@capulet.lit', 'urn:example:unfollowed'));
    // A retraction from someone else cannot remove juliet's nickname.
    p.deliver(notification(`<retract id='current'/>`, 'tybalt@capulet.lit/x', NICK));

    expect(p.actor.getSnapshot().context).toEqual(before);
    expect(p.emitted).toHaveLength(1);

    // The real service and the real contact are heard.
    p.deliver(
      notification(`<item id='x'><entry xmlns='http://www.w3.org/2005/Atom'/></item>`, 'pubsub.shakespeare.lit', 'princely_musings'),
    );
    p.deliver(notification(`<item id='r'><rounds xmlns='urn:example:rounds'/></item>`, 'nurse@capulet.lit', 'urn:example:rounds'));
    expect(p.view().nodes.map((n) => [n.service, n.node])).toEqual([
      ['juliet@capulet.lit', NICK],
      ['nurse@capulet.lit', 'urn:example:rounds'],
      ['pubsub.shakespeare.lit', 'princely_musings'],
    ]);
  });

  it('follows and unfollows through intents, within its bounds', () => {
    const p = startPubsub({ notify: [], itemsPerNode: 2, maxNodes: 2 });
    p.actor.send({ type: 'pubsub.follow', node: 'urn:example:a' });
    p.actor.send({ type: 'pubsub.follow', node: 'urn:example:a' });
    p.actor.send({ type: 'pubsub.follow', node: '' });
    p.actor.send({ type: 'pubsub.follow', node: 'n', service: '@@' });
    expect(p.view().follows).toEqual([{ node: 'urn:example:a' }]);
    const item = (id: string) => `<item id='${id}'><a xmlns='urn:example:a'/></item>`;
    p.deliver(notification(item('1') + item('2') + item('3'), 'a@x.lit', 'urn:example:a'));
    expect(
      p
        .view()
        .items('a@x.lit', 'urn:example:a')
        .map((i) => i.id),
    ).toEqual(['2', '3']);
    p.deliver(notification(item('1'), 'b@x.lit', 'urn:example:a'));
    p.deliver(notification(item('1'), 'c@x.lit', 'urn:example:a'));
    expect(p.view().nodes.map((n) => n.service)).toEqual(['a@x.lit', 'b@x.lit']);
    p.actor.send({ type: 'pubsub.unfollow', node: 'urn:example:a' });
    expect(p.view()).toMatchObject({ follows: [], nodes: [] });
  });

  it('takes a batch of notifications in one transition', () => {
    const p = startPubsub({ notify: [NICK] });
    const events = ['a@x.lit', 'b@x.lit', 'c@x.lit/forged'].flatMap((from) =>
      pubsubFeature.route(notification(nickItem(from), from, NICK), ROMEO),
    );
    expect(events).toHaveLength(2);
    let transitions = 0;
    p.actor.subscribe(() => (transitions += 1));
    p.actor.send({ type: 'pubsub.batch', events });
    expect(transitions).toBe(1);
    expect(p.view().nodes.map((n) => n.service)).toEqual(['a@x.lit', 'b@x.lit']);
    expect(p.emitted).toHaveLength(2);
  });

  it('is a plain-data actor', () => {
    const p = startPubsub();
    p.deliver(notification(nickItem('Juliet'), 'juliet@capulet.lit', NICK));
    const context = p.actor.getSnapshot().context;
    expect(JSON.parse(JSON.stringify(context))).toEqual(context);
    expect(createPubsubLogic(p.services)).toBeDefined();
  });
});
