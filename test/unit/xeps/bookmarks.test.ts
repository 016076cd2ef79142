import type { Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, setup, waitFor, type AnyActorRef, type SnapshotFrom } from 'xstate';
import {
  MAX_BOOKMARKS,
  NS_BOOKMARKS,
  NS_BOOKMARKS_LEGACY,
  NS_PUBSUB,
  addBookmark,
  applyBookmarkChange,
  bookmarks as bookmarksFeature,
  buildLegacyStorage,
  buildPublishBookmark,
  connectBookmarks,
  createBookmarksLogic,
  parseBookmarkItems,
  parseLegacyItems,
  removeBookmark,
  type Bookmark,
  type BookmarksLogic,
  type BookmarksOptions,
} from '../../../src/xeps/bookmarks/index.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, ok, routeContext } from './harness.js';

const JULIET = routeContext('juliet@capulet.lit/balcony');

// XEP-0402 §3.2: the server returns the bookmarks.
const ITEMS = `
<pubsub xmlns='http://jabber.org/protocol/pubsub'>
  <items node='urn:xmpp:bookmarks:1'>
    <item id='theplay@conference.shakespeare.lit'>
      <conference xmlns='urn:xmpp:bookmarks:1' name='The Play&apos;s the Thing' autojoin='true'>
        <nick>JC</nick>
      </conference>
    </item>
    <item id='orchard@conference.shakespeare.lit'>
      <conference xmlns='urn:xmpp:bookmarks:1' name='The Orchard' autojoin='1'>
        <nick>JC</nick>
        <extensions><state xmlns='http://myclient.example/bookmark/state' minimized='true'/></extensions>
      </conference>
    </item>
    <item id='quiet@conference.shakespeare.lit'>
      <conference xmlns='urn:xmpp:bookmarks:1' name='Quiet' autojoin='false'><password>secret</password></conference>
    </item>
  </items>
</pubsub>`;

// XEP-0048 §3.3: the legacy storage item.
const LEGACY = `
<pubsub xmlns='http://jabber.org/protocol/pubsub'>
  <items node='storage:bookmarks'>
    <item id='current'>
      <storage xmlns='storage:bookmarks'>
        <conference name='The Play&apos;s the Thing' autojoin='true' jid='theplay@conference.shakespeare.lit'>
          <nick>JC</nick>
          <password>Gl0b3</password>
        </conference>
        <url name='Complete Works of Shakespeare' url='http://the-tech.mit.edu/Shakespeare/'/>
      </storage>
    </item>
  </items>
</pubsub>`;

const DISCO = (features: string[], pep = true) =>
  `<query xmlns='http://jabber.org/protocol/disco#info'>` +
  `<identity category='account' type='registered'/>` +
  (pep ? `<identity category='pubsub' type='pep'/>` : '') +
  features.map((f) => `<feature var='${f}'/>`).join('') +
  `</query>`;

const notification = (inner: string, from: string | null = 'juliet@capulet.lit', node = NS_BOOKMARKS) =>
  parseXml(
    `<message${from === null ? '' : ` from='${from}'`} to='juliet@capulet.lit/balcony' type='headline' id='n1'>` +
      `<event xmlns='http://jabber.org/protocol/pubsub#event'><items node='${node}'>${inner}</items></event></message>`,
  );

const THEPLAY = `<item id='theplay@conference.shakespeare.lit'><conference xmlns='urn:xmpp:bookmarks:1' name='Play' autojoin='true'><nick>JC</nick></conference></item>`;

