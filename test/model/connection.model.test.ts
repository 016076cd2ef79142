import { createTestModel } from 'xstate/graph';
import { createActor, fromCallback, SimulatedClock, type AnyActorRef } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { TransportCommand } from '../../src/actors/transport.types.js';
import { connectionMachine, planRetryWith, type ConnectionSettings } from '../../src/machines/connection.machine.js';
import type { ConnectionView } from '../../src/machines/connection.types.js';
import { connectionModel } from './connection.model.js';

const settings: ConnectionSettings = {
  service: 'wss://chat.example.org/ws',
  minDelay: 1000,
  maxDelay: 8000,
  stableAfter: 60_000,
  connectTimeout: 20_000,
  stopTimeout: 5000,
};

/** The real connection actor with a recording transport and a simulated clock. */
function systemUnderTest() {
  const clock = new SimulatedClock();
  const commands: TransportCommand[] = [];
  const views: ConnectionView[] = [];
  const transport = createActor(fromCallback<TransportCommand>(({ receive }) => receive((c) => commands.push(c)))).start();
  const notify = createActor(
    fromCallback<{ type: 'connection.status'; view: ConnectionView }>(({ receive }) => receive((e) => views.push(e.view))),
  ).start();
  const actor = createActor(connectionMachine.provide({ actions: { planRetry: planRetryWith(() => 0.5) } }), {
    clock,
    input: { settings, transport: transport as AnyActorRef, notify: notify as AnyActorRef },
  }).start();
  return { clock, commands, views, actor, status: () => views.at(-1)?.status };
}

type Sut = ReturnType<typeof systemUnderTest>;

const drive: Record<string, (sut: Sut) => void> = {
  START: ({ actor }) => actor.send({ type: 'connection.start' }),
  STOP: ({ actor }) => actor.send({ type: 'connection.stop' }),
  SASL_STARTED: ({ actor }) => actor.send({ type: 'transport.authenticating', mechanism: 'SCRAM-SHA-256' }),
  BIND_STARTED: ({ actor }) => actor.send({ type: 'transport.binding' }),
  BOUND: ({ actor }) => actor.send({ type: 'transport.online', jid: 'a@example.org/r', resumed: false, smEnabled: true, secure: true }),
  RESUMED: ({ actor }) => actor.send({ type: 'transport.online', jid: 'a@example.org/r', resumed: true, smEnabled: true, secure: true }),
  AUTH_FAILED: ({ actor }) => actor.send({ type: 'transport.authFailed', condition: 'not-authorized' }),
  DROP: ({ actor }) => actor.send({ type: 'transport.dropped', reason: { kind: 'network', message: 'reset' } }),
  CONFLICT: ({ actor }) => actor.send({ type: 'transport.dropped', reason: { kind: 'conflict', text: 'replaced' } }),
  FATAL_STREAM_ERROR: ({ actor }) => actor.send({ type: 'transport.dropped', reason: { kind: 'stream-error', condition: 'host-unknown' } }),
  CONNECT_TIMEOUT: (sut) => {
    sut.clock.increment(settings.connectTimeout);
    const abort = sut.commands.at(-1);
    expect(abort?.type).toBe('transport.abort');
    // The transport answers an abort by reporting the drop.
    if (abort?.type === 'transport.abort') sut.actor.send({ type: 'transport.dropped', reason: abort.reason });
  },
  BACKOFF_ELAPSED: (sut) => sut.clock.increment(sut.views.at(-1)!.retryInMs!),
  RETRY_NOW: ({ actor }) => actor.send({ type: 'connection.retryNow' }),
  CLOSED: ({ actor }) => actor.send({ type: 'transport.closed' }),
  STOP_TIMEOUT: ({ clock }) => clock.increment(settings.stopTimeout),
};

const model = createTestModel(connectionModel);

const transitionsOf = (state: string): Array<[string, string]> =>
  Object.entries(connectionModel.root.states[state]!.config.on ?? {}).map(([event, target]) => [event, String(target)]);

/** Event sequences that reach every state by a shortest route and then take each of its transitions once. */
function everyTransition(): string[][] {
  const routes = new Map<string, string[]>([[String(connectionModel.config.initial), []]]);
  const queue = [String(connectionModel.config.initial)];
  while (queue.length > 0) {
    const state = queue.shift()!;
    for (const [event, target] of transitionsOf(state)) {
      if (routes.has(target)) continue;
      routes.set(target, [...routes.get(state)!, event]);
      queue.push(target);
    }
  }
  expect([...routes.keys()].sort()).toEqual(Object.keys(connectionModel.root.states).sort());
  return [...routes].flatMap(([state, route]) => transitionsOf(state).map(([event]) => [...route, event]));
}

describe('connection lifecycle (model-based)', () => {
  const sequences = everyTransition();

  it('covers every transition of the model', () => {
    const modelTransitions = Object.keys(connectionModel.root.states).reduce((n, s) => n + transitionsOf(s).length, 0);
    expect(sequences).toHaveLength(modelTransitions);
  });

  for (const events of sequences) {
    it(`${events.join(' → ')}`, async () => {
      const [path] = model.getPathsFromEvents(events.map((type) => ({ type })) as never);
      expect(path).toBeDefined();
      let sut: Sut = systemUnderTest();
      await path!.test({
        states: Object.fromEntries(
          Object.keys(connectionModel.root.states).map((state) => [
            state,
            () => {
              expect(sut.status()).toBe(state);
            },
          ]),
        ),
        events: Object.fromEntries(Object.entries(drive).map(([type, run]) => [type, () => run(sut)])),
      });
      // Terminal states never start another attempt, whatever time passes.
      if (['authFailed', 'conflict', 'stopped'].includes(String(path!.state.value))) {
        const attempts = sut.commands.filter((c) => c.type === 'transport.connect').length;
        sut.clock.increment(10 * settings.maxDelay);
        expect(sut.commands.filter((c) => c.type === 'transport.connect')).toHaveLength(attempts);
      }
      sut = systemUnderTest();
    });
  }
});
