import { describe, expect, it } from 'vitest';
import { SimulatedClock, waitFor, type AnyActorRef } from 'xstate';
import { createXmppClient, type XmppClient } from '../../../src/client/create-client.js';
import { createProfileApi } from '../../../src/client/profile-api.js';
import { createPubsubApi } from '../../../src/client/pubsub-api.js';
import { XmppAdapterError } from '../../../src/errors.js';
import type { FeatureModule } from '../../../src/xeps/feature.js';
import { profile } from '../../../src/xeps/profile/index.js';
import { createPubsubFeature, type PubsubItemsEmitted } from '../../../src/xeps/pubsub/index.js';
import { defaultFeatures, withFeatures } from '../../../src/xeps/registry.js';
import { createFakeServer } from '../../support/fake-server.js';

const OPTIONS = { service: 'wss://example.org/ws', username: 'alice', password: 'x', domain: 'example.org' };
const NICK = 'http://jabber.org/protocol/nick';

function clientWith(features: readonly FeatureModule[]) {
  const server = createFakeServer({ jid: 'alice@example.org/test' });
  const client = createXmppClient(OPTIONS, { transport: server.logic, clock: new SimulatedClock(), features });
  let started = false;
  const isRunning = () => started && client.actor.getSnapshot().status === 'active';
  const online = async () => {
    started = true;
    void client.start().catch(() => {});
    server.acceptConnection();
    await waitFor(client.actor, (s) => s.context.connection.status === 'online');
  };
  return {
    server,
    client,
    online,
    pubsub: createPubsubApi(client.actor, client.services, isRunning),
    profile: createProfileApi(client.actor, client.services, isRunning),
  };
}

const codeOf = (error: unknown) => (error instanceof XmppAdapterError ? error.code : String(error));
const ownFeatures = (client: XmppClient) =>
  (client.actor.system.get('disco') as AnyActorRef).getSnapshot().context.own.features as string[];

describe('client.pubsub and client.profile helpers', () => {
  it('say stopped before start, and feature-failed without the feature', async () => {
    const before = clientWith(withFeatures(defaultFeatures, createPubsubFeature(), profile));
    expect(codeOf(await before.pubsub.items('n').catch((e: unknown) => e))).toBe('stopped');
    expect(() => before.pubsub.follow('n')).toThrow(/not running/);

    const without = clientWith(defaultFeatures.filter((f) => f.id !== 'pubsub' && f.id !== 'profile'));
    await without.online();
    expect(codeOf(await without.pubsub.publish('n', { name: 'x', attrs: {}, children: [] }).catch((e: unknown) => e))).toBe(
      'feature-failed',
    );
    expect(codeOf(await without.profile.nick('bob@example.org').catch((e: unknown) => e))).toBe('feature-failed');
    expect(without.server.sent((el) => el.getChild('pubsub') !== undefined)).toEqual([]);
    await without.client.stop();
  });

  it('advertise +notify, route notifications through the session and ignore a forged one', async () => {
    const c = clientWith(withFeatures(defaultFeatures, createPubsubFeature({ notify: ['urn:example:mood'] }), profile));
    await c.online();
    expect(ownFeatures(c.client)).toEqual(
      expect.arrayContaining(['urn:example:mood+notify', 'urn:xmpp:avatar:metadata+notify', `${NICK}+notify`]),
    );
    expect(() => c.pubsub.follow('')).toThrow(XmppAdapterError);
    c.pubsub.follow('urn:example:feed', 'pubsub.example.org');
    const heard: PubsubItemsEmitted[] = [];
    const off = c.pubsub.onItems((e) => heard.push(e));

    const event = (from: string, node: string, payload: string) =>
      `<message from='${from}' to='alice@example.org/test' type='headline'><event xmlns='http://jabber.org/protocol/pubsub#event'>` +
      `<items node='${node}'><item id='current'>${payload}</item></items></event></message>`;
    c.server.pushIncoming(event('bob@example.org', 'urn:example:mood', `<mood xmlns='urn:example:mood'>happy</mood>`));
    c.server.pushIncoming(event('bob@example.org', NICK, `<nick xmlns='${NICK}'>Bobby</nick>`));
    c.server.pushIncoming(event('bob@example.org/phone', NICK, `<nick xmlns='${NICK}'>Forged</nick>`));
    c.server.pushIncoming(event('evil.example.net', 'urn:example:feed', `<entry xmlns='http://www.w3.org/2005/Atom'/>`));
    c.server.pushIncoming(event('pubsub.example.org', 'urn:example:feed', `<entry xmlns='http://www.w3.org/2005/Atom'/>`));

    // `notify` replaced the default nodes: the nickname is the profile feature's, not followed here.
    expect(heard.map((e) => [e.service, e.node])).toEqual([
      ['bob@example.org', 'urn:example:mood'],
      ['pubsub.example.org', 'urn:example:feed'],
    ]);
    expect(c.pubsub.view().latest('bob@example.org', 'urn:example:mood')?.payload?.children).toEqual(['happy']);
    expect(c.profile.view().of('bob@example.org').nick).toBe('Bobby');
    // Known from the notification: no request needed.
    expect(await c.profile.nick('bob@example.org')).toBe('Bobby');
    expect(c.server.sent({ name: 'iq', to: 'bob@example.org' })).toEqual([]);
    off();
    c.pubsub.unfollow('urn:example:feed', 'pubsub.example.org');
    expect(c.pubsub.view().items('pubsub.example.org', 'urn:example:feed')).toEqual([]);
    await c.client.stop();
  });
});
