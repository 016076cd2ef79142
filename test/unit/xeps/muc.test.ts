import type { Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, setup, spawnChild, type AnyActorRef, type SnapshotFrom } from 'xstate';
import { createRouter } from '../../../src/router/router.js';
import {
  connectRoom,
  createMucLogic,
  muc,
  roomId,
  type MucEvent,
  type MucRoutedEvent,
  type RoomLogic,
} from '../../../src/xeps/muc/index.js';
import { listRooms } from '../../../src/xeps/muc/room.requests.js';
import { CHUNK_SIZE } from '../../../src/store/message-store.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, routeContext } from './harness.js';

const ME = 'romeo@montague.example/garden';
const ROOM = 'balcony@rooms.verona.example';
const NOW = Date.parse('2026-01-01T12:00:00Z');
const MUC_USER = 'http://jabber.org/protocol/muc#user';

function mucSystem({ messagesInMemory = 10_000 } = {}) {
  const fake = fakeServices(ME);
  let n = 0;
  /** What the rooms asked of the archive feature (a stand-in that records). */
  const archiveRequests: { type: string }[] = [];
  const archive = fromCallback<{ type: string }>(({ receive }) => receive((event) => archiveRequests.push(event)));
  const parent = setup({
    actors: { muc: createMucLogic(fake.services, { now: () => NOW, newId: () => `gen-${++n}` }), archive },
  }).createMachine({
    entry: [
      spawnChild('muc', { id: 'muc', systemId: 'muc', input: featureInput({ jid: ME, messagesInMemory }) }),
      spawnChild('archive', { id: 'archive', systemId: 'archive' }),
    ],
  });
  const actor = createActor(parent, { clock: fake.clock });
  actor.start();
  const manager = actor.system.get('muc') as AnyActorRef;
  const router = createRouter([muc]);
  const deliver = (text: string) => {
    for (const d of router.route(parseXml(text), routeContext(ME))) actor.system.get(d.to)!.send(d.event);
  };
  const send = (event: MucEvent) => manager.send(event);
  const room = (jid = ROOM) => actor.system.get(roomId(jid)) as AnyActorRef | undefined;
  const view = (jid = ROOM) => connectRoom(room(jid)!.getSnapshot() as SnapshotFrom<RoomLogic>);
  const presences = (): Element[] => fake.take().filter((el) => el.name === 'presence');
  return { ...fake, actor, manager, deliver, send, room, view, presences, archiveRequests };
}

