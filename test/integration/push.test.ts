import { xml } from '@xmpp/xml';
import { afterEach, describe, expect, it } from 'vitest';
import { fromCallback, type SnapshotFrom } from 'xstate';
import { createPushApi } from '../../src/client/push-api.js';
import { defineFeature, type FeatureModule } from '../../src/xeps/feature.js';
import { replyResult } from '../../src/xeps/iq-request.js';
import {
  NS_PUBSUB,
  connectPush,
  createPushFeature,
  parsePushNotification,
  push,
  type PushLogic,
  type PushNotification,
} from '../../src/xeps/push/index.js';
import { defaultFeatures, withFeatures } from '../../src/xeps/registry.js';
import { TCP_URL, uniqueUsers, type TestUser } from '../../scripts/prosody.js';
import { observedClient, type ObservedClient } from '../support/client.js';

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

/**
 * The "app server" of the test: a client whose feature answers every XEP-0357 §7 publish the user's
 * server sends it with a result, as a push service must, and records it.
 */
function appServerFeature(received: PushNotification[]): FeatureModule {
  return defineFeature<{ type: 'appserver.publish'; notification: PushNotification }>({
    id: 'test-app-server',
    spec: [],
    discoFeatures: [],
    handles: [{ stanza: 'iq', ns: NS_PUBSUB }],
    route: (stanza) => {
      const notification = parsePushNotification(stanza);
      return 'kind' in notification ? [] : [{ type: 'appserver.publish', notification }];
    },
    logic: (services) =>
      fromCallback<{ type: 'appserver.publish'; notification: PushNotification }>(({ receive }) => {
        receive((event) => {
          // Session features also get session.online / session.offline.
          if (event.type !== 'appserver.publish') return;
          const { notification } = event;
          received.push(notification);
          services.send(
            replyResult(notification.from === undefined ? { id: notification.id } : { id: notification.id, from: notification.from }),
          );
        });
      }),
    lifetime: 'session',
  });
}

async function online(user: TestUser, features: readonly FeatureModule[]): Promise<ObservedClient & { jid: string }> {
  // A long reconnect wait: a cut connection stays down (hibernated on the server) until the test ends.
  const c = observedClient(
    user,
    TCP_URL,
    { reconnect: { minDelay: 60_000, maxDelay: 60_000 } },
    { features: withFeatures(defaultFeatures, ...features) },
  );
  running.push(c);
  const view = await c.client.start();
  return { ...c, jid: view.jid! };
}

const pushApiOf = (c: ObservedClient) => createPushApi(c.client.actor, () => true);
const pushView = (c: ObservedClient) => connectPush(c.client.feature('push')!.getSnapshot() as SnapshotFrom<PushLogic>);

async function setUp(prefix: string, userFeatures: readonly FeatureModule[] = [push]) {
  const [userAccount, appAccount] = await uniqueUsers([`${prefix}-user`, `${prefix}-app`]);
  const received: PushNotification[] = [];
  const app = await online(appAccount!, [appServerFeature(received)]);
  const user = await online(userAccount!, userFeatures);
  const message = (body: string) => app.client.sendStanza(xml('message', { to: userAccount!.jid, type: 'chat' }, xml('body', {}, body)));
  return { user, app, received, message, userAccount: userAccount! };
}

describe('XEP-0357 Push Notifications against the local Prosody (mod_cloud_notify)', () => {
  it('a message to a stopped client makes the server publish to the app server, with the publish options', async () => {
    const { user, app, received, message } = await setUp('pstop');
    // The app server is a full JID: a publish to a bare JID would go to that account's PEP service.
    await expect(pushApiOf(user).enable(app.jid, 'node-1', { secret: 'app-secret' })).resolves.toEqual({ deferred: false });
    expect(pushView(user)).toMatchObject({ status: 'ready', supported: true, enabled: [{ jid: app.jid, node: 'node-1' }] });
    await user.client.stop();
    message('are you there?');
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    expect(received[0]).toMatchObject({ node: 'node-1', publishOptions: { secret: 'app-secret' }, summary: { 'message-count': '1' } });
  });

  it('a message to a hibernated session (socket cut, not resumed) is pushed too', async () => {
    const { user, app, received, message } = await setUp('phib');
    await pushApiOf(user).enable(app.jid, 'node-h');
    expect(user.client.getSnapshot().context.connection.streamManagement).toBe(true);
    user.client.actor.system.get('transport')!.send({ type: 'transport.abort', reason: { kind: 'network', message: 'test cut' } });
    await user.waitFor('reconnecting');
    message('wake up');
    await expect.poll(() => received.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(received[0]!.node).toBe('node-h');
  });

  it('after disable nothing is published', async () => {
    const { user, app, received, message } = await setUp('pdis');
    const api = pushApiOf(user);
    await api.enable(app.jid, 'node-d');
    await api.disable(app.jid, 'node-d');
    expect(pushView(user).enabled).toEqual([]);
    await user.client.stop();
    message('silence');
    // Delivery to the app server takes milliseconds on loopback (see the tests above).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(received).toEqual([]);
  });

  it('a new client enables the saved registrations on its fresh session', async () => {
    const { user, app, received, message, userAccount } = await setUp('pnew');
    await pushApiOf(user).enable(app.jid, 'node-n', { secret: 's2' });
    // The view names the registration but not its credentials: the app keeps its own copy.
    expect(pushView(user).enabled).toEqual([{ jid: app.jid, node: 'node-n', hasPublishOptions: true }]);
    const saved = [{ jid: app.jid, node: 'node-n', publishOptions: { secret: 's2' } }];
    // Gone from the server: only the next client's sync can bring it back.
    await pushApiOf(user).disable(app.jid);
    await user.client.stop();

    const next = await online(userAccount, [createPushFeature({ enabled: saved })]);
    await expect.poll(() => pushView(next).status, { timeout: 10_000 }).toBe('ready');
    await next.client.stop();
    message('hello again');
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    expect(received[0]).toMatchObject({ node: 'node-n', publishOptions: { secret: 's2' } });
  });
});
