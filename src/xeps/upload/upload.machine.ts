/**
 * The upload manager (feature `upload`, XEP-0363): finds the account's upload service once per
 * session (on the first upload), spawns one `upload:<id>` child per upload and keeps every upload's
 * summary (status, bytes sent) in its context for `connectUploads`. Its state is the service's:
 * idle → discovering → ready | unavailable | failed.
 */
import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import { errorMessage } from '../../errors.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { has, lookup, without, withEntry } from '../keyed-record.js';
import { createTransferLogic, transferId } from './transfer.machine.js';
import type { PutOptions } from './upload.http.js';
import { discoverUploadService } from './upload.requests.js';
import type {
  UploadBody,
  UploadEmitted,
  UploadManagerContext,
  UploadManagerEvent,
  UploadService,
  UploadStartEvent,
  UploadStatus,
  UploadSummary,
} from './upload.types.js';

export interface UploadFeatureOptions {
  /** How the PUT is made (`fetch`, streaming, chunk size); tests pass a fake `fetch`. */
  put?: Omit<PutOptions, 'signal' | 'onProgress'>;
  /** Uploads kept in the list, running and finished; the oldest finished ones go first. @default 100 */
  maxListed?: number;
}

const FINISHED: ReadonlySet<UploadStatus> = new Set(['done', 'failed', 'cancelled']);
export const isFinished = (status: UploadStatus) => FINISHED.has(status);

/** The intents the session forwards to the manager. */
export const UPLOAD_INTENTS = ['upload.start', 'upload.cancel', 'upload.forget', 'upload.refresh'] as const;

/** `uploads` with `summary` set, dropping the oldest finished entries beyond `max`. */
function listed(uploads: Record<string, UploadSummary>, summary: UploadSummary, max: number): Record<string, UploadSummary> {
  let next = withEntry(uploads, summary.id, summary);
  for (const old of Object.values(next)) {
    if (Object.keys(next).length <= max) break;
    if (isFinished(old.status) && old.id !== summary.id) next = without(next, old.id);
  }
  return next;
}

/** A valid start intent for an id not in use; anything else is dropped with a warning. */
function usableStart(context: UploadManagerContext, event: UploadStartEvent): boolean {
  const { id, file } = event;
  return (
    typeof id === 'string' &&
    id.length > 0 &&
    !has(context.uploads, id) &&
    typeof file?.filename === 'string' &&
    file.filename.length > 0 &&
    Number.isSafeInteger(file.size) &&
    file.size >= 0
  );
}