/** An occupant presence from the room, with muc#user item and status codes. */
function occupant(
  nick: string,
  opts: { role?: string; affiliation?: string; codes?: number[]; type?: string; jid?: string; extra?: string; from?: string } = {},
): string {
  const type = opts.type ? ` type='${opts.type}'` : '';
  const jid = opts.jid ? ` jid='${opts.jid}'` : '';
  const codes = (opts.codes ?? []).map((c) => `<status code='${c}'/>`).join('');
  return `<presence from='${opts.from ?? `${ROOM}/${nick}`}' to='${ME}'${type}><x xmlns='${MUC_USER}'><item affiliation='${opts.affiliation ?? 'member'}' role='${opts.role ?? 'participant'}'${jid}/>${opts.extra ?? ''}${codes}</x></presence>`;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Asks to join and plays the room's disco#info answer (XEP-0045 §6.4), as the room actor asks first. */
async function startJoin(
  system: ReturnType<typeof mucSystem>,
  event: Partial<Extract<MucEvent, { type: 'muc.join' }>> = {},
  features: string[] = [],
) {
  system.send({ type: 'muc.join', room: ROOM, nick: 'romeo', ...event });
  const disco = system.take().find((el) => el.name === 'iq' && el.attrs.to === (event.room ?? ROOM));
  const vars = ['http://jabber.org/protocol/muc', ...features].map((f) => `<feature var='${f}'/>`).join('');
  system.reply(
    disco!,
    `<query xmlns='http://jabber.org/protocol/disco#info'><identity category='conference' type='text' name='Balcony'/>${vars}</query>`,
  );
  await settle();
}

async function joined(options: { messagesInMemory?: number } = {}) {
  const system = mucSystem(options);
  await startJoin(system);
  system.deliver(occupant('juliet', { role: 'moderator', affiliation: 'owner' }));
  system.deliver(occupant('romeo', { codes: [110] }));
  system.take();
  return system;
}

describe('messages kept in memory', () => {
  it('a busy room forgets its oldest messages past the limit', async () => {
    const system = await joined({ messagesInMemory: CHUNK_SIZE });
    for (let n = 0; n < 3 * CHUNK_SIZE; n++) {
      system.deliver(
        `<message from='${ROOM}/juliet' type='groupchat' id='g${n}'><body>${n}</body><stanza-id xmlns='urn:xmpp:sid:0' by='${ROOM}' id='s${n}'/></message>`,
      );
    }
    const bodies = system.view().messages.map((m) => m.body);
    expect(bodies.length).toBeGreaterThanOrEqual(CHUNK_SIZE);
    expect(bodies.length).toBeLessThan(2 * CHUNK_SIZE);
    expect(bodies.at(-1)).toBe(String(3 * CHUNK_SIZE - 1));
  });
});

describe('listing rooms (XEP-0045 §6.3, XEP-0059)', () => {
  it('pages with RSM when the service does, and reads an unpaged answer as the last page', async () => {
    const fake = fakeServices(ME);
    const first = listRooms(fake.services, 'rooms.verona.example', { max: 2 });
    const [request] = fake.take();
    expect(request!.getChild('query')!.getChild('set', 'http://jabber.org/protocol/rsm')!.getChildText('max')).toBe('2');
    fake.reply(
      request!,
      `<query xmlns='http://jabber.org/protocol/disco#items'><item jid='a@rooms.verona.example' name='A'/><item jid='b@rooms.verona.example'/><item jid='rooms.verona.example/not-a-room'/><set xmlns='http://jabber.org/protocol/rsm'><first>a</first><last>b-cursor</last><count>3</count></set></query>`,
    );
    expect(await first).toEqual({
      rooms: [{ jid: 'a@rooms.verona.example', name: 'A' }, { jid: 'b@rooms.verona.example' }],
      next: 'b-cursor',
      count: 3,
    });

    const second = listRooms(fake.services, 'rooms.verona.example', { max: 2, after: 'b-cursor' });
    const [again] = fake.take();
    expect(again!.getChild('query')!.getChild('set', 'http://jabber.org/protocol/rsm')!.getChildText('after')).toBe('b-cursor');
    fake.reply(again!, `<query xmlns='http://jabber.org/protocol/disco#items'><item jid='c@rooms.verona.example'/></query>`);
    expect(await second).toEqual({ rooms: [{ jid: 'c@rooms.verona.example' }] });
  });
});

describe('MUC room lifecycle (XEP-0045)', () => {
  it('joins: the presence to room/nick, others first, then ours with status 110; subject and history kept', async () => {
    const system = mucSystem();
    await startJoin(system, { password: 'secret' });
    const [join] = system.presences();
    expect(join!.attrs.to).toBe(`${ROOM}/romeo`);
    expect(join!.getChild('x', 'http://jabber.org/protocol/muc')?.getChildText('password')).toBe('secret');
    expect(system.view().status).toBe('joining');

    system.deliver(occupant('juliet', { role: 'moderator', affiliation: 'owner', jid: 'juliet@capulet.example/balcony' }));
    expect(system.view().status).toBe('joining');
    system.deliver(
      `<message from='${ROOM}/juliet' type='groupchat' id='h1'><body>earlier</body><delay xmlns='urn:xmpp:delay' stamp='2026-01-01T11:00:00Z'/></message>`,
    );
    system.deliver(occupant('romeo', { codes: [110, 100] }));
    system.deliver(`<message from='${ROOM}/juliet' type='groupchat' id='s1'><subject>Wherefore art thou</subject></message>`);

    const view = system.view();
    expect(view.status).toBe('joined');
    expect(view.nick).toBe('romeo');
    expect(view.occupants.map((o) => [o.nick, o.role, o.affiliation, o.jid])).toEqual([
      ['juliet', 'moderator', 'owner', 'juliet@capulet.example/balcony'],
      ['romeo', 'participant', 'member', undefined],
    ]);
    expect(view.subject).toBe('Wherefore art thou');
    expect(view.messages.map((m) => [m.nick, m.body, m.stamp])).toEqual([['juliet', 'earlier', '2026-01-01T11:00:00.000Z']]);
    expect(view.can).toMatchObject({ send: true, kick: false, configure: false });
    expect(view.history).toEqual({ loading: false, complete: false, error: undefined });
    // With the archive actor's snapshot, the room's scrollback state shows too.
    const archive = {
      context: { histories: { [ROOM]: { loading: true, complete: false } }, catchUp: { status: 'idle', pages: 0, messages: 0 } },
    };
    expect(connectRoom(system.room()!.getSnapshot() as SnapshotFrom<RoomLogic>, archive as never).history.loading).toBe(true);
  });

  it('takes our own presence only from the room: status 110 from a bare JID or another room changes nothing', async () => {
    const system = mucSystem();
    await startJoin(system);
    system.deliver(occupant('romeo', { codes: [110], from: ROOM }));
    system.deliver(occupant('romeo', { codes: [110], from: `other@rooms.verona.example/romeo` }));
    system.deliver(occupant('romeo', { codes: [110], from: `balcony@evil.example/romeo` }));
    expect(system.view().status).toBe('joining');
    expect(system.room('other@rooms.verona.example')).toBeUndefined();
  });

  it('fails with the reason the room gives: nick conflict (retried when asked), password, members-only, banned', async () => {
    const error = (condition: string, nick = 'romeo') =>
      `<presence from='${ROOM}/${nick}' to='${ME}' type='error'><x xmlns='http://jabber.org/protocol/muc'/><error type='cancel'><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`;
    for (const [condition, reason] of [
      ['conflict', 'nick-conflict'],
      ['not-authorized', 'password-required'],
      ['registration-required', 'not-a-member'],
      ['forbidden', 'banned'],
      ['item-not-found', 'not-found'],
    ] as const) {
      const system = mucSystem();
      await startJoin(system);
      system.deliver(error(condition));
      expect(system.view().status, condition).toBe('failed');
      expect(system.view().failure?.reason, condition).toBe(reason);
    }

    const retrying = mucSystem();
    await startJoin(retrying, { nickRetries: 2 });
    retrying.take();
    retrying.deliver(error('conflict'));
    const [again] = retrying.presences();
    expect(again!.attrs.to).toBe(`${ROOM}/romeo_2`);
    retrying.deliver(occupant('romeo_2', { codes: [110] }));
    expect(retrying.view()).toMatchObject({ status: 'joined', nick: 'romeo_2' });
  });

  it('ends the visit when kicked, banned or the room is destroyed, saying by whom and where to go', async () => {
    const kicked = await joined();
    kicked.deliver(
      occupant('romeo', { type: 'unavailable', role: 'none', codes: [110, 307], extra: '' }).replace(
        '/>',
        '><actor nick="juliet"/><reason>Avaunt</reason></item>',
      ),
    );
    expect(kicked.view().status).toBe('ended');
    expect(kicked.view().failure).toEqual({ reason: 'kicked', text: 'Avaunt', by: 'juliet' });

    const destroyed = await joined();
    destroyed.deliver(
      `<presence from='${ROOM}/romeo' to='${ME}' type='unavailable'><x xmlns='${MUC_USER}'><item affiliation='none' role='none'/><destroy jid='crypt@rooms.verona.example'><reason>Moved</reason></destroy><status code='110'/></x></presence>`,
    );
    expect(destroyed.view().failure).toMatchObject({ reason: 'destroyed', destroyed: { jid: 'crypt@rooms.verona.example' } });

    const banned = await joined();
    banned.deliver(occupant('romeo', { type: 'unavailable', role: 'none', affiliation: 'outcast', codes: [110, 301] }));
    expect(banned.view().failure?.reason).toBe('banned');
  });

  it('enters again when the room removes us after an error reply (333), at most three times a minute', async () => {
    const system = await joined();
    const removedForAnError = () => system.deliver(occupant('romeo', { type: 'unavailable', role: 'none', codes: [110, 333] }));
    for (let round = 0; round < 3; round++) {
      removedForAnError();
      expect(system.view().status).toBe('joining');
      const disco = system.take().find((el) => el.name === 'iq' && el.attrs.to === ROOM);
      system.reply(disco!, `<query xmlns='http://jabber.org/protocol/disco#info'><feature var='http://jabber.org/protocol/muc'/></query>`);
      await settle();
      expect(system.presences().map((p) => p.attrs.to)).toEqual([`${ROOM}/romeo`]);
      system.deliver(occupant('romeo', { codes: [110] }));
      expect(system.view().status).toBe('joined');
    }
    removedForAnError();
    expect(system.view()).toMatchObject({ status: 'ended', failure: { reason: 'other' } });
  });

  it('enters again on the next session after the service shut down (332), not before', async () => {
    const system = await joined();
    system.deliver(occupant('romeo', { type: 'unavailable', role: 'none', codes: [110, 332] }));
    expect(system.view()).toMatchObject({ status: 'ended', failure: { reason: 'shutdown' } });
    expect(system.presences()).toEqual([]);
    system.send({ type: 'session.offline' });
    system.send({ type: 'session.online', jid: ME, resumed: false });
    expect(system.view().status).toBe('joining');

    const kicked = await joined();
    kicked.deliver(occupant('romeo', { type: 'unavailable', role: 'none', codes: [110, 307] }));
    kicked.send({ type: 'session.online', jid: ME, resumed: false });
    // A kick is final: a new session does not bring us back.
    expect(kicked.view().status).toBe('ended');
  });

  it('follows occupants leaving and changing nicks (303), ours included', async () => {
    const system = await joined();
    system.deliver(
      occupant('juliet', { type: 'unavailable', role: 'moderator', affiliation: 'owner', codes: [303] }).replace(
        "role='moderator'",
        "role='moderator' nick='jules'",
      ),
    );
    system.deliver(occupant('jules', { role: 'moderator', affiliation: 'owner' }));
    expect(system.view().occupants.map((o) => o.nick)).toEqual(['jules', 'romeo']);

    system.send({ type: 'muc.changeNick', room: ROOM, nick: 'montague' });
    expect(system.presences()[0]!.attrs.to).toBe(`${ROOM}/montague`);
    system.deliver(
      occupant('romeo', { type: 'unavailable', codes: [303, 110] }).replace("role='participant'", "role='participant' nick='montague'"),
    );
    system.deliver(occupant('montague', { codes: [110] }));
    expect(system.view()).toMatchObject({ status: 'joined', nick: 'montague' });
    expect(system.view().occupants.map((o) => o.nick)).toEqual(['jules', 'montague']);

    system.deliver(occupant('jules', { type: 'unavailable', role: 'none' }));
    expect(system.view().occupants.map((o) => o.nick)).toEqual(['montague']);
  });

  it('sends groupchat messages: stored as sending, sent when the room reflects them, never twice', async () => {
    const system = await joined();
    system.send({ type: 'muc.send', room: ROOM, body: 'hello', id: 'm1' });
    const [stanza] = system.take();
    expect(stanza!.attrs).toMatchObject({ to: ROOM, type: 'groupchat', id: 'm1' });
    expect(system.view().messages.map((m) => [m.body, m.state, m.direction])).toEqual([['hello', 'sending', 'out']]);
    const reflection = `<message from='${ROOM}/romeo' type='groupchat' id='m1'><body>hello</body><origin-id xmlns='urn:xmpp:sid:0' id='m1'/><stanza-id xmlns='urn:xmpp:sid:0' by='${ROOM}' id='s-1'/></message>`;
    system.deliver(reflection);
    system.deliver(reflection);
    expect(system.view().messages.map((m) => [m.body, m.state, m.stanzaId])).toEqual([['hello', 'sent', 's-1']]);
    // Someone else reusing our origin-id does not touch our message and is stored on its own.
    system.deliver(
      `<message from='${ROOM}/juliet' type='groupchat' id='x'><body>mine now</body><origin-id xmlns='urn:xmpp:sid:0' id='m1'/><stanza-id xmlns='urn:xmpp:sid:0' by='${ROOM}' id='s-2'/></message>`,
    );
    expect(system.view().messages.map((m) => [m.nick, m.body])).toEqual([
      ['romeo', 'hello'],
      ['juliet', 'mine now'],
    ]);
  });

  it('counts unread messages from others, not history, our own or scrollback, until the app marks the room read', async () => {
    const system = await joined();
    const unread = () => system.view().unread;
    const said = (id: string, extra = '') =>
      `<message from='${ROOM}/juliet' type='groupchat' id='${id}'><body>${id}</body>${extra}<stanza-id xmlns='urn:xmpp:sid:0' by='${ROOM}' id='s-${id}'/></message>`;
    system.deliver(said('h1', `<delay xmlns='urn:xmpp:delay' stamp='2026-01-01T11:00:00Z'/>`));
    expect(unread(), 'discussion history is not news').toBe(0);
    system.deliver(said('l1'));
    system.deliver(said('l1'));
    system.deliver(`<message from='${ROOM}/juliet' to='${ME}' type='chat' id='pm1'><body>psst</body><x xmlns='${MUC_USER}'/></message>`);
    expect(unread(), 'a live message (once) and a private one').toBe(2);
    system.send({ type: 'muc.send', room: ROOM, body: 'hello', id: 'm1' });
    system.deliver(
      `<message from='${ROOM}/romeo' type='groupchat' id='m1'><body>hello</body><origin-id xmlns='urn:xmpp:sid:0' id='m1'/></message>`,
    );
    expect(unread(), 'our own message and its reflection').toBe(2);
    system.send({ type: 'muc.markRead', room: ROOM });
    expect(unread()).toBe(0);

    const archived = (placement: 'older' | 'newer', ids: string[]) =>
      system.room()!.send({
        type: 'room.archived',
        queryId: `q-${placement}`,
        placement,
        results: ids.map((id) => ({ archiveId: `a-${id}`, message: { from: `${ROOM}/juliet`, nick: 'juliet', body: id } })),
      });
    archived('older', ['o1', 'o2']);
    expect(unread(), 'scrollback').toBe(0);
    archived('newer', ['n1', 'n2']);
    expect(unread(), 'what was said while we were away').toBe(2);
  });

  it('leaves (unavailable to room/nick) and rejoins after a stream that was not resumed, not after a resumed one', async () => {
    const system = await joined();
    system.send({ type: 'session.offline' });
    expect(system.view().status).toBe('offline');
    system.send({ type: 'session.online', jid: ME, resumed: true });
    expect(system.view().status).toBe('joined');
    expect(system.presences()).toEqual([]);

    system.send({ type: 'session.offline' });
    system.send({ type: 'session.online', jid: ME, resumed: false });
    expect(system.view().status).toBe('joining');
    const [disco] = system.take();
    system.reply(disco!, `<query xmlns='http://jabber.org/protocol/disco#info'><feature var='http://jabber.org/protocol/muc'/></query>`);
    await settle();
    expect(system.presences()[0]!.attrs.to).toBe(`${ROOM}/romeo`);
    system.deliver(occupant('romeo', { codes: [110] }));

    system.send({ type: 'muc.leave', room: ROOM });
    const [leave] = system.presences();
    expect(leave!.attrs).toMatchObject({ to: `${ROOM}/romeo`, type: 'unavailable' });
    system.deliver(occupant('romeo', { type: 'unavailable', role: 'none', codes: [110] }));
    expect(system.view().status).toBe('left');
  });

  it('keeps XEP-0421 occupant ids only from a room that announces them', async () => {
    for (const [features, expected] of [
      [['urn:xmpp:occupant-id:0'], 'oid-juliet'],
      [[], undefined],
    ] as const) {
      const system = mucSystem();
      await startJoin(system, {}, [...features]);
      system.deliver(
        occupant('juliet', { extra: '' }).replace('</x>', "</x><occupant-id xmlns='urn:xmpp:occupant-id:0' id='oid-juliet'/>"),
      );
      system.deliver(occupant('romeo', { codes: [110] }));
      expect(system.view().occupants.find((o) => o.nick === 'juliet')?.occupantId).toBe(expected);
    }
  });

  it('self-pings (XEP-0410) after 15 minutes of silence and rejoins when the room no longer has us', async () => {
    const system = await joined();
    system.clock.increment(10 * 60_000);
    // Activity resets the silence: nothing is pinged at the 15-minute mark.
    system.deliver(`<message from='${ROOM}/juliet' type='groupchat' id='a1'><body>still here</body></message>`);
    system.clock.increment(5 * 60_000);
    expect(system.take().filter((el) => el.name === 'iq')).toEqual([]);
    system.clock.increment(10 * 60_000);
    const [ping] = system.take().filter((el) => el.name === 'iq');
    expect(ping!.attrs.to).toBe(`${ROOM}/romeo`);
    expect(ping!.getChild('ping', 'urn:xmpp:ping')).toBeDefined();
    // Joined, but the pinged client has no XEP-0199: still joined, nothing resent.
    system.reply(ping!, `<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await settle();
    expect(system.view().status).toBe('joined');
    expect(system.presences()).toEqual([]);

    system.clock.increment(15 * 60_000);
    const [second] = system.take().filter((el) => el.name === 'iq');
    system.reply(second!, `<error type='cancel'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await settle();
    expect(system.view().status).toBe('joining');
    const [disco] = system.take();
    system.reply(disco!, `<query xmlns='http://jabber.org/protocol/disco#info'><feature var='http://jabber.org/protocol/muc'/></query>`);
    await settle();
    expect(system.presences()[0]!.attrs.to).toBe(`${ROOM}/romeo`);
  });

  it('ejabberd MucSub: a subscribed room takes the events its room wraps, and nothing wrapped by anyone else', () => {
    const system = mucSystem();
    system.send({ type: 'muc.subscribed', room: ROOM, nick: 'romeo', nodes: ['urn:xmpp:mucsub:nodes:messages'] });
    const event = (from: string, inner: string) =>
      `<message from='${from}' to='${ME}'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:mucsub:nodes:messages'><item id='i1'>${inner}</item></items></event></message>`;
    const groupchat = (from: string, body: string) =>
      `<message xmlns='jabber:client' from='${from}' type='groupchat' id='${body}'><body>${body}</body></message>`;
    system.deliver(event(ROOM, groupchat(`${ROOM}/juliet`, 'real')));
    system.deliver(event(ROOM, groupchat(`other@rooms.verona.example/juliet`, 'wrapped from another room')));
    system.deliver(event(`${ROOM}/mallory`, groupchat(`${ROOM}/juliet`, 'from an occupant JID')));
    system.deliver(event('mallory@evil.example', groupchat(`${ROOM}/juliet`, 'from a stranger')));
    expect(system.view()).toMatchObject({ status: 'left', subscribed: true });
    expect(system.view().messages.map((m) => m.body)).toEqual(['real']);
    expect(system.presences()).toEqual([]);

    system.send({ type: 'muc.unsubscribed', room: ROOM });
    system.deliver(event(ROOM, groupchat(`${ROOM}/juliet`, 'after')));
    expect(system.view().messages.map((m) => m.body)).toEqual(['real']);
  });

  it('keeps private messages (XEP-0045 §7.5) with the room, marked with the other occupant', async () => {
    const system = await joined();
    system.deliver(`<message from='${ROOM}/juliet' to='${ME}' type='chat' id='pm1'><body>psst</body><x xmlns='${MUC_USER}'/></message>`);
    // Without the muc#user mark it is not a room private message: not the room's.
    system.deliver(`<message from='${ROOM}/juliet' to='${ME}' type='chat' id='pm2'><body>unmarked</body></message>`);
    system.send({ type: 'muc.sendPrivate', room: ROOM, nick: 'juliet', body: 'hush', id: 'pm3' });
    const [sent] = system.take();
    expect(sent!.attrs).toMatchObject({ to: `${ROOM}/juliet`, type: 'chat', id: 'pm3' });
    expect(sent!.getChild('x', MUC_USER)).toBeDefined();
    expect(system.view().messages.map((m) => [m.private, m.direction, m.body])).toEqual([
      ['juliet', 'in', 'psst'],
      ['juliet', 'out', 'hush'],
    ]);
  });

  it('joins a room with an archive without discussion history, asks the archive to catch up, and cancels that on leaving', async () => {
    const system = mucSystem();
    await startJoin(system, {}, ['urn:xmpp:mam:2']);
    const [join] = system.presences();
    expect(join!.getChild('x', 'http://jabber.org/protocol/muc')?.getChild('history')?.attrs).toEqual({ maxchars: '0' });
    system.deliver(occupant('romeo', { codes: [110] }));
    expect(system.archiveRequests).toEqual([{ type: 'archive.catchUp', jid: ROOM, room: true }]);
    system.send({ type: 'muc.leave', room: ROOM });
    expect(system.archiveRequests.at(-1)).toEqual({ type: 'archive.cancel', jid: ROOM });

    // A room without an archive sends its own history: nothing asked of the archive feature.
    const plain = mucSystem();
    await startJoin(plain);
    expect(plain.presences()[0]!.getChild('x', 'http://jabber.org/protocol/muc')?.getChild('history')).toBeUndefined();
    plain.deliver(occupant('romeo', { codes: [110] }));
    expect(plain.archiveRequests).toEqual([]);
  });

  it('does not rejoin a room it was leaving when the stream drops, resumed or not', async () => {
    for (const resumed of [true, false]) {
      const system = await joined();
      system.send({ type: 'muc.leave', room: ROOM });
      system.take();
      system.send({ type: 'session.offline' });
      system.send({ type: 'session.online', jid: ME, resumed });
      expect(system.view().status, `resumed: ${resumed}`).toBe('left');
      expect(system.take(), `resumed: ${resumed}`).toEqual([]);
    }
  });

  it("forgets an earlier visit's room info when the room does not answer disco#info on a rejoin", async () => {
    const system = mucSystem();
    await startJoin(system, {}, ['urn:xmpp:occupant-id:0']);
    system.deliver(occupant('romeo', { codes: [110] }));
    system.send({ type: 'muc.leave', room: ROOM });
    system.deliver(occupant('romeo', { type: 'unavailable', role: 'none', codes: [110] }));
    system.take();
    system.send({ type: 'muc.join', room: ROOM, nick: 'romeo' });
    const [disco] = system.take();
    system.reply(disco!, `<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await settle();
    system.deliver(occupant('juliet').replace('</x>', "</x><occupant-id xmlns='urn:xmpp:occupant-id:0' id='oid-juliet'/>"));
    expect(system.view().occupants.find((o) => o.nick === 'juliet')?.occupantId).toBeUndefined();
  });

  it('takes a socket read of routed events in one batch, in order, each to its room', async () => {
    const system = mucSystem();
    await startJoin(system);
    const router = createRouter([muc]);
    const routed = [
      occupant('juliet', { role: 'moderator', affiliation: 'owner' }),
      occupant('romeo', { codes: [110] }),
      `<message from='${ROOM}/juliet' type='groupchat' id='b1'><body>batched</body></message>`,
      `<message from='other@rooms.verona.example/juliet' type='groupchat' id='b2'><body>not our room</body></message>`,
      `<message from='${ROOM}' to='${ME}'><x xmlns='${MUC_USER}'><invite from='juliet@capulet.example'/></x></message>`,
    ].flatMap((xml) => router.route(parseXml(xml), routeContext(ME)).map((d) => d.event));
    system.manager.send({ type: 'muc.batch', events: routed as MucRoutedEvent[] });
    expect(system.view()).toMatchObject({ status: 'joined', nick: 'romeo' });
    expect(system.view().messages.map((m) => m.body)).toEqual(['batched']);
    expect(system.manager.getSnapshot().context.invitations.map((i: { room: string }) => i.room)).toEqual([ROOM]);
    expect(system.notes.filter((n) => n.type === 'room.invitation')).toHaveLength(1);
  });

  it('gives up on a room that never answers the join', async () => {
    const system = mucSystem();
    await startJoin(system);
    system.clock.increment(30_000);
    expect(system.view()).toMatchObject({ status: 'failed', failure: { reason: 'timeout' } });
  });

  it('tells the app about invitations from a room (mediated) or a contact (direct), not from a full JID posing as a room', async () => {
    const system = mucSystem();
    system.deliver(
      `<message from='${ROOM}' to='${ME}'><x xmlns='${MUC_USER}'><invite from='juliet@capulet.example/balcony'><reason>Come up</reason></invite></x></message>`,
    );
    system.deliver(
      `<message from='juliet@capulet.example/balcony' to='${ME}'><x xmlns='jabber:x:conference' jid='${ROOM}' reason='direct'/></message>`,
    );
    system.deliver(
      `<message from='${ROOM}/mallory' to='${ME}'><x xmlns='${MUC_USER}'><invite from='juliet@capulet.example'/></x></message>`,
    );
    const invitations = system.notes.filter((n) => n.type === 'room.invitation');
    expect(invitations.map((n) => (n.type === 'room.invitation' ? [n.invitation.room, n.invitation.direct] : []))).toEqual([
      [ROOM, false],
      [ROOM, true],
    ]);
  });
});
