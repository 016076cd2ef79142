import type { SnapshotFrom } from 'xstate';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectConnection } from '../../src/client/select-connection.js';
import type { XmppClientOptions } from '../../src/client/options.js';
import { connectChat, conversationId, type ConversationLogic } from '../../src/xeps/chat/index.js';
import { connectRoom, type RoomLogic } from '../../src/xeps/muc/index.js';
import { C2S_PORT, HTTP_PORT, MUC_DOMAIN, PROSODY_HOST, TCP_URL, killProsody, startProsody, uniqueUsers } from '../../scripts/prosody.js';
import { conversationWith, untilConversation } from '../support/chat-probe.js';
import { observedClient, type ObservedClient } from '../support/client.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import type { TestUser } from '../../scripts/prosody.js';

/**
 * Faults injected for real: a proxy of the repo's own between the clients and Prosody cuts,
 * silences and delays the link, and Prosody itself is killed with SIGKILL and restarted.
 */
let tcp: FaultProxy;
let ws: FaultProxy;
beforeAll(async () => {
  [tcp, ws] = await Promise.all([
    startFaultProxy({ host: PROSODY_HOST, port: C2S_PORT }),
    startFaultProxy({ host: PROSODY_HOST, port: HTTP_PORT }),
  ]);
});
afterAll(async () => {
  await Promise.all([tcp.close(), ws.close()]);
});

