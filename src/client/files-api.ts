import type { Actor, Subscription } from 'xstate';
import { StanzaError, XmppAdapterError, type XmppErrorCode } from '../errors.js';
import type { SessionMachine } from '../machines/session.machine.js';
import type { ChatMessage } from '../xeps/chat/chat.types.js';
import type { UploadBody, UploadEmitted, UploadFailure, UploadStartEvent, UploadSummary } from '../xeps/upload/upload.types.js';
import type { MessagesApi } from './im-api.js';
import { argumentError, featureLookup, jidArgument } from './require-feature.js';

/** A file to upload: a `Blob` or `File` (name and type taken from it), or bytes with a name. */
export type UploadSource = Blob | { name: string; type?: string; data: Uint8Array };

export interface UploadOptions {
  /**
   * Also send the download URL to this JID as a chat message (the URL is the body), once uploaded.
   * A bare JID, or a full JID to reach one device; 1:1 chat only.
   */
  to?: string;
  /** Called as bytes go out (`sent` of `total`), and once more when the upload is done. */
  onProgress?(progress: { sent: number; total: number }): void;
  /** Aborting cancels the upload (the slot request or the PUT); the promise rejects with `aborted`. */
  signal?: AbortSignal;
  /** The file name the service sees (and usually keeps in the URL). @default the `File`'s name, else `file` */
  filename?: string;
  /** The Content-Type. @default the Blob's `type`, or the `type` given with the bytes; none when empty */
  contentType?: string;
}

export interface UploadedFile {
  /** The upload's id: its actor is `upload:<id>`, its entry in `connectUploads(…).get(id)`. */
  id: string;
  /** The GET URL: where anyone with the link can download the file. */
  url: string;
  filename: string;
  size: number;
  contentType?: string;
  /** The chat message that shared the URL, when `to` was given. */
  message?: ChatMessage;
}

/** Promise helpers over the `upload` feature (XEP-0363 HTTP File Upload). */
export interface FilesApi {
  /**
   * Uploads a file to the account's HTTP upload service and resolves with its download URL. A file
   * bigger than the service's limit is refused before any request (`invalid-argument`); no service
   * on the server is `feature-failed`; a refused slot rejects with the `StanzaError`; a slot that
   * breaks the security rules (not https, a header with a line break) or a failed PUT is `bad-reply`.
   */
  upload(file: UploadSource, options?: UploadOptions): Promise<UploadedFile>;
  /** Cancels upload `id` (as `signal` would). */
  cancel(id: string): void;
}

/** The error a failed upload rejects with. */
export class UploadError extends XmppAdapterError {
  readonly failure: UploadFailure;
  constructor(code: XmppErrorCode, failure: UploadFailure) {
    super(code, `upload failed (${failure.reason}): ${failure.text}`);
    this.name = 'UploadError';
    this.failure = failure;
  }
}

function failureError(failure: UploadFailure): Error {
  switch (failure.reason) {
    case 'slot-refused':
      return new StanzaError(failure.condition ?? 'undefined-condition', undefined, failure.text);
    case 'no-service':
      return new UploadError('feature-failed', failure);
    case 'file-too-large':
      return new UploadError('invalid-argument', failure);
    case 'timeout':
      return new UploadError('timeout', failure);
    case 'network':
      return new UploadError('disconnected', failure);
    default:
      return new UploadError('bad-reply', failure);
  }
}

function describe(file: UploadSource, options: UploadOptions): { info: UploadStartEvent['file']; body: UploadBody } {
  if (typeof Blob !== 'undefined' && file instanceof Blob) {
    const named = (file as Blob & { name?: unknown }).name;
    const filename = options.filename ?? (typeof named === 'string' && named.length > 0 ? named : 'file');
    const contentType = options.contentType ?? file.type;
    return { info: { filename, size: file.size, ...(contentType ? { contentType } : {}) }, body: file };
  }
  if (!file || typeof file !== 'object' || !((file as { data?: unknown }).data instanceof Uint8Array)) {
    throw argumentError('file must be a Blob/File or { name, type?, data: Uint8Array }');
  }
  const { name, type, data } = file as { name: string; type?: string; data: Uint8Array };
  const filename = options.filename ?? name;
  const contentType = options.contentType ?? type;
  return { info: { filename, size: data.byteLength, ...(contentType ? { contentType } : {}) }, body: data };
}

/**
 * Builds `client.files`. `upload` sends the manager the `upload.start` intent an app could send
 * itself, then follows the manager's `upload.progress` / `upload.finished` for that id.
 */
export function createFilesApi(session: Actor<SessionMachine>, messages: MessagesApi, isRunning: () => boolean): FilesApi {
  const requireFeature = featureLookup(session, isRunning);

  return {
    async upload(file, options = {}) {
      const { info, body } = describe(file, options);
      if (typeof info.filename !== 'string' || info.filename.length === 0 || /[/\\\0]/.test(info.filename)) {
        throw argumentError('a file name must be non-empty and hold no path separators');
      }
      if (info.contentType !== undefined && !/^[\x21-\x7e]+\/[\x21-\x7e]+( *;[\x20-\x7e]*)?$/.test(info.contentType)) {
        throw argumentError(`not a content type: ${info.contentType}`);
      }
      const to = options.to === undefined ? undefined : jidArgument(options.to);
      if (options.signal?.aborted) throw new XmppAdapterError('aborted', 'upload aborted');
      const manager = requireFeature('upload');
      const id = globalThis.crypto.randomUUID();

      const summary = await new Promise<UploadSummary>((resolve, reject) => {
        const onAbort = () => manager.send({ type: 'upload.cancel', id });
        const progress = manager.on('upload.progress', (event: UploadEmitted) => {
          if (event.upload.id === id && event.upload.status === 'uploading')
            options.onProgress?.({ sent: event.upload.sent, total: info.size });
        });
        const finished = manager.on('upload.finished', (event: UploadEmitted) => {
          if (event.upload.id !== id) return;
          settle();
          const { upload } = event;
          if (upload.status === 'done') {
            options.onProgress?.({ sent: info.size, total: info.size });
            resolve(upload);
          } else if (upload.status === 'cancelled') reject(new XmppAdapterError('aborted', 'upload cancelled'));
          else reject(failureError(upload.failure ?? { reason: 'network', text: 'unknown failure' }));
        });
        let stopped: Subscription | undefined;
        const settle = () => {
          progress.unsubscribe();
          finished.unsubscribe();
          stopped?.unsubscribe();
          options.signal?.removeEventListener('abort', onAbort);
        };
        // The client stopped (and the upload with it) before the upload finished.
        const end = (text: string) => () => {
          settle();
          reject(new XmppAdapterError('stopped', text));
        };
        stopped = manager.subscribe({ complete: end('the client stopped during the upload'), error: end('the upload feature failed') });
        options.signal?.addEventListener('abort', onAbort, { once: true });
        manager.send({ type: 'upload.start', id, file: info, body } satisfies UploadStartEvent);
      });

      const uploaded: UploadedFile = { id, url: summary.url!, filename: info.filename, size: info.size };
      if (info.contentType !== undefined) uploaded.contentType = info.contentType;
      if (to !== undefined) {
        // The URL as the body, so that any client shows a link, and as a XEP-0066 link for the ones that show files inline.
        uploaded.message = await messages.send(to, uploaded.url, { oob: { url: uploaded.url } });
      }
      return uploaded;
    },
    cancel(id) {
      requireFeature('upload').send({ type: 'upload.cancel', id });
    },
  };
}
