/**
 * The page IQs of MAM pagers, including those sent before their pager asks for them: the query a
 * `<fin/>` makes certain (forward paging) or the first result of a page makes likely (backward
 * paging) goes out while this client still reads and applies the page before it. The pager takes
 * it by queryid when it gets to that page, or withdraws it.
 */
import { XmppAdapterError } from '../../errors.js';
import type { FeatureServices } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { buildMamQuery, parseMamFin } from './mam.codec.js';
import type { MamFin, MamPageFetchInput, MamQueryParams } from './mam.types.js';

/** The queryid of one page IQ: the query's id and the IQ's serial number within the query. */
export function pageQueryId(queryId: string, serial: number): string {
  return `${queryId}.${serial}`;
}

/** The query a page's queryid belongs to (see {@link pageQueryId}). */
export function queryOfPage(pageId: string): string {
  const dot = pageId.lastIndexOf('.');
  return dot === -1 ? pageId : pageId.slice(0, dot);
}

/** Sends one page's query and resolves with its `<fin/>`; aborting `signal` withdraws the IQ. */
export async function fetchPage(
  services: Pick<FeatureServices, 'iq'>,
  params: MamQueryParams,
  options: { signal?: AbortSignal; timeout?: number } = {},
): Promise<MamFin> {
  const iq = buildMamQuery(params);
  if (iq instanceof XmppAdapterError) throw iq;
  const reply = await services.iq.request(iq, options);
  const fin = parseMamFin(reply);
  if (fin instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `MAM: ${fin.reason}`);
  return fin;
}

/** A page query already on its way, waiting for its pager to take it. */
interface QueryAhead {
  /** The query as sent (JSON): a pager takes it only for exactly this page. */
  params: string;
  fin: Promise<MamFin>;
  controller: AbortController;
}

export interface PageFetcher {
  /**
   * Resolves with the `<fin/>` of `input.params`: from the query sent ahead under its queryid when
   * it asked for the same page, else from a query sent now. While it waits, aborting `signal`
   * withdraws this query and any sent ahead for the same pager.
   */
  fetch(input: MamPageFetchInput, signal: AbortSignal): Promise<MamFin>;
  /** Sends a page query now, for the pager to take later by its queryid. */
  sendAhead(params: MamQueryParams, timeout: number | undefined): void;
  /** Withdraws the query sent ahead under this queryid, if any: a late answer is then ignored. */
  withdraw(pageId: string): void;
}

/** One fetcher serves every pager of an archive actor: queryids are unique per query. */
export function createPageFetcher(services: Pick<FeatureServices, 'iq'>): PageFetcher {
  const ahead = new Map<string, QueryAhead>();
  const send = (params: MamQueryParams, signal: AbortSignal, timeout: number | undefined) =>
    fetchPage(services, params, timeout === undefined ? { signal } : { signal, timeout });

  const sendAhead = (params: MamQueryParams, timeout: number | undefined): void => {
    const controller = new AbortController();
    const entry: QueryAhead = { params: JSON.stringify(params), fin: send(params, controller.signal, timeout), controller };
    ahead.get(params.queryId)?.controller.abort();
    ahead.set(params.queryId, entry);
    // One its pager never takes is forgotten once it settles (the handler also keeps a rejection handled).
    const forget = () => {
      if (ahead.get(params.queryId) === entry) ahead.delete(params.queryId);
    };
    entry.fin.then(forget, forget);
  };

  const withdraw = (pageId: string): void => {
    ahead.get(pageId)?.controller.abort();
    ahead.delete(pageId);
  };

  const withdrawQuery = (queryId: string): void => {
    for (const pageId of [...ahead.keys()]) if (queryOfPage(pageId) === queryId) withdraw(pageId);
  };

  const fetch = async (input: MamPageFetchInput, signal: AbortSignal): Promise<MamFin> => {
    const pageId = input.params.queryId;
    // Leaving the page (cancel, stop) withdraws its query and whatever was sent ahead of it.
    signal.addEventListener('abort', () => withdrawQuery(queryOfPage(pageId)), { once: true });
    const waiting = ahead.get(pageId);
    let fin: MamFin;
    if (waiting && waiting.params === JSON.stringify(input.params)) {
      ahead.delete(pageId);
      signal.addEventListener('abort', () => waiting.controller.abort(), { once: true });
      fin = await waiting.fin;
    } else {
      if (waiting) withdraw(pageId);
      fin = await send(input.params, signal, input.timeout);
    }
    const next = input.next?.(fin);
    if (next !== undefined) sendAhead(next, input.timeout);
    return fin;
  };

  return { fetch, sendAhead, withdraw };
}
