import { createActor, createMachine, fromCallback, SimulatedClock, type AnyActorRef } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { TransportCommand } from '../../src/actors/transport.types.js';
import { connectionMachine, planRetryWith, redirectTarget, type ConnectionSettings } from '../../src/machines/connection.machine.js';
import type { ConnectionView } from '../../src/machines/connection.types.js';

const settings: ConnectionSettings = {
  service: 'wss://chat.example.org/ws',
  minDelay: 1000,
  maxDelay: 16_000,
  stableAfter: 60_000,
  connectTimeout: 20_000,
  stopTimeout: 5000,
};

function harness(random = () => 0.5) {
  const clock = new SimulatedClock();
  const commands: TransportCommand[] = [];
  const views: ConnectionView[] = [];
  const system = createActor(createMachine({}), { clock });
  system.start();
  const transport = createActor(
    fromCallback<TransportCommand>(({ receive }) => {
      receive((c) => commands.push(c));
    }),
  ).start();
  const notify = createActor(
    fromCallback<{ type: 'connection.status'; view: ConnectionView }>(({ receive }) => {
      receive((e) => views.push(e.view));
    }),
  ).start();
  const actor = createActor(connectionMachine.provide({ actions: { planRetry: planRetryWith(random, () => clock.now()) } }), {
    clock,
    input: { settings, transport: transport as AnyActorRef, notify: notify as AnyActorRef },
  }).start();
  const status = () => views.at(-1)?.status;
  const goOnline = () => {
    actor.send({ type: 'transport.authenticating', mechanism: 'SCRAM-SHA-1' });
    actor.send({ type: 'transport.binding' });
    actor.send({ type: 'transport.online', jid: 'a@example.org/r', resumed: false, smEnabled: true, secure: true });
  };
  return { clock, commands, views, actor, status, goOnline };
}

