/**
 * The clients under test in the group chat benchmark, each used as its documentation shows:
 *
 * - xmpp-adapter: `createXmppClient` with the default features (muc included); `client.rooms.join(room, { nick })`
 *   resolves once joined, the occupants are `connectRoom(snapshot).occupants`; messages are the room
 *   actor's `messages` store (`client.rooms.actor(room)`, followed through a snapshot subscription).
 * - stock @xmpp/client: the join presence (`<x xmlns='…/muc'/>`) sent with `send`, a `stanza` listener
 *   keeping a Map of occupants by nick until our own presence (status 110); groupchat messages
 *   turned into plain objects in an array.
 * - StanzaJS: `joinRoom(room, nick)` (its MUC plugin resolves on our own presence), occupants from
 *   its `muc:available` / `muc:unavailable` events; messages from its `groupchat` event.
 */
import type { AnyActorRef } from 'xstate';
import type { TestUser } from '../../scripts/prosody.js';
import { createXmppClient } from '../../src/index.js';
import { at, type MessageStore } from '../../src/store/message-store.js';
import type { RoomMessage } from '../../src/xeps/muc/index.js';
import { bounded, within } from './clients.js';
import type { Delivery } from './e2e-delivery.js';
import { NS_MUC, NS_MUC_USER } from './muc-crowd.js';
import { escapeXml, rawLoginAs } from './raw-xmpp.js';
import { stanzaSession, stockSession, type StockStanza } from './reference-sessions.js';

/** How a client ends up after a join: the occupant list as the app holds it. */
export interface Joined {
  /** Occupants in the app's structure (we are one of them). */
  occupants: number;
  /** Distinct nicks among them. */
  distinct: number;
}

export interface MucSession {
  /** Joins and resolves once the client says joined, with its occupant list. */
  join(room: string, nick: string): Promise<Joined>;
  /** Every groupchat message with a body from now on, as the app gets it, goes to `delivery.record(body)`. */
  follow(room: string, delivery: Delivery): void;
  /** Messages the app holds for `room` (its store, array, …). */
  held(room: string): number;
  /** Leaves (the room confirmed it, bounded) and stops the client. */
  stop(room?: string): Promise<void>;
}

export type OpenMuc = (service: string, account: TestUser) => Promise<MucSession>;

const JOIN_TIMEOUT_MS = 60_000;

const bareOf = (jid: string) => jid.split('/')[0]!;
const resourceOf = (jid: string) => {
  const slash = jid.indexOf('/');
  return slash < 0 ? '' : jid.slice(slash + 1);
};

// ---------------------------------------------------------------------------------------------
// xmpp-adapter
// ---------------------------------------------------------------------------------------------

export const oursMuc: OpenMuc = async (service, account) => {
  const client = createXmppClient({ service, domain: account.domain, username: account.username, password: account.password });
  try {
    await client.start();
  } catch (err) {
    await bounded(() => client.stop());
    throw err;
  }
  const room = (jid: string): AnyActorRef => {
    const actor = client.rooms.actor(jid);
    if (!actor) throw new Error(`xmpp-adapter: no actor for ${jid}`);
    return actor;
  };
  return {
    async join(jid, nick) {
      const view = await within(client.rooms.join(jid, { nick }), JOIN_TIMEOUT_MS, `xmpp-adapter join ${jid}`);
      return { occupants: view.occupants.length, distinct: new Set(view.occupants.map((o) => o.nick)).size };
    },
    follow(jid, delivery) {
      let seen = room(jid).getSnapshot().context.messages.size as number;
      room(jid).subscribe((snapshot: { context: { messages: MessageStore<RoomMessage> } }) => {
        const store = snapshot.context.messages;
        if (store.size === seen) return;
        for (let p = seen; p < store.size; p++) {
          const message = at(store, p)!;
          if (message.direction === 'in') delivery.record(message.body);
        }
        seen = store.size;
      });
    },
    held: (jid) => (room(jid).getSnapshot().context.messages as MessageStore<RoomMessage>).size,
    async stop(jid) {
      if (jid) await bounded(() => client.rooms.leave(jid));
      await bounded(() => client.stop());
    },
  };
};

