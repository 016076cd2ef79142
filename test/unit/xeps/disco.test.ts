import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { NS_STANZAS } from '../../../src/wire/namespaces.js';
import {
  NS_DISCO_INFO,
  NS_DISCO_ITEMS,
  buildDiscoInfo,
  buildDiscoItems,
  connectDisco,
  createDiscoLogic,
  disco,
  discoInfo,
  discoItems,
  ownDiscoInfo,
  parseDiscoInfo,
  parseDiscoItems,
} from '../../../src/xeps/disco/index.js';
import { StanzaParseError, readIqRequest } from '../../../src/xeps/iq-request.js';
import { CAPS_NODE, verOf } from '../../../src/xeps/caps/caps.codec.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, ok, routeContext } from './harness.js';

// XEP-0030 Example 2: a result with two identities and several features.
const PLAYS_INFO = `
<iq type='result' from='plays.shakespeare.lit' to='romeo@montague.net/orchard' id='info1'>
  <query xmlns='http://jabber.org/protocol/disco#info'>
    <identity category='conference' type='text' name='Play-Specific Chatrooms'/>
    <identity category='directory' type='chatroom' name='Play-Specific Chatrooms'/>
    <feature var='http://jabber.org/protocol/disco#info'/>
    <feature var='http://jabber.org/protocol/disco#items'/>
    <feature var='http://jabber.org/protocol/muc'/>
    <feature var='jabber:iq:register'/>
    <feature var='jabber:iq:search'/>
    <feature var='jabber:iq:time'/>
    <feature var='jabber:iq:version'/>
  </query>
</iq>`;

// XEP-0030 Example 10: items of a service.
const SHAKESPEARE_ITEMS = `
<iq type='result' from='shakespeare.lit' to='romeo@montague.net/orchard' id='items1'>
  <query xmlns='http://jabber.org/protocol/disco#items'>
    <item jid='people.shakespeare.lit' name='Directory of Characters'/>
    <item jid='plays.shakespeare.lit' name='Play-Specific Chatrooms'/>
    <item jid='catalog.shakespeare.lit' node='books' name='Books by and about Shakespeare'/>
  </query>
</iq>`;

const ROMEO = routeContext('romeo@montague.net/orchard');

