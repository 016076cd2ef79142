/**
 * The MAM paging benchmark's variants: each opens a fresh logged-in session as the archive's owner
 * and pages the whole archive `with` a peer, oldest first (RSM `<after>` cursor, `<max>` = page
 * size), until the archive says `complete`. Adding a variant is one `OpenMam` function and one
 * entry in `MAM_VARIANTS`.
 *
 * - `floor-tcp`: the raw client (bench/lib/raw-xmpp.ts): hand-written query IQs, keeps each
 *   `<result/>`'s archive id and nothing else. `floor-sm-tcp`: the same with XEP-0198 enabled and
 *   Prosody's `<r/>` answered, the floor for a client that runs stream management;
 *   `floor-sm-back-tcp` pages that one backward, as xmpp-adapter does.
 * - `stock-tcp`: stock @xmpp/client: the same IQs through `iqCaller.request`, results collected by a
 *   `stanza` listener into plain objects, as an app on stock xmpp.js would.
 * - `ours-tcp`: xmpp-adapter, `client.archive.loadAll(peer, { max })` (bench/lib/mam-ours.ts).
 * - `stanza-ws`: StanzaJS `searchHistory({ with, paging })` page after page; its parsed results
 *   are kept as it returns them (it has no TCP transport).
 */
import { WS_URL } from '../../scripts/prosody.js';
import { enableStreamManagement, rawLoginAs } from './raw-xmpp.js';
import { stanzaSession, stockSession, type Account, type StockStanza } from './reference-sessions.js';
import { NS_MAM, NS_RSM, mamQueryIq } from './mam-seed.js';
import { oursMam } from './mam-ours.js';
import type { Element } from '@xmpp/xml';
import type { MAMResult } from 'stanza/protocol';

export const NS_FORWARD = 'urn:xmpp:forward:0';
export const NS_DELAY = 'urn:xmpp:delay';
export const NS_SID = 'urn:xmpp:sid:0';

/** What one `loadAll` ended with. The bench measures time and memory before calling the functions. */
export interface MamLoad {
  /** Messages the app now holds (results collected, or the size of the conversation store). */
  messages: number;
  /** Query IQs sent. */
  pages: number;
  /** The archive id (XEP-0313 `<result id>`) of every message held, for the duplicate check. */
  archiveIds(): string[];
  /** The origin-ids of the messages held, when the variant reads them (checked against the seeded ones). */
  originIds?(): Array<string | undefined>;
}

export interface MamSession {
  /** Pages the whole archive of this account `with` `peer` (a bare JID), `pageSize` per query. */
  loadAll(peer: string, pageSize: number): Promise<MamLoad>;
  stop(): Promise<void>;
}

/** Logs in (not timed) as `account` over `service` (a TCP URL; WS-only libraries pick their own). */
export type OpenMam = (service: string, account: Account) => Promise<MamSession>;

export interface MamVariant {
  id: string;
  library: string;
  transport: 'TCP' | 'WS';
  open: OpenMam;
}

/** A loop that stops paging without `complete` is a bug in the variant, not a slow run. */
function noProgress(variant: string, pages: number, last: string | undefined, previous: string | undefined): Error | undefined {
  if (last === undefined) return new Error(`${variant}: page ${pages} not complete but has no <last/>`);
  if (last === previous) return new Error(`${variant}: page ${pages} repeats the cursor ${last}`);
  return undefined;
}

/** The floor: raw socket, the query IQ as a string, the archive id of each `<result/>` read off the parsed element. */
export const floorMam: OpenMam = (_service, account) => rawMam(account, false);

/** The floor with XEP-0198 on, as every library here runs (see `enableStreamManagement`). */
export const floorSmMam: OpenMam = (_service, account) => rawMam(account, true);

/**
 * The XEP-0198 floor paging backward (RSM `<before>` = the previous page's `<first>`), as
 * xmpp-adapter's `loadAll` does: Prosody collects a backward page before sending it.
 */
export const floorSmBackwardMam: OpenMam = (_service, account) => rawMam(account, true, 'backward');

async function rawMam(account: Account, streamManagement: boolean, direction: 'forward' | 'backward' = 'forward'): Promise<MamSession> {
  const session = await rawLoginAs(account);
  let queryId = '';
  let iqId = '';
  let ids: string[] = [];
  let fin: ((iq: Element) => void) | undefined;
  const onElement = (el: Element) => {
    if (el.name === 'message') {
      const result = el.getChild('result', NS_MAM);
      if (result?.attrs.queryid === queryId) ids.push(result.attrs.id ?? '');
    } else if (el.name === 'iq' && el.attrs.id === iqId) fin?.(el);
  };
  if (streamManagement) await enableStreamManagement(session, onElement);
  else session.onElement(onElement);
  let seq = 0;
  return {
    async loadAll(peer, pageSize) {
      ids = [];
      let pages = 0;
      let cursor: string | undefined;
      for (;;) {
        seq++;
        queryId = `fq${seq}`;
        iqId = `fi${seq}`;
        const reply = new Promise<Element>((resolve) => (fin = resolve));
        await session.write(mamQueryIq(iqId, queryId, peer, pageSize, cursor, direction));
        const iq = await reply;
        pages++;
        if (iq.attrs.type !== 'result') throw new Error(`floor: query failed: ${iq.toString().slice(0, 300)}`);
        const end = iq.getChild('fin', NS_MAM);
        if (end?.attrs.complete === 'true') break;
        const next = end?.getChild('set', NS_RSM)?.getChildText(direction === 'backward' ? 'first' : 'last') ?? undefined;
        const stuck = noProgress('floor', pages, next, cursor);
        if (stuck) throw stuck;
        cursor = next;
      }
      const held = ids;
      return { messages: held.length, pages, archiveIds: () => held };
    },
    stop: () => session.close(),
  };
}

