import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, setup, spawnChild, waitFor, type AnyActorRef, type SnapshotFrom } from 'xstate';
import type { TransportCommand } from '../../../src/actors/transport.types.js';
import { NS_STANZAS } from '../../../src/wire/namespaces.js';
import {
  NS_PING,
  buildPing,
  buildPong,
  connectPing,
  createPingLogic,
  ping,
  pingEntity,
  type PingLogic,
} from '../../../src/xeps/ping/index.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, routeContext } from './harness.js';

const JULIET = routeContext('juliet@capulet.lit/balcony');

describe('ping codec and route', () => {
  it('routes XEP-0199 Example 1 (server-to-client ping) and answers it with Example 2', () => {
    const stanza = parseXml(
      `<iq from='capulet.lit' to='juliet@capulet.lit/balcony' id='s2c1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>`,
    );
    const events = ping.route(stanza, JULIET);
    expect(events).toEqual([{ type: 'ping.request', id: 's2c1', from: 'capulet.lit' }]);
    const pong = buildPong(events[0]!);
    expect(pong.toString()).toBe(parseXml(`<iq type='result' id='s2c1' to='capulet.lit'/>`).toString());
  });

  it('answers a client-to-client ping from anyone (Example 9)', () => {
    const stanza = parseXml(
      `<iq from='romeo@montague.lit/home' to='juliet@capulet.lit/balcony' id='e2e1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>`,
    );
    expect(ping.route(stanza, JULIET)).toEqual([{ type: 'ping.request', id: 'e2e1', from: 'romeo@montague.lit/home' }]);
  });

  it('builds the client-to-server ping of §4.2', () => {
    const el = buildPing('capulet.lit');
    expect(el.attrs).toMatchObject({ type: 'get', to: 'capulet.lit' });
    expect(el.getChild('ping', NS_PING)).toBeDefined();
    expect(buildPing().attrs.to).toBeUndefined();
  });

  it.each([
    ['a pong (result)', `<iq from='capulet.lit' id='a' type='result'><ping xmlns='urn:xmpp:ping'/></iq>`],
    ['an error reply', `<iq from='capulet.lit' id='a' type='error'><ping xmlns='urn:xmpp:ping'/></iq>`],
    ['a set', `<iq from='capulet.lit' id='a' type='set'><ping xmlns='urn:xmpp:ping'/></iq>`],
    ['a get without id', `<iq from='capulet.lit' type='get'><ping xmlns='urn:xmpp:ping'/></iq>`],
    [
      'a get for another resource',
      `<iq from='capulet.lit' to='juliet@capulet.lit/chamber' id='a' type='get'><ping xmlns='urn:xmpp:ping'/></iq>`,
    ],
    ['a get from a broken JID', `<iq from='a@b@c' id='a' type='get'><ping xmlns='urn:xmpp:ping'/></iq>`],
    ['a ping element in another namespace', `<iq from='capulet.lit' id='a' type='get'><ping xmlns='urn:xmpp:pong'/></iq>`],
  ])('declines %s', (_what, text) => {
    expect(ping.route(parseXml(text), JULIET)).toEqual([]);
  });
});

/**
 * The ping logic invoked by a small parent that also runs a recorder registered as the system's
 * `transport`, the way the session machine does.
 */
function startPing(keepalive = { interval: 30_000, timeout: 10_000 }) {
  const fake = fakeServices('juliet@capulet.lit/balcony');
  const commands: TransportCommand[] = [];
  const recorder = fromCallback<TransportCommand>(({ receive }) => {
    receive((command) => commands.push(command));
  });
  const parent = setup({ actors: { transport: recorder, ping: createPingLogic(fake.services) } }).createMachine({
    entry: spawnChild('transport', { id: 'transport', systemId: 'transport' }),
    invoke: { id: 'ping', systemId: 'ping', src: 'ping', input: featureInput({ domain: 'capulet.lit', keepalive }) },
  });
  const root = createActor(parent, { clock: fake.clock });
  root.start();
  const actor = root.system.get('ping') as AnyActorRef & { getSnapshot(): SnapshotFrom<PingLogic> };
  return { ...fake, root, actor, commands };
}

