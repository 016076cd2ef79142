import { describe, expect, it } from 'vitest';
import { createActor, waitFor, type SnapshotFrom } from 'xstate';
import {
  NS_BLOCKING,
  applyBlockingPush,
  block,
  blocking,
  connectBlocking,
  createBlockingLogic,
  parseBlocklist,
  unblock,
  type BlockingLogic,
} from '../../../src/xeps/blocking/index.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, ok, routeContext } from './harness.js';

const JULIET = routeContext('juliet@capulet.com/chamber');

// XEP-0191 §5.2: the server returns a block list with items.
const BLOCKLIST = `
<iq type='result' id='blocklist1'>
  <blocklist xmlns='urn:xmpp:blocking'>
    <item jid='romeo@montague.net'/>
    <item jid='iago@shakespeare.lit'/>
  </blocklist>
</iq>`;

// XEP-0191 §5.3: a block push.
const BLOCK_PUSH = (from = '') => `
<iq to='juliet@capulet.com/chamber'${from} type='set' id='push1'>
  <block xmlns='urn:xmpp:blocking'>
    <item jid='romeo@montague.net'/>
  </block>
</iq>`;

describe('blocking codec', () => {
  it('reads the XEP-0191 block lists, empty included', () => {
    expect(ok(parseBlocklist(parseXml(BLOCKLIST)))).toEqual(['romeo@montague.net', 'iago@shakespeare.lit']);
    expect(ok(parseBlocklist(parseXml(`<iq type='result' id='b'><blocklist xmlns='urn:xmpp:blocking'/></iq>`)))).toEqual([]);
    expect(parseBlocklist(parseXml(`<iq type='result' id='b'/>`))).toHaveProperty('kind', 'stanza-parse-error');
  });

  it('routes pushes from the own server only', () => {
    expect(blocking.route(parseXml(BLOCK_PUSH()), JULIET)).toEqual([
      { type: 'blocking.push', id: 'push1', action: 'block', jids: ['romeo@montague.net'] },
    ]);
    expect(blocking.route(parseXml(BLOCK_PUSH(` from='juliet@capulet.com'`)), JULIET)).toHaveLength(1);
    expect(blocking.route(parseXml(BLOCK_PUSH(` from='capulet.com'`)), JULIET)).toHaveLength(1);
    for (const from of ['romeo@montague.net', 'juliet@capulet.com/balcony', 'evil.capulet.com', '@@']) {
      expect(blocking.route(parseXml(BLOCK_PUSH(` from='${from}'`)), JULIET)).toEqual([]);
    }
    // XEP-0191 §5.5: an empty unblock unblocks everyone; an empty block is not a push.
    expect(blocking.route(parseXml(`<iq type='set' id='push5'><unblock xmlns='urn:xmpp:blocking'/></iq>`), JULIET)).toEqual([
      { type: 'blocking.push', id: 'push5', action: 'unblock', jids: [] },
    ]);
    expect(blocking.route(parseXml(`<iq type='set' id='p'><block xmlns='urn:xmpp:blocking'/></iq>`), JULIET)).toEqual([]);
    expect(blocking.route(parseXml(`<iq type='get' id='p'><blocklist xmlns='urn:xmpp:blocking'/></iq>`), JULIET)).toEqual([]);
  });

  it('applies pushes', () => {
    expect(applyBlockingPush(['a@b'], { action: 'block', jids: ['a@b', 'c@d'] })).toEqual(['a@b', 'c@d']);
    expect(applyBlockingPush(['a@b', 'c@d'], { action: 'unblock', jids: ['a@b'] })).toEqual(['c@d']);
    expect(applyBlockingPush(['a@b', 'c@d'], { action: 'unblock', jids: [] })).toEqual([]);
  });
});

function startBlocking() {
  const fake = fakeServices(JULIET.me);
  const actor = createActor(createBlockingLogic(fake.services), { input: featureInput(), clock: fake.clock }).start();
  const view = () => connectBlocking(actor.getSnapshot() as SnapshotFrom<BlockingLogic>);
  const settled = () => waitFor(actor, (s) => !s.matches('loading'));
  return { ...fake, actor, view, settled };
}