// ---------------------------------------------------------------------------------------------
// stock @xmpp/client
// ---------------------------------------------------------------------------------------------

interface StockOccupant {
  nick: string;
  role: string | undefined;
  affiliation: string | undefined;
  jid: string | undefined;
  show: string | undefined;
}

interface StockGroupchat {
  id: string | undefined;
  nick: string;
  body: string;
  stanzaId: string | undefined;
}

interface StockRoom {
  occupants: Map<string, StockOccupant>;
  messages: StockGroupchat[];
  joined?: () => void;
  left?: () => void;
  delivery?: Delivery;
}

export const stockMuc: OpenMuc = async (service, account) => {
  const rooms = new Map<string, StockRoom>();
  const onStanza = (el: StockStanza) => {
    const from = el.attrs.from;
    if (!from) return;
    const state = rooms.get(bareOf(from));
    if (!state) return;
    if (el.is('presence')) {
      const x = el.getChild('x', NS_MUC_USER);
      if (!x) return;
      const nick = resourceOf(from);
      const self = x.getChildren('status').some((s) => s.attrs.code === '110');
      if (el.attrs.type === 'unavailable') {
        state.occupants.delete(nick);
        if (self) state.left?.();
        return;
      }
      if (el.attrs.type === 'error') return;
      const item = x.getChild('item');
      state.occupants.set(nick, {
        nick,
        role: item?.attrs.role,
        affiliation: item?.attrs.affiliation,
        jid: item?.attrs.jid,
        show: el.getChildText('show') ?? undefined,
      });
      if (self) state.joined?.();
    } else if (el.is('message') && el.attrs.type === 'groupchat') {
      const body = el.getChildText('body');
      if (body === null) return;
      state.messages.push({
        id: el.attrs.id,
        nick: resourceOf(from),
        body,
        stanzaId: el.getChild('stanza-id', 'urn:xmpp:sid:0')?.attrs.id,
      });
      state.delivery?.record(body);
    }
  };
  const session = await stockSession(service, account, (xmpp) => xmpp.on('stanza', onStanza));
  await session.smEnabled;
  await session.xmpp.send(session.xml('presence'));
  const nicks = new Map<string, string>();
  return {
    async join(room, nick) {
      const state: StockRoom = { occupants: new Map(), messages: [] };
      rooms.set(room, state);
      nicks.set(room, nick);
      const joined = new Promise<void>((resolve) => (state.joined = resolve));
      await session.xmpp.send(session.xml('presence', { to: `${room}/${nick}` }, session.xml('x', { xmlns: NS_MUC })));
      await within(joined, JOIN_TIMEOUT_MS, `@xmpp/client join ${room}`);
      return { occupants: state.occupants.size, distinct: state.occupants.size };
    },
    follow(room, delivery) {
      rooms.get(room)!.delivery = delivery;
    },
    held: (room) => rooms.get(room)?.messages.length ?? 0,
    async stop(room) {
      const state = room ? rooms.get(room) : undefined;
      if (room && state) {
        const left = new Promise<void>((resolve) => (state.left = resolve));
        await bounded(async () => {
          await session.xmpp.send(session.xml('presence', { to: `${room}/${nicks.get(room)}`, type: 'unavailable' }));
          await left;
        });
      }
      await session.stop();
    },
  };
};

// ---------------------------------------------------------------------------------------------
// StanzaJS
// ---------------------------------------------------------------------------------------------

interface StanzaPresence {
  from: string;
  muc?: { role?: string; affiliation?: string; jid?: string };
  show?: string;
}

