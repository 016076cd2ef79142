import type { ActorRef, Snapshot } from 'xstate';
import type { SessionLifecycleEvent } from '../feature.js';

/** What a slot request names (XEP-0363 §4): the file's name, its size in bytes and, optionally, its type. */
export interface UploadFileInfo {
  filename: string;
  size: number;
  contentType?: string;
}

/** The three header names a slot may carry (XEP-0363 §4); the name as the service spelled it. */
export interface UploadHeader {
  name: string;
  value: string;
}

/** A slot (XEP-0363 §4): where to PUT the file, with which headers, and where it can be fetched afterwards. */
export interface UploadSlot {
  put: { url: string; headers: UploadHeader[] };
  get: string;
}

/** An upload service found by service discovery (XEP-0363 §3). */
export interface UploadService {
  jid: string;
  /** The service's `max-file-size` (bytes), when it announced one. */
  maxFileSize?: number;
}

/** The upload-specific details of a slot request's error reply (XEP-0363 §5). */
export interface UploadErrorDetails {
  /** `<file-too-large/>`, with the service's limit when it named one. */
  fileTooLarge?: { maxFileSize?: number };
  /** `<retry stamp/>`: a temporary error; the XEP-0082 UTC time after which to try again. */
  retry?: { stamp: string };
}

/** Why an upload did not finish. */
export type UploadFailureReason =
  /** No upload service on the account's server (or discovery failed). */
  | 'no-service'
  /** Bigger than the service's `max-file-size`: refused before any slot request. */
  | 'file-too-large'
  /** The service answered the slot request with an error. */
  | 'slot-refused'
  /** The slot broke the protocol or the security rules (not https, a header with a newline, …). */
  | 'bad-slot'
  /** The PUT got an HTTP status other than 2xx. */
  | 'http-status'
  /** The PUT did not get an answer (network error). */
  | 'network'
  | 'timeout';

export interface UploadFailure {
  reason: UploadFailureReason;
  text: string;
  /** `slot-refused`: the stanza error condition. */
  condition?: string;
  /** `http-status`: the HTTP status. */
  status?: number;
  /** `file-too-large`: the limit. */
  maxFileSize?: number;
}

/** Where one upload stands. `waitingForService`: discovery is still running. */
export type UploadStatus = 'waitingForService' | 'requestingSlot' | 'uploading' | 'done' | 'failed' | 'cancelled';

/** One upload as plain data: what the manager keeps and `connectUploads` shows. */
export interface UploadSummary extends UploadFileInfo {
  id: string;
  status: UploadStatus;
  /** Bytes handed to the HTTP stack so far. */
  sent: number;
  /** The GET URL, once done. */
  url?: string;
  failure?: UploadFailure;
}

/** The file's bytes. Kept out of every context (see the README): only the PUT reads them. */
export type UploadBody = Blob | Uint8Array;

/**
 * Intent: upload `body` as `file`, under `id` (its child actor is `upload:<id>`). The one intent whose
 * payload is not plain data (the bytes); the manager hands them to the PUT and keeps only `file`.
 */
export interface UploadStartEvent {
  type: 'upload.start';
  id: string;
  file: UploadFileInfo;
  body: UploadBody;
}

/** Intent: stop upload `id` (its PUT is aborted). */
export interface UploadCancelEvent {
  type: 'upload.cancel';
  id: string;
}

/** Intent: drop finished upload `id` from the list. */
export interface UploadForgetEvent {
  type: 'upload.forget';
  id: string;
}

/** App intents the session forwards to the upload manager. */
export type UploadIntent = UploadStartEvent | UploadCancelEvent | UploadForgetEvent | { type: 'upload.refresh' };

/** From an upload child to its manager: its summary changed. */
export interface UploadUpdateEvent {
  type: 'upload.update';
  upload: UploadSummary;
}

export type UploadManagerEvent =
  | UploadIntent
  | UploadUpdateEvent
  | SessionLifecycleEvent
  | { type: `xstate.done.actor.${string}` }
  | { type: `xstate.error.actor.${string}`; error: unknown };

/** What the manager emits (`client.feature('upload').on(…)`), e.g. for the promise helper. */
export type UploadEmitted = { type: 'upload.progress'; upload: UploadSummary } | { type: 'upload.finished'; upload: UploadSummary };

/** Where service discovery stands; the manager's state. */
export type UploadServiceStatus = 'idle' | 'discovering' | 'ready' | 'unavailable' | 'failed';

export interface UploadManagerContext {
  domain: string;
  /** The service of this session (discovered on the first upload, again after a fresh login). */
  service: UploadService | undefined;
  serviceError: string | undefined;
  /** Uploads in start order, running and finished (the oldest finished ones go past a bound). */
  uploads: Record<string, UploadSummary>;
}

/** What an upload child is started with. `service: null`: discovery found none. */
export interface UploadInput {
  id: string;
  file: UploadFileInfo;
  service: UploadService | null | undefined;
  reportTo: ActorRef<Snapshot<unknown>, UploadUpdateEvent>;
}

export type UploadEvent =
  | { type: 'upload.serviceFound'; service: UploadService }
  | { type: 'upload.serviceMissing'; text: string }
  | { type: 'upload.cancel' }
  | { type: 'upload.sent'; sent: number }
  | { type: 'upload.putDone' }
  | { type: 'upload.putFailed'; failure: UploadFailure };

export interface UploadContext {
  id: string;
  file: UploadFileInfo;
  service: UploadService | undefined;
  slot: UploadSlot | undefined;
  sent: number;
  failure: UploadFailure | undefined;
  reportTo: UploadInput['reportTo'];
}