describe('disco codec', () => {
  it('reads XEP-0030 Example 2 and writes it back unchanged', () => {
    const info = ok(parseDiscoInfo(parseXml(PLAYS_INFO)));
    expect(info).toEqual({
      identities: [
        { category: 'conference', type: 'text', name: 'Play-Specific Chatrooms' },
        { category: 'directory', type: 'chatroom', name: 'Play-Specific Chatrooms' },
      ],
      features: [
        'http://jabber.org/protocol/disco#info',
        'http://jabber.org/protocol/disco#items',
        'http://jabber.org/protocol/muc',
        'jabber:iq:register',
        'jabber:iq:search',
        'jabber:iq:time',
        'jabber:iq:version',
      ],
      forms: [],
    });
    expect(parseDiscoInfo(buildDiscoInfo(info))).toEqual(info);
  });

  it('keeps node, xml:lang and XEP-0128 forms through a round trip', () => {
    const el = parseXml(`
      <query xmlns='http://jabber.org/protocol/disco#info' node='http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w='>
        <identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>
        <feature var='http://jabber.org/protocol/caps'/>
        <x xmlns='jabber:x:data' type='result'>
          <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>
          <field var='ip_version'><value>ipv4</value><value>ipv6</value></field>
        </x>
      </query>`);
    const info = ok(parseDiscoInfo(el));
    expect(info).toMatchObject({
      node: 'http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w=',
      identities: [{ category: 'client', type: 'pc', name: 'Psi 0.11', lang: 'en' }],
      forms: [
        {
          type: 'result',
          fields: [
            { var: 'FORM_TYPE', type: 'hidden', values: ['urn:xmpp:dataforms:softwareinfo'] },
            { var: 'ip_version', values: ['ipv4', 'ipv6'] },
          ],
        },
      ],
    });
    expect(parseDiscoInfo(buildDiscoInfo(info))).toEqual(info);
  });

  it('refuses answers the spec does not allow instead of throwing', () => {
    expect(parseDiscoInfo(parseXml(`<iq type='result'/>`))).toBeInstanceOf(StanzaParseError);
    expect(parseDiscoInfo(parseXml(`<query xmlns='${NS_DISCO_INFO}'><identity category='client'/></query>`))).toMatchObject({
      reason: expect.stringContaining('category or type'),
    });
    expect(parseDiscoInfo(parseXml(`<query xmlns='${NS_DISCO_INFO}'><feature/></query>`))).toBeInstanceOf(StanzaParseError);
    const huge = `<query xmlns='${NS_DISCO_INFO}'>${'<feature var="x"/>'.repeat(5000)}</query>`;
    expect(parseDiscoInfo(parseXml(huge))).toMatchObject({ reason: expect.stringContaining('too large') });
  });

  it('reads XEP-0030 items, skipping items without a usable jid', () => {
    const items = ok(parseDiscoItems(parseXml(SHAKESPEARE_ITEMS)));
    expect(items).toEqual({
      items: [
        { jid: 'people.shakespeare.lit', name: 'Directory of Characters' },
        { jid: 'plays.shakespeare.lit', name: 'Play-Specific Chatrooms' },
        { jid: 'catalog.shakespeare.lit', node: 'books', name: 'Books by and about Shakespeare' },
      ],
    });
    expect(parseDiscoItems(buildDiscoItems(items))).toEqual(items);
    expect(parseDiscoItems(parseXml(`<query xmlns='${NS_DISCO_ITEMS}'><item name='no jid'/><item jid='a@b@c'/></query>`))).toEqual({
      items: [],
    });
  });

  it('builds our own info with disco#info and disco#items always present', () => {
    const own = ownDiscoInfo('xmpp-adapter', ['urn:xmpp:ping', 'urn:xmpp:ping'], 'browser');
    expect(own.identities).toEqual([{ category: 'client', type: 'web', name: 'xmpp-adapter' }]);
    expect(own.features).toEqual([NS_DISCO_INFO, NS_DISCO_ITEMS, 'urn:xmpp:ping']);
    expect(ownDiscoInfo('x', [], 'node').identities[0]!.type).toBe('pc');
  });
});