/** One archived message as an app on stock xmpp.js would keep it. */
export interface PlainMessage {
  id: string;
  from: string | undefined;
  to: string | undefined;
  body: string | null;
  stamp: string | undefined;
  originId: string | undefined;
}

interface StockIqCaller {
  request(iq: unknown, timeout?: number): Promise<StockStanza>;
}

/** Stock @xmpp/client: `iqCaller.request` per page, a `stanza` listener turning results into {@link PlainMessage}s. */
export const stockMam: OpenMam = async (service, account) => {
  let queryId = '';
  let collected: PlainMessage[] = [];
  const ownBare = `${account.username}@${account.domain}`;
  const onStanza = (el: StockStanza) => {
    if (el.name !== 'message') return;
    const result = el.getChild('result', NS_MAM);
    // XEP-0313 §8.2: results of the own archive come from the own bare JID (or carry no from).
    if (!result || result.attrs.queryid !== queryId || (el.attrs.from && el.attrs.from !== ownBare)) return;
    const forwarded = result.getChild('forwarded', NS_FORWARD);
    const message = forwarded?.getChild('message', 'jabber:client');
    if (!message) return;
    collected.push({
      id: result.attrs.id ?? '',
      from: message.attrs.from,
      to: message.attrs.to,
      body: message.getChildText('body'),
      stamp: forwarded?.getChild('delay', NS_DELAY)?.attrs.stamp,
      originId: message.getChild('origin-id', NS_SID)?.attrs.id,
    });
  };
  const session = await stockSession(service, account, (xmpp) => xmpp.on('stanza', onStanza));
  const { xml } = session;
  const iqCaller = session.xmpp.iqCaller as unknown as StockIqCaller;
  let seq = 0;
  return {
    async loadAll(peer, pageSize) {
      collected = [];
      let pages = 0;
      let after: string | undefined;
      for (;;) {
        queryId = `sq${++seq}`;
        const query = xml(
          'query',
          { xmlns: NS_MAM, queryid: queryId },
          xml(
            'x',
            { xmlns: 'jabber:x:data', type: 'submit' },
            xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, NS_MAM)),
            xml('field', { var: 'with' }, xml('value', {}, peer)),
          ),
          xml('set', { xmlns: NS_RSM }, xml('max', {}, String(pageSize)), after !== undefined ? xml('after', {}, after) : null),
        );
        const iq = await iqCaller.request(xml('iq', { type: 'set' }, query));
        pages++;
        const fin = iq.getChild('fin', NS_MAM);
        if (fin?.attrs.complete === 'true') break;
        const last = fin?.getChild('set', NS_RSM)?.getChildText('last') ?? undefined;
        const stuck = noProgress('@xmpp/client', pages, last, after);
        if (stuck) throw stuck;
        after = last;
      }
      const held = collected;
      return { messages: held.length, pages, archiveIds: () => held.map((m) => m.id), originIds: () => held.map((m) => m.originId) };
    },
    stop: () => session.stop(),
  };
};

/** StanzaJS: `searchHistory` per page (a fresh query id each), its parsed results concatenated as returned. */
export const stanzaMam: OpenMam = async (_service, account) => {
  const session = await stanzaSession(WS_URL, account);
  return {
    async loadAll(peer, pageSize) {
      let results: MAMResult[] = [];
      let pages = 0;
      let after: string | undefined;
      for (;;) {
        const fin = await session.client.searchHistory({
          with: peer,
          paging: after !== undefined ? { max: pageSize, after } : { max: pageSize },
        });
        pages++;
        results = results.concat(fin.results ?? []);
        if (fin.complete) break;
        const last = fin.paging?.last;
        const stuck = noProgress('StanzaJS', pages, last, after);
        if (stuck) throw stuck;
        after = last;
      }
      const held = results;
      return {
        messages: held.length,
        pages,
        archiveIds: () => held.map((r) => r.id),
        originIds: () => held.map((r) => r.item.message?.originId),
      };
    },
    stop: () => session.stop(),
  };
};

/** Every variant, in the order of the tables (xmpp-adapter's own is `oursMam` in bench/lib/mam-ours.ts). */
export const MAM_VARIANTS: readonly MamVariant[] = [
  { id: 'ours-tcp', library: 'xmpp-adapter', transport: 'TCP', open: oursMam },
  { id: 'stock-tcp', library: '@xmpp/client', transport: 'TCP', open: stockMam },
  { id: 'stanza-ws', library: 'StanzaJS', transport: 'WS', open: stanzaMam },
  { id: 'floor-tcp', library: 'raw socket (floor)', transport: 'TCP', open: floorMam },
  { id: 'floor-sm-tcp', library: 'raw socket + XEP-0198 (floor)', transport: 'TCP', open: floorSmMam },
  { id: 'floor-sm-back-tcp', library: 'raw socket + XEP-0198, backward (floor)', transport: 'TCP', open: floorSmBackwardMam },
];
