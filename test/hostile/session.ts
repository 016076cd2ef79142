import { expect } from 'vitest';
/**
 * A live client session on the fake transport, brought to a lived-in state (roster, block list,
 * bookmarks, a conversation, a joined room) so that hostile input has something to damage.
 * Shared by the hostile corpus and the session-level fuzz property.
 */
import { xml, type Element } from '@xmpp/xml';
import { SimulatedClock, waitFor, type AnyActorRef } from 'xstate';
import { createXmppClient, type XmppClient } from '../../src/client/create-client.js';
import { createFakeServer, flushMicrotasks, type FakeServer } from '../support/fake-server.js';
import { parseXml } from '../support/xml.js';

export const ME = 'alice@example.org/test';
export const OWN_BARE = 'alice@example.org';
export const DOMAIN = 'example.org';
export const CONTACT = 'bob@example.org';
export const STRANGER = 'mallory@evil.example';
/** A room the session has joined as `alice`, with `bob` in it. */
export const ROOM = 'lobby@conference.example.org';
/** A room the session has never joined. */
export const OTHER_ROOM = 'attic@conference.example.org';
/** The id of the message `bob` sent before the hostile input (also its origin-id). */
export const CONTACT_MESSAGE_ID = 'bob-msg-1';

const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

export interface HostileSession {
  client: XmppClient;
  server: FakeServer;
  clock: SimulatedClock;
  /** What the session emitted as `error` (actor failures). */
  errors: Array<{ source: string; message: string }>;
  /** The id of the message `alice` sent to `bob` during setup. */
  ownMessageId: string;
  /** Delivers stanzas as one socket read each, like the transport. */
  push(...stanzas: Array<string | Element>): void;
  /** Delivers stanzas `perRead` to a socket read. */
  pushInReads(stanzas: readonly string[], perRead: number): void;
  /** Lets promise actors run. */
  settle(): Promise<void>;
  /** Answers every IQ request the client sent and nobody answered yet, as a friendly server would. */
  answerIqs(): Promise<void>;
  /** A snapshot part as JSON: a feature actor's state and context with all its children, or `iq`. */
  part(name: string): string;
  /** Outgoing stanzas since the last `mark()`. */
  sinceMark(): Element[];
  mark(): void;
  stop(): Promise<void>;
}

/** Everything an actor holds: its state, context and children, recursively. */
function capture(actor: AnyActorRef | undefined): unknown {
  if (!actor) return undefined;
  const snapshot = actor.getSnapshot() as {
    status: string;
    value?: unknown;
    context?: unknown;
    children?: Record<string, AnyActorRef | undefined>;
  };
  const children = Object.fromEntries(Object.entries(snapshot.children ?? {}).map(([id, child]) => [id, capture(child)]));
  return { status: snapshot.status, value: snapshot.value, context: snapshot.context, children };
}

/** The result a friendly server gives to a request, or undefined to leave it unanswered. */
function friendlyAnswer(request: Element): Element[] | 'error' | undefined {
  const child = request.getChildElements()[0];
  if (!child) return 'error';
  const ns = child.getNS();
  const to = request.attrs.to;
  if (child.name === 'query' && ns === NS_DISCO_INFO) {
    if (child.attrs.node) return 'error';
    if (to === DOMAIN) {
      return [
        parseXml(`<query xmlns='${NS_DISCO_INFO}'><identity category='server' type='im'/>
          <feature var='urn:xmpp:carbons:2'/><feature var='urn:xmpp:blocking'/><feature var='urn:xmpp:ping'/></query>`),
      ];
    }
    if (to === OWN_BARE) {
      return [
        parseXml(`<query xmlns='${NS_DISCO_INFO}'><identity category='account' type='registered'/><identity category='pubsub' type='pep'/>
          <feature var='urn:xmpp:mam:2'/><feature var='urn:xmpp:bookmarks:1#compat'/></query>`),
      ];
    }
    if (to === ROOM) {
      return [
        parseXml(`<query xmlns='${NS_DISCO_INFO}'><identity category='conference' type='text' name='Lobby'/>
          <feature var='http://jabber.org/protocol/muc'/><feature var='muc_public'/></query>`),
      ];
    }
    return 'error';
  }
  if (child.name === 'query' && ns === 'jabber:iq:roster' && request.attrs.type === 'get') {
    return [
      parseXml(`<query xmlns='jabber:iq:roster' ver='v1'>
        <item jid='${CONTACT}' name='Bob' subscription='both'><group>Friends</group></item>
        <item jid='carol@example.org' subscription='to'/></query>`),
    ];
  }
  if (child.name === 'blocklist') return [parseXml(`<blocklist xmlns='urn:xmpp:blocking'><item jid='spam@example.net'/></blocklist>`)];
  if (child.name === 'enable' && ns === 'urn:xmpp:carbons:2') return [];
  if (child.name === 'pubsub' && child.getChild('items')?.attrs.node === 'urn:xmpp:bookmarks:1') {
    return [
      parseXml(`<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:bookmarks:1'>
        <item id='${ROOM}'><conference xmlns='urn:xmpp:bookmarks:1' name='Lobby'><nick>alice</nick></conference></item>
      </items></pubsub>`),
    ];
  }
  if (child.name === 'query' && ns === 'urn:xmpp:mam:2' && request.attrs.type === 'set') {
    return [
      parseXml(`<fin xmlns='urn:xmpp:mam:2' complete='true'><set xmlns='http://jabber.org/protocol/rsm'><count>0</count></set></fin>`),
    ];
  }
  return 'error';
}