export function createUploadLogic(services: FeatureServices, options: UploadFeatureOptions = {}) {
  const maxListed = options.maxListed ?? 100;
  // The bytes of running uploads, per client: kept out of every context (they may be megabytes).
  const bodies = new Map<string, UploadBody>();
  const transfer = createTransferLogic(services, {
    bodyOf: (id) => bodies.get(id),
    ...(options.put ? { put: options.put } : {}),
  });

  return setup({
    types: {
      context: {} as UploadManagerContext,
      events: {} as UploadManagerEvent,
      input: {} as FeatureInput,
      emitted: {} as UploadEmitted,
    },
    actors: {
      transfer,
      discover: fromPromise<UploadService | undefined, { domain: string }>(({ input, signal }) =>
        discoverUploadService(services, input.domain, { signal }),
      ),
    },
    actions: {
      // Spawns `upload:<id>` with what is known of the service: the service, `null` (none), or nothing yet.
      start: enqueueActions(({ context, event, enqueue, self }, service: 'known' | 'missing' | 'pending') => {
        if (event.type !== 'upload.start') return;
        if (!usableStart(context, event)) {
          enqueue(() => services.logger.warn('upload.start ignored: needs a new id, a file name and a size', { id: event.id }));
          return;
        }
        const { id, body } = event;
        const file = {
          filename: event.file.filename,
          size: event.file.size,
          ...(event.file.contentType ? { contentType: event.file.contentType } : {}),
        };
        enqueue(() => bodies.set(id, body));
        const summary: UploadSummary = { id, ...file, status: 'waitingForService', sent: 0 };
        enqueue.assign({ uploads: listed(context.uploads, summary, maxListed) });
        enqueue.spawnChild('transfer', {
          id: transferId(id),
          input: {
            id,
            file,
            service: service === 'known' ? context.service : service === 'missing' ? null : undefined,
            reportTo: self,
          },
        });
      }),
      // Tells the uploads waiting for discovery how it went.
      answerWaiting: enqueueActions(({ context, enqueue }) => {
        for (const upload of Object.values(context.uploads)) {
          if (upload.status !== 'waitingForService') continue;
          enqueue.sendTo(
            transferId(upload.id),
            context.service
              ? { type: 'upload.serviceFound', service: context.service }
              : { type: 'upload.serviceMissing', text: context.serviceError ?? 'the server offers no HTTP upload service (XEP-0363)' },
          );
        }
      }),
      update: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'upload.update') return;
        const { upload } = event;
        // A child spawned before a `forget` may still report; only listed uploads are updated.
        if (!has(context.uploads, upload.id)) return;
        enqueue.assign({ uploads: withEntry(context.uploads, upload.id, upload) });
        enqueue.emit(isFinished(upload.status) ? { type: 'upload.finished', upload } : { type: 'upload.progress', upload });
        if (isFinished(upload.status)) {
          // Its bytes and its actor go; the summary stays listed until forgotten.
          enqueue(() => bodies.delete(upload.id));
          enqueue.stopChild(transferId(upload.id));
        }
      }),
      cancel: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'upload.cancel') return;
        const upload = lookup(context.uploads, event.id);
        if (upload && !isFinished(upload.status)) enqueue.sendTo(transferId(upload.id), { type: 'upload.cancel' });
      }),
      forget: assign({
        uploads: ({ context, event }) => {
          if (event.type !== 'upload.forget') return context.uploads;
          const upload = lookup(context.uploads, event.id);
          return upload && isFinished(upload.status) ? without(context.uploads, event.id) : context.uploads;
        },
      }),
      forgetService: assign({ service: undefined, serviceError: undefined }),
    },
    guards: {
      isFreshSession: ({ event }) => event.type === 'session.online' && !event.resumed,
    },
  }).createMachine({
    id: 'upload',
    context: ({ input }) => ({ domain: input.domain, service: undefined, serviceError: undefined, uploads: {} }),
    initial: 'idle',
    on: {
      'upload.update': { actions: 'update' },
      'upload.cancel': { actions: 'cancel' },
      'upload.forget': { actions: 'forget' },
      'upload.refresh': { target: '.discovering', actions: 'forgetService' },
    },
    states: {
      idle: {
        on: { 'upload.start': { target: 'discovering', actions: { type: 'start', params: 'pending' } } },
      },
      discovering: {
        invoke: {
          src: 'discover',
          input: ({ context }) => ({ domain: context.domain }),
          onDone: [
            {
              guard: ({ event }) => event.output !== undefined,
              target: 'ready',
              actions: [assign({ service: ({ event }) => event.output, serviceError: undefined }), 'answerWaiting'],
            },
            { target: 'unavailable', actions: [assign({ service: undefined, serviceError: undefined }), 'answerWaiting'] },
          ],
          onError: {
            target: 'failed',
            actions: [
              assign({ service: undefined, serviceError: ({ event }) => `service discovery failed: ${errorMessage(event.error)}` }),
              'answerWaiting',
            ],
          },
        },
        on: { 'upload.start': { actions: { type: 'start', params: 'pending' } } },
      },
      ready: {
        on: {
          'upload.start': { actions: { type: 'start', params: 'known' } },
          // The service is cached per session: a fresh login (not a resumed one) may meet another server setup.
          'session.online': { guard: 'isFreshSession', target: 'idle', actions: 'forgetService' },
        },
      },
      // XEP-0363 §3 found no service on this server: uploads fail at once until a fresh session.
      unavailable: {
        on: {
          'upload.start': { actions: { type: 'start', params: 'missing' } },
          'session.online': { guard: 'isFreshSession', target: 'idle', actions: 'forgetService' },
        },
      },
      // Discovery itself failed (timeout, error reply): the next upload tries again.
      failed: {
        on: {
          'upload.start': { target: 'discovering', actions: { type: 'start', params: 'pending' } },
          'session.online': { guard: 'isFreshSession', target: 'idle', actions: 'forgetService' },
        },
      },
    },
  });
}

export type UploadLogic = ReturnType<typeof createUploadLogic>;