describe('bookmarks codec', () => {
  it('reads XEP-0402 items, extensions kept as plain data', () => {
    const list = ok(parseBookmarkItems(parseXml(ITEMS)));
    expect(list).toEqual([
      { room: 'theplay@conference.shakespeare.lit', name: "The Play's the Thing", autojoin: true, nick: 'JC' },
      {
        room: 'orchard@conference.shakespeare.lit',
        name: 'The Orchard',
        autojoin: true,
        nick: 'JC',
        extensions: [{ name: 'state', attrs: { xmlns: 'http://myclient.example/bookmark/state', minimized: 'true' }, children: [] }],
      },
      { room: 'quiet@conference.shakespeare.lit', name: 'Quiet', autojoin: false, password: 'secret' },
    ]);
    // The extensions go back out unchanged.
    expect(buildPublishBookmark(list[1]!).getChild('pubsub')!.getChild('publish')!.toString()).toBe(
      `<publish node="urn:xmpp:bookmarks:1"><item id="orchard@conference.shakespeare.lit">` +
        `<conference xmlns="urn:xmpp:bookmarks:1" name="The Orchard" autojoin="true"><nick>JC</nick>` +
        `<extensions><state xmlns="http://myclient.example/bookmark/state" minimized="true"/></extensions></conference></item></publish>`,
    );
    expect(parseBookmarkItems(parseXml(`<iq type='result' id='x'/>`))).toHaveProperty('kind', 'stanza-parse-error');
  });

  it('publishes with the XEP-0402 publish-options', () => {
    const iq = buildPublishBookmark({ room: 'a@muc.lit', autojoin: false, name: 'A' });
    const fields = Object.fromEntries(
      iq
        .getChild('pubsub')!
        .getChild('publish-options')!
        .getChild('x')!
        .getChildren('field')
        .map((f) => [f.attrs.var, f.getChildText('value')]),
    );
    expect(fields).toEqual({
      FORM_TYPE: 'http://jabber.org/protocol/pubsub#publish-options',
      'pubsub#persist_items': 'true',
      'pubsub#max_items': 'max',
      'pubsub#send_last_published_item': 'never',
      'pubsub#access_model': 'whitelist',
    });
  });

  it('reads and writes the XEP-0048 storage, URL bookmarks included', () => {
    const storage = ok(parseLegacyItems(parseXml(LEGACY)));
    expect(storage.bookmarks).toEqual([
      { room: 'theplay@conference.shakespeare.lit', name: "The Play's the Thing", autojoin: true, nick: 'JC', password: 'Gl0b3' },
    ]);
    expect(storage.urls).toEqual([{ name: 'Complete Works of Shakespeare', url: 'http://the-tech.mit.edu/Shakespeare/' }]);
    expect(buildLegacyStorage(storage.bookmarks, storage.urls).toString()).toBe(
      `<storage xmlns="storage:bookmarks"><conference jid="theplay@conference.shakespeare.lit" name="The Play&apos;s the Thing" autojoin="true">` +
        `<nick>JC</nick><password>Gl0b3</password></conference>` +
        `<url url="http://the-tech.mit.edu/Shakespeare/" name="Complete Works of Shakespeare"/></storage>`,
    );
    expect(ok(parseLegacyItems(parseXml(`<pubsub xmlns='${NS_PUBSUB}'><items node='storage:bookmarks'/></pubsub>`)))).toEqual({
      bookmarks: [],
      urls: [],
    });
  });

  it('refuses hostile bookmarks without throwing', () => {
    const item = (id: string, inner = '', attrs = '') =>
      `<item id='${id}'><conference xmlns='urn:xmpp:bookmarks:1'${attrs}>${inner}</conference></item>`;
    const items = (body: string) => parseXml(`<pubsub xmlns='${NS_PUBSUB}'><items node='${NS_BOOKMARKS}'>${body}</items></pubsub>`);
    const long = 'x'.repeat(2000);
    const list = ok(
      parseBookmarkItems(
        items(
          item('room@muc.lit/resource') +
            item('muc.lit') +
            item('@@') +
            item('a@muc.lit', '', ` name='${long}'`) +
            item('b@muc.lit', `<nick>${long}</nick>`) +
            item('c@muc.lit', `<password>${long}</password>`) +
            `<item id='d@muc.lit'/>` +
            `<item id='e@muc.lit'><conference xmlns='urn:xmpp:bookmarks:1'/><conference xmlns='urn:xmpp:bookmarks:1'/></item>` +
            item('f@muc.lit', `<extensions>${'<x xmlns="urn:x"/>'.repeat(300)}</extensions>`) +
            item('Good@MUC.lit'),
        ),
      ),
    );
    expect(list).toEqual([{ room: 'good@muc.lit', autojoin: false }]);
    expect(parseBookmarkItems(items(item('a@muc.lit').repeat(MAX_BOOKMARKS + 1)))).toHaveProperty('kind', 'stanza-parse-error');
    const storage = `<storage xmlns='storage:bookmarks'>${"<conference jid='a@b.lit'/>".repeat(MAX_BOOKMARKS + 1)}</storage>`;
    expect(
      parseLegacyItems(
        parseXml(`<pubsub xmlns='${NS_PUBSUB}'><items node='storage:bookmarks'><item id='current'>${storage}</item></items></pubsub>`),
      ),
    ).toHaveProperty('kind', 'stanza-parse-error');
  });

  it('routes notifications from the own account only', () => {
    expect(bookmarksFeature.route(notification(THEPLAY), JULIET)).toEqual([
      {
        type: 'bookmarks.notification',
        mode: 'native',
        changes: [{ kind: 'set', bookmark: { room: 'theplay@conference.shakespeare.lit', name: 'Play', autojoin: true, nick: 'JC' } }],
      },
    ]);
    expect(bookmarksFeature.route(notification(THEPLAY, null), JULIET)).toHaveLength(1);
    expect(bookmarksFeature.route(notification(THEPLAY, 'Juliet@Capulet.lit'), JULIET)).toHaveLength(1);
    for (const from of ['romeo@montague.lit', 'juliet@capulet.lit/chamber', 'capulet.lit', 'evil.lit', '@@']) {
      expect(bookmarksFeature.route(notification(THEPLAY, from), JULIET)).toEqual([]);
    }
    expect(bookmarksFeature.route(notification(`<retract id='theplay@conference.shakespeare.lit'/>`), JULIET)).toEqual([
      { type: 'bookmarks.notification', mode: 'native', changes: [{ kind: 'retract', room: 'theplay@conference.shakespeare.lit' }] },
    ]);
    // Other nodes are somebody else's business.
    expect(bookmarksFeature.route(notification(THEPLAY, 'juliet@capulet.lit', 'urn:xmpp:avatar:metadata'), JULIET)).toEqual([]);
    const legacy = parseXml(LEGACY).getChild('items')!.getChildElements()[0]!.toString();
    expect(bookmarksFeature.route(notification(legacy, 'juliet@capulet.lit', NS_BOOKMARKS_LEGACY), JULIET)).toEqual([
      expect.objectContaining({ mode: 'legacy', changes: [expect.objectContaining({ kind: 'replace' })] }),
    ]);
  });

  it('applies changes', () => {
    const a: Bookmark = { room: 'a@m.lit', autojoin: false };
    const b: Bookmark = { room: 'b@m.lit', autojoin: true };
    expect(applyBookmarkChange({}, { kind: 'set', bookmark: a })).toEqual({ 'a@m.lit': a });
    expect(applyBookmarkChange({ 'a@m.lit': a, 'b@m.lit': b }, { kind: 'retract', room: 'a@m.lit' })).toEqual({ 'b@m.lit': b });
    expect(applyBookmarkChange({ 'a@m.lit': a }, { kind: 'replace', bookmarks: [b] })).toEqual({ 'b@m.lit': b });
  });
});