describe('disco route', () => {
  it('routes XEP-0030 Example 8 (info query to a connected resource) as plain data', () => {
    const stanza = parseXml(`
      <iq type='get' from='juliet@capulet.com/balcony' to='romeo@montague.net/orchard' id='info4'>
        <query xmlns='http://jabber.org/protocol/disco#info'/>
      </iq>`);
    expect(disco.route(stanza, ROMEO)).toEqual([{ type: 'disco.infoRequest', id: 'info4', from: 'juliet@capulet.com/balcony' }]);
  });

  it('routes info and items queries with their node', () => {
    const info = parseXml(
      `<iq type='get' from='juliet@capulet.com/balcony' id='n1'><query xmlns='${NS_DISCO_INFO}' node='${CAPS_NODE}#abc'/></iq>`,
    );
    const items = parseXml(`<iq type='get' id='n2'><query xmlns='${NS_DISCO_ITEMS}' node='music'/></iq>`);
    expect(disco.route(info, ROMEO)).toEqual([
      { type: 'disco.infoRequest', id: 'n1', from: 'juliet@capulet.com/balcony', node: `${CAPS_NODE}#abc` },
    ]);
    expect(disco.route(items, ROMEO)).toEqual([{ type: 'disco.itemsRequest', id: 'n2', node: 'music' }]);
  });

  it.each([
    ['a result (replies are never requests)', `<iq type='result' id='a' from='x@y/z'><query xmlns='${NS_DISCO_INFO}'/></iq>`],
    ['an error', `<iq type='error' id='a' from='x@y/z'><query xmlns='${NS_DISCO_INFO}'/></iq>`],
    ['a set', `<iq type='set' id='a' from='x@y/z'><query xmlns='${NS_DISCO_ITEMS}'/></iq>`],
    ['a get without id', `<iq type='get' from='x@y/z'><query xmlns='${NS_DISCO_INFO}'/></iq>`],
    ['a get with an empty id', `<iq type='get' id='' from='x@y/z'><query xmlns='${NS_DISCO_INFO}'/></iq>`],
    ['a get from a non-JID', `<iq type='get' id='a' from='@@'><query xmlns='${NS_DISCO_INFO}'/></iq>`],
    ['a get addressed to someone else', `<iq type='get' id='a' to='mercutio@montague.net/x'><query xmlns='${NS_DISCO_INFO}'/></iq>`],
    ['a get with two payloads', `<iq type='get' id='a'><query xmlns='${NS_DISCO_INFO}'/><query xmlns='${NS_DISCO_ITEMS}'/></iq>`],
    ['a get with an empty node', `<iq type='get' id='a'><query xmlns='${NS_DISCO_INFO}' node=''/></iq>`],
    ['a message', `<message id='a'><query xmlns='${NS_DISCO_INFO}'/></message>`],
  ])('declines %s', (_what, text) => {
    expect(disco.route(parseXml(text), ROMEO)).toEqual([]);
  });

  it('accepts a get addressed to the bare JID', () => {
    const stanza = parseXml(`<iq type='get' id='b' to='Romeo@montague.net'><query xmlns='${NS_DISCO_INFO}'/></iq>`);
    expect(readIqRequest(stanza, ROMEO, 'query', NS_DISCO_INFO)).toMatchObject({ id: 'b' });
  });
});

