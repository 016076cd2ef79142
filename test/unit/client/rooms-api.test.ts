import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createXmppClient } from '../../../src/client/create-client.js';
import { XmppAdapterError } from '../../../src/errors.js';
import { createFakeServer } from '../../support/fake-server.js';

const OPTIONS = { service: 'wss://example.org/ws', username: 'alice', password: 'x', domain: 'example.org' };
const ROOM = 'balcony@rooms.example.org';

function onlineClient() {
  const server = createFakeServer({ jid: 'alice@example.org/test' });
  const client = createXmppClient(OPTIONS, { transport: server.logic, clock: new SimulatedClock() });
  void client.start().catch(() => {});
  server.acceptConnection();
  return { server, client };
}

const codeOf = (error: unknown) => (error instanceof XmppAdapterError ? error.code : String(error));

describe('client.rooms', () => {
  it('refuses unusable arguments before sending anything', async () => {
    const { server, client } = onlineClient();
    const toRooms = () => server.outgoing.filter((el) => String(el.attrs.to ?? '').includes('rooms.example.org'));
    for (const call of [
      () => client.rooms.join('not a jid', { nick: 'alice' }),
      () => client.rooms.join(`${ROOM}/nick`, { nick: 'alice' }),
      () => client.rooms.join('rooms.example.org', { nick: 'alice' }),
      () => client.rooms.join(ROOM, { nick: '' }),
      () => client.rooms.send(ROOM, ''),
    ]) {
      expect(codeOf(await call().catch((e: unknown) => e))).toBe('invalid-argument');
    }
    expect(() => client.rooms.changeNick(ROOM, '')).toThrow(XmppAdapterError);
    expect(() => client.rooms.sendPrivate(ROOM, 'bob', '')).toThrow(XmppAdapterError);
    expect(() => client.rooms.decline({ room: ROOM, from: 'bob@example.org', direct: true })).toThrow(/no decline/);
    expect(codeOf(await client.rooms.kick('nope', 'bob').catch((e: unknown) => e))).toBe('invalid-argument');
    expect(toRooms()).toEqual([]);
    await client.stop();
  });

  it('will not send to a room it is not in', async () => {
    const { client } = onlineClient();
    expect(codeOf(await client.rooms.send(ROOM, 'hello').catch((e: unknown) => e))).toBe('feature-failed');
    await client.stop();
  });

  it('sends an invitation through the room, or directly with XEP-0249', async () => {
    const { server, client } = onlineClient();
    client.rooms.invite(ROOM, 'bob@example.org', { reason: 'Come up' });
    const mediated = server.expectOutgoing({ name: 'message', to: ROOM });
    expect(mediated.getChild('x', 'http://jabber.org/protocol/muc#user')?.getChild('invite')?.attrs.to).toBe('bob@example.org');
    client.rooms.invite(ROOM, 'bob@example.org', { direct: true });
    const direct = server.expectOutgoing({ name: 'message', to: 'bob@example.org' });
    expect(direct.getChild('x', 'jabber:x:conference')?.attrs.jid).toBe(ROOM);
    await client.stop();
  });
});
