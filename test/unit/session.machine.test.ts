import { xml } from '@xmpp/xml';
import { fromCallback, SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createXmppClient } from '../../src/client/create-client.js';
import { selectConnection } from '../../src/client/select-connection.js';
import { defineFeature, type FeatureModule, type SessionLifecycleEvent } from '../../src/xeps/feature.js';
import { createFakeServer, flushMicrotasks } from '../support/fake-server.js';

const NS_ECHO = 'urn:example:echo';

/** A feature that records what reaches it; `crashOn` makes its actor throw. */
function probeFeature(id: string, ns: string, options: { lifetime?: 'online' | 'session'; crashOn?: string } = {}) {
  const received: Array<{ type: string }> = [];
  let routeCalls = 0;
  const feature: FeatureModule = defineFeature({
    id,
    spec: [],
    discoFeatures: [ns],
    handles: [
      { stanza: 'iq', ns },
      { stanza: 'message', ns },
    ],
    route(stanza) {
      routeCalls++;
      return [{ type: `${id}.got`, id: stanza.attrs.id ?? '', from: stanza.attrs.from ?? '' }];
    },
    logic: () =>
      fromCallback<{ type: string }>(({ receive }) => {
        receive((event) => {
          if (options.crashOn && event.type === options.crashOn) throw new Error(`${id} crashed`);
          received.push(event);
        });
      }),
    lifetime: options.lifetime ?? 'session',
  });
  return { feature, received, routeCalls: () => routeCalls };
}

function start(features: FeatureModule[]) {
  const server = createFakeServer();
  const clock = new SimulatedClock();
  const client = createXmppClient(
    { service: 'wss://example.org/ws', username: 'alice', password: 'x', domain: 'example.org' },
    { transport: server.logic, clock, features },
  );
  const errors: string[] = [];
  client.on('error', (e) => errors.push(`${e.source}: ${e.message}`));
  void client.start().catch(() => {});
  server.acceptConnection();
  return { server, clock, client, errors };
}