describe('disco machine', () => {
  const input = featureInput({ domain: 'montague.net', discoFeatures: ['http://jabber.org/protocol/caps', 'urn:xmpp:ping'] });

  async function startDisco() {
    const fake = fakeServices('romeo@montague.net/orchard');
    const actor = createActor(createDiscoLogic(fake.services, 'node'), { input, clock: fake.clock });
    actor.start();
    await waitFor(actor, (s) => s.context.ownVer !== undefined);
    return { ...fake, actor };
  }

  it('answers disco#info with our identity and every feature', async () => {
    const { actor, take } = await startDisco();
    actor.send({ type: 'disco.infoRequest', id: 'info4', from: 'juliet@capulet.com/balcony' });
    const replies = take();
    expect(replies).toHaveLength(1);
    const [reply] = replies;
    expect(reply!.attrs).toMatchObject({ type: 'result', id: 'info4', to: 'juliet@capulet.com/balcony' });
    expect(parseDiscoInfo(reply!)).toEqual({
      identities: [{ category: 'client', type: 'pc', name: 'xmpp-adapter' }],
      features: ['http://jabber.org/protocol/caps', NS_DISCO_INFO, NS_DISCO_ITEMS, 'urn:xmpp:ping'],
      forms: [],
    });
  });

  it('answers the caps node of our own ver, mirroring the node, and refuses other nodes', async () => {
    const { actor, take } = await startDisco();
    const ver = actor.getSnapshot().context.ownVer!;
    expect(ver).toBe(await verOf(actor.getSnapshot().context.own));
    actor.send({ type: 'disco.infoRequest', id: 'c1', from: 'juliet@capulet.com/balcony', node: `${CAPS_NODE}#${ver}` });
    actor.send({ type: 'disco.infoRequest', id: 'c2', from: 'juliet@capulet.com/balcony', node: `${CAPS_NODE}#stale` });
    const [hit, miss] = take();
    expect(hit!.getChild('query', NS_DISCO_INFO)!.attrs.node).toBe(`${CAPS_NODE}#${ver}`);
    expect(parseDiscoInfo(hit!)).toMatchObject({ features: expect.arrayContaining([NS_DISCO_INFO]) });
    expect(miss!.attrs).toMatchObject({ type: 'error', id: 'c2', to: 'juliet@capulet.com/balcony' });
    expect(miss!.getChild('error')!.getChild('item-not-found', NS_STANZAS)).toBeDefined();
  });

  it('holds a caps-node query that arrives while our ver is being hashed, and answers it once hashed', async () => {
    const ver = await verOf(ownDiscoInfo('xmpp-adapter', input.discoFeatures, 'node'));
    const fake = fakeServices('romeo@montague.net/orchard');
    const actor = createActor(createDiscoLogic(fake.services, 'node'), { input, clock: fake.clock }).start();
    expect(actor.getSnapshot().matches({ ownCaps: 'hashing' })).toBe(true);
    actor.send({ type: 'disco.infoRequest', id: 'early', from: 'juliet@capulet.com/balcony', node: `${CAPS_NODE}#${ver}` });
    actor.send({ type: 'disco.infoRequest', id: 'plain', from: 'juliet@capulet.com/balcony' });
    // The plain query is answered at once; the caps-node one waits.
    expect(fake.take().map((r) => r.attrs.id)).toEqual(['plain']);
    await waitFor(actor, (s) => s.matches({ ownCaps: 'ready' }));
    const [late] = fake.take();
    expect(late!.attrs).toMatchObject({ type: 'result', id: 'early' });
    expect(late!.getChild('query', NS_DISCO_INFO)!.attrs.node).toBe(`${CAPS_NODE}#${ver}`);
    expect(actor.getSnapshot().context.heldQueries).toEqual([]);
  });

  it('answers disco#items with an empty result, and item-not-found for a node', async () => {
    const { actor, take } = await startDisco();
    actor.send({ type: 'disco.itemsRequest', id: 'i1' });
    actor.send({ type: 'disco.itemsRequest', id: 'i2', from: 'juliet@capulet.com/balcony', node: 'music' });
    const replies = take();
    expect(replies).toHaveLength(2);
    const [empty, missing] = replies;
    expect(empty!.attrs).toMatchObject({ type: 'result', id: 'i1' });
    expect(empty!.attrs.to).toBeUndefined();
    expect(empty!.getChild('query', NS_DISCO_ITEMS)!.children).toHaveLength(0);
    expect(missing!.getChild('error')!.getChild('item-not-found', NS_STANZAS)).toBeDefined();
  });

  it('asks the server for its info on a fresh session and keeps it as plain data', async () => {
    const { actor, take, reply } = await startDisco();
    expect(connectDisco(actor.getSnapshot()).status).toBe('idle');
    actor.send({ type: 'session.online', jid: 'romeo@montague.net/orchard', resumed: false });
    expect(connectDisco(actor.getSnapshot()).status).toBe('loading');
    const [request] = take();
    expect(request!.attrs).toMatchObject({ type: 'get', to: 'montague.net' });
    expect(request!.getChild('query', NS_DISCO_INFO)!.attrs.node).toBeUndefined();
    // XEP-0030 §5 example: the server's answer.
    reply(
      request!,
      `<query xmlns='${NS_DISCO_INFO}'><identity category='server' type='im'/><feature var='http://jabber.org/protocol/disco#publish'/><feature var='urn:xmpp:ping'/></query>`,
    );
    await waitFor(actor, (s) => s.matches({ server: 'ready' }));
    const view = connectDisco(actor.getSnapshot());
    expect(view.status).toBe('ready');
    expect(view.serverFeatures).toEqual(['http://jabber.org/protocol/disco#publish', 'urn:xmpp:ping']);
    expect(view.supports('urn:xmpp:ping')).toBe(true);
    expect(view.supports('urn:xmpp:mam:2')).toBe(false);
    expect(actor.getSnapshot().context.server).toEqual({
      identities: [{ category: 'server', type: 'im' }],
      features: ['http://jabber.org/protocol/disco#publish', 'urn:xmpp:ping'],
    });
    expect(JSON.parse(JSON.stringify(actor.getSnapshot().context))).toEqual(actor.getSnapshot().context);
  });

  it('does not ask again on a resumed session, but does on the next fresh one', async () => {
    const { actor, take, reply } = await startDisco();
    actor.send({ type: 'session.online', jid: 'romeo@montague.net/orchard', resumed: false });
    reply(take()[0]!, `<query xmlns='${NS_DISCO_INFO}'><identity category='server' type='im'/><feature var='a'/></query>`);
    await waitFor(actor, (s) => s.matches({ server: 'ready' }));
    actor.send({ type: 'session.offline' });
    actor.send({ type: 'session.online', jid: 'romeo@montague.net/orchard', resumed: true });
    expect(take()).toHaveLength(0);
    actor.send({ type: 'session.offline' });
    actor.send({ type: 'session.online', jid: 'romeo@montague.net/orchard', resumed: false });
    expect(take()).toHaveLength(1);
    expect(connectDisco(actor.getSnapshot()).status).toBe('loading');
  });

  it('records a failed server query, and drops an unfinished one when going offline', async () => {
    const { actor, take, reply, iq } = await startDisco();
    actor.send({ type: 'session.online', jid: 'romeo@montague.net/orchard', resumed: false });
    reply(take()[0]!, `<error type='cancel'><service-unavailable xmlns='${NS_STANZAS}'/></error>`, 'error');
    await waitFor(actor, (s) => s.matches({ server: 'failed' }));
    expect(actor.getSnapshot().context.serverError).toBe('service-unavailable');

    actor.send({ type: 'disco.refreshServer' });
    expect(iq.size).toBe(1);
    actor.send({ type: 'session.offline' });
    expect(connectDisco(actor.getSnapshot()).status).toBe('idle');
    // Leaving `loading` aborted the request: nothing is left waiting in the tracker.
    expect(iq.size).toBe(0);
  });
});

