import {
  assign,
  createActor,
  createMachine,
  enqueueActions,
  setup,
  spawnChild,
  type ActorRefFrom,
  type AnyActorRef,
  type SnapshotFrom,
} from 'xstate';
import { createRouter } from '../../../src/router/router.js';
import { carbons, createCarbonsLogic } from '../../../src/xeps/carbons/index.js';
import {
  chat,
  connectChat,
  conversationId,
  createChatLogic,
  type ChatEvent,
  type ConversationLogic,
} from '../../../src/xeps/chat/index.js';
import { archive, createArchiveLogic, type ArchiveLogic, type ArchiveLogicOptions } from '../../../src/xeps/archive/index.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, routeContext } from './harness.js';

export const ME = 'romeo@montague.example/garden';
export const JULIET = 'juliet@capulet.example';
export const NOW = Date.parse('2026-01-01T12:00:00Z');

/**
 * The chat manager and carbons under a stand-in session, routed through the real router, on a
 * SimulatedClock (app notifications land in `notes`); with a stand-in blocking actor when
 * `blocked` is given.
 */
export function chatSystem({ blocked, archive: archiveOptions }: { blocked?: string[]; archive?: ArchiveLogicOptions } = {}) {
  const fake = fakeServices(ME);
  let n = 0;
  let queries = 0;
  const blocking = createMachine({
    types: {} as { context: { blocked: string[] }; events: { type: 'test.block'; jids: string[] } },
    context: { blocked: blocked ?? [] },
    initial: 'ready',
    states: { ready: {} },
    on: { 'test.block': { actions: assign({ blocked: ({ event }) => event.jids }) } },
  });
  const parent = setup({
    actors: {
      chat: createChatLogic(fake.services, { newId: () => `id-${++n}`, now: () => NOW }),
      carbons: createCarbonsLogic(fake.services),
      archive: createArchiveLogic(fake.services, { newQueryId: () => `q${++queries}`, ...archiveOptions }),
      blocking,
    },
  }).createMachine({
    entry: [
      spawnChild('chat', { id: 'chat', systemId: 'chat', input: featureInput({ jid: ME }) }),
      spawnChild('carbons', { id: 'carbons', systemId: 'carbons', input: featureInput({ jid: ME }) }),
      spawnChild('archive', { id: 'archive', systemId: 'archive', input: featureInput({ jid: ME }) }),
      enqueueActions(({ enqueue }) => {
        if (blocked) enqueue.spawnChild('blocking', { id: 'blocking', systemId: 'blocking' });
      }),
    ],
  });
  const actor = createActor(parent, { clock: fake.clock });
  actor.start();
  const chatActor = actor.system.get('chat') as AnyActorRef;
  const router = createRouter([chat, carbons, archive]);
  const deliver = (text: string) => {
    for (const d of router.route(parseXml(text), routeContext(ME))) actor.system.get(d.to)!.send(d.event);
  };
  const view = (peer = JULIET) => {
    const ref = actor.system.get(conversationId(peer));
    return ref ? connectChat(ref.getSnapshot() as SnapshotFrom<ConversationLogic>) : undefined;
  };
  const send = (event: ChatEvent) => chatActor.send(event);
  const block = (jids: string[]) => actor.system.get('blocking')!.send({ type: 'test.block', jids });
  const archiveActor = actor.system.get('archive') as ActorRefFrom<ArchiveLogic>;
  return { ...fake, actor, chat: chatActor, archive: archiveActor, deliver, view, send, block };
}
