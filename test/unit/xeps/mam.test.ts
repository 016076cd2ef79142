import type { Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { XmppAdapterError } from '../../../src/errors.js';
import { NS_STANZAS } from '../../../src/wire/namespaces.js';
import { StanzaParseError } from '../../../src/xeps/iq-request.js';
import {
  NS_DATA,
  NS_MAM,
  NS_RSM,
  buildMamQuery,
  buildPrefsGet,
  buildPrefsSet,
  createMamPagerLogic,
  parseMamFin,
  parseMamResult,
  parsePrefs,
  type MamPagerActor,
  type MamPagerEmitted,
  type MamPagerInput,
  type MamQueryParams,
} from '../../../src/xeps/archive/index.js';
import { readArchivedResult } from '../../../src/xeps/archive/mam.route.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, ok, type FakeServices } from './harness.js';

const ME = 'juliet@capulet.lit/balcony';
const OWN = { ownBare: 'juliet@capulet.lit' };
const ROUTE = { me: ME, ownBare: OWN.ownBare, domain: 'capulet.lit' };
const ROOM = 'coven@chat.shakespeare.lit';

/** A result message as an archive sends it (XEP-0313 §4.2), `from` omitted for the own archive. */
function resultXml(queryId: string, id: string, opts: { from?: string; stamp?: string; body?: string } = {}): string {
  const from = opts.from === undefined ? '' : ` from='${opts.from}'`;
  return `<message id='m-${id}' to='${ME}'${from}>
  <result xmlns='urn:xmpp:mam:2' queryid='${queryId}' id='${id}'>
    <forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='${opts.stamp ?? '2010-07-10T23:08:25Z'}'/>
      <message xmlns='jabber:client' from='romeo@montague.lit/orchard' to='${ME}' type='chat'><body>${opts.body ?? id}</body></message>
    </forwarded>
  </result>
</message>`;
}

function finXml(page: readonly string[], complete: boolean, count?: number): string {
  const ends = page.length === 0 ? '' : `<first index='0'>${page[0]}</first><last>${page[page.length - 1]}</last>`;
  const countEl = count === undefined ? '' : `<count>${count}</count>`;
  return `<fin xmlns='urn:xmpp:mam:2'${complete ? ` complete='true'` : ''}><set xmlns='http://jabber.org/protocol/rsm'>${ends}${countEl}</set></fin>`;
}

/** The form field values of a built query, by var. */
function fieldsOf(iq: Element): Record<string, string | undefined> {
  const form = iq.getChild('query', NS_MAM)?.getChild('x', NS_DATA);
  return Object.fromEntries((form?.getChildren('field') ?? []).map((f) => [f.attrs.var, f.getChildText('value')]));
}

const query = (overrides: Partial<MamQueryParams> = {}): MamQueryParams => ({ queryId: 'f27', max: 10, ...overrides });

describe('MAM query builder', () => {
  it('builds the bare query of XEP-0313 §4 with a page size, and no form without filters', () => {
    const iq = buildMamQuery(query()) as Element;
    expect(iq.attrs).toMatchObject({ type: 'set' });
    expect(iq.attrs.to).toBeUndefined();
    const q = iq.getChild('query', NS_MAM)!;
    expect(q.attrs.queryid).toBe('f27');
    expect(q.getChild('x', NS_DATA)).toBeUndefined();
    expect(q.getChild('set', NS_RSM)!.getChildText('max', NS_RSM)).toBe('10');
  });

  it('writes the filters of §4.1 in a submit form with the hidden FORM_TYPE', () => {
    const iq = buildMamQuery(
      query({
        with: 'Romeo@Montague.lit',
        start: '2010-06-07T00:00:00Z',
        end: '2010-07-07T13:23:54Z',
        afterId: '28482-98726-73623',
        beforeId: '09af3-cc343-b409f',
      }),
    ) as Element;
    const form = iq.getChild('query', NS_MAM)!.getChild('x', NS_DATA)!;
    expect(form.attrs.type).toBe('submit');
    expect(form.getChildElements()[0]!.attrs).toEqual({ var: 'FORM_TYPE', type: 'hidden' });
    expect(fieldsOf(iq)).toEqual({
      FORM_TYPE: NS_MAM,
      with: 'romeo@montague.lit',
      start: '2010-06-07T00:00:00Z',
      end: '2010-07-07T13:23:54Z',
      'after-id': '28482-98726-73623',
      'before-id': '09af3-cc343-b409f',
    });
    expect(fieldsOf(buildMamQuery(query({ with: ROOM, fullText: 'Where art thou' })) as Element)['full-text-search']).toBe(
      'Where art thou',
    );
    expect(fieldsOf(buildMamQuery(query({ with: ROOM })) as Element)).not.toHaveProperty('full-text-search');
  });

  it('asks for the last page with an empty <before/>, pages with <after/>, and addresses a room archive', () => {
    const last = (buildMamQuery(query({ before: '', to: ROOM })) as Element).getChild('query', NS_MAM)!.getChild('set', NS_RSM)!;
    expect(last.toString()).toBe(`<set xmlns="${NS_RSM}"><max>10</max><before/></set>`);
    const next = buildMamQuery(query({ after: '09af3-cc343-b409f' })) as Element;
    expect(next.getChild('query', NS_MAM)!.getChild('set', NS_RSM)!.getChildText('after', NS_RSM)).toBe('09af3-cc343-b409f');
    expect((buildMamQuery(query({ to: ROOM })) as Element).attrs.to).toBe(ROOM);
  });

  it('refuses unusable parameters with invalid-argument, without throwing', () => {
    const bad: Partial<MamQueryParams>[] = [
      { max: 0 },
      { max: 1001 },
      { max: 1e9 },
      { max: 2.5 },
      { max: Number.NaN },
      { queryId: '' },
      { queryId: 'q'.repeat(1025) },
      { with: 'not a jid@@' },
      { to: `${ROOM}/firstwitch` },
      { start: '2010-02-30T00:00:00Z' },
      { start: '2010-07-10 23:08:25' },
      { end: 'yesterday' },
      { end: '2010-07-10T24:00:00Z' },
      { start: '2010-07-10T23:08:25+25:00' },
      { start: '2010-07-11T00:00:00Z', end: '2010-07-10T00:00:00Z' },
      { before: 'a', after: 'b' },
      { after: '' },
      { fullText: '' },
      { afterId: '' },
    ];
    for (const overrides of bad) {
      const result = buildMamQuery(query(overrides));
      expect(result, JSON.stringify(overrides)).toBeInstanceOf(XmppAdapterError);
      expect((result as XmppAdapterError).code).toBe('invalid-argument');
    }
    expect(buildMamQuery(query({ start: '2010-07-10T23:08:25.123+02:00', max: 1000 }))).not.toBeInstanceOf(XmppAdapterError);
  });
});

describe('MAM result and fin parsers', () => {
  it('reads the result of XEP-0313 §4 from the own archive (no from, or the own bare JID)', () => {
    const result = ok(parseMamResult(parseXml(resultXml('f27', '28482-98726-73623', { body: 'Hail to thee' })), OWN));
    expect(result).toMatchObject({ queryId: 'f27', archiveId: '28482-98726-73623', stamp: '2010-07-10T23:08:25.000Z' });
    expect(result.message.attrs.from).toBe('romeo@montague.lit/orchard');
    expect(result.message.getChildText('body')).toBe('Hail to thee');
    expect(parseMamResult(parseXml(resultXml('f27', 'x', { from: 'Juliet@Capulet.lit' })), OWN)).not.toBeInstanceOf(StanzaParseError);
  });

  it('reads a room archive result (§6.1.2) only when that room was queried', () => {
    const muc = parseXml(resultXml('g27', '34482-21985-73620', { from: ROOM, stamp: '2002-10-13T23:58:37Z' }));
    expect(ok(parseMamResult(muc, { ...OWN, archive: ROOM })).archiveId).toBe('34482-21985-73620');
    expect(parseMamResult(muc, OWN)).toBeInstanceOf(StanzaParseError);
    // Without `from` it comes from the own server, not from the room.
    expect(parseMamResult(parseXml(resultXml('g27', 'x')), { ...OWN, archive: ROOM })).toBeInstanceOf(StanzaParseError);
  });

  it('refuses spoofed and malformed results (§8.2), without throwing', () => {
    const forwarded = `<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='a@b'><body>x</body></message></forwarded>`;
    const hostile = [
      resultXml('f27', 'x', { from: 'mallory@evil.example' }),
      resultXml('f27', 'x', { from: `${ME}` }),
      resultXml('f27', 'x', { from: 'capulet.lit' }),
      resultXml('f27', 'x', { stamp: 'yesterday' }),
      `<message><result xmlns='urn:xmpp:mam:2' queryid='f27' id='x'/></message>`,
      `<message><result xmlns='urn:xmpp:mam:1' queryid='f27' id='x'>${forwarded}</result></message>`,
      `<message><result xmlns='urn:xmpp:mam:2' queryid='f27' id='x'><forwarded xmlns='urn:xmpp:forward:1'/></result></message>`,
      `<message><result xmlns='urn:xmpp:mam:2' queryid='f27' id='x'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='urn:evil'/></forwarded></result></message>`,
      `<message><result xmlns='urn:xmpp:mam:2' queryid='f27'>${forwarded}</result></message>`,
      `<message><result xmlns='urn:xmpp:mam:2' id='x'>${forwarded}</result></message>`,
      `<message><result xmlns='urn:xmpp:mam:2' queryid='f27' id='${'x'.repeat(1025)}'>${forwarded}</result></message>`,
      `<message><result xmlns='urn:xmpp:mam:2' queryid='f27' id='x'>${forwarded}</result><result xmlns='urn:xmpp:mam:2' queryid='f27' id='y'>${forwarded}</result></message>`,
      `<message type='error'><result xmlns='urn:xmpp:mam:2' queryid='f27' id='x'>${forwarded}</result></message>`,
      `<iq type='set'><result xmlns='urn:xmpp:mam:2' queryid='f27' id='x'>${forwarded}</result></iq>`,
    ];
    for (const xml of hostile) expect(parseMamResult(parseXml(xml), OWN), xml).toBeInstanceOf(StanzaParseError);
    const undelayed = `<message><result xmlns='urn:xmpp:mam:2' queryid='f27' id='x'>${forwarded}</result></message>`;
    expect(ok(parseMamResult(parseXml(undelayed), OWN)).stamp).toBeUndefined();
  });

  it('reads the fin of §4 and §4.3 (first, last, count, complete, stable)', () => {
    const iq = (inner: string) => parseXml(`<iq type='result' id='q1'>${inner}</iq>`);
    expect(parseMamFin(iq(finXml(['28482-98726-73623', '09af3-cc343-b409f'], false, 20)))).toEqual({
      complete: false,
      stable: true,
      first: '28482-98726-73623',
      last: '09af3-cc343-b409f',
      count: 20,
    });
    expect(parseMamFin(iq(`<fin xmlns='urn:xmpp:mam:2' complete='true' stable='false'/>`))).toEqual({ complete: true, stable: false });
    expect(ok(parseMamFin(iq(finXml(['a'], false).replace('</set>', '<count>lots</count></set>')))).count).toBeUndefined();
    for (const bad of [
      `<fin xmlns='urn:xmpp:mam:1'/>`,
      '',
      `<fin xmlns='urn:xmpp:mam:2'><set xmlns='${NS_RSM}'><first>a</first></set></fin>`,
      `<fin xmlns='urn:xmpp:mam:2'><set xmlns='${NS_RSM}'><first></first><last>b</last></set></fin>`,
      `<fin xmlns='urn:xmpp:mam:2'/><fin xmlns='urn:xmpp:mam:2'/>`,
    ]) {
      expect(parseMamFin(iq(bad)), bad).toBeInstanceOf(StanzaParseError);
    }
    expect(parseMamFin(parseXml(`<iq type='error' id='q1'>${finXml([], true)}</iq>`))).toBeInstanceOf(StanzaParseError);
  });
});

describe('MAM preferences (XEP-0441)', () => {
  it('builds the get and set of §2.1 and reads the answer', () => {
    expect(buildPrefsGet().toString()).toBe(`<iq type="get"><prefs xmlns="${NS_MAM}"/></iq>`);
    const set = buildPrefsSet({
      default: 'roster',
      always: ['romeo@montague.lit'],
      never: ['montague@montague.lit', 'Montague@montague.lit'],
    });
    expect((set as Element).toString()).toBe(
      `<iq type="set"><prefs xmlns="${NS_MAM}" default="roster"><always><jid>romeo@montague.lit</jid></always><never><jid>montague@montague.lit</jid></never></prefs></iq>`,
    );
    const answer = `<iq type='result' id='juliet3'><prefs xmlns='urn:xmpp:mam:2' default='roster'><always><jid>romeo@montague.lit</jid></always><never><jid>montague@montague.lit</jid><jid>not a jid@@</jid></never></prefs></iq>`;
    expect(parsePrefs(parseXml(answer))).toEqual({ default: 'roster', always: ['romeo@montague.lit'], never: ['montague@montague.lit'] });
    expect(parsePrefs(parseXml(`<iq type='result'><prefs xmlns='urn:xmpp:mam:2' default='always'/></iq>`))).toEqual({
      default: 'always',
      always: [],
      never: [],
    });
  });

  it('refuses unknown defaults and bad JIDs', () => {
    expect(buildPrefsSet({ default: 'sometimes' as 'always', always: [], never: [] })).toBeInstanceOf(XmppAdapterError);
    expect(buildPrefsSet({ default: 'never', always: ['@@'], never: [] })).toBeInstanceOf(XmppAdapterError);
    for (const bad of [
      `<prefs xmlns='urn:xmpp:mam:2' default='sometimes'/>`,
      `<prefs xmlns='urn:xmpp:mam:2'/>`,
      `<prefs xmlns='urn:xmpp:mam:1' default='always'/>`,
    ]) {
      expect(parsePrefs(parseXml(`<iq type='result'>${bad}</iq>`)), bad).toBeInstanceOf(StanzaParseError);
    }
  });
});

/** Archive ids a01..a25, oldest first. */
const ARCHIVE = Array.from({ length: 25 }, (_, i) => `a${String(i + 1).padStart(2, '0')}`);

function startPager(input: Partial<MamPagerInput> = {}, fake: FakeServices = fakeServices(ME)) {
  const pager: MamPagerActor = createActor(createMamPagerLogic(fake.services), {
    input: { queryId: 'q1', query: { max: 10 }, direction: 'backward', ...input },
  });
  const pages: MamPagerEmitted[] = [];
  pager.on('mam.page', (page) => pages.push(page));
  pager.start();
  return { ...fake, pager, pages };
}

/** The queryid a page's IQ carries. */
const queryIdOf = (request: Element) => request.getChild('query', NS_MAM)!.attrs.queryid!;

/** Delivers a result the way the archive actor would: read by the route, then sent to the pager. */
function deliver(pager: MamPagerActor, xml: string): void {
  pager.send(ok(readArchivedResult(parseXml(xml), ROUTE)));
}

/** Answers one query as an RSM archive over `ids` would (XEP-0059 §2.2, §2.3, §2.5). */
function serve({ pager, reply }: ReturnType<typeof startPager>, request: Element, ids: readonly string[]): void {
  const q = request.getChild('query', NS_MAM)!;
  const set = q.getChild('set', NS_RSM)!;
  const max = Number(set.getChildText('max', NS_RSM));
  const before = set.getChild('before', NS_RSM);
  const after = set.getChildText('after', NS_RSM);
  const end = before ? (before.text() === '' ? ids.length : ids.indexOf(before.text())) : undefined;
  const start = end !== undefined ? Math.max(0, end - max) : after === null ? 0 : ids.indexOf(after) + 1;
  const page = ids.slice(start, end ?? start + max);
  const complete = end !== undefined ? start === 0 : start + max >= ids.length;
  for (const id of page) deliver(pager, resultXml(q.attrs.queryid!, id));
  reply(request, finXml(page, complete, ids.length));
}

/** Serves every query the pager sends until it stops; returns the RSM cursors it sent. */
async function serveAll(started: ReturnType<typeof startPager>, ids: readonly string[]): Promise<string[]> {
  const cursors: string[] = [];
  for (let [request] = started.take(); request; [request] = started.take()) {
    const set = request.getChild('query', NS_MAM)!.getChild('set', NS_RSM)!;
    cursors.push(
      set
        .getChildElements()
        .map((c) => `${c.name}:${c.text()}`)
        .slice(1)
        .join(),
    );
    serve(started, request, ids);
    await waitFor(started.pager, (s) => s.status === 'done' || started.sent.length > 0);
  }
  return cursors;
}

describe('MAM pager', () => {
  it('pages backward from the end across 3 pages until complete, in archive order', async () => {
    const started = startPager();
    // Each next query leaves when its page's first result arrives; the last (before a01) is
    // withdrawn when the <fin/> says complete.
    expect(await serveAll(started, ARCHIVE)).toEqual(['before:', 'before:a16', 'before:a06', 'before:a01']);
    const snapshot = started.pager.getSnapshot();
    expect(snapshot.value).toBe('complete');
    expect(snapshot.output!.results.map((r) => r.archiveId)).toEqual(ARCHIVE);
    expect(snapshot.output).toMatchObject({ archiveComplete: true, pages: 3, first: 'a01', last: 'a25' });
    expect(started.pages.map((p) => p.results.map((r) => r.archiveId).join())).toEqual([
      ARCHIVE.slice(15).join(),
      ARCHIVE.slice(5, 15).join(),
      ARCHIVE.slice(0, 5).join(),
    ]);
  });

  it("sends the next backward query when a page's first result arrives, and takes it for that page", async () => {
    const started = startPager();
    const [first] = started.take();
    const cursorOf = (request: Element) => request.getChild('query', NS_MAM)!.getChild('set', NS_RSM)!.getChildText('before');
    deliver(started.pager, resultXml('q1.1', 'a16'));
    const [ahead] = started.take();
    expect([queryIdOf(ahead!), cursorOf(ahead!)]).toEqual(['q1.2', 'a16']);
    for (const id of ARCHIVE.slice(16)) deliver(started.pager, resultXml('q1.1', id));
    started.reply(first!, finXml(ARCHIVE.slice(15), false));
    await waitFor(started.pager, (s) => s.context.pages === 1);
    // The page asked for is the one already asked for: no second query for it.
    expect(started.take()).toEqual([]);
    expect(started.pager.getSnapshot().context.pageId).toBe('q1.2');
    for (const id of ARCHIVE.slice(5, 15)) deliver(started.pager, resultXml('q1.2', id));
    const [third] = started.take();
    expect([queryIdOf(third!), cursorOf(third!)]).toEqual(['q1.3', 'a06']);
    started.reply(ahead!, finXml(ARCHIVE.slice(5, 15), false));
    await waitFor(started.pager, (s) => s.context.pages === 2);
    expect(started.pages.map((p) => p.results.map((r) => r.archiveId))).toEqual([ARCHIVE.slice(15), ARCHIVE.slice(5, 15)]);
    // A page that turns out to be the last withdraws the query sent ahead of it.
    for (const id of ARCHIVE.slice(0, 5)) deliver(started.pager, resultXml('q1.3', id));
    const [fourth] = started.take();
    expect(cursorOf(fourth!)).toBe('a01');
    started.reply(third!, finXml(ARCHIVE.slice(0, 5), true));
    await waitFor(started.pager, (s) => s.status === 'done');
    expect(started.reply(fourth!, finXml([], true)), 'the withdrawn query is not answered').toBe(false);
    expect(started.pager.getSnapshot().output!.results.map((r) => r.archiveId)).toEqual(ARCHIVE);
  });

  it('keeps results of the query sent ahead that arrive before the page ends, for its page', async () => {
    const started = startPager();
    const [first] = started.take();
    deliver(started.pager, resultXml('q1.1', 'a16'));
    const [ahead] = started.take();
    // An archive that answers the second query while still sending the first page.
    deliver(started.pager, resultXml('q1.2', 'a06'));
    for (const id of ARCHIVE.slice(16)) deliver(started.pager, resultXml('q1.1', id));
    started.reply(first!, finXml(ARCHIVE.slice(15), false));
    await waitFor(started.pager, (s) => s.context.pages === 1);
    expect(started.pages[0]!.results.map((r) => r.archiveId)).toEqual(ARCHIVE.slice(15));
    for (const id of ARCHIVE.slice(6, 15)) deliver(started.pager, resultXml('q1.2', id));
    started.reply(ahead!, finXml(ARCHIVE.slice(5, 15), false));
    await waitFor(started.pager, (s) => s.context.pages === 2);
    expect(started.pages[1]!.results.map((r) => r.archiveId)).toEqual(ARCHIVE.slice(5, 15));
    started.pager.stop();
  });

  it('withdraws the query sent ahead when the <fin/> names another first result, and keeps its results out', async () => {
    const started = startPager();
    const [first] = started.take();
    // The first result to arrive is not the page's oldest: the query sent ahead asks for the wrong page.
    deliver(started.pager, resultXml('q1.1', 'a17'));
    const [ahead] = started.take();
    expect(queryIdOf(ahead!)).toBe('q1.2');
    for (const id of ['a16', ...ARCHIVE.slice(17)]) deliver(started.pager, resultXml('q1.1', id));
    started.reply(first!, finXml(ARCHIVE.slice(15), false));
    await waitFor(started.pager, (s) => s.context.pages === 1);
    const [retry] = started.take();
    expect(queryIdOf(retry!)).toBe('q1.3');
    expect(retry!.getChild('query', NS_MAM)!.getChild('set', NS_RSM)!.getChildText('before')).toBe('a16');
    // The withdrawn query's late results and answer change nothing.
    for (const id of ARCHIVE.slice(6, 16)) deliver(started.pager, resultXml('q1.2', id));
    expect(started.reply(ahead!, finXml(ARCHIVE.slice(6, 16), false))).toBe(false);
    serve(started, retry!, ARCHIVE);
    await waitFor(started.pager, (s) => s.context.pages === 2);
    expect(started.pages[1]!.results.map((r) => r.archiveId)).toEqual(ARCHIVE.slice(5, 15));
    started.pager.stop();
  });

  it('withdraws the query sent ahead when the pager is stopped or cancelled mid-page', async () => {
    for (const end of ['stop', 'cancel'] as const) {
      const started = startPager();
      started.take();
      deliver(started.pager, resultXml('q1.1', 'a16'));
      const [ahead] = started.take();
      if (end === 'stop') started.pager.stop();
      else started.pager.send({ type: 'mam.cancel' });
      expect(started.reply(ahead!, finXml(ARCHIVE.slice(5, 15), false)), end).toBe(false);
    }
  });

  it('catches up forward after a known id', async () => {
    const started = startPager({ direction: 'forward', from: 'a10' });
    expect(await serveAll(started, ARCHIVE)).toEqual(['after:a10', 'after:a20']);
    expect(started.pager.getSnapshot().output!.results.map((r) => r.archiveId)).toEqual(ARCHIVE.slice(10));
  });

  it('waits for mam.next between pages without autoContinue, and stops at maxPages', async () => {
    const started = startPager({ autoContinue: false, maxPages: 2 });
    serve(started, started.take()[0]!, ARCHIVE);
    await waitFor(started.pager, (s) => s.matches('pageReceived'));
    expect(started.take()).toEqual([]);
    started.pager.send({ type: 'mam.next' });
    serve(started, started.take()[0]!, ARCHIVE);
    const done = await waitFor(started.pager, (s) => s.status === 'done');
    expect(done.value).toBe('complete');
    expect(done.output).toMatchObject({ archiveComplete: false, pages: 2, first: 'a06', last: 'a25' });
  });

  it('fails with "no progress" when a page repeats the cursor or is empty without complete', async () => {
    const repeat = startPager({ from: 'a16' });
    repeat.reply(repeat.take()[0]!, finXml(['a16', 'a20'], false));
    expect((await waitFor(repeat.pager, (s) => s.status === 'done')).context.failure?.code).toBe('no-progress');

    const empty = startPager({ direction: 'forward' });
    empty.reply(empty.take()[0]!, finXml([], false));
    const done = await waitFor(empty.pager, (s) => s.status === 'done');
    expect(done.value).toBe('failed');
    expect(done.output!.failure!.code).toBe('no-progress');
  });

  it('withdraws the next page query when the pager is cancelled', async () => {
    const started = startPager({ direction: 'forward' });
    serve(started, started.take()[0]!, ARCHIVE);
    await waitFor(started.pager, (s) => s.context.pages === 1);
    const ahead = started.take()[0]!;
    started.pager.send({ type: 'mam.cancel' });
    expect(started.pager.getSnapshot().value).toBe('cancelled');
    // The IQ tracker no longer waits for it: a late answer is ignored.
    expect(started.reply(ahead, finXml(ARCHIVE.slice(10, 20), false))).toBe(false);
  });

  it('sends the next page query the moment a fin arrives, before the page is handed on', async () => {
    const started = startPager({ direction: 'forward' });
    const queriesOutWhenPageEmitted: number[] = [];
    started.pager.on('mam.page', () => queriesOutWhenPageEmitted.push(started.sent.length));
    const first = started.take()[0]!;
    serve(started, first, ARCHIVE);
    await waitFor(started.pager, () => queriesOutWhenPageEmitted.length === 1);
    // The second page's query was already out when the first page went to the archive actor.
    expect(queriesOutWhenPageEmitted).toEqual([1]);
    const second = started.take()[0]!;
    expect(second.getChild('query', NS_MAM)!.getChild('set', NS_RSM)!.getChildText('after', NS_RSM)).toBe('a10');
    serve(started, second, ARCHIVE);
    await waitFor(started.pager, () => queriesOutWhenPageEmitted.length === 2);
    serve(started, started.take()[0]!, ARCHIVE);
    const done = await waitFor(started.pager, (s) => s.status === 'done');
    expect(done.output!.results.map((r) => r.archiveId)).toEqual(ARCHIVE);
    // The last page said complete: nothing was sent ahead of it.
    expect(queriesOutWhenPageEmitted).toEqual([1, 1, 0]);
    expect(started.take()).toEqual([]);
  });

  it('gives each page its own queryid and takes no result of an earlier page into a later one', async () => {
    const started = startPager({ direction: 'forward', query: { max: 2 } });
    const [first] = started.take();
    for (const id of ['a01', 'a02']) deliver(started.pager, resultXml(queryIdOf(first!), id));
    started.reply(first!, finXml(['a01', 'a02'], false));
    await waitFor(started.pager, (s) => s.context.pages === 1);
    const [second] = started.take();
    expect(queryIdOf(second!)).not.toBe(queryIdOf(first!));
    // The first page's IQ, sent again on a new session, answers again while the second page is open.
    for (const id of ['a01', 'a02']) deliver(started.pager, resultXml(queryIdOf(first!), id));
    for (const id of ['a03', 'a04']) deliver(started.pager, resultXml(queryIdOf(second!), id));
    started.reply(second!, finXml(['a03', 'a04'], true));
    const done = await waitFor(started.pager, (s) => s.status === 'done');
    expect(started.pages.map((p) => p.results.map((r) => r.archiveId))).toEqual([
      ['a01', 'a02'],
      ['a03', 'a04'],
    ]);
    expect(done.output!.results.map((r) => r.archiveId)).toEqual(['a01', 'a02', 'a03', 'a04']);
  });

  it('keeps a result once when the archive repeats it on a later page', async () => {
    const started = startPager({ direction: 'forward', query: { max: 2 } });
    const [first] = started.take();
    for (const id of ['a01', 'a02']) deliver(started.pager, resultXml(queryIdOf(first!), id));
    started.reply(first!, finXml(['a01', 'a02'], false));
    await waitFor(started.pager, () => started.sent.length > 0);
    const [second] = started.take();
    // Against XEP-0059, the next page starts with the last item of the previous one.
    for (const id of ['a02', 'a03']) deliver(started.pager, resultXml(queryIdOf(second!), id));
    started.reply(second!, finXml(['a02', 'a03'], true));
    const done = await waitFor(started.pager, (s) => s.status === 'done');
    expect(done.output!.results.map((r) => r.archiveId)).toEqual(['a01', 'a02', 'a03']);
  });

  it('refuses a maxPages that is not a positive integer, sending nothing', () => {
    for (const maxPages of [0, -1, 1.5]) {
      const started = startPager({ maxPages });
      expect(started.pager.getSnapshot().value).toBe('failed');
      expect(started.pager.getSnapshot().output!.failure!.code).toBe('invalid-argument');
      expect(started.take()).toEqual([]);
    }
  });

  it('fails with the condition of an IQ error', async () => {
    const started = startPager({ from: 'gone' });
    const error = `<error type='cancel'><item-not-found xmlns='${NS_STANZAS}'/></error>`;
    started.reply(started.take()[0]!, error, 'error');
    const done = await waitFor(started.pager, (s) => s.status === 'done');
    expect(done.value).toBe('failed');
    expect(done.context.failure).toMatchObject({ code: 'stanza-error', condition: 'item-not-found' });
  });

  it('aborts the IQ on mam.cancel and ignores a late reply', () => {
    const started = startPager();
    const [request] = started.take();
    expect(started.iq.size).toBe(1);
    started.pager.send({ type: 'mam.cancel' });
    expect(started.pager.getSnapshot().value).toBe('cancelled');
    expect(started.pager.getSnapshot().output!.cancelled).toBe(true);
    expect(started.iq.size).toBe(0);
    expect(started.reply(request!, finXml([], true))).toBe(false);
  });

  it('fails on the IQ timeout', async () => {
    const started = startPager({ timeout: 5_000 });
    started.clock.increment(4_999);
    expect(started.pager.getSnapshot().value).toBe('querying');
    started.clock.increment(1);
    const done = await waitFor(started.pager, (s) => s.status === 'done');
    expect(done.context.failure?.code).toBe('timeout');
  });

  it('keeps only its own results, at most max per page, each archive id once', async () => {
    const started = startPager({ query: { max: 2 }, direction: 'forward' });
    const [request] = started.take();
    const own = queryIdOf(request!);
    deliver(started.pager, resultXml('other-query', 'z1'));
    deliver(started.pager, resultXml('q1', 'z2'));
    deliver(started.pager, resultXml(own, 'a01'));
    deliver(started.pager, resultXml(own, 'a01'));
    deliver(started.pager, resultXml(own, 'a02'));
    deliver(started.pager, resultXml(own, 'a03'));
    started.reply(request!, finXml(['a01', 'a02'], true));
    const done = await waitFor(started.pager, (s) => s.status === 'done');
    expect(done.output!.results.map((r) => r.archiveId)).toEqual(['a01', 'a02']);
  });

  it('fails an unusable query without sending anything', () => {
    const started = startPager({ query: { max: 5000 }, archive: 'not a jid@@' });
    expect(started.pager.getSnapshot().value).toBe('failed');
    expect(started.pager.getSnapshot().context.failure?.code).toBe('invalid-argument');
    expect(started.sent).toEqual([]);
  });

  it('aborts the IQ when the pager is stopped', () => {
    const started = startPager();
    expect(started.iq.size).toBe(1);
    started.pager.stop();
    expect(started.iq.size).toBe(0);
  });
});
