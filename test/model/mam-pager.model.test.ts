import type { Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { XmppAdapterError } from '../../src/errors.js';
import { IqTracker, parseStanzaError, type IqRequestOptions } from '../../src/iq/iq-tracker.js';
import { NS_STANZAS } from '../../src/wire/namespaces.js';
import { StanzaParseError } from '../../src/xeps/iq-request.js';
import { NS_DATA, NS_RSM } from '../../src/xeps/forms.js';
import { NS_MAM } from '../../src/xeps/archive/mam.codec.js';
import { readArchivedResult } from '../../src/xeps/archive/mam.route.js';
import type { ArchivedResult, MamPagerEmitted, MamPagerInput } from '../../src/xeps/archive/mam.types.js';
import { pageQueryId, queryOfPage } from '../../src/xeps/archive/page-fetcher.js';
import { createMamPagerLogic, type MamPagerActor } from '../../src/xeps/archive/pager.machine.js';
import { parseXml } from '../support/xml.js';
import {
  archiveIds,
  createPagerModel,
  windowOf,
  type PagerModelContext,
  type PagerModelEvent,
  type PagerScenario,
} from './mam-pager.model.js';

const ME = 'juliet@capulet.lit/balcony';
const OWN_BARE = 'juliet@capulet.lit';
const ROOM = 'coven@chat.shakespeare.lit';
const ROUTE = { me: ME, ownBare: OWN_BARE, domain: 'capulet.lit' };
const QUERY_ID = 'q-model';
/** The client's IQ timeout, used when the pager input gives none. */
const DEFAULT_TIMEOUT = 15_000;

const SCENARIOS: PagerScenario[] = [
  { name: 'backward from the end, auto-continue, 5 messages by 2', direction: 'backward', size: 5, max: 2, autoContinue: true },
  {
    name: 'forward after a02 with a filter, auto-continue, 7 messages by 2',
    direction: 'forward',
    size: 7,
    max: 2,
    from: 'a02',
    autoContinue: true,
    with: 'romeo@montague.lit',
    timeout: 5_000,
  },
  {
    name: 'backward from a07 in a room archive, mam.next, maxPages 2, 8 messages by 2',
    direction: 'backward',
    size: 8,
    max: 2,
    from: 'a07',
    autoContinue: false,
    maxPages: 2,
    archive: ROOM,
    batched: true,
  },
  { name: 'forward from the start, mam.next, 4 messages by 3', direction: 'forward', size: 4, max: 3, autoContinue: false },
  { name: 'forward after the newest message (nothing new)', direction: 'forward', size: 3, max: 3, from: 'a03', autoContinue: true },
  {
    name: 'backward from the end, auto-continue, maxPages 2, 9 messages by 3',
    direction: 'backward',
    size: 9,
    max: 3,
    autoContinue: true,
    maxPages: 2,
    timeout: 2_000,
    batched: true,
  },
];

/** One page query as the fake `services.iq.request` received it; the test plays the archive. */
interface SentQuery {
  iq: Element;
  options: IqRequestOptions;
  settled: boolean;
  /** Withdrawn through its abort signal before any answer. */
  aborted: boolean;
  answer(reply: Element): void;
  fail(error: Error): void;
}

/**
 * `services.iq` whose `request` records each query and waits for the test to answer it, fail it,
 * or let the simulated clock run past its timeout. Nothing reaches the real tracker.
 */
class ScriptedIq extends IqTracker {
  readonly queries: SentQuery[] = [];

  constructor(private readonly simulated: SimulatedClock) {
    super(
      () => {
        throw new Error('the pager must send through request()');
      },
      simulated,
      DEFAULT_TIMEOUT,
    );
  }

  override request(iq: Element, options: IqRequestOptions = {}): Promise<Element> {
    return new Promise<Element>((resolve, reject) => {
      const clock = this.simulated;
      const settle = (outcome: Element | Error) => {
        if (query.settled) return;
        query.settled = true;
        clock.clearTimeout(timer);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const query: SentQuery = {
        iq,
        options,
        settled: false,
        aborted: false,
        answer: (reply) => settle(reply),
        fail: (error) => settle(error),
      };
      const timer = clock.setTimeout(
        () => settle(new XmppAdapterError('timeout', 'no answer in time')),
        options.timeout ?? DEFAULT_TIMEOUT,
      );
      options.signal?.addEventListener(
        'abort',
        () => {
          if (!query.settled) query.aborted = true;
          settle(new XmppAdapterError('aborted', 'IQ request aborted'));
        },
        { once: true },
      );
      this.queries.push(query);
    });
  }
}

/** Lets the pager's promise chains (IQ → fetchPage → invoke done) run to the end. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const idIndex = (ids: readonly string[], id: string) => {
  const at = ids.indexOf(id);
  if (at < 0) throw new Error(`${id} is not in the archive`);
  return at;
};

/** The real pager against a scripted RSM archive (XEP-0313 §4.3, XEP-0059 §2.2, §2.3, §2.5). */
function systemUnderTest(scenario: PagerScenario) {
  const clock = new SimulatedClock();
  const iq = new ScriptedIq(clock);
  const ids = archiveIds(scenario);
  const input: MamPagerInput = {
    queryId: QUERY_ID,
    query: scenario.with === undefined ? { max: scenario.max } : { max: scenario.max, with: scenario.with },
    direction: scenario.direction,
    autoContinue: scenario.autoContinue,
  };
  if (scenario.from !== undefined) input.from = scenario.from;
  if (scenario.maxPages !== undefined) input.maxPages = scenario.maxPages;
  if (scenario.timeout !== undefined) input.timeout = scenario.timeout;
  if (scenario.archive !== undefined) input.archive = scenario.archive;
  const pager: MamPagerActor = createActor(createMamPagerLogic({ iq }), { input });
  const emitted: MamPagerEmitted[] = [];
  pager.on('mam.page', (page) => emitted.push(page));
  pager.start();

  /** Pages the archive answered normally, in the order it answered them. */
  const served: string[][] = [];
  /** The first result delivered for each query, by the query's index. */
  const firsts: string[] = [];
  let foreignPending = false;

  /**
   * The RSM cursor a query must carry: XEP-0059 §2.5 / §2.3 backward (the first result of the page
   * before, which is also when the query is sent), §2.2 forward.
   */
  const expectedCursor = (index: number): string | undefined => {
    if (index === 0) return scenario.direction === 'backward' ? (scenario.from ?? '') : scenario.from;
    return scenario.direction === 'backward' ? firsts[index - 1] : served[index - 1]!.at(-1);
  };

  /**
   * The query of the page in flight, checked against what RSM says it must ask for. Pages are
   * asked for in order and each normal page is followed by one query, so it is the query after
   * the pages served (the next one may already be out, sent ahead).
   */
  const pending = (): { query: SentQuery; cursor: string | undefined } => {
    const query = iq.queries[served.length];
    expect(query, 'a query waits for the archive').toBeDefined();
    expect(query!.settled).toBe(false);
    return { query: query!, cursor: expectedCursor(served.length) };
  };

  /** A result message from the archive, read by the MAM route as it would be before reaching the pager. */
  const read = (queryId: string, archiveId: string, body = `message ${archiveId}`): ArchivedResult => {
    // The own archive forwards a 1:1 message; a room's archive one from an occupant (§6.1.2).
    const [from, inner] =
      scenario.archive === undefined
        ? ['', `<message xmlns='jabber:client' from='romeo@montague.lit/orchard' to='${ME}' type='chat'><body>${body}</body></message>`]
        : [
            ` from='${scenario.archive}'`,
            `<message xmlns='jabber:client' from='${scenario.archive}/firstwitch' type='groupchat'><body>${body}</body></message>`,
          ];
    const message = parseXml(`<message id='m-${archiveId}' to='${ME}'${from}>
  <result xmlns='urn:xmpp:mam:2' queryid='${queryId}' id='${archiveId}'>
    <forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>
      ${inner}
    </forwarded>
  </result>
</message>`);
    const event = readArchivedResult(message, ROUTE);
    if (event instanceof StanzaParseError) throw new Error(event.reason);
    const { type: _type, ...result } = event;
    return result;
  };
  const deliver = (queryId: string, archiveId: string, body?: string) =>
    pager.send({ type: 'mam.result', ...read(queryId, archiveId, body) });

  const foreign = () => read('another-query', ids[0]!, 'foreign');

  /**
   * Sends a page's results (a pending foreign one mixed in after the first), one event each or as
   * one `mam.results` batch (a socket read), and then the `<fin/>`.
   */
  const answer = (query: SentQuery, page: readonly string[], complete: boolean) => {
    const own = queryIdOf(query);
    if (page[0] !== undefined) firsts[iq.queries.indexOf(query)] = page[0];
    const results = page.flatMap((id, i) => (i === 0 && foreignPending ? [read(own, id), foreign()] : [read(own, id)]));
    foreignPending = false;
    if (scenario.batched) pager.send({ type: 'mam.results', results });
    else for (const result of results) pager.send({ type: 'mam.result', ...result });
    const ends = page.length === 0 ? '' : `<first index='${idIndex(ids, page[0]!)}'>${page[0]}</first><last>${page.at(-1)}</last>`;
    const fin = `<fin xmlns='urn:xmpp:mam:2'${complete ? ` complete='true'` : ''}><set xmlns='${NS_RSM}'>${ends}<count>${ids.length}</count></set></fin>`;
    query.answer(parseXml(`<iq type='result' id='${query.iq.attrs.id ?? 'x'}' to='${ME}'>${fin}</iq>`));
  };

  /** The page an RSM archive gives for a cursor, and whether it is the last one in that direction. */
  const pageFor = (cursor: string | undefined): { page: string[]; complete: boolean } => {
    if (scenario.direction === 'backward') {
      const end = cursor === '' || cursor === undefined ? ids.length : idIndex(ids, cursor);
      const start = Math.max(0, end - scenario.max);
      return { page: ids.slice(start, end), complete: start === 0 };
    }
    const start = cursor === undefined ? 0 : idIndex(ids, cursor) + 1;
    return { page: ids.slice(start, start + scenario.max), complete: start + scenario.max >= ids.length };
  };

  /** A page whose next cursor is `cursor` again: it starts (backward) or ends (forward) at it. */
  const pageRepeating = (cursor: string): string[] => {
    const at = idIndex(ids, cursor);
    return scenario.direction === 'backward' ? ids.slice(at, at + scenario.max) : ids.slice(Math.max(0, at - scenario.max + 1), at + 1);
  };

  const drive: Record<PagerModelEvent['type'], () => Promise<void> | void> = {
    PAGE: () => {
      const { query, cursor } = pending();
      const { page, complete } = pageFor(cursor);
      expect(complete, 'the model asked for a page that is not the last one').toBe(false);
      served.push(page);
      answer(query, page, false);
    },
    PAGE_COMPLETE: () => {
      const { query, cursor } = pending();
      const { page, complete } = pageFor(cursor);
      expect(complete, 'the model asked for the last page').toBe(true);
      served.push(page);
      answer(query, page, true);
    },
    REPEAT: () => {
      const { query, cursor } = pending();
      // The model sends REPEAT only after a page, so there is a cursor to repeat.
      expect(cursor, 'a cursor to repeat').toEqual(expect.stringMatching(/\S/));
      answer(query, pageRepeating(cursor!), false);
    },
    CYCLE: () => {
      const { query } = pending();
      // The oldest cursor sent (the starting one, or the one after the first page).
      const oldest = iq.queries.map((_, i) => expectedCursor(i)).find((c) => c !== undefined && c !== '');
      expect(oldest).toBeDefined();
      expect(oldest).not.toBe(pending().cursor);
      answer(query, pageRepeating(oldest!), false);
    },
    EMPTY: () => answer(pending().query, [], false),
    IQ_ERROR: () => {
      const { query, cursor } = pending();
      // A result may already be out when the archive fails the query; it must not count.
      const { page } = pageFor(cursor);
      if (page[0] !== undefined) {
        firsts[iq.queries.indexOf(query)] = page[0];
        deliver(queryIdOf(query), page[0]);
      }
      // XEP-0313 §4.3.2: the error for a UID not in the archive.
      const error = parseXml(`<iq type='error' id='q29303'><error type='cancel'><item-not-found xmlns='${NS_STANZAS}'/></error></iq>`);
      query.fail(parseStanzaError(error));
    },
    TIMEOUT: async () => {
      pending();
      const timeout = scenario.timeout ?? DEFAULT_TIMEOUT;
      clock.increment(timeout - 1);
      await settle();
      expect(pager.getSnapshot().value, 'not failed before the timeout').toBe('querying');
      clock.increment(1);
    },
    FOREIGN: () => {
      pending();
      pager.send({ type: 'mam.result', ...foreign() });
      foreignPending = true;
    },
    NEXT: () => pager.send({ type: 'mam.next' }),
    CANCEL: () => pager.send({ type: 'mam.cancel' }),
  };

  return { scenario, clock, iq, pager, emitted, served, expectedCursor, read, deliver, drive, checked: 0 };
}

type Sut = ReturnType<typeof systemUnderTest>;

/** The queryid of a page's IQ. */
function queryIdOf(query: SentQuery): string {
  return query.iq.getChild('query', NS_MAM)!.attrs.queryid!;
}

/** The RSM `<set/>` and form of one query against XEP-0313 §4.1 / §4.3 and the scenario. */
function checkQuery(sut: Sut, query: SentQuery, index: number): void {
  const { scenario } = sut;
  expect(query.iq.name).toBe('iq');
  expect(query.iq.attrs.type).toBe('set');
  expect(query.iq.attrs.to).toBe(scenario.archive);
  expect(query.options.timeout).toBe(scenario.timeout);
  expect(query.options.signal).toBeInstanceOf(AbortSignal);
  const q = query.iq.getChild('query', NS_MAM)!;
  // Each page's IQ has a queryid of its own, so that no page takes another one's results.
  expect(q.attrs.queryid).toBe(pageQueryId(QUERY_ID, index + 1));
  const form = q.getChild('x', NS_DATA);
  if (scenario.with === undefined) expect(form).toBeUndefined();
  else {
    expect(form!.getChildren('field').map((f) => [f.attrs.var, f.getChildText('value')])).toEqual([
      ['FORM_TYPE', NS_MAM],
      ['with', scenario.with],
    ]);
  }
  const set = q.getChild('set', NS_RSM)!;
  const cursor = sut.expectedCursor(index);
  const expected: string[][] = [['max', String(scenario.max)]];
  if (scenario.direction === 'backward') expected.push(['before', cursor!]);
  else if (cursor !== undefined) expected.push(['after', cursor]);
  expect(
    set.getChildElements().map((c) => [c.name, c.text()]),
    `RSM of query ${index + 1}`,
  ).toEqual(expected);
}

const FINAL = ['complete', 'cancelled', 'failed'];

/** Everything the real pager must agree on with the model in `state`. */
function checkState(sut: Sut, value: string, model: PagerModelContext): void {
  const { scenario, pager, iq, served } = sut;
  const snapshot = pager.getSnapshot();
  expect(snapshot.value).toBe(value);
  expect(snapshot.status).toBe(FINAL.includes(value) ? 'done' : 'active');

  // One query per page, each with the cursor RSM asks for, none after the end except one sent
  // ahead and withdrawn.
  expect(iq.queries).toHaveLength(model.requests);
  // Each query is checked once, when first seen (its cursor depends only on the pages before it).
  for (; sut.checked < iq.queries.length; sut.checked++) checkQuery(sut, iq.queries[sut.checked]!, sut.checked);
  iq.queries.forEach((query, i) => {
    const last = i === iq.queries.length - 1;
    expect(query.settled, `query ${i + 1} settled`).toBe(!(last && value === 'querying'));
    expect(query.aborted, `query ${i + 1} aborted`).toBe(last && (model.cancelledIn === 'querying' || model.withdrawn));
  });

  // Results: the pages the archive answered normally, in archive order, each once, none foreign.
  expect(served.flat()).toHaveLength(model.served);
  const window = windowOf(scenario);
  const expectedIds = scenario.direction === 'backward' ? window.slice(window.length - model.served) : window.slice(0, model.served);
  const results = snapshot.context.results;
  expect(results.map((r) => r.archiveId)).toEqual(expectedIds);
  expect(new Set(results.map((r) => r.archiveId)).size).toBe(results.length);
  for (const r of results) {
    expect(queryOfPage(r.queryId)).toBe(QUERY_ID);
    expect(r.archive).toBe(scenario.archive ?? OWN_BARE);
    expect(r.entry.kind).toBe(scenario.archive === undefined ? 'chat' : 'groupchat');
    expect(r.entry.kind !== 'other' && r.entry.message.body).toBe(`message ${r.archiveId}`);
  }
  expect(snapshot.context.pages).toBe(model.pages);
  expect(sut.emitted.map((p) => p.index)).toEqual(served.map((_, i) => i + 1));
  expect(sut.emitted.map((p) => p.results.map((r) => r.archiveId))).toEqual(served);
  expect(sut.emitted.every((p) => p.queryId === QUERY_ID)).toBe(true);

  if (!FINAL.includes(value)) {
    expect(snapshot.output).toBeUndefined();
    return;
  }
  const output = snapshot.output!;
  expect(output.queryId).toBe(QUERY_ID);
  expect(output.results).toEqual(results);
  expect(output.pages).toBe(model.pages);
  expect(output.archiveComplete).toBe(model.archiveComplete);
  expect(output.first).toBe(expectedIds[0]);
  expect(output.last).toBe(expectedIds.at(-1));
  if (value === 'failed') {
    expect(output.failure?.code).toBe(model.failure);
    if (model.failure === 'stanza-error') expect(output.failure?.condition).toBe('item-not-found');
  } else {
    expect(output.failure).toBeUndefined();
  }
  expect(output.cancelled).toBe(value === 'cancelled' ? true : undefined);
  expect(snapshot.context.cancelled).toBe(value === 'cancelled');
}

/** After a final state nothing moves the pager: no query, no result taken, whatever arrives. */
async function checkInert(sut: Sut): Promise<void> {
  const before = sut.pager.getSnapshot();
  const queries = sut.iq.queries.length;
  sut.pager.send({ type: 'mam.next' });
  sut.pager.send({ type: 'mam.cancel' });
  sut.deliver(QUERY_ID, archiveIds(sut.scenario)[0]!);
  sut.pager.send({ type: 'mam.results', results: [sut.read(QUERY_ID, archiveIds(sut.scenario)[1]!)] });
  sut.clock.increment(10 * (sut.scenario.timeout ?? DEFAULT_TIMEOUT));
  await settle();
  expect(sut.iq.queries).toHaveLength(queries);
  expect(sut.pager.getSnapshot().value).toBe(before.value);
  expect(sut.pager.getSnapshot().output).toEqual(before.output);
}

const eventTypes = (path: { steps: Array<{ event: { type: string } }> }) =>
  path.steps.map((s) => s.event.type).filter((t) => t !== 'xstate.init');

const covered = { events: new Set<string>(), states: new Set<string>() };

describe('MAM pager (model-based)', () => {
  for (const scenario of SCENARIOS) {
    describe(scenario.name, () => {
      const modelMachine = createPagerModel(scenario);
      // Only events the model takes where it is: a guarded-out event would be a step that does nothing.
      const paths = createTestModel(modelMachine, { filterEvents: (state, event) => state.can(event) }).getSimplePaths();
      const states = Object.keys(modelMachine.root.states).filter((s) => s !== 'idle');

      for (const path of paths) {
        for (const type of eventTypes(path)) covered.events.add(type);
        for (const step of path.steps) covered.states.add(String(step.state.value));
        it(`${eventTypes(path).join(' → ') || '(first query)'} ⇒ ${String(path.state.value)}`, async () => {
          const sut = systemUnderTest(scenario);
          await path.test({
            states: Object.fromEntries(
              states.map((value) => [value, (state: { context: PagerModelContext }) => checkState(sut, value, state.context)]),
            ),
            events: Object.fromEntries(
              Object.entries(sut.drive).map(([type, run]) => [
                type,
                async () => {
                  await run();
                  await settle();
                },
              ]),
            ),
          });
          if (FINAL.includes(String(path.state.value))) await checkInert(sut);
          sut.pager.stop();
        });
      }
    });
  }

  it('covers every model event and every observable state', () => {
    expect([...covered.events].sort()).toEqual(
      ['CANCEL', 'CYCLE', 'EMPTY', 'FOREIGN', 'IQ_ERROR', 'NEXT', 'PAGE', 'PAGE_COMPLETE', 'REPEAT', 'TIMEOUT'].sort(),
    );
    expect([...covered.states].sort()).toEqual(['cancelled', 'complete', 'failed', 'querying', 'pageReceived'].sort());
  });
});
