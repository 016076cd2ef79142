/**
 * One upload (XEP-0363): a child of the upload manager, `upload:<id>`.
 * waitingForService → requestingSlot → uploading → done, or failed / cancelled from any of them.
 * Every step reports the upload's summary to the manager, so the manager's snapshot lists them all.
 */
import { assign, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import { StanzaError, XmppAdapterError, errorMessage } from '../../errors.js';
import type { FeatureServices } from '../feature.js';
import { putFailure, putFile, type PutOptions } from './upload.http.js';
import { requestSlot } from './upload.requests.js';
import type {
  UploadBody,
  UploadContext,
  UploadEvent,
  UploadFailure,
  UploadInput,
  UploadSlot,
  UploadStatus,
  UploadSummary,
} from './upload.types.js';

/** The child actor id of upload `id`. */
export const transferId = (id: string) => `upload:${id}`;

/** Why a slot request failed, as plain data. */
export function slotFailure(error: unknown): UploadFailure {
  if (error instanceof StanzaError) return { reason: 'slot-refused', condition: error.condition, text: error.text ?? error.condition };
  if (error instanceof XmppAdapterError && error.code === 'bad-reply') return { reason: 'bad-slot', text: error.message };
  if (error instanceof XmppAdapterError && error.code === 'timeout') return { reason: 'timeout', text: error.message };
  return { reason: 'network', text: errorMessage(error) };
}

export function summaryOf(context: UploadContext, status: UploadStatus): UploadSummary {
  const summary: UploadSummary = { id: context.id, ...context.file, status, sent: context.sent };
  if (status === 'done' && context.slot) summary.url = context.slot.get;
  if (context.failure) summary.failure = context.failure;
  return summary;
}

export interface TransferDependencies {
  /** The bytes of upload `id` (held by the manager, never in a context). */
  bodyOf(id: string): UploadBody | undefined;
  put?: Omit<PutOptions, 'signal' | 'onProgress'>;
}

export function createTransferLogic(services: FeatureServices, deps: TransferDependencies) {
  return setup({
    types: {
      context: {} as UploadContext,
      events: {} as UploadEvent,
      input: {} as UploadInput,
    },
    actors: {
      requestSlot: fromPromise<UploadSlot, { service: string; file: UploadContext['file'] }>(({ input, signal }) =>
        requestSlot(services, input.service, input.file, { signal }),
      ),
      // Leaving `uploading` (cancel, or the manager stopping) runs the cleanup, which aborts the PUT.
      put: fromCallback<UploadEvent, { id: string; slot: UploadSlot; file: UploadContext['file'] }>(({ input, sendBack }) => {
        const controller = new AbortController();
        const body = deps.bodyOf(input.id);
        if (body === undefined) {
          sendBack({ type: 'upload.putFailed', failure: { reason: 'network', text: 'the file is no longer there' } });
          return () => {};
        }
        putFile(input.slot, input.file, body, {
          ...deps.put,
          signal: controller.signal,
          onProgress: (sent) => {
            if (!controller.signal.aborted) sendBack({ type: 'upload.sent', sent });
          },
        }).then(
          () => {
            if (!controller.signal.aborted) sendBack({ type: 'upload.putDone' });
          },
          (error: unknown) => {
            if (!controller.signal.aborted) sendBack({ type: 'upload.putFailed', failure: putFailure(error) });
          },
        );
        return () => controller.abort();
      }),
    },
    actions: {
      report: sendTo(
        ({ context }) => context.reportTo,
        ({ context }, status: UploadStatus) => ({ type: 'upload.update' as const, upload: summaryOf(context, status) }),
      ),
    },
    guards: {
      knowsService: ({ context }) => context.service !== undefined,
      // Started after discovery found no service (the failure is set from the input).
      knownMissing: ({ context }) => context.failure !== undefined,
      // XEP-0363 §3: the max-file-size is announced "To avoid unnecessary round trips": a bigger file is refused here.
      tooLarge: ({ context }) => context.service?.maxFileSize !== undefined && context.file.size > context.service.maxFileSize,
    },
  }).createMachine({
    id: 'upload',
    context: ({ input }) => ({
      id: input.id,
      file: input.file,
      service: input.service ?? undefined,
      slot: undefined,
      sent: 0,
      failure: input.service === null ? { reason: 'no-service', text: 'the server offers no HTTP upload service (XEP-0363)' } : undefined,
      reportTo: input.reportTo,
    }),
    initial: 'start',
    on: {
      'upload.cancel': '.cancelled',
    },
    states: {
      start: {
        always: [
          { guard: 'knowsService', target: 'checking' },
          { guard: 'knownMissing', target: 'failed' },
          { target: 'waitingForService' },
        ],
      },
      waitingForService: {
        entry: { type: 'report', params: 'waitingForService' },
        on: {
          'upload.serviceFound': { target: 'checking', actions: assign({ service: ({ event }) => event.service }) },
          'upload.serviceMissing': {
            target: 'failed',
            actions: assign({ failure: ({ event }) => ({ reason: 'no-service' as const, text: event.text }) }),
          },
        },
      },
      checking: {
        always: [
          {
            guard: 'tooLarge',
            target: 'failed',
            actions: assign({
              failure: ({ context }) => ({
                reason: 'file-too-large' as const,
                maxFileSize: context.service!.maxFileSize!,
                text: `${context.file.size} bytes is more than the service takes (${context.service!.maxFileSize!})`,
              }),
            }),
          },
          { target: 'requestingSlot' },
        ],
      },
      requestingSlot: {
        entry: { type: 'report', params: 'requestingSlot' },
        invoke: {
          src: 'requestSlot',
          input: ({ context }) => ({ service: context.service!.jid, file: context.file }),
          onDone: { target: 'uploading', actions: assign({ slot: ({ event }) => event.output }) },
          onError: { target: 'failed', actions: assign({ failure: ({ event }) => slotFailure(event.error) }) },
        },
      },
      uploading: {
        entry: { type: 'report', params: 'uploading' },
        invoke: {
          src: 'put',
          input: ({ context }) => ({ id: context.id, slot: context.slot!, file: context.file }),
        },
        on: {
          'upload.sent': {
            actions: [assign({ sent: ({ event }) => event.sent }), { type: 'report', params: 'uploading' }],
          },
          'upload.putDone': { target: 'done', actions: assign({ sent: ({ context }) => context.file.size }) },
          'upload.putFailed': { target: 'failed', actions: assign({ failure: ({ event }) => event.failure }) },
        },
      },
      done: {
        type: 'final',
        entry: { type: 'report', params: 'done' },
      },
      failed: {
        type: 'final',
        entry: { type: 'report', params: 'failed' },
      },
      cancelled: {
        type: 'final',
        entry: { type: 'report', params: 'cancelled' },
      },
    },
  });
}

export type TransferLogic = ReturnType<typeof createTransferLogic>;