/** The bookmarks actor next to a stand-in `muc` actor that records what it is told. */
function startBookmarks(options: BookmarksOptions = {}, withMuc = true) {
  const fake = fakeServices(JULIET.me);
  const joins: unknown[] = [];
  const root = setup({
    actors: {
      bookmarks: createBookmarksLogic(fake.services, options),
      muc: fromCallback(({ receive }) => receive((event) => joins.push(event))),
    },
  }).createMachine({
    invoke: [
      { src: 'bookmarks', id: 'bookmarks', systemId: 'bookmarks', input: featureInput() },
      ...(withMuc ? [{ src: 'muc' as const, id: 'muc', systemId: 'muc' }] : []),
    ],
  });
  const parent = createActor(root, { clock: fake.clock }).start();
  const actor = parent.system.get('bookmarks') as AnyActorRef;
  const snapshot = () => actor.getSnapshot() as SnapshotFrom<BookmarksLogic>;
  const view = () => connectBookmarks(snapshot());
  const settled = () => waitFor(actor, (s) => (s as SnapshotFrom<BookmarksLogic>).context.status !== 'loading');
  const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
  /** Takes the one request sent, checking it. */
  const next = async (check: (iq: Element) => boolean): Promise<Element> => {
    await flush();
    const [iq, ...rest] = fake.take();
    expect(rest).toEqual([]);
    expect(iq && check(iq)).toBe(true);
    return iq!;
  };
  const online = () => actor.send({ type: 'session.online', jid: JULIET.me, resumed: false });
  const deliver = (stanza: Element) => {
    for (const event of bookmarksFeature.route(stanza, JULIET)) actor.send(event);
  };
  return { ...fake, actor, view, settled, next, online, joins, deliver, flush, parent };
}