describe('session', () => {
  it('answers an unclaimed iq get/set with service-unavailable exactly once, and never answers results', () => {
    const { server } = start([]);
    server.pushIncoming(
      `<iq type="get" id="u1" from="bob@example.org/pc" to="alice@example.org/test"><query xmlns="urn:example:unknown"/></iq>`,
    );
    server.pushIncoming(`<iq type="set" id="u2" from="bob@example.org/pc"><thing xmlns="urn:example:unknown"/></iq>`);
    server.pushIncoming(`<iq type="result" id="nobody-asked" from="bob@example.org/pc"/>`);
    server.pushIncoming(`<iq type="error" id="nobody-asked-2" from="bob@example.org/pc"/>`);
    // RFC 6120 §8.1.3: without an id there is nothing a reply could refer to.
    server.pushIncoming(`<iq type="get" from="bob@example.org/pc"><query xmlns="urn:example:unknown"/></iq>`);
    const replies = server.sent({ name: 'iq', type: 'error' });
    expect(replies.map((r) => r.attrs.id)).toEqual(['u1', 'u2']);
    expect(replies[0]!.attrs.to).toBe('bob@example.org/pc');
    expect(replies[0]!.getChild('error')!.getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
  });

  it('routes a stanza only to the feature indexed for its namespace', () => {
    const echo = probeFeature('echo', NS_ECHO);
    const other = probeFeature('other', 'urn:example:other');
    const { server } = start([echo.feature, other.feature]);
    server.pushIncoming(`<iq type="get" id="e1" from="bob@example.org/pc"><echo xmlns="${NS_ECHO}"/></iq>`);
    expect(echo.received.filter((e) => e.type === 'echo.got')).toEqual([{ type: 'echo.got', id: 'e1', from: 'bob@example.org/pc' }]);
    expect(other.routeCalls()).toBe(0);
    // Claimed: the session does not answer it as well.
    expect(server.sent({ name: 'iq', type: 'error' })).toHaveLength(0);
  });

  it('tells session features when the session goes online (fresh or resumed) and offline', () => {
    const probe = probeFeature('probe', NS_ECHO);
    const { server, clock } = start([probe.feature]);
    const lifecycle = () => probe.received.filter((e): e is SessionLifecycleEvent => e.type.startsWith('session.'));
    expect(lifecycle()).toEqual([{ type: 'session.online', jid: 'alice@example.org/test', resumed: false, streamFeatures: [] }]);
    server.drop();
    clock.increment(60_000);
    const offered = ['urn:xmpp:sm:3', 'urn:xmpp:features:rosterver'];
    server.acceptConnection({ resumed: true, streamFeatures: offered });
    expect(lifecycle().slice(1)).toEqual([
      { type: 'session.offline' },
      { type: 'session.online', jid: 'alice@example.org/test', resumed: true, streamFeatures: offered },
    ]);
  });

  it('runs online features only while online', () => {
    const live = probeFeature('live', NS_ECHO, { lifetime: 'online' });
    const { server, client, clock } = start([live.feature]);
    expect(client.actor.getSnapshot().children.live).toBeDefined();
    server.drop();
    expect(client.actor.getSnapshot().children.live).toBeUndefined();
    clock.increment(60_000);
    server.acceptConnection();
    expect(client.actor.getSnapshot().children.live).toBeDefined();
  });

  it('contains a failing feature: the session keeps running, reports it, and answers its IQs from then on', () => {
    const fragile = probeFeature('fragile', NS_ECHO, { crashOn: 'fragile.got' });
    const { server, client, errors } = start([fragile.feature]);
    server.pushIncoming(`<message from="bob@example.org/pc"><x xmlns="${NS_ECHO}"/></message>`);
    expect(errors).toEqual(['fragile: fragile crashed']);
    expect(client.actor.getSnapshot().status).toBe('active');
    expect(selectConnection(client.getSnapshot()).status).toBe('online');
    server.pushIncoming(`<iq type="get" id="after-crash" from="bob@example.org/pc"><echo xmlns="${NS_ECHO}"/></iq>`);
    expect(server.sent({ name: 'iq', type: 'error' }).map((r) => r.attrs.id)).toEqual(['after-crash']);
  });

  it('survives a feature whose route() throws on hostile input', () => {
    const brittle = probeFeature('brittle', NS_ECHO);
    brittle.feature.route = () => {
      throw new Error('parser bug');
    };
    const { server, client } = start([brittle.feature]);
    server.pushIncoming(`<iq type="get" id="h1" from="bob@example.org/pc"><echo xmlns="${NS_ECHO}"/></iq>`);
    expect(client.actor.getSnapshot().status).toBe('active');
    expect(server.sent({ name: 'iq', type: 'error' }).map((r) => r.attrs.id)).toEqual(['h1']);
  });

  it('resolves IQ requests through the one tracker and times them out on the injected clock', async () => {
    const { server, client, clock } = start([]);
    const answered = client.iq(xml('iq', { type: 'get', to: 'example.org' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    const request = server.expectOutgoing({ name: 'iq', to: 'example.org' });
    server.replyResult(request);
    await expect(answered).resolves.toMatchObject({ attrs: { type: 'result' } });

    const unanswered = client.iq(xml('iq', { type: 'get', to: 'example.org' }, xml('ping', { xmlns: 'urn:xmpp:ping' })), { timeout: 3000 });
    clock.increment(3000);
    await expect(unanswered).rejects.toMatchObject({ code: 'timeout' });
  });

  it('stop() closes gracefully and settles once every actor has stopped', async () => {
    const { server, client } = start([]);
    await client.stop();
    expect(server.lastCommand('transport.close')).toEqual({ type: 'transport.close' });
    expect(client.actor.getSnapshot().status).toBe('done');
    expect(selectConnection(client.getSnapshot()).status).toBe('stopped');
    await flushMicrotasks();
  });
});