const running: ObservedClient[] = [];
afterEach(async () => {
  tcp.delay(0);
  ws.delay(0);
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

const quickReconnect: Partial<XmppClientOptions> = { reconnect: { minDelay: 50, maxDelay: 400 } };

/** A started client; `via` picks the link: straight to Prosody, or through one of the proxies. */
async function online(user: TestUser, via: 'direct' | 'tcp' | 'ws', options: Partial<XmppClientOptions> = {}): Promise<ObservedClient> {
  const service = via === 'direct' ? TCP_URL : via === 'tcp' ? `xmpp://127.0.0.1:${tcp.port}` : `ws://127.0.0.1:${ws.port}/xmpp-websocket`;
  const c = observedClient(user, service, { ...quickReconnect, ...options });
  running.push(c);
  await c.client.start();
  return c;
}

const bodiesOf = (client: ObservedClient, peer: string, direction: 'in' | 'out') =>
  conversationWith(client.client, peer)
    .filter((m) => m.direction === direction)
    .map((m) => m.body);

describe('fault injection against the local Prosody', () => {
  it('cut every connection: both clients resume their XEP-0198 sessions and what was sent meanwhile arrives once', async () => {
    const [alice, bob] = await uniqueUsers(['fcut-a', 'fcut-b']);
    const [a, b] = await Promise.all([online(alice!, 'tcp'), online(bob!, 'ws')]);
    await a.client.messages.send(bob!.jid, 'before');
    await untilConversation(b.client, alice!.jid, (m) => m.length === 1);

    tcp.cutAll();
    ws.cutAll();
    const during = ['during 1', 'during 2', 'during 3'];
    for (const body of during) await a.client.messages.send(bob!.jid, body);
    await Promise.all([a.waitFor('reconnecting'), b.waitFor('reconnecting')]);
    await Promise.all([a.waitFor('online'), b.waitFor('online')]);
    expect(selectConnection(a.client.getSnapshot()).resumed).toBe(true);
    expect(selectConnection(b.client.getSnapshot()).resumed).toBe(true);

    await untilConversation(b.client, alice!.jid, (m) => m.length === 4);
    expect(bodiesOf(b, alice!.jid, 'in')).toEqual(['before', ...during]);
    // Every message the app sent was confirmed by the server.
    await untilConversation(a.client, bob!.jid, (m) => m.every((x) => x.state !== 'sending'));
    expect(conversationWith(a.client, bob!.jid).map((m) => m.state === 'sent' || m.state === 'delivered')).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('black-holed server bytes: the keepalive notices the half-open link, and the resumed session delivers what fell in the hole', async () => {
    const [alice, bob] = await uniqueUsers(['fhole-a', 'fhole-b']);
    const keepalive = { interval: 500, timeout: 1000 };
    const [a, b] = await Promise.all([online(alice!, 'direct'), online(bob!, 'tcp', { keepalive })]);
    await a.client.messages.send(bob!.jid, 'seen');
    await untilConversation(b.client, alice!.jid, (m) => m.length === 1);

    const silencedAt = Date.now();
    tcp.blackHole();
    // Prosody writes these to a socket that still looks alive to it.
    for (const body of ['lost 1', 'lost 2']) await a.client.messages.send(bob!.jid, body);
    await b.waitFor('reconnecting', 15_000);
    const detectedAfter = Date.now() - silencedAt;
    await b.waitFor('online');
    expect(selectConnection(b.client.getSnapshot()).resumed).toBe(true);
    await untilConversation(b.client, alice!.jid, (m) => m.length === 3);
    expect(bodiesOf(b, alice!.jid, 'in')).toEqual(['seen', 'lost 1', 'lost 2']);
    // Bounded by the keepalive settings: one quiet interval, then one unanswered probe.
    console.info(`[faults] black hole detected after ${detectedAfter} ms (keepalive ${keepalive.interval} + ${keepalive.timeout} ms)`);
  });

  it('delayed bytes (300 ms each way) slow the link down without breaking it or reordering messages', async () => {
    const [alice, bob] = await uniqueUsers(['fslow-a', 'fslow-b']);
    const [a, b] = await Promise.all([online(alice!, 'ws'), online(bob!, 'direct')]);
    ws.delay(300);
    const bodies = Array.from({ length: 20 }, (_, i) => `slow ${i}`);
    for (const body of bodies) await a.client.messages.send(bob!.jid, body);
    await untilConversation(b.client, alice!.jid, (m) => m.length === bodies.length);
    expect(bodiesOf(b, alice!.jid, 'in')).toEqual(bodies);
    await untilConversation(a.client, bob!.jid, (m) => m.every((x) => x.state !== 'sending'));
    expect(a.statuses).not.toContain('reconnecting');
  });

  it('stopping while the link is down: the messages the server never confirmed are reported not-sent, the rest sent', async () => {
    const [alice, bob] = await uniqueUsers(['fstop-a', 'fstop-b']);
    const a = await online(alice!, 'tcp', { reconnect: { minDelay: 5000, maxDelay: 5000 } });
    await a.client.messages.send(bob!.jid, 'confirmed');
    await untilConversation(a.client, bob!.jid, (m) => m[0]?.state === 'sent');
    tcp.refuse(true);
    tcp.cutAll();
    await a.waitFor('reconnecting');
    await a.client.messages.send(bob!.jid, 'queued while offline');
    // What the app holds: the conversation actor, whose last snapshot outlives the stop.
    const conversation = a.client.actor.system.get(conversationId(bob!.jid))!;
    await a.client.stop();
    tcp.refuse(false);
    const { messages } = connectChat(conversation.getSnapshot() as SnapshotFrom<ConversationLogic>);
    expect(messages.map((m) => [m.body, m.state, m.error?.condition])).toEqual([
      ['confirmed', 'sent', undefined],
      ['queued while offline', 'error', 'not-sent'],
    ]);
  });

  it('Prosody killed during MAM paging: the query is asked again on the new session and the history arrives whole, once', async () => {
    const [alice, bob] = await uniqueUsers(['fmam-a', 'fmam-b']);
    const a = await online(alice!, 'direct');
    const total = 300;
    for (let i = 0; i < total; i++) void a.client.messages.send(bob!.jid, `archived ${i}`);
    await untilConversation(a.client, bob!.jid, (m) => m.length === total && m.every((x) => x.state === 'sent'));

    // A new device pages the whole conversation in over a slow link, and the server dies midway.
    tcp.delay(150);
    const b = await online(bob!, 'tcp');
    const loading = b.client.archive.loadAll(alice!.jid, { max: 25 });
    await untilConversation(b.client, alice!.jid, (m) => m.length >= 50);
    await killProsody();
    await startProsody();
    await loading;
    const messages = conversationWith(b.client, alice!.jid);
    expect(b.statuses.filter((s) => s === 'reconnecting').length).toBeGreaterThanOrEqual(1);
    expect(messages.map((m) => m.body)).toEqual(Array.from({ length: total }, (_, i) => `archived ${i}`));
  });

  it('Prosody killed during a MUC join: the room is joined on the new session', async () => {
    const [alice, bob] = await uniqueUsers(['fmuc-a', 'fmuc-b']);
    const a = await online(alice!, 'direct');
    const room = `faults-${Date.now().toString(36)}@${MUC_DOMAIN}`;
    // Persistent, so it outlives the server's death.
    await a.client.rooms.create(room, { nick: 'alice', config: { 'muc#roomconfig_persistentroom': true } });
    await a.client.rooms.leave(room);

    tcp.delay(200);
    const b = await online(bob!, 'tcp');
    const joining = b.client.rooms.join(room, { nick: 'bob' }).catch((err: unknown) => err);
    await killProsody();
    await startProsody();
    await b.waitFor('online', 30_000);
    const view = await untilRoom(b, room, (status) => status === 'joined');
    expect(view.self?.nick).toBe('bob');
    // The join promise settles either way (joined on the new session, or failed with the first one).
    await joining;
  });
});

async function untilRoom(c: ObservedClient, room: string, check: (status: string) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const actor = c.client.rooms.actor(room);
    const view = actor ? connectRoom(actor.getSnapshot() as SnapshotFrom<RoomLogic>) : undefined;
    if (view && check(view.status)) return view;
    if (Date.now() > deadline) throw new Error(`room ${room} is ${view?.status ?? 'unknown'} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
