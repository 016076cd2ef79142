import type { Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { createActor, waitFor, type SnapshotFrom } from 'xstate';
import {
  NS_PUSH,
  applyPushCommand,
  buildDisable,
  buildEnable,
  connectPush,
  createPushLogic,
  parsePushNotification,
  push,
  type PushFinishedEvent,
  type PushLogic,
} from '../../../src/xeps/push/index.js';
import { parseXml, xmlTree } from '../../support/xml.js';
import { fakeServices, featureInput, ok } from './harness.js';

function sameXml(built: Element, example: string): void {
  expect(xmlTree(built, ['id'])).toEqual(xmlTree(parseXml(example), ['id']));
}

// XEP-0357 §5 and §6 examples.
const ENABLE = `<iq type='set' id='x42'><enable xmlns='urn:xmpp:push:0' jid='push-5.client.example' node='yxs32uqsflafdk3iuqo' /></iq>`;
// The spec's example is not well-formed (`<value>…<value>`) and leaves the form's type out; XEP-0004 submissions say type='submit'.
const ENABLE_WITH_OPTIONS = `
<iq type='set' id='x43'>
  <enable xmlns='urn:xmpp:push:0' jid='push-5.client.example' node='yxs32uqsflafdk3iuqo'>
    <x xmlns='jabber:x:data' type='submit'>
      <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>
      <field var='secret'><value>eruio234vzxc2kla-91</value></field>
    </x>
  </enable>
</iq>`;
const DISABLE_ALL = `<iq type='set' id='x97'><disable xmlns='urn:xmpp:push:0' jid='push-5.client.example' /></iq>`;
const DISABLE_NODE = `<iq type='set' id='x97'><disable xmlns='urn:xmpp:push:0' jid='push-5.client.example' node='yxs32uqsflafdk3iuqo' /></iq>`;
// §7: a publish with publish options (values closed properly).
const PUBLISH = `
<iq type='set' from='user@example.com' to='push-5.client.example' id='n12'>
  <pubsub xmlns='http://jabber.org/protocol/pubsub'>
    <publish node='yxs32uqsflafdk3iuqo'>
      <item>
        <notification xmlns='urn:xmpp:push:0'>
          <x xmlns='jabber:x:data'>
            <field var='FORM_TYPE'><value>urn:xmpp:push:summary</value></field>
            <field var='message-count'><value>1</value></field>
            <field var='last-message-sender'><value>juliet@capulet.example/balcony</value></field>
            <field var='last-message-body'><value>Wherefore art thou, Romeo?</value></field>
          </x>
          <additional xmlns='http://example.com/custom'>Additional custom elements</additional>
        </notification>
      </item>
    </publish>
    <publish-options>
      <x xmlns='jabber:x:data'>
        <field var='FORM_TYPE'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>
        <field var='secret'><value>eruio234vzxc2kla-91</value></field>
      </x>
    </publish-options>
  </pubsub>
</iq>`;

const APP = 'push-5.client.example';
const NODE = 'yxs32uqsflafdk3iuqo';
const ME = 'juliet@capulet.lit/balcony';
const DISCO_PUSH = `<query xmlns='http://jabber.org/protocol/disco#info'><identity category='account' type='registered'/><feature var='urn:xmpp:push:0'/></query>`;
const DISCO_NONE = `<query xmlns='http://jabber.org/protocol/disco#info'><identity category='account' type='registered'/></query>`;

describe('XEP-0357 codec', () => {
  it('builds enable and disable as in the examples (§5, §6)', () => {
    sameXml(buildEnable({ jid: APP, node: NODE }), ENABLE);
    sameXml(buildEnable({ jid: APP, node: NODE, publishOptions: { secret: 'eruio234vzxc2kla-91' } }), ENABLE_WITH_OPTIONS);
    sameXml(buildEnable({ jid: APP, node: NODE, publishOptions: {} }), ENABLE);
    sameXml(buildDisable(APP), DISABLE_ALL);
    sameXml(buildDisable(APP, NODE), DISABLE_NODE);
  });

  it('reads a published notification with its summary and publish options (§7)', () => {
    expect(ok(parsePushNotification(parseXml(PUBLISH)))).toEqual({
      id: 'n12',
      from: 'user@example.com',
      node: NODE,
      summary: {
        'message-count': '1',
        'last-message-sender': 'juliet@capulet.example/balcony',
        'last-message-body': 'Wherefore art thou, Romeo?',
      },
      publishOptions: { secret: 'eruio234vzxc2kla-91' },
    });
    expect(
      parsePushNotification(parseXml(`<iq type='set' id='a'><pubsub xmlns='http://jabber.org/protocol/pubsub'/></iq>`)),
    ).toHaveProperty('kind', 'stanza-parse-error');
  });

  it('remembers the last enable per JID and node, and disables per node or per service (§5, §6)', () => {
    let list = applyPushCommand([], { type: 'push.enable', jid: APP, node: 'a' });
    list = applyPushCommand(list, { type: 'push.enable', jid: APP, node: 'b' });
    list = applyPushCommand(list, { type: 'push.enable', jid: APP, node: 'a', publishOptions: { secret: 's' } });
    list = applyPushCommand(list, { type: 'push.enable', jid: 'other.example', node: 'c' });
    expect(list).toEqual([
      { jid: APP, node: 'b' },
      { jid: APP, node: 'a', publishOptions: { secret: 's' } },
      { jid: 'other.example', node: 'c' },
    ]);
    expect(applyPushCommand(list, { type: 'push.disable', jid: APP, node: 'a' }).map((r) => r.node)).toEqual(['b', 'c']);
    expect(applyPushCommand(list, { type: 'push.disable', jid: APP }).map((r) => r.node)).toEqual(['c']);
  });

  it('is a session feature with intents and no routes', () => {
    expect(push).toMatchObject({ id: 'push', lifetime: 'session', intents: ['push.enable', 'push.disable'], handles: [] });
  });
});

function startPush(enabled: Parameters<typeof createPushLogic>[1] = {}) {
  const fake = fakeServices(ME);
  const actor = createActor(createPushLogic(fake.services, enabled), { input: featureInput(), clock: fake.clock }).start();
  const finished: PushFinishedEvent[] = [];
  actor.on('push.finished', (e) => finished.push(e));
  const view = () => connectPush(actor.getSnapshot() as SnapshotFrom<PushLogic>);
  const settled = () => waitFor(actor, (s) => !s.matches('syncing'));
  const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { ...fake, actor, view, settled, finished, flush };
}

describe('push actor', () => {
  it('checks disco on the own bare JID before enabling, and remembers what was enabled', async () => {
    const p = startPush();
    p.actor.send({ type: 'session.online', jid: ME, resumed: false });
    // Nothing remembered yet: no IQ on login.
    expect(p.take()).toEqual([]);
    expect(p.view().status).toBe('ready');

    p.actor.send({ type: 'push.enable', jid: APP, node: NODE, publishOptions: { secret: 's3' }, requestId: 'r1' });
    const [disco] = p.take();
    // §4.1: "it MUST send a XEP-0030 information query to the user's bare JID".
    expect(disco!.attrs.to).toBe('juliet@capulet.lit');
    p.reply(disco!, DISCO_PUSH);
    await p.flush();
    const [enable] = p.take();
    expect(enable!.getChild('enable', NS_PUSH)!.attrs).toMatchObject({ jid: APP, node: NODE });
    p.reply(enable!);
    await p.flush();
    expect(p.finished).toEqual([{ type: 'push.finished', requestId: 'r1', command: 'push.enable' }]);
    expect(p.view()).toMatchObject({ supported: true, enabled: [{ jid: APP, node: NODE, hasPublishOptions: true }] });
    // §5: the publish options are credentials; no snapshot holds them.
    expect(JSON.stringify(p.actor.getSnapshot().context)).not.toContain('"s3"');

    // Support is known on this session: the next command goes straight out.
    p.actor.send({ type: 'push.disable', jid: APP, requestId: 'r2' });
    const [disable] = p.take();
    expect(disable!.getChild('disable', NS_PUSH)!.attrs).toEqual({ xmlns: NS_PUSH, jid: APP });
    p.reply(disable!);
    await p.flush();
    expect(p.view().enabled).toEqual([]);
  });

  it('enables the remembered registrations again on every fresh session, not on a resumed one', async () => {
    const p = startPush({ enabled: [{ jid: APP, node: NODE, publishOptions: { secret: 's3' } }] });
    p.actor.send({ type: 'session.online', jid: ME, resumed: false });
    expect(p.view().status).toBe('syncing');
    p.reply(p.take()[0]!, DISCO_PUSH);
    await p.flush();
    const [enable] = p.take();
    expect(enable!.toString()).toContain('<value>s3</value>');
    expect(JSON.stringify(p.actor.getSnapshot().context)).not.toContain('"s3"');
    p.reply(enable!);
    await p.settled();
    expect(p.view()).toMatchObject({ status: 'ready', supported: true });

    p.actor.send({ type: 'session.offline' });
    p.actor.send({ type: 'session.online', jid: ME, resumed: true });
    expect(p.take()).toEqual([]);
    expect(p.view().status).toBe('ready');

    p.actor.send({ type: 'session.offline' });
    p.actor.send({ type: 'session.online', jid: 'juliet@capulet.lit/other', resumed: false });
    p.reply(p.take()[0]!, DISCO_PUSH);
    await p.flush();
    expect(p.take().map((el) => el.getChild('enable', NS_PUSH)?.attrs.node)).toEqual([NODE]);
  });

  it('remembers changes made offline and sends them on the next session, even a resumed one', async () => {
    const p = startPush({ enabled: [{ jid: APP, node: 'old' }] });
    p.actor.send({ type: 'push.disable', jid: APP, node: 'old', requestId: 'd' });
    p.actor.send({ type: 'push.enable', jid: APP, node: NODE, requestId: 'e' });
    expect(p.finished.map((f) => [f.requestId, f.deferred])).toEqual([
      ['d', true],
      ['e', true],
    ]);
    p.actor.send({ type: 'session.online', jid: ME, resumed: true });
    p.reply(p.take()[0]!, DISCO_PUSH);
    await p.flush();
    const [disable] = p.take();
    expect(disable!.getChild('disable', NS_PUSH)!.attrs.node).toBe('old');
    p.reply(disable!);
    await p.flush();
    const [enable] = p.take();
    expect(enable!.getChild('enable', NS_PUSH)!.attrs.node).toBe(NODE);
    p.reply(enable!);
    await p.settled();
    expect(p.actor.getSnapshot().context).toMatchObject({ dirty: false, pendingDisables: [], registrations: [{ jid: APP, node: NODE }] });
  });

  it('is unsupported when the account does not list urn:xmpp:push:0, and reports errors', async () => {
    const p = startPush({ enabled: [{ jid: APP, node: NODE }] });
    p.actor.send({ type: 'session.online', jid: ME, resumed: false });
    p.reply(p.take()[0]!, DISCO_NONE);
    await p.settled();
    expect(p.view()).toMatchObject({ status: 'unsupported', supported: false });
    expect(p.take()).toEqual([]);
    p.actor.send({ type: 'push.enable', jid: APP, node: 'n2', requestId: 'u' });
    await p.flush();
    expect(p.finished[0]).toMatchObject({ requestId: 'u', error: { code: 'unsupported' } });
    expect(p.take()).toEqual([]);

    const q = startPush();
    q.actor.send({ type: 'session.online', jid: ME, resumed: false });
    q.actor.send({ type: 'push.enable', jid: ME, node: NODE, requestId: 'bad' });
    q.reply(q.take()[0]!, DISCO_PUSH);
    await q.flush();
    q.reply(q.take()[0]!, `<error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await q.flush();
    expect(q.finished[0]).toMatchObject({ requestId: 'bad', error: { condition: 'bad-request' } });
    expect(q.view().enabled).toEqual([]);
  });

  it('fails the sync on a timeout and tries again on the next fresh session', async () => {
    const p = startPush({ enabled: [{ jid: APP, node: NODE }] });
    p.actor.send({ type: 'session.online', jid: ME, resumed: false });
    p.take();
    p.clock.increment(15_000);
    await p.settled();
    expect(p.view().status).toBe('failed');
    p.actor.send({ type: 'session.offline' });
    p.actor.send({ type: 'session.online', jid: ME, resumed: false });
    expect(p.view().status).toBe('syncing');
  });
});