describe('connection machine', () => {
  it('walks idle → connecting → authenticating → binding → online and reports each step', () => {
    const h = harness();
    h.actor.send({ type: 'connection.start' });
    h.goOnline();
    expect(h.views.map((v) => v.status)).toEqual(['idle', 'connecting', 'authenticating', 'binding', 'online']);
    expect(h.views.at(-1)).toMatchObject({ jid: 'a@example.org/r', resumed: false, streamManagement: true, secure: true });
    expect(h.commands).toEqual([{ type: 'transport.connect', service: settings.service }]);
  });

  it('reconnects after a drop with jittered exponential backoff, and a stable session resets it', () => {
    const h = harness(() => 1);
    h.actor.send({ type: 'connection.start' });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      h.actor.send({ type: 'transport.dropped', reason: { kind: 'network', message: 'ECONNREFUSED' } });
      const view = h.views.at(-1)!;
      expect(view.status).toBe('reconnecting');
      // When the wait ends, for a countdown that does not drift with the snapshot's age.
      expect(view.retryAt).toBe(h.clock.now() + view.retryInMs!);
      waits.push(view.retryInMs!);
      h.clock.increment(view.retryInMs!);
      expect(h.status()).toBe('connecting');
    }
    // random() = 1 takes the ceiling: min * 2^(n+1), capped at maxDelay.
    expect(waits).toEqual([2000, 4000, 8000, 16_000, 16_000, 16_000]);

    h.goOnline();
    expect(h.views.at(-1)!.retryAt, 'no retry planned while online').toBeUndefined();
    h.clock.increment(settings.stableAfter);
    h.actor.send({ type: 'transport.dropped', reason: { kind: 'network', message: 'reset' } });
    expect(h.views.at(-1)!.retryInMs).toBe(2000);
  });

  it('spreads retries between minDelay and the ceiling (full jitter), the first one included', () => {
    const waitsWith = (r: number) => {
      const h = harness(() => r);
      h.actor.send({ type: 'connection.start' });
      const waits: number[] = [];
      for (let i = 0; i < 2; i++) {
        h.actor.send({ type: 'transport.dropped', reason: { kind: 'network', message: 'x' } });
        waits.push(h.views.at(-1)!.retryInMs!);
        h.clock.increment(waits.at(-1)!);
      }
      return waits;
    };
    expect(waitsWith(0)).toEqual([1000, 1000]);
    // A crowd that lost the server together does not come back together: even the first retry is spread.
    expect(waitsWith(0.5)).toEqual([1500, 2500]);
  });

  it('stops in authFailed with the SASL condition and never retries', () => {
    const h = harness();
    h.actor.send({ type: 'connection.start' });
    h.actor.send({ type: 'transport.authenticating', mechanism: 'SCRAM-SHA-1' });
    h.actor.send({ type: 'transport.authFailed', condition: 'not-authorized', text: 'bad password' });
    expect(h.views.at(-1)).toMatchObject({ status: 'authFailed', error: { kind: 'auth', condition: 'not-authorized' } });
    h.clock.increment(10 * 60_000);
    h.actor.send({ type: 'connection.retryNow' });
    expect(h.commands.filter((c) => c.type === 'transport.connect')).toHaveLength(1);
    expect(h.status()).toBe('authFailed');
  });

  it('treats a stream conflict as terminal, with the reason', () => {
    const h = harness();
    h.actor.send({ type: 'connection.start' });
    h.goOnline();
    h.actor.send({ type: 'transport.dropped', reason: { kind: 'conflict', text: 'Replaced by new connection' } });
    expect(h.views.at(-1)).toMatchObject({ status: 'conflict', error: { kind: 'conflict', text: 'Replaced by new connection' } });
    h.clock.increment(10 * 60_000);
    expect(h.commands.filter((c) => c.type === 'transport.connect')).toHaveLength(1);
  });

  it('retryNow cuts the backoff wait short', () => {
    const h = harness(() => 1);
    h.actor.send({ type: 'connection.start' });
    h.actor.send({ type: 'transport.dropped', reason: { kind: 'network', message: 'x' } });
    expect(h.status()).toBe('reconnecting');
    h.actor.send({ type: 'connection.retryNow' });
    expect(h.status()).toBe('connecting');
    expect(h.commands.filter((c) => c.type === 'transport.connect')).toHaveLength(2);
  });

  it('aborts an attempt that hangs past connectTimeout and then backs off', () => {
    const h = harness();
    h.actor.send({ type: 'connection.start' });
    h.clock.increment(settings.connectTimeout);
    expect(h.commands.at(-1)).toMatchObject({ type: 'transport.abort', reason: { kind: 'timeout' } });
    h.actor.send({ type: 'transport.dropped', reason: { kind: 'timeout', message: 'no session' } });
    expect(h.status()).toBe('reconnecting');
  });

  it('stop closes the transport gracefully and ends in stopped', () => {
    const h = harness();
    h.actor.send({ type: 'connection.start' });
    h.goOnline();
    h.actor.send({ type: 'connection.stop' });
    expect(h.status()).toBe('stopping');
    expect(h.commands.at(-1)).toEqual({ type: 'transport.close' });
    h.actor.send({ type: 'transport.closed' });
    expect(h.status()).toBe('stopped');
    expect(h.actor.getSnapshot().status).toBe('done');
  });

  it('stop while waiting to reconnect still closes the transport (which reports what never left), and connects no more', () => {
    const h = harness();
    h.actor.send({ type: 'connection.start' });
    h.actor.send({ type: 'transport.dropped', reason: { kind: 'network', message: 'x' } });
    h.actor.send({ type: 'connection.stop' });
    expect(h.status()).toBe('stopping');
    expect(h.commands.at(-1)).toEqual({ type: 'transport.close' });
    h.actor.send({ type: 'transport.closed' });
    expect(h.status()).toBe('stopped');
    h.clock.increment(60_000);
    expect(h.commands.filter((c) => c.type === 'transport.connect')).toHaveLength(1);
  });

  it('a fatal stream error (host-unknown) stops instead of looping', () => {
    const h = harness();
    h.actor.send({ type: 'connection.start' });
    h.actor.send({ type: 'transport.dropped', reason: { kind: 'stream-error', condition: 'host-unknown' } });
    expect(h.views.at(-1)).toMatchObject({ status: 'stopped', error: { condition: 'host-unknown' } });
  });

  it('follows see-other-host only where it cannot leak the login', () => {
    const h = harness();
    h.actor.send({ type: 'connection.start' });
    h.goOnline();
    h.actor.send({ type: 'transport.dropped', reason: { kind: 'see-other-host', host: 'node2.example.org:5281' } });
    expect(h.status()).toBe('connecting');
    expect(h.commands.at(-1)).toEqual({ type: 'transport.connect', service: 'wss://node2.example.org:5281/ws' });

    expect(redirectTarget('ws://chat.example.org/ws', 'evil.example.com')).toBeUndefined();
    expect(redirectTarget('ws://127.0.0.1:5280/ws', '127.0.0.2:5280')).toBe('ws://127.0.0.2:5280/ws');
    expect(redirectTarget('wss://a.example/ws', 'bad host<script>')).toBeUndefined();
  });
});
