import type { Actor, AnyActorRef } from 'xstate';
import { StanzaError, XmppAdapterError } from '../errors.js';
import { bareJid } from '../jid.js';
import type { SessionMachine } from '../machines/session.machine.js';
import type { FeatureServices } from '../xeps/feature.js';
import { archiveFormFields, getArchivePrefs, setArchivePrefs } from '../xeps/archive/archive.requests.js';
import type {
  ArchiveCatchUpEvent,
  ArchiveEmitted,
  ArchiveIntent,
  ArchiveLoadAllEvent,
  ArchiveLoadOlderEvent,
  ArchiveOutcome,
  ArchiveSearchEvent,
} from '../xeps/archive/archive.types.js';
import { FULL_TEXT_FIELDS, MAX_PAGE_SIZE } from '../xeps/archive/mam.codec.js';
import { parseDateTime } from '../xeps/forms.js';
import type { ArchivedResult, MamPrefs } from '../xeps/archive/mam.types.js';
import { argumentError, featureLookup, jidArgument } from './require-feature.js';

export interface HistoryOptions {
  /** Page size (RSM `max`), 1..1000; the server may send fewer. @default the feature's (100) */
  max?: number;
  /** `jid` is a room: page its own archive. */
  room?: boolean;
}

export interface SearchOptions {
  /** Text to find; needs an archive that offers full-text search (checked in its query form first). */
  text?: string;
  /** XEP-0082 DateTimes bounding the archive time of the messages. */
  start?: string;
  end?: string;
  /** Archive ids bounding the results (exclusive); the archive must offer `urn:xmpp:mam:2#extended`. */
  afterId?: string;
  beforeId?: string;
  max?: number;
}

/** How a history query went. */
export interface HistoryResult {
  /** Messages new to the conversation (copies of known ones are not counted). */
  added: number;
  pages: number;
  /** The archive has nothing more in that direction ("no more history" for scrollback). */
  complete: boolean;
  /** A room archive's results, oldest first: rooms have no conversation store of their own yet. */
  results?: ArchivedResult[];
}

/** Promise helpers over the `mam` feature (XEP-0313) and the archive preferences (XEP-0441). */
export interface ArchiveApi {
  /** Pages in the history just before the oldest message known with `jid`, one page per call. */
  loadOlder(jid: string, options?: HistoryOptions): Promise<HistoryResult>;
  /** Pages back through the whole history with `jid`, until the archive says it is complete. */
  loadAll(jid: string, options?: HistoryOptions): Promise<HistoryResult>;
  /**
   * Pages forward from the newest archived message known, until complete: every conversation
   * (also ones that started while offline), or only the one with `jid`. On a fresh device (nothing
   * known) this pages the whole account archive: the global catch-up.
   */
  catchUp(jid?: string, options?: Pick<HistoryOptions, 'max'>): Promise<HistoryResult>;
  /** Finds messages (with `jid` when given) by text and time; they are returned, not added to conversations. */
  search(jid: string | undefined, options: SearchOptions): Promise<ArchivedResult[]>;
  /** Stops the queries about `jid` (every one when absent); their promises resolve with what was paged. */
  cancel(jid?: string): void;
  /** XEP-0441: the archiving preferences. */
  prefs(): Promise<MamPrefs>;
  /** XEP-0441: replaces them; resolves with what the server applies. */
  setPrefs(prefs: MamPrefs): Promise<MamPrefs>;
}

function failureError(failure: NonNullable<ArchiveOutcome['failure']>): XmppAdapterError {
  if ('condition' in failure && failure.condition !== undefined) return new StanzaError(failure.condition);
  const code = failure.code === 'no-progress' ? 'bad-reply' : failure.code;
  return new XmppAdapterError(code, `MAM: ${failure.text}`);
}

function checkMax(max: number | undefined): void {
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_PAGE_SIZE)) {
    throw argumentError(`max must be an integer in 1..${MAX_PAGE_SIZE}`);
  }
}

const bareArgument = (jid: string): string => bareJid(jidArgument(jid))!;