describe('disco helpers', () => {
  it('discoInfo sends a get for jid+node and parses the answer', async () => {
    const { services, take, reply } = fakeServices('romeo@montague.net/orchard');
    const pending = discoInfo(services, 'mim.shakespeare.lit', 'http://jabber.org/protocol/commands');
    const [request] = take();
    expect(request!.attrs).toMatchObject({ type: 'get', to: 'mim.shakespeare.lit' });
    expect(request!.getChild('query', NS_DISCO_INFO)!.attrs.node).toBe('http://jabber.org/protocol/commands');
    // XEP-0030 Example 14: JID+node result.
    reply(
      request!,
      `<query xmlns='http://jabber.org/protocol/disco#info' node='http://jabber.org/protocol/commands'><identity category='automation' type='command-list'/></query>`,
    );
    await expect(pending).resolves.toEqual({
      node: 'http://jabber.org/protocol/commands',
      identities: [{ category: 'automation', type: 'command-list' }],
      features: [],
      forms: [],
    });
  });

  it('discoItems parses the answer and rejects a malformed one', async () => {
    const { services, take, reply } = fakeServices('romeo@montague.net/orchard');
    const ok = discoItems(services, 'shakespeare.lit');
    reply(take()[0]!, SHAKESPEARE_ITEMS.replace(/^[\s\S]*?(<query)/, '$1').replace(/<\/iq>\s*$/, ''));
    await expect(ok).resolves.toMatchObject({
      items: expect.arrayContaining([{ jid: 'people.shakespeare.lit', name: 'Directory of Characters' }]),
    });

    const bad = discoItems(services, 'shakespeare.lit');
    reply(take()[0]!, '');
    await expect(bad).rejects.toMatchObject({ code: 'bad-reply' });
  });
});
