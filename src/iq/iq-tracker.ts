import { xml, type Element } from '@xmpp/xml';
import { StanzaError, XmppAdapterError } from '../errors.js';
import { bareJid, normalizeJid } from '../jid.js';
import { NS_STANZAS } from '../wire/namespaces.js';
import type { Clock } from './clock.js';

export interface IqRequestOptions {
  /** @default the client's `iqTimeout` */
  timeout?: number;
  /** Aborting rejects the request; its reply is then ignored. */
  signal?: AbortSignal;
}

interface Pending {
  /** Who may answer: the normalised `to`, or undefined for the own account/server. */
  to: string | undefined;
  resolve(el: Element): void;
  reject(err: Error): void;
  timer: unknown;
  cleanup(): void;
}

/**
 * The one place where IQ requests meet their replies (RFC 6120 §8.2.3). Ids are random so that
 * replies cannot be guessed, and a reply counts only when it comes from the entity asked.
 */
export class IqTracker {
  private readonly pending = new Map<string, Pending>();
  /** Own JIDs, refreshed at every bind: replies to requests without `to` may come from these. */
  private own: { full: string; bare: string; domain: string } | undefined;

  constructor(
    private readonly write: (stanza: Element) => void,
    private readonly clock: Clock,
    private readonly defaultTimeout: number,
  ) {}

  setOwnJid(full: string): void {
    const bare = bareJid(full) ?? full;
    this.own = { full, bare, domain: bare.slice(bare.indexOf('@') + 1) };
  }

  get size(): number {
    return this.pending.size;
  }

  /** Whether the request with this id still waits for its answer. */
  isPending(id: string): boolean {
    return this.pending.has(id);
  }

  /** Sends `iq` (its `id` is replaced) and resolves with the `result`, rejecting on `error`, timeout or abort. */
  request(iq: Element, options: IqRequestOptions = {}): Promise<Element> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new XmppAdapterError('aborted', 'IQ request aborted'));
    const id = globalThis.crypto.randomUUID();
    iq.attrs.id = id;
    const to = iq.attrs.to ? normalizeJid(iq.attrs.to) : undefined;
    const timeout = options.timeout ?? this.defaultTimeout;

    return new Promise<Element>((resolve, reject) => {
      const onAbort = () => this.settle(id, new XmppAdapterError('aborted', 'IQ request aborted'));
      const entry: Pending = {
        to,
        resolve,
        reject,
        timer: this.clock.setTimeout(
          () => this.settle(id, new XmppAdapterError('timeout', `no answer to IQ within ${timeout} ms`)),
          timeout,
        ),
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, entry);
      this.write(iq);
    });
  }

  /**
   * Offers an inbound `iq` of type result/error. Returns true when it answered a pending request.
   * RFC 6120 §8.1.2.1: a reply to a stanza sent without `to` comes from the own account (or with no `from`).
   */
  handleReply(stanza: Element): boolean {
    const id = stanza.attrs.id;
    if (!id) return false;
    const entry = this.pending.get(id);
    if (!entry || !this.isFromExpected(stanza.attrs.from, entry.to)) return false;
    if (stanza.attrs.type === 'result') this.settle(id, stanza);
    else this.settle(id, parseStanzaError(stanza));
    return true;
  }

  /** Rejects every pending request, e.g. when the session they belong to ended. */
  rejectAll(reason: XmppAdapterError): void {
    for (const id of [...this.pending.keys()]) this.settle(id, reason);
  }

  private isFromExpected(fromAttr: string | undefined, to: string | undefined): boolean {
    const from = fromAttr === undefined ? undefined : normalizeJid(fromAttr);
    if (fromAttr !== undefined && from === undefined) return false;
    const own = this.own;
    const ownTargets = own ? [own.full, own.bare, own.domain] : [];
    if (to === undefined || (own && to === own.bare)) {
      return from === undefined || ownTargets.includes(from);
    }
    return from === to;
  }

  private settle(id: string, outcome: Element | Error): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    this.clock.clearTimeout(entry.timer);
    entry.cleanup();
    if (outcome instanceof Error) entry.reject(outcome);
    else entry.resolve(outcome);
  }
}

/** RFC 6120 §8.3: reads the defined condition, type and text of an error stanza. */
export function parseStanzaError(stanza: Element): StanzaError {
  const error = stanza.getChild('error');
  const condition = error?.getChildElements().find((c) => c.getNS() === NS_STANZAS && c.name !== 'text')?.name ?? 'undefined-condition';
  return new StanzaError(condition, error?.attrs.type, error?.getChildText('text', NS_STANZAS) ?? undefined);
}

/** The plain-data reference to an inbound request that a reply needs. */
export interface IqRequestRef {
  id: string;
  /** Absent when the request came from the own server on the account's behalf. */
  from?: string;
}

/** RFC 6120 §8.3.1: an error reply swaps `from`/`to`, keeps the `id` and names a condition. */
export function buildErrorReply(request: IqRequestRef, errorType: 'cancel' | 'modify' | 'auth' | 'wait', condition: string): Element {
  return xml(
    'iq',
    { type: 'error', id: request.id, to: request.from },
    xml('error', { type: errorType }, xml(condition, { xmlns: NS_STANZAS })),
  );
}

/** RFC 6120 §8.2.3: a result keeps the request's `id` and goes back to its sender. */
export function buildResultReply(request: IqRequestRef, ...payload: Element[]): Element {
  return xml('iq', { type: 'result', id: request.id, to: request.from }, ...payload);
}