export function stanzaMuc(wsUrl: string): OpenMuc {
  return async (_service, account) => {
    const occupants = new Map<string, Map<string, StockOccupant>>();
    const messages = new Map<string, Array<{ id?: string; nick: string; body: string }>>();
    const deliveries = new Map<string, Delivery>();
    const session = await stanzaSession(wsUrl, account, (client) => {
      client.on('muc:available', (pres: StanzaPresence) => {
        const nick = resourceOf(pres.from);
        occupants.get(bareOf(pres.from))?.set(nick, {
          nick,
          role: pres.muc?.role,
          affiliation: pres.muc?.affiliation,
          jid: pres.muc?.jid,
          show: pres.show,
        });
      });
      client.on('muc:unavailable', (pres: StanzaPresence) => occupants.get(bareOf(pres.from))?.delete(resourceOf(pres.from)));
      client.on('groupchat', (msg: { from: string; id?: string; body?: string }) => {
        if (msg.body === undefined) return;
        const room = bareOf(msg.from);
        messages.get(room)?.push({ id: msg.id, nick: resourceOf(msg.from), body: msg.body });
        deliveries.get(room)?.record(msg.body);
      });
    });
    await session.smEnabled;
    session.client.sendPresence();
    return {
      async join(room, nick) {
        const list = new Map<string, StockOccupant>();
        occupants.set(room, list);
        messages.set(room, []);
        await within(session.client.joinRoom(room, nick), JOIN_TIMEOUT_MS, `StanzaJS join ${room}`);
        return { occupants: list.size, distinct: list.size };
      },
      follow(room, delivery) {
        deliveries.set(room, delivery);
      },
      held: (room) => messages.get(room)?.length ?? 0,
      async stop(room) {
        if (room) await bounded(() => session.client.leaveRoom(room));
        await session.stop();
      },
    };
  };
}

// ---------------------------------------------------------------------------------------------
// raw socket (floor)
// ---------------------------------------------------------------------------------------------

/**
 * The floor: bench/lib/raw-xmpp.ts (PLAIN, bind, presence, no stream management), @xmpp/xml's
 * parser, occupants in a Map by nick, message bodies counted. What is left is the socket, the
 * parser and Prosody.
 */
export const rawMuc: OpenMuc = async (_service, account) => {
  const session = await rawLoginAs(account, true);
  const rooms = new Map<
    string,
    { occupants: Map<string, string | undefined>; joined?: () => void; left?: () => void; delivery?: Delivery; held: number }
  >();
  session.onElement((el) => {
    const from = el.attrs.from as string | undefined;
    const state = from ? rooms.get(bareOf(from)) : undefined;
    if (!from || !state) return;
    if (el.name === 'presence') {
      const x = el.getChild('x', NS_MUC_USER);
      if (!x) return;
      const self = x.getChildren('status').some((s) => s.attrs.code === '110');
      if (el.attrs.type === 'unavailable') {
        state.occupants.delete(resourceOf(from));
        if (self) state.left?.();
      } else if (el.attrs.type !== 'error') {
        state.occupants.set(resourceOf(from), x.getChild('item')?.attrs.role);
        if (self) state.joined?.();
      }
    } else if (el.name === 'message' && el.attrs.type === 'groupchat') {
      const body = el.getChildText('body');
      if (body === null) return;
      state.held++;
      state.delivery?.record(body);
    }
  });
  const nicks = new Map<string, string>();
  return {
    async join(room, nick) {
      const state = { occupants: new Map<string, string | undefined>(), held: 0 } as NonNullable<ReturnType<typeof rooms.get>>;
      rooms.set(room, state);
      nicks.set(room, nick);
      const joined = new Promise<void>((resolve) => (state.joined = resolve));
      await session.write(`<presence to='${escapeXml(`${room}/${nick}`)}'><x xmlns='${NS_MUC}'/></presence>`);
      await within(joined, JOIN_TIMEOUT_MS, `raw join ${room}`);
      return { occupants: state.occupants.size, distinct: state.occupants.size };
    },
    follow(room, delivery) {
      rooms.get(room)!.delivery = delivery;
    },
    held: (room) => rooms.get(room)?.held ?? 0,
    async stop(room) {
      const state = room ? rooms.get(room) : undefined;
      if (room && state) {
        const left = new Promise<void>((resolve) => (state.left = resolve));
        await bounded(async () => {
          await session.write(`<presence to='${escapeXml(`${room}/${nicks.get(room)}`)}' type='unavailable'/>`);
          await left;
        });
      }
      await session.close();
    },
  };
};