describe('ping machine', () => {
  it('answers ping requests with an empty result', () => {
    const { actor, take } = startPing();
    actor.send({ type: 'ping.request', id: 's2c1', from: 'capulet.lit' });
    actor.send({ type: 'ping.request', id: 'own' });
    const [pong, pongWithoutTo] = take();
    expect(pong!.attrs).toEqual({ type: 'result', id: 's2c1', to: 'capulet.lit' });
    expect(pong!.children).toHaveLength(0);
    expect(pongWithoutTo!.attrs).toEqual({ type: 'result', id: 'own' });
  });

  it('probes the server every interval and records the round trip', async () => {
    const { actor, take, reply, clock } = startPing();
    expect(connectPing(actor.getSnapshot())).toEqual({ lastRttMs: undefined, probing: false, status: 'waiting' });
    clock.increment(29_999);
    expect(take()).toHaveLength(0);
    clock.increment(1);
    const [probe] = take();
    expect(probe!.attrs).toMatchObject({ type: 'get', to: 'capulet.lit' });
    expect(probe!.getChild('ping', NS_PING)).toBeDefined();
    expect(connectPing(actor.getSnapshot()).probing).toBe(true);

    clock.increment(42);
    expect(reply(probe!)).toBe(true);
    await waitFor(actor, (s) => s.matches('waiting'));
    expect(connectPing(actor.getSnapshot())).toEqual({ lastRttMs: 42, probing: false, status: 'waiting' });

    // The next probe follows one interval after the answer.
    clock.increment(30_000);
    expect(take()).toHaveLength(1);
  });

  it('counts an error reply as proof of life (§3)', async () => {
    const { actor, take, reply, clock, commands } = startPing();
    clock.increment(30_000);
    reply(take()[0]!, `<ping xmlns='urn:xmpp:ping'/><error type='cancel'><service-unavailable xmlns='${NS_STANZAS}'/></error>`, 'error');
    await waitFor(actor, (s) => s.matches('waiting'));
    expect(actor.getSnapshot().context.answered).toBe(1);
    expect(commands).toEqual([]);
  });

  it('drops the transport when a probe times out, and stops probing', async () => {
    const { actor, take, clock, commands } = startPing();
    clock.increment(30_000);
    expect(take()).toHaveLength(1);
    clock.increment(9_999);
    expect(commands).toEqual([]);
    clock.increment(1);
    await waitFor(actor, (s) => s.matches('dead'));
    expect(commands).toEqual([
      { type: 'transport.abort', reason: { kind: 'timeout', message: 'keepalive ping unanswered within 10000 ms' } },
    ]);
    expect(connectPing(actor.getSnapshot()).status).toBe('dead');
    clock.increment(120_000);
    expect(take()).toHaveLength(0);
    // Still a responder while the session lasts.
    actor.send({ type: 'ping.request', id: 'late', from: 'capulet.lit' });
    expect(take()[0]!.attrs).toMatchObject({ type: 'result', id: 'late' });
  });

  it('cancels the probe in flight when the online state ends', () => {
    const { root, take, clock, iq } = startPing();
    clock.increment(30_000);
    expect(take()).toHaveLength(1);
    expect(iq.size).toBe(1);
    root.stop();
    expect(iq.size).toBe(0);
  });

  it('does not probe when keepalive is switched off', () => {
    const { actor, take, clock } = startPing({ interval: 0, timeout: 10_000 });
    expect(connectPing(actor.getSnapshot()).status).toBe('disabled');
    clock.increment(3_600_000);
    expect(take()).toHaveLength(0);
  });
});

describe('ping helper', () => {
  it('resolves with the round trip of a pong', async () => {
    const { services, take, reply, clock } = fakeServices('romeo@montague.lit/home');
    const pending = pingEntity(services, 'juliet@capulet.lit/chamber');
    clock.increment(7);
    reply(take()[0]!);
    await expect(pending).resolves.toBe(7);
  });

  it('rejects with the stanza error when the entity does not support ping', async () => {
    const { services, take, reply } = fakeServices('romeo@montague.lit/home');
    const pending = pingEntity(services, 'juliet@capulet.lit/chamber');
    reply(take()[0]!, `<ping xmlns='urn:xmpp:ping'/><error type='cancel'><service-unavailable xmlns='${NS_STANZAS}'/></error>`, 'error');
    await expect(pending).rejects.toMatchObject({ code: 'stanza-error', condition: 'service-unavailable' });
  });
});
