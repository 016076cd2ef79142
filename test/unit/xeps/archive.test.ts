import type { Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { toArray } from '../../../src/store/message-store.js';
import { NS_MAM, NS_RSM, connectHistory, type ArchiveEmitted } from '../../../src/xeps/archive/index.js';
import { CATCH_UP_RETRY_MS, MAX_CATCH_UP_RETRIES } from '../../../src/xeps/archive/archive.machine.js';
import { NS_DISCO_INFO } from '../../../src/xeps/disco/disco.codec.js';
import type { ChatMessage, ConversationContext } from '../../../src/xeps/chat/chat.types.js';
import { JULIET, ME, NOW, chatSystem } from './chat-harness.js';

const OWN = 'romeo@montague.example';
const ROOM = 'garden@rooms.montague.example';

/** An archived message of the own archive; `in` is from Juliet, `out` from one of our devices. */
function archived(id: string, body: string, opts: { out?: boolean; extra?: string; noBody?: boolean } = {}): string {
  const [from, to] = opts.out ? [`${OWN}/phone`, JULIET] : [`${JULIET}/balcony`, OWN];
  const content = opts.noBody ? '' : `<body>${body}</body>`;
  return `<message xmlns='jabber:client' type='chat' from='${from}' to='${to}' id='w-${id}'>${content}<origin-id xmlns='urn:xmpp:sid:0' id='o-${id}'/>${opts.extra ?? ''}</message>`;
}

function result(queryId: string, id: string, inner: string, { from, stamp }: { from?: string; stamp?: string } = {}): string {
  const attr = from === undefined ? '' : ` from='${from}'`;
  return `<message to='${ME}'${attr}><result xmlns='${NS_MAM}' queryid='${queryId}' id='${id}'><forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='${stamp ?? '2025-12-31T10:00:00Z'}'/>${inner}</forwarded></result></message>`;
}

function fin(ids: readonly string[], complete: boolean): string {
  const set = ids.length ? `<first>${ids[0]}</first><last>${ids.at(-1)}</last>` : '';
  return `<fin xmlns='${NS_MAM}'${complete ? " complete='true'" : ''}><set xmlns='${NS_RSM}'>${set}</set></fin>`;
}

type System = ReturnType<typeof chatSystem>;

/** A live message from Juliet that the own archive stored as `id`. */
const liveFromJuliet = (id: string, body: string) =>
  `<message type='chat' from='${JULIET}/balcony' to='${ME}' id='w-${id}'><body>${body}</body><stanza-id xmlns='urn:xmpp:sid:0' by='${OWN}' id='${id}'/></message>`;

/** Brings the archive actor online and answers its disco#info on the own bare JID. */
async function online(system: System, { resumed = false, features = [NS_MAM] } = {}): Promise<void> {
  system.chat.send({ type: 'session.online', jid: ME, resumed });
  system.archive.send({ type: 'session.online', jid: ME, resumed });
  const [disco] = system.take().filter((el) => el.getChild('query', NS_DISCO_INFO));
  if (!disco) return;
  expect(disco.attrs.to).toBe(OWN);
  system.reply(disco, `<query xmlns='${NS_DISCO_INFO}'>${features.map((f) => `<feature var='${f}'/>`).join('')}</query>`);
  await settle();
}

/** The stream drops and a new one comes up that could not resume. */
async function freshSession(system: System): Promise<void> {
  system.chat.send({ type: 'session.offline' });
  system.archive.send({ type: 'session.offline' });
  await online(system, { resumed: false });
}

/** The stream drops and a new one comes up that could not resume, with no disco#info asked again. */
function newSessionAsIs(system: System): void {
  system.chat.send({ type: 'session.offline' });
  system.archive.send({ type: 'session.offline' });
  system.chat.send({ type: 'session.online', jid: ME, resumed: false });
  system.archive.send({ type: 'session.online', jid: ME, resumed: false });
}

/** Our message `my-1` ("mine") as the own archive holds it. */
const ourArchivedMessage = `<message xmlns='jabber:client' type='chat' from='${OWN}/garden' to='${JULIET}' id='my-1'><body>mine</body><origin-id xmlns='urn:xmpp:sid:0' id='my-1'/></message>`;

/**
 * A fresh session whose catch-up (after `a5`) gets a first page holding only our own message
 * `my-1`, already known: the next page starts after an archive id no message in memory has (ours
 * was stored before the server numbered it). Returns that next query.
 */
async function catchUpPastOurMessage(system: System) {
  await freshSession(system);
  const [query] = queries(system);
  expect(query!.cursor).toBe('after:a5');
  system.deliver(result(query!.queryId, 'a7', ourArchivedMessage));
  system.reply(query!.iq, fin(['a7'], false));
  await settle();
  const [next] = queries(system);
  expect(next!.cursor).toBe('after:a7');
  return next!;
}

/** The MAM queries sent since the last look, with their queryid and RSM cursor. */
function queries(system: System): { iq: Element; queryId: string; cursor: string; with?: string }[] {
  return system
    .take()
    .filter((el) => el.getChild('query', NS_MAM))
    .map((iq) => {
      const query = iq.getChild('query', NS_MAM)!;
      const set = query.getChild('set', NS_RSM)!;
      const cursor = set.getChildElements().find((c) => c.name === 'before' || c.name === 'after');
      const withField = query
        .getChild('x')
        ?.getChildren('field')
        .find((f) => f.attrs.var === 'with');
      const found: { iq: Element; queryId: string; cursor: string; with?: string } = {
        iq,
        queryId: query.attrs.queryid!,
        cursor: cursor ? `${cursor.name}:${cursor.text()}` : '',
      };
      const value = withField?.getChildText('value');
      if (value) found.with = value;
      return found;
    });
}

function outcomes(system: System): ArchiveEmitted[] {
  const seen: ArchiveEmitted[] = [];
  system.archive.on('archive.finished', (event) => seen.push(event));
  return seen;
}

function messagesOf(system: System): ChatMessage[] {
  const conversation = system.actor.system.get(`chat:${JULIET}`);
  return conversation ? toArray((conversation.getSnapshot().context as ConversationContext).messages) : [];
}

const bodies = (system: System) => messagesOf(system).map((m) => m.body);

/** Lets the IQ replies' promises settle and the actors take their outcome. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('archive feature: scrollback', () => {
  it('loads older pages in front of the conversation until the archive is complete, then sends nothing', async () => {
    const system = chatSystem();
    const finished = outcomes(system);
    await online(system);
    system.deliver(
      `<message type='chat' from='${JULIET}/balcony' to='${ME}' id='live1'><body>now</body><stanza-id xmlns='urn:xmpp:sid:0' by='${OWN}' id='a9'/></message>`,
    );

    system.archive.send({ type: 'archive.loadOlder', jid: JULIET, requestId: 'r1', max: 2 });
    const [first] = queries(system);
    expect(first).toMatchObject({ with: JULIET, cursor: 'before:a9' });
    system.deliver(result(first!.queryId, 'a7', archived('7', 'seven')));
    system.deliver(result(first!.queryId, 'a8', archived('8', 'eight', { out: true })));
    system.reply(first!.iq, fin(['a7', 'a8'], false));
    await settle();
    expect(bodies(system)).toEqual(['seven', 'eight', 'now']);
    expect(finished.at(-1)).toMatchObject({ requestId: 'r1', added: 2, pages: 1, complete: false });
    expect(system.view()?.unread).toBe(1);
    expect(connectHistory(system.archive.getSnapshot(), JULIET)).toMatchObject({ loading: false, complete: false });

    system.archive.send({ type: 'archive.loadOlder', jid: JULIET, requestId: 'r2', max: 2 });
    const [second] = queries(system);
    expect(second!.cursor).toBe('before:a7');
    system.deliver(result(second!.queryId, 'a6', archived('6', 'six')));
    system.reply(second!.iq, fin(['a6'], true));
    await settle();
    expect(bodies(system)).toEqual(['six', 'seven', 'eight', 'now']);
    expect(finished.at(-1)).toMatchObject({ requestId: 'r2', added: 1, complete: true });
    expect(connectHistory(system.archive.getSnapshot(), JULIET).complete).toBe(true);

    system.archive.send({ type: 'archive.loadOlder', jid: JULIET, requestId: 'r3' });
    expect(queries(system)).toEqual([]);
    expect(finished.at(-1)).toMatchObject({ requestId: 'r3', added: 0, pages: 0, complete: true });
    // Scrollback is history, not news: no notifications, no receipts.
    expect(system.notes.filter((n) => n.type === 'message')).toHaveLength(1);
  });

  it('drops results for no open query, from a contact, from the own full JID or from a room', async () => {
    const system = chatSystem();
    await online(system);
    system.archive.send({ type: 'archive.loadOlder', jid: JULIET, requestId: 'r1' });
    const [query] = queries(system);
    system.deliver(result('forged', 'x1', archived('x1', 'wrong queryid')));
    system.deliver(result(query!.queryId, 'x2', archived('x2', 'from a contact'), { from: JULIET }));
    system.deliver(result(query!.queryId, 'x3', archived('x3', 'from own full JID'), { from: ME }));
    system.deliver(result(query!.queryId, 'x4', archived('x4', 'from a room'), { from: ROOM }));
    system.deliver(result(query!.queryId, 'a1', archived('1', 'real'), { from: OWN }));
    system.reply(query!.iq, fin(['a1'], true));
    await settle();
    expect(bodies(system)).toEqual(['real']);
  });

  it('applies archived receipts, markers and corrections instead of showing them, and acks nothing', async () => {
    const system = chatSystem();
    const finished = outcomes(system);
    await online(system);
    system.archive.send({ type: 'archive.loadAll', jid: JULIET, requestId: 'all' });
    const [query] = queries(system);
    const id = query!.queryId;
    system.deliver(result(id, 'a1', archived('1', 'typo', { out: true, extra: "<request xmlns='urn:xmpp:receipts'/>" })));
    system.deliver(
      result(id, 'a2', archived('2', 'fixed', { out: true, extra: "<replace xmlns='urn:xmpp:message-correct:0' id='w-1'/>" })),
    );
    system.deliver(result(id, 'a3', archived('3', '', { noBody: true, extra: "<displayed xmlns='urn:xmpp:chat-markers:0' id='w-1'/>" })));
    system.deliver(
      result(
        id,
        'a4',
        archived('4', 'asks for a receipt', {
          extra: "<request xmlns='urn:xmpp:receipts'/><composing xmlns='http://jabber.org/protocol/chatstates'/>",
        }),
      ),
    );
    system.reply(query!.iq, fin(['a1', 'a4'], true));
    await settle();
    const messages = messagesOf(system);
    expect(messages.map((m) => [m.body, m.state, m.corrected ?? false])).toEqual([
      ['fixed', 'displayed', true],
      ['asks for a receipt', 'delivered', false],
    ]);
    expect(system.view()?.typing).toBeUndefined();
    // Nothing but the next page's query, sent ahead when a1 arrived and withdrawn at complete:
    // no receipt, no marker.
    const before = (el: Element) => el.getChild('query', NS_MAM)?.getChild('set', NS_RSM)?.getChildText('before');
    expect(system.take().map((el) => [el.name, before(el)])).toEqual([['iq', 'a1']]);
    expect(finished.at(-1)).toMatchObject({ requestId: 'all', added: 2, complete: true });
  });

  it('reports a failed page in the outcome and the history status', async () => {
    const system = chatSystem();
    const finished = outcomes(system);
    await online(system);
    system.archive.send({ type: 'archive.loadOlder', jid: JULIET, requestId: 'r1' });
    const [query] = queries(system);
    system.reply(query!.iq, `<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await settle();
    expect(finished.at(-1)).toMatchObject({ requestId: 'r1', failure: { code: 'stanza-error', condition: 'item-not-found' } });
    expect(connectHistory(system.archive.getSnapshot(), JULIET)).toMatchObject({
      loading: false,
      error: expect.stringContaining('item-not-found'),
    });
  });

  it('refuses an unusable intent with an invalid-argument outcome, and queries nothing', async () => {
    const system = chatSystem();
    const finished = outcomes(system);
    await online(system);
    system.archive.send({ type: 'archive.loadOlder', jid: `${JULIET}/balcony`, requestId: 'full' });
    system.archive.send({ type: 'archive.loadAll', jid: JULIET, requestId: 'max', max: 0 });
    expect(queries(system)).toEqual([]);
    expect(finished.map((f) => [f.requestId, f.failure?.code])).toEqual([
      ['full', 'invalid-argument'],
      ['max', 'invalid-argument'],
    ]);
  });
});

describe('archive feature: catch-up', () => {
  it('on a fresh session, pages forward after the newest archive id known and tells the app about what it missed', async () => {
    const system = chatSystem();
    await online(system);
    system.deliver(
      `<message type='chat' from='${JULIET}/balcony' to='${ME}' id='live1'><body>before the drop</body><delay xmlns='urn:xmpp:delay' stamp='2026-01-01T10:00:00Z'/><stanza-id xmlns='urn:xmpp:sid:0' by='${OWN}' id='a5'/></message>`,
    );
    system.archive.send({ type: 'session.offline' });
    await online(system, { resumed: false });
    const [query] = queries(system);
    expect(query).toMatchObject({ cursor: 'after:a5' });
    expect(query!.with).toBeUndefined();
    expect(system.archive.getSnapshot().context.catchUp.status).toBe('running');
    // A live message of the new session arrives while the catch-up page is in flight.
    system.deliver(
      `<message type='chat' from='${JULIET}/balcony' to='${ME}' id='live2'><body>after reconnect</body><delay xmlns='urn:xmpp:delay' stamp='2026-01-01T11:59:00Z'/></message>`,
    );
    system.deliver(result(query!.queryId, 'a6', archived('6', 'missed one'), { stamp: '2026-01-01T11:00:00Z' }));
    system.deliver(result(query!.queryId, 'a7', archived('7', 'missed two'), { stamp: '2026-01-01T11:30:00Z' }));
    system.reply(query!.iq, fin(['a6', 'a7'], true));
    await settle();
    expect(bodies(system)).toEqual(['before the drop', 'missed one', 'missed two', 'after reconnect']);
    expect(system.view()?.unread).toBe(4);
    expect(system.archive.getSnapshot().context.catchUp).toMatchObject({ status: 'complete', pages: 1, messages: 2 });
    expect(system.chat.getSnapshot().context.archivedUpTo).toBe('a7');
    expect(system.notes.filter((n) => n.type === 'message').map((n) => (n.type === 'message' ? n.message.body : ''))).toEqual([
      'before the drop',
      'after reconnect',
      'missed one',
      'missed two',
    ]);
  });

  it('keeps archive order when a catch-up outlives its session: later pages follow the earlier ones, not the newest session', async () => {
    const system = chatSystem();
    await online(system);
    const live = (id: string, body: string) => system.deliver(liveFromJuliet(id, body));
    live('a5', 'known');
    await freshSession(system);
    const [query] = queries(system);
    expect(query!.cursor).toBe('after:a5');
    live('a20', 'live in the second session');
    system.deliver(result(query!.queryId, 'a6', archived('6', 'missed 6')));
    system.deliver(result(query!.queryId, 'a7', archived('7', 'missed 7')));
    system.reply(query!.iq, fin(['a6', 'a7'], false));
    await settle();
    expect(bodies(system)).toEqual(['known', 'missed 6', 'missed 7', 'live in the second session']);
    const [next] = queries(system);
    expect(next!.cursor).toBe('after:a7');

    // The stream drops again before the second page is in; the query is asked again on the third session.
    newSessionAsIs(system);
    live('a30', 'live in the third session');
    system.deliver(result(next!.queryId, 'a8', archived('8', 'missed 8')));
    system.deliver(
      result(
        next!.queryId,
        'a20',
        `<message xmlns='jabber:client' type='chat' from='${JULIET}/balcony' to='${OWN}' id='w-a20'><body>live in the second session</body></message>`,
      ),
    );
    system.deliver(result(next!.queryId, 'a21', archived('21', 'missed 21')));
    system.reply(next!.iq, fin(['a8', 'a21'], true));
    await settle();
    expect(bodies(system)).toEqual([
      'known',
      'missed 6',
      'missed 7',
      'missed 8',
      'live in the second session',
      'missed 21',
      'live in the third session',
    ]);
  });

  it('places a run with no mark of its own side before that side’s live messages of a session that died before its catch-up', async () => {
    const system = chatSystem();
    await online(system);
    system.deliver(liveFromJuliet('a5', 'juliet 1'));
    await freshSession(system);
    const [first] = queries(system);
    const fromOtherDevice = `<message xmlns='jabber:client' type='chat' from='${OWN}/phone' to='${JULIET}' id='w-6'><body>mine</body><origin-id xmlns='urn:xmpp:sid:0' id='o-6'/></message>`;
    system.deliver(result(first!.queryId, 'a6', fromOtherDevice));
    system.reply(first!.iq, fin(['a6'], true));
    await settle();

    // The next session's catch-up starts after our own message; Juliet writes live, and the session dies ...
    await freshSession(system);
    const [query] = queries(system);
    expect(query!.cursor).toBe('after:a6');
    system.deliver(liveFromJuliet('a20', 'live in the second session'));
    // ... before the answer, which comes in the third session with no earlier message of hers in the page.
    await freshSession(system);
    system.deliver(result(query!.queryId, 'a7', archived('7', 'missed 7')));
    system.deliver(result(query!.queryId, 'a8', archived('8', 'missed 8')));
    system.reply(query!.iq, fin(['a7', 'a8'], false));
    await settle();
    expect(bodies(system)).toEqual(['juliet 1', 'mine', 'missed 7', 'missed 8', 'live in the second session']);
  });

  it('keeps order when the page repeats an older message of the peer (her resent copy, archived again later)', async () => {
    const system = chatSystem();
    await online(system);
    system.deliver(
      `<message type='chat' from='${JULIET}/balcony' to='${ME}' id='w-1'><body>juliet 1</body><origin-id xmlns='urn:xmpp:sid:0' id='o-1'/><delay xmlns='urn:xmpp:delay' stamp='2026-01-01T09:00:00Z'/><stanza-id xmlns='urn:xmpp:sid:0' by='${OWN}' id='a5'/></message>`,
    );
    await freshSession(system);
    const [query] = queries(system);
    expect(query!.cursor).toBe('after:a5');
    // Her client resent "juliet 1" and "juliet 2" after a drop: the server archived them again, after "juliet 3".
    system.deliver(result(query!.queryId, 'a6', archived('2', 'juliet 2')));
    system.deliver(result(query!.queryId, 'a7', archived('3', 'juliet 3')));
    system.deliver(result(query!.queryId, 'a8', archived('1', 'juliet 1')));
    system.deliver(result(query!.queryId, 'a9', archived('2', 'juliet 2')));
    system.deliver(result(query!.queryId, 'a10', archived('4', 'juliet 4')));
    system.reply(query!.iq, fin(['a6', 'a10'], true));
    await settle();
    expect(bodies(system)).toEqual(['juliet 1', 'juliet 2', 'juliet 3', 'juliet 4']);
  });

  it('keeps the peer’s order when our own message was archived long after we wrote it (sent across an outage)', async () => {
    const system = chatSystem();
    await online(system);
    const live = (id: string, body: string) => system.deliver(liveFromJuliet(id, body));
    live('a5', 'juliet 1');
    // Written here between her first and second message; the server only got it after a reconnect.
    system.chat.send({ type: 'chat.send', to: JULIET, body: 'mine', id: 'my-1' });
    live('a6', 'juliet 2');
    await freshSession(system);
    const [query] = queries(system);
    expect(query!.cursor).toBe('after:a6');
    system.deliver(result(query!.queryId, 'a7', ourArchivedMessage));
    system.deliver(result(query!.queryId, 'a8', archived('8', 'juliet 3')));
    system.reply(query!.iq, fin(['a7', 'a8'], true));
    await settle();
    expect(bodies(system)).toEqual(['juliet 1', 'mine', 'juliet 2', 'juliet 3']);
  });

  it('after a catch-up that failed midway, the next fresh session resumes where it stopped, not after newer live messages', async () => {
    const system = chatSystem();
    await online(system);
    const live = (id: string, body: string) => system.deliver(liveFromJuliet(id, body));
    live('a5', 'known');
    await freshSession(system);
    const [query] = queries(system);
    system.deliver(result(query!.queryId, 'a6', archived('6', 'missed 6')));
    system.reply(query!.iq, fin(['a6'], false));
    await settle();
    const [next] = queries(system);
    expect(next!.cursor).toBe('after:a6');
    live('a40', 'live, past the gap');
    system.reply(next!.iq, `<error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await settle();
    expect(system.archive.getSnapshot().context.catchUp.status).toBe('failed');

    await freshSession(system);
    const [resumed] = queries(system);
    expect(resumed!.cursor).toBe('after:a6');
    system.deliver(result(resumed!.queryId, 'a7', archived('7', 'missed 7')));
    system.reply(resumed!.iq, fin(['a7'], true));
    await settle();
    expect(bodies(system)).toEqual(['known', 'missed 6', 'missed 7', 'live, past the gap']);
    expect(system.archive.getSnapshot().context.unfinishedCatchUp).toBeUndefined();
  });

  it('tries a catch-up that failed while online again after a delay, from where it stopped, a few times only', async () => {
    const system = chatSystem();
    await online(system);
    system.deliver(
      `<message type='chat' from='${JULIET}/balcony' to='${ME}' id='w1'><body>known</body><stanza-id xmlns='urn:xmpp:sid:0' by='${OWN}' id='a5'/></message>`,
    );
    await freshSession(system);
    const busy = `<error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`;
    let [query] = queries(system);
    system.deliver(result(query!.queryId, 'a6', archived('6', 'missed 6')));
    system.reply(query!.iq, fin(['a6'], false));
    await settle();
    [query] = queries(system);
    system.reply(query!.iq, busy, 'error');
    await settle();
    expect(system.archive.getSnapshot().context.catchUp.status).toBe('failed');
    system.clock.increment(CATCH_UP_RETRY_MS - 1);
    expect(queries(system)).toEqual([]);
    system.clock.increment(1);
    // Each failure waits twice as long as the one before; after the last retry it rests until the next fresh session.
    for (let failure = 1; failure <= MAX_CATCH_UP_RETRIES; failure++) {
      [query] = queries(system);
      expect(query!.cursor).toBe('after:a6');
      system.reply(query!.iq, busy, 'error');
      await settle();
      system.clock.increment(CATCH_UP_RETRY_MS * 2 ** failure);
    }
    expect(queries(system)).toEqual([]);
    expect(system.archive.getSnapshot().context.unfinishedCatchUp).toEqual({ after: 'a6' });
  });

  it('a session that ended before its catch-up began hands its starting point to the next one, past later live messages', async () => {
    const system = chatSystem();
    await online(system);
    system.deliver(liveFromJuliet('a5', 'known'));
    // A fresh session comes up and drops before the archive's support check is answered.
    newSessionAsIs(system);
    system.deliver(liveFromJuliet('a9', 'live after the gap'));
    system.take();
    await freshSession(system);
    const [query] = queries(system);
    expect(query!.cursor).toBe('after:a5');
  });

  it('starts from what was known when the session came up, not from a live message that arrived before the archive answered', async () => {
    const system = chatSystem();
    await online(system);
    system.deliver(
      `<message type='chat' from='${JULIET}/balcony' to='${ME}' id='live1'><body>old</body><stanza-id xmlns='urn:xmpp:sid:0' by='${OWN}' id='a5'/></message>`,
    );
    system.archive.send({ type: 'session.offline' });
    system.chat.send({ type: 'session.online', jid: ME, resumed: false });
    system.archive.send({ type: 'session.online', jid: ME, resumed: false });
    const [disco] = system.take();
    system.deliver(
      `<message type='chat' from='${JULIET}/balcony' to='${ME}' id='live2'><body>new</body><stanza-id xmlns='urn:xmpp:sid:0' by='${OWN}' id='a20'/></message>`,
    );
    system.reply(disco!, `<query xmlns='${NS_DISCO_INFO}'><feature var='${NS_MAM}'/></query>`);
    await settle();
    expect(queries(system).map((q) => q.cursor)).toEqual(['after:a5']);
  });

  it('does nothing on a resumed session, and nothing for a fresh device that knows no message', async () => {
    const system = chatSystem();
    await online(system);
    expect(queries(system)).toEqual([]);
    system.deliver(`<message type='chat' from='${JULIET}/balcony' to='${ME}' id='live1'><body>hi</body></message>`);
    system.archive.send({ type: 'session.offline' });
    await online(system, { resumed: true });
    expect(queries(system)).toEqual([]);
  });

  it('places a run with no mark of its own side before the next known message of that side the page repeats', async () => {
    const system = chatSystem();
    await online(system);
    system.deliver(liveFromJuliet('a5', 'juliet 1'));
    system.chat.send({ type: 'chat.send', to: JULIET, body: 'mine', id: 'my-1' });
    const next = await catchUpPastOurMessage(system);
    // Her 2 to 4 went with a session that could not be resumed; her 5 comes live, then this session ends too.
    system.deliver(liveFromJuliet('a11', 'juliet 5'));
    newSessionAsIs(system);
    for (const n of [2, 3, 4]) system.deliver(result(next.queryId, `a${6 + n}`, archived(String(n), `juliet ${n}`)));
    const herFive = `<message xmlns='jabber:client' type='chat' from='${JULIET}/balcony' to='${OWN}' id='w-a11'><body>juliet 5</body></message>`;
    system.deliver(result(next.queryId, 'a11', herFive));
    system.reply(next.iq, fin(['a8', 'a11'], true));
    await settle();
    expect(bodies(system)).toEqual(['juliet 1', 'mine', 'juliet 2', 'juliet 3', 'juliet 4', 'juliet 5']);
  });

  it('places a run before the next message of its side the page repeats under another archive id, when it was stored after the run', async () => {
    const system = chatSystem();
    await online(system);
    system.chat.send({ type: 'chat.send', to: JULIET, body: 'mine', id: 'my-1' });
    system.deliver(liveFromJuliet('a5', 'juliet 1'));
    const next = await catchUpPastOurMessage(system);
    // Her 5 came live under the id of a copy her client resent (archived again, later): the page
    // below holds its first archival, after her 2 to 4 that went with a lost session.
    system.deliver(liveFromJuliet('a30', 'juliet 5').replace('<body>', `<origin-id xmlns='urn:xmpp:sid:0' id='o-5'/><body>`));
    newSessionAsIs(system);
    for (const n of [2, 3, 4, 5])
      system.deliver(result(next.queryId, `a${6 + n}`, archived(String(n), `juliet ${n}`), { stamp: '2026-01-01T11:00:00Z' }));
    system.reply(next.iq, fin(['a8', 'a11'], true));
    await settle();
    expect(bodies(system)).toEqual(['mine', 'juliet 1', 'juliet 2', 'juliet 3', 'juliet 4', 'juliet 5']);
  });

  it('does not take a resent copy the page repeats for where a run goes: it was archived again, later', async () => {
    const system = chatSystem();
    await online(system);
    system.chat.send({ type: 'chat.send', to: JULIET, body: 'mine', id: 'my-1' });
    system.deliver(
      `<message type='chat' from='${JULIET}/balcony' to='${ME}' id='w-1'><body>juliet 1</body><origin-id xmlns='urn:xmpp:sid:0' id='o-1'/><delay xmlns='urn:xmpp:delay' stamp='2026-01-01T09:00:00Z'/><stanza-id xmlns='urn:xmpp:sid:0' by='${OWN}' id='a5'/></message>`,
    );
    const next = await catchUpPastOurMessage(system);
    // Her client resent "juliet 1" after her 2 and 3: the archive holds it again under a new id.
    system.deliver(result(next.queryId, 'a8', archived('2', 'juliet 2'), { stamp: '2026-01-01T10:00:00Z' }));
    system.deliver(result(next.queryId, 'a9', archived('3', 'juliet 3'), { stamp: '2026-01-01T10:01:00Z' }));
    system.deliver(result(next.queryId, 'a10', archived('1', 'juliet 1'), { stamp: '2026-01-01T10:02:00Z' }));
    system.reply(next.iq, fin(['a8', 'a10'], true));
    await settle();
    expect(bodies(system)).toEqual(['mine', 'juliet 1', 'juliet 2', 'juliet 3']);
  });

  it('without an archive id, starts from the newest message time; without MAM support, does not catch up at all', async () => {
    const system = chatSystem();
    await online(system);
    system.deliver(`<message type='chat' from='${JULIET}/balcony' to='${ME}' id='live1'><body>hi</body></message>`);
    system.archive.send({ type: 'session.offline' });
    await online(system);
    const [query] = queries(system);
    const start = query!.iq
      .getChild('query', NS_MAM)!
      .getChild('x')!
      .getChildren('field')
      .find((f) => f.attrs.var === 'start');
    expect(start?.getChildText('value')).toBe(new Date(NOW).toISOString());

    const unsupported = chatSystem();
    await online(unsupported, { features: [] });
    unsupported.deliver(`<message type='chat' from='${JULIET}/balcony' to='${ME}' id='live1'><body>hi</body></message>`);
    unsupported.archive.send({ type: 'session.offline' });
    await online(unsupported, { features: [] });
    expect(queries(unsupported)).toEqual([]);
  });
});

describe('archive feature: search and room archives', () => {
  it('returns search results without touching the conversation', async () => {
    const system = chatSystem();
    const finished = outcomes(system);
    await online(system);
    system.archive.send({ type: 'archive.search', jid: JULIET, start: '2025-01-01T00:00:00Z', requestId: 's' });
    const [query] = queries(system);
    expect(query!.cursor).toBe('before:');
    system.deliver(result(query!.queryId, 'a1', archived('1', 'found')));
    system.reply(query!.iq, fin(['a1'], true));
    await settle();
    expect(finished.at(-1)?.results?.map((r) => r.entry.kind === 'chat' && r.entry.message.body)).toEqual(['found']);
    expect(system.view()).toBeUndefined();
  });

  it('filters by archive ids only when the archive offers urn:xmpp:mam:2#extended', async () => {
    const plain = chatSystem();
    const refused = outcomes(plain);
    await online(plain);
    plain.archive.send({ type: 'archive.search', jid: JULIET, afterId: 'a5', requestId: 'ids' });
    expect(queries(plain)).toEqual([]);
    expect(refused.at(-1)).toMatchObject({ requestId: 'ids', failure: { code: 'feature-failed' } });

    const extended = chatSystem();
    await online(extended, { features: [NS_MAM, 'urn:xmpp:mam:2#extended'] });
    extended.archive.send({ type: 'archive.search', jid: JULIET, afterId: 'a5', beforeId: 'a9', requestId: 'ids' });
    const [query] = queries(extended);
    const fields = query!.iq.getChild('query', NS_MAM)!.getChild('x')!.getChildren('field');
    expect(fields.map((f) => [f.attrs.var, f.getChildText('value')])).toEqual([
      ['FORM_TYPE', NS_MAM],
      ['with', JULIET],
      ['after-id', 'a5'],
      ['before-id', 'a9'],
    ]);
  });

  it('pages a room archive addressed to the room and accepts its results only from the room', async () => {
    const system = chatSystem();
    const finished = outcomes(system);
    await online(system);
    system.archive.send({ type: 'archive.loadOlder', jid: ROOM, room: true, requestId: 'room' });
    const [query] = queries(system);
    expect(query!.iq.attrs.to).toBe(ROOM);
    expect(query!.with).toBeUndefined();
    const groupchat = (nick: string, body: string) =>
      `<message xmlns='jabber:client' type='groupchat' from='${ROOM}/${nick}' id='g-${body}'><body>${body}</body></message>`;
    system.deliver(result(query!.queryId, 'r1', groupchat('nurse', 'hello'), { from: ROOM }));
    system.deliver(result(query!.queryId, 'r2', groupchat('tybalt', 'own archive?')));
    system.deliver(result(query!.queryId, 'r3', groupchat('mercutio', 'another room'), { from: `other@rooms.montague.example` }));
    system.reply(query!.iq, fin(['r1'], true));
    await settle();
    expect(finished.at(-1)?.results?.map((r) => r.entry)).toEqual([
      { kind: 'groupchat', message: { from: `${ROOM}/nurse`, nick: 'nurse', body: 'hello', idAttr: 'g-hello' } },
    ]);
    expect(connectHistory(system.archive.getSnapshot(), ROOM).complete).toBe(true);
  });
});