/**
 * Builds `client.archive`. Each history helper sends the archive actor the intent an app could
 * send itself, with a `requestId`, and settles on the actor's `archive.finished` for it.
 */
export function createArchiveApi(session: Actor<SessionMachine>, services: FeatureServices, isRunning: () => boolean): ArchiveApi {
  const requireFeature = featureLookup(session, isRunning);

  function request(archive: AnyActorRef, intent: ArchiveIntent & { requestId: string }): Promise<ArchiveOutcome> {
    return new Promise((resolve, reject) => {
      const subscription = archive.on('archive.finished', (event: ArchiveEmitted) => {
        if (event.requestId !== intent.requestId) return;
        subscription.unsubscribe();
        const { type: _type, ...outcome } = event;
        if (outcome.failure) reject(failureError(outcome.failure));
        else resolve(outcome);
      });
      archive.send(intent);
    });
  }

  const summary = ({ added, pages, complete, results }: ArchiveOutcome): HistoryResult =>
    results === undefined ? { added, pages, complete } : { added, pages, complete, results };
  const newRequestId = () => globalThis.crypto.randomUUID();

  const history =
    (type: 'archive.loadOlder' | 'archive.loadAll') =>
    async (jid: string, options: HistoryOptions = {}) => {
      const peer = bareArgument(jid);
      checkMax(options.max);
      const archive = requireFeature('archive');
      const intent: (ArchiveLoadOlderEvent | ArchiveLoadAllEvent) & { requestId: string } = { type, jid: peer, requestId: newRequestId() };
      if (options.max !== undefined) intent.max = options.max;
      if (options.room) intent.room = true;
      return summary(await request(archive, intent));
    };

  return {
    loadOlder: history('archive.loadOlder'),
    loadAll: history('archive.loadAll'),
    async catchUp(jid, options = {}) {
      const peer = jid === undefined ? undefined : bareArgument(jid);
      checkMax(options.max);
      const archive = requireFeature('archive');
      const intent: ArchiveCatchUpEvent & { requestId: string } = { type: 'archive.catchUp', requestId: newRequestId() };
      if (peer !== undefined) intent.jid = peer;
      if (options.max !== undefined) intent.max = options.max;
      return summary(await request(archive, intent));
    },
    async search(jid, options) {
      const peer = jid === undefined ? undefined : bareArgument(jid);
      checkMax(options.max);
      for (const bound of ['start', 'end'] as const) {
        if (options[bound] !== undefined && parseDateTime(options[bound]) === undefined) {
          throw argumentError(`${bound} is not a XEP-0082 DateTime: ${String(options[bound])}`);
        }
      }
      if (options.text !== undefined && (typeof options.text !== 'string' || options.text.length === 0)) {
        throw argumentError('text must be a non-empty string');
      }
      const archive = requireFeature('archive');
      const intent: ArchiveSearchEvent & { requestId: string } = { type: 'archive.search', requestId: newRequestId() };
      if (peer !== undefined) intent.jid = peer;
      if (options.start !== undefined) intent.start = options.start;
      if (options.end !== undefined) intent.end = options.end;
      if (options.max !== undefined) intent.max = options.max;
      if (options.afterId !== undefined) intent.afterId = options.afterId;
      if (options.beforeId !== undefined) intent.beforeId = options.beforeId;
      if (options.text !== undefined) {
        // XEP-0313 §4.1.5: a field the archive does not list is answered feature-not-implemented.
        const fields = await archiveFormFields(services);
        const field = FULL_TEXT_FIELDS.find((f) => fields.includes(f));
        if (field === undefined) throw new XmppAdapterError('feature-failed', 'the archive offers no full-text search');
        intent.text = options.text;
        intent.textField = field;
      }
      return (await request(archive, intent)).results ?? [];
    },
    cancel(jid) {
      const archive = requireFeature('archive');
      archive.send(jid === undefined ? { type: 'archive.cancel' } : { type: 'archive.cancel', jid: bareArgument(jid) });
    },
    async prefs() {
      requireFeature('archive');
      return getArchivePrefs(services);
    },
    async setPrefs(prefs) {
      requireFeature('archive');
      return setArchivePrefs(services, prefs);
    },
  };
}