const isDiscoOfOwnAccount = (iq: Element) =>
  iq.attrs.to === 'juliet@capulet.lit' && iq.getChild('query')?.attrs.xmlns?.endsWith('disco#info') === true;
const itemsOf = (node: string) => (iq: Element) => iq.getChild('pubsub', NS_PUBSUB)?.getChild('items')?.attrs.node === node;

describe('bookmarks actor', () => {
  it('finds #compat, fetches XEP-0402 items and joins the autojoin rooms', async () => {
    const b = startBookmarks();
    b.online();
    // The stream drops before the answer and is resumed: the load starts again (the answer to a
    // request given up does not come).
    await b.next(isDiscoOfOwnAccount);
    b.actor.send({ type: 'session.offline' });
    b.actor.send({ type: 'session.online', jid: JULIET.me, resumed: true });
    b.reply(await b.next(isDiscoOfOwnAccount), DISCO(['urn:xmpp:bookmarks:1#compat']));
    b.reply(await b.next(itemsOf(NS_BOOKMARKS)), ITEMS);
    await b.settled();
    expect(b.view()).toMatchObject({ status: 'ready', mode: 'native' });
    expect(b.view().bookmarks.map((x) => x.room)).toEqual([
      'quiet@conference.shakespeare.lit',
      'orchard@conference.shakespeare.lit',
      'theplay@conference.shakespeare.lit',
    ]);
    expect(b.joins).toEqual([
      { type: 'muc.join', room: 'theplay@conference.shakespeare.lit', nick: 'JC' },
      { type: 'muc.join', room: 'orchard@conference.shakespeare.lit', nick: 'JC' },
    ]);
  });

  it('falls back to the XEP-0048 storage without #compat, with the localpart as nick', async () => {
    const b = startBookmarks();
    b.online();
    b.reply(await b.next(isDiscoOfOwnAccount), DISCO([]));
    b.reply(await b.next(itemsOf(NS_BOOKMARKS_LEGACY)), LEGACY.replace('<nick>JC</nick>', ''));
    await b.settled();
    expect(b.view()).toMatchObject({ status: 'ready', mode: 'legacy' });
    expect(b.joins).toEqual([{ type: 'muc.join', room: 'theplay@conference.shakespeare.lit', nick: 'juliet', password: 'Gl0b3' }]);

    // Legacy: add rewrites the whole storage item, URL bookmarks kept.
    b.actor.send({ type: 'bookmarks.add', bookmark: { room: 'new@conference.shakespeare.lit', autojoin: false, name: 'New' } });
    b.reply(await b.next(itemsOf(NS_BOOKMARKS_LEGACY)), LEGACY);
    const publish = await b.next((iq) => iq.getChild('pubsub')?.getChild('publish')?.attrs.node === NS_BOOKMARKS_LEGACY);
    const item = publish.getChild('pubsub')!.getChild('publish')!.getChild('item')!;
    expect(item.attrs.id).toBe('current');
    expect(
      item
        .getChild('storage', NS_BOOKMARKS_LEGACY)!
        .getChildren('conference')
        .map((c) => c.attrs.jid),
    ).toEqual(['theplay@conference.shakespeare.lit', 'new@conference.shakespeare.lit']);
    expect(item.getChild('storage')!.getChildren('url')).toHaveLength(1);
    b.reply(publish);
    await waitFor(b.actor, () => b.view().get('new@conference.shakespeare.lit') !== undefined);

    // Native notifications mean nothing in legacy mode; legacy ones replace the set.
    b.deliver(notification(THEPLAY));
    expect(b.view().bookmarks).toHaveLength(2);
    b.deliver(notification(`<item id='current'><storage xmlns='storage:bookmarks'/></item>`, 'juliet@capulet.lit', NS_BOOKMARKS_LEGACY));
    expect(b.view().bookmarks).toEqual([]);
  });

  it('is unsupported without PEP, failed when the fetch times out', async () => {
    const b = startBookmarks();
    b.online();
    b.reply(await b.next(isDiscoOfOwnAccount), DISCO([], false));
    await b.settled();
    expect(b.view().status).toBe('unsupported');

    const c = startBookmarks();
    c.online();
    c.reply(await c.next(isDiscoOfOwnAccount), DISCO(['urn:xmpp:bookmarks:1#compat']));
    await c.next(itemsOf(NS_BOOKMARKS));
    c.clock.increment(15_000);
    await c.settled();
    expect(c.view().status).toBe('failed');
  });

  it('treats a missing node as no bookmarks, and works without a muc actor', async () => {
    const b = startBookmarks({}, false);
    b.online();
    b.reply(await b.next(isDiscoOfOwnAccount), DISCO(['urn:xmpp:bookmarks:1#compat']));
    b.reply(
      await b.next(itemsOf(NS_BOOKMARKS)),
      `<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`,
      'error',
    );
    await b.settled();
    expect(b.view()).toMatchObject({ status: 'ready', bookmarks: [] });
    b.deliver(notification(THEPLAY));
    expect(b.view().bookmarks).toHaveLength(1);
  });

  it('applies own notifications, ignores spoofed ones, joins rooms that become autojoin', async () => {
    const b = startBookmarks();
    b.online();
    b.reply(await b.next(isDiscoOfOwnAccount), DISCO(['urn:xmpp:bookmarks:1#compat']));
    // A notification during the fetch is applied to its result.
    b.deliver(notification(THEPLAY));
    b.reply(await b.next(itemsOf(NS_BOOKMARKS)), `<pubsub xmlns='${NS_PUBSUB}'><items node='${NS_BOOKMARKS}'/></pubsub>`);
    await b.settled();
    expect(b.view().bookmarks.map((x) => x.room)).toEqual(['theplay@conference.shakespeare.lit']);
    expect(b.joins).toHaveLength(1);

    // Somebody else's "notification" changes nothing.
    const spoof = `<item id='evil@conference.evil.lit'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='true'/></item>`;
    b.deliver(notification(spoof, 'romeo@montague.lit'));
    b.deliver(notification(`<retract id='theplay@conference.shakespeare.lit'/>`, 'romeo@montague.lit'));
    expect(b.view().bookmarks.map((x) => x.room)).toEqual(['theplay@conference.shakespeare.lit']);
    expect(b.joins).toHaveLength(1);

    // Another client of ours adds an autojoin room: joined; an update of a joined one is not re-joined.
    b.deliver(notification(spoof.replaceAll('evil.lit', 'shakespeare.lit')));
    b.deliver(notification(THEPLAY.replace("name='Play'", "name='Renamed'")));
    expect(b.joins).toEqual([
      { type: 'muc.join', room: 'theplay@conference.shakespeare.lit', nick: 'JC' },
      { type: 'muc.join', room: 'evil@conference.shakespeare.lit', nick: 'juliet' },
    ]);
    expect(b.view().get('theplay@conference.shakespeare.lit')?.name).toBe('Renamed');
    b.deliver(notification(`<retract id='theplay@conference.shakespeare.lit'/>`));
    expect(b.view().bookmarks.map((x) => x.room)).toEqual(['evil@conference.shakespeare.lit']);
  });

  it('runs add, update and remove intents as XEP-0402 publish and retract', async () => {
    const b = startBookmarks({ joinOnChange: false });
    b.online();
    b.reply(await b.next(isDiscoOfOwnAccount), DISCO(['urn:xmpp:bookmarks:1#compat']));
    b.reply(await b.next(itemsOf(NS_BOOKMARKS)), ITEMS);
    await b.settled();
    b.joins.length = 0;

    b.actor.send({ type: 'bookmarks.add', bookmark: { room: 'Coven@Chat.shakespeare.lit', autojoin: true, name: 'Coven' } });
    const add = await b.next((iq) => iq.getChild('pubsub')?.getChild('publish')?.attrs.node === NS_BOOKMARKS);
    expect(add.getChild('pubsub')!.getChild('publish')!.getChild('item')!.attrs.id).toBe('coven@chat.shakespeare.lit');
    b.reply(add);
    await waitFor(b.actor, () => b.view().get('coven@chat.shakespeare.lit') !== undefined);
    expect(b.joins).toEqual([]);

    // Update keeps what it does not change, extensions included.
    b.actor.send({ type: 'bookmarks.update', room: 'orchard@conference.shakespeare.lit', changes: { autojoin: false } });
    const update = await b.next(() => true);
    const conference = update.getChild('pubsub')!.getChild('publish')!.getChild('item')!.getChild('conference', NS_BOOKMARKS)!;
    expect(conference.attrs).toMatchObject({ name: 'The Orchard' });
    expect(conference.attrs.autojoin).toBeUndefined();
    expect(conference.getChild('extensions')!.getChildElements()).toHaveLength(1);
    b.reply(update);
    await waitFor(b.actor, () => b.view().get('orchard@conference.shakespeare.lit')?.autojoin === false);

    b.actor.send({ type: 'bookmarks.remove', room: 'quiet@conference.shakespeare.lit' });
    const retract = await b.next(() => true);
    expect(retract.getChild('pubsub')!.getChild('retract')!.toString()).toBe(
      `<retract node="urn:xmpp:bookmarks:1" notify="true"><item id="quiet@conference.shakespeare.lit"/></retract>`,
    );
    b.reply(retract, `<error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await waitFor(b.actor, () => b.view().commandError !== undefined);
    expect(b.view().commandError).toContain('forbidden');
    expect(b.view().get('quiet@conference.shakespeare.lit')).toBeDefined();

    // Updating a bookmark we do not have, or adding a bad one, fails without a request.
    b.actor.send({ type: 'bookmarks.update', room: 'nope@muc.lit', changes: { name: 'x' } });
    b.actor.send({ type: 'bookmarks.add', bookmark: { room: 'a@muc.lit/nick', autojoin: false } });
    await b.flush();
    expect(b.take()).toEqual([]);
  });
});

describe('bookmarks helpers', () => {
  it('publish, retract and reject with the server error', async () => {
    const { services, take, reply } = fakeServices();
    const added = addBookmark(services, { room: 'Room@muc.lit', autojoin: true, nick: 'Jules' });
    const [publish] = take();
    expect(publish!.getChild('pubsub')!.getChild('publish')!.toString()).toBe(
      `<publish node="urn:xmpp:bookmarks:1"><item id="room@muc.lit"><conference xmlns="urn:xmpp:bookmarks:1" autojoin="true"><nick>Jules</nick></conference></item></publish>`,
    );
    reply(publish!);
    await expect(added).resolves.toEqual({ room: 'room@muc.lit', autojoin: true, nick: 'Jules' });

    const removed = removeBookmark(services, 'room@muc.lit');
    const [retract] = take();
    reply(retract!, `<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await expect(removed).rejects.toMatchObject({ name: 'StanzaError', condition: 'item-not-found' });

    await expect(addBookmark(services, { room: 'muc.lit', autojoin: false })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(addBookmark(services, { room: 'a@muc.lit', autojoin: false, nick: 'n'.repeat(2000) })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(removeBookmark(services, 'a@muc.lit/x')).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(take()).toEqual([]);
  });
});
