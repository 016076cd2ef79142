/**
 * The HTTP half of XEP-0363 (§6): the PUT of the file's bytes to a slot. The only code of the
 * feature that touches the network outside the XMPP stream.
 */
import { XmppAdapterError } from '../../errors.js';
import { platformName } from '../../wire/platform.js';
import type { UploadBody, UploadFailure, UploadFileInfo, UploadSlot } from './upload.types.js';

/** The `fetch` the PUT uses; tests pass their own. */
export type FetchLike = (url: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>;

export interface PutOptions {
  signal?: AbortSignal;
  /** Bytes handed to the HTTP stack so far (called once per chunk when streaming, else once at the end). */
  onProgress?(sent: number): void;
  fetch?: FetchLike;
  /**
   * Stream the body in chunks, counting them for progress, with an explicit Content-Length.
   * Browsers only stream request bodies over HTTP/2 (and some not at all), so there the body goes
   * in one piece. @default true in Node, false in browsers
   */
  stream?: boolean;
  /** @default 65536 */
  chunkSize?: number;
}

/** Why a PUT failed, as plain data (the actor keeps it in context). */
export function putFailure(error: unknown): UploadFailure {
  if (error instanceof HttpStatusError) return { reason: 'http-status', status: error.status, text: error.message };
  if (error instanceof XmppAdapterError && error.code === 'timeout') return { reason: 'timeout', text: error.message };
  return { reason: 'network', text: error instanceof Error ? error.message : String(error) };
}

export class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`the upload service answered the PUT with HTTP ${status}`);
    this.name = 'HttpStatusError';
  }
}

/** The body in chunks of at most `chunkSize` bytes, counting what the HTTP stack has pulled. */
function countingStream(body: UploadBody, chunkSize: number, onProgress: (sent: number) => void): ReadableStream<Uint8Array> {
  let sent = 0;
  if (body instanceof Uint8Array) {
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= body.byteLength) {
          controller.close();
          return;
        }
        const chunk = body.subarray(sent, sent + chunkSize);
        sent += chunk.byteLength;
        controller.enqueue(chunk);
        onProgress(sent);
      },
    });
  }
  const reader = body.stream().getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      for (let offset = 0; offset < value.byteLength; offset += chunkSize) {
        const chunk = value.subarray(offset, offset + chunkSize);
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      }
      onProgress(sent);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * PUTs `body` to the slot. XEP-0363 §6: "In addition to the Content-Length and Content-Type header
 * the client MUST also include all additional headers that came with the slot assignment" (those
 * `parseSlot` kept: Authorization, Cookie, Expires). "A HTTP status Code of 201 means that the
 * server is now ready to serve the file via the provided GET URL"; other 2xx answers are taken as
 * success too, anything else rejects with an `HttpStatusError`.
 */
export async function putFile(slot: UploadSlot, file: UploadFileInfo, body: UploadBody, options: PutOptions = {}): Promise<void> {
  const doFetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const stream = options.stream ?? platformName === 'node';
  const headers = new Headers();
  // §6: "The service SHOULD reject the file if the Content-Type has been specified beforehand and does not match."
  if (file.contentType !== undefined) headers.set('Content-Type', file.contentType);
  for (const { name, value } of slot.put.headers) headers.append(name, value);
  const init: RequestInit & { duplex?: 'half' } = { method: 'PUT', headers, redirect: 'error' };
  if (options.signal) init.signal = options.signal;
  if (stream) {
    // A streamed body has no length of its own; §6: "The upload service MUST reject the file upload
    // if the Content-Length does not match the size of the slot request."
    headers.set('Content-Length', String(file.size));
    init.body = countingStream(body, options.chunkSize ?? 65_536, (sent) => options.onProgress?.(sent));
    init.duplex = 'half';
  } else {
    init.body = body as BodyInit;
  }
  const response = await doFetch(slot.put.url, init);
  // The answer's body is not used; reading it frees the connection.
  await response.body?.cancel().catch(() => {});
  if (response.status < 200 || response.status > 299) throw new HttpStatusError(response.status);
  if (!stream) options.onProgress?.(file.size);
}