describe('blocking actor', () => {
  it('fetches the list on fresh sessions and applies acknowledged pushes', async () => {
    const b = startBlocking();
    b.actor.send({ type: 'session.online', jid: JULIET.me, resumed: false });
    expect(b.take()).toHaveLength(1);
    // The stream drops before the answer and is resumed: the list is asked for again.
    b.actor.send({ type: 'session.offline' });
    b.actor.send({ type: 'session.online', jid: JULIET.me, resumed: true });
    const [get] = b.take();
    expect(get!.getChild('blocklist', NS_BLOCKING)).toBeDefined();
    b.reply(get!, parseXml(BLOCKLIST).getChild('blocklist')!.toString());
    await b.settled();
    expect(b.view()).toMatchObject({ status: 'ready', blocked: ['iago@shakespeare.lit', 'romeo@montague.net'] });
    for (const event of blocking.route(
      parseXml(`<iq type='set' id='push3'><unblock xmlns='urn:xmpp:blocking'><item jid='romeo@montague.net'/></unblock></iq>`),
      JULIET,
    )) {
      b.actor.send(event);
    }
    expect(b.take().map(String)).toEqual([`<iq type="result" id="push3"/>`]);
    expect(b.view().blocked).toEqual(['iago@shakespeare.lit']);
  });

  it('applies a push that arrives during the fetch to the fetched list', async () => {
    const b = startBlocking();
    b.actor.send({ type: 'session.online', jid: JULIET.me, resumed: false });
    const [get] = b.take();
    for (const event of blocking.route(parseXml(BLOCK_PUSH()), JULIET)) b.actor.send(event);
    b.reply(get!, `<blocklist xmlns='urn:xmpp:blocking'><item jid='iago@shakespeare.lit'/></blocklist>`);
    await b.settled();
    expect(b.view().blocked).toEqual(['iago@shakespeare.lit', 'romeo@montague.net']);
    expect(b.actor.getSnapshot().context.heldPushes).toEqual([]);
  });

  it('is unsupported when the server answers with an error, failed on timeout', async () => {
    const b = startBlocking();
    b.actor.send({ type: 'session.online', jid: JULIET.me, resumed: false });
    b.reply(b.take()[0]!, `<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await b.settled();
    expect(b.view().status).toBe('unsupported');

    const c = startBlocking();
    c.actor.send({ type: 'session.online', jid: JULIET.me, resumed: false });
    c.clock.increment(15_000);
    await c.settled();
    expect(c.view().status).toBe('failed');
  });

  it('matches JIDs like XEP-0191 §4', () => {
    const b = startBlocking();
    for (const event of blocking.route(
      parseXml(
        `<iq type='set' id='p'><block xmlns='urn:xmpp:blocking'><item jid='romeo@montague.net'/><item jid='evil.lit'/><item jid='a@b.lit/r'/></block></iq>`,
      ),
      JULIET,
    )) {
      b.actor.send(event);
    }
    const v = b.view();
    expect(v.isBlocked('Romeo@montague.net/orchard')).toBe(true);
    expect(v.isBlocked('anyone@evil.lit')).toBe(true);
    expect(v.isBlocked('muc.evil.lit')).toBe(true);
    expect(v.isBlocked('a@b.lit/r')).toBe(true);
    expect(v.isBlocked('a@b.lit/other')).toBe(false);
    expect(v.isBlocked('juliet@capulet.com')).toBe(false);
  });
});

describe('blocking helpers', () => {
  it('send block and unblock sets', async () => {
    const { services, take, reply } = fakeServices();
    const done = block(services, ['Romeo@montague.net']);
    const [set] = take();
    expect(set!.getChild('block', NS_BLOCKING)!.toString()).toBe(
      `<block xmlns="urn:xmpp:blocking"><item jid="romeo@montague.net"/></block>`,
    );
    reply(set!);
    await done;
    const all = unblock(services, []);
    const [unset] = take();
    expect(unset!.getChild('unblock', NS_BLOCKING)!.toString()).toBe(`<unblock xmlns="urn:xmpp:blocking"/>`);
    reply(unset!);
    await all;
    await expect(block(services, [])).rejects.toMatchObject({ code: 'invalid-options' });
  });
});