export interface SessionOptions {
  /** Join ROOM and start a conversation with CONTACT (default true). */
  lived?: boolean;
}

export async function startHostileSession({ lived = true }: SessionOptions = {}): Promise<HostileSession> {
  const server = createFakeServer({ jid: ME });
  const clock = new SimulatedClock();
  const client = createXmppClient(
    { service: 'wss://example.org/ws', username: 'alice', password: 'x', domain: DOMAIN },
    { transport: server.logic, clock },
  );
  const errors: HostileSession['errors'] = [];
  client.on('error', (e) => errors.push({ source: e.source, message: e.message }));
  void client.start().catch(() => {});
  server.acceptConnection();

  const answered = new Set<string>();
  let markAt = 0;
  const settle = () => flushMicrotasks(20);
  const answerIqs = async () => {
    for (let round = 0; round < 10; round++) {
      await settle();
      const open = server.outgoing.filter(
        (el) => el.name === 'iq' && (el.attrs.type === 'get' || el.attrs.type === 'set') && !answered.has(String(el.attrs.id)),
      );
      if (open.length === 0) return;
      for (const request of open) {
        answered.add(String(request.attrs.id));
        const answer = friendlyAnswer(request);
        if (answer === 'error') server.replyError(request, 'item-not-found');
        else if (answer) server.replyResult(request, ...answer);
      }
    }
  };
  const session: HostileSession = {
    client,
    server,
    clock,
    errors,
    ownMessageId: '',
    push: (...stanzas) => {
      for (const stanza of stanzas) server.pushIncoming(stanza);
    },
    pushInReads: (stanzas, perRead) => {
      for (let i = 0; i < stanzas.length; i += perRead) {
        server.emit({ type: 'transport.stanzas', stanzas: stanzas.slice(i, i + perRead).map((s) => parseXml(s)) });
      }
    },
    settle,
    answerIqs,
    part: (name) => {
      if (name === 'iq') return JSON.stringify({ pending: client.services.iq.size });
      return JSON.stringify(capture(client.actor.system.get(name) as AnyActorRef | undefined));
    },
    mark: () => {
      markAt = server.outgoing.length;
    },
    sinceMark: () => server.outgoing.slice(markAt),
    stop: async () => {
      await client.stop();
    },
  };
  await answerIqs();
  // Our caps hash is computed on WebCrypto (real time); the presence that carries it must be out
  // before the hostile input, or it would count as an answer to it.
  for (const id of ['caps', 'disco']) {
    const actor = client.feature(id);
    if (actor) await waitFor(actor, (snapshot) => !JSON.stringify((snapshot as { value: unknown }).value).includes('hashing'));
  }
  await settle();

  if (lived) {
    session.push(
      `<message from='${CONTACT}/phone' to='${ME}' type='chat' id='${CONTACT_MESSAGE_ID}'><body>hello alice</body>
        <origin-id xmlns='urn:xmpp:sid:0' id='${CONTACT_MESSAGE_ID}'/></message>`,
    );
    const sent = await client.messages.send(CONTACT, 'hello bob');
    session.ownMessageId = sent.id;
    const joined = client.rooms.join(ROOM, { nick: 'alice' });
    await settle();
    session.push(
      `<presence from='${ROOM}/bob' to='${ME}'><x xmlns='${NS_MUC_USER}'><item affiliation='member' role='participant'/></x></presence>`,
      `<presence from='${ROOM}/alice' to='${ME}'><x xmlns='${NS_MUC_USER}'><item affiliation='member' role='participant'/>
        <status code='110'/></x></presence>`,
      `<message from='${ROOM}' to='${ME}' type='groupchat' id='subj'><subject>Welcome</subject></message>`,
      `<message from='${ROOM}/bob' to='${ME}' type='groupchat' id='g1'><body>hi room</body>
        <stanza-id xmlns='urn:xmpp:sid:0' id='room-sid-1' by='${ROOM}'/></message>`,
    );
    await joined;
    await answerIqs();
  }
  await settle();
  session.mark();
  return session;
}

/** A `<presence/>` with a XEP-0115 `<c/>`, e.g. for floods. */
export function capsPresence(from: string, ver: string): Element {
  return xml(
    'presence',
    { from, to: ME },
    xml('c', { xmlns: 'http://jabber.org/protocol/caps', hash: 'sha-1', node: 'https://example.net/client', ver }),
  );
}

/** Nothing was reported as failed, the client is online and every feature actor still runs. */
export function expectHealthy(session: HostileSession): void {
  expect(session.errors).toEqual([]);
  const snapshot = session.client.getSnapshot();
  expect(snapshot.status).toBe('active');
  expect(snapshot.context.connection.status).toBe('online');
  for (const [id, child] of Object.entries(snapshot.children)) {
    expect({ id, status: (child as { getSnapshot(): { status: string } }).getSnapshot().status }).toEqual({ id, status: 'active' });
  }
}
