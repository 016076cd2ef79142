import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Element } from '@xmpp/xml';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, waitFor, type Actor } from 'xstate';
import {
  connectUploads,
  createUploadLogic,
  putFile,
  type FetchLike,
  type UploadLogic,
  type UploadSummary,
} from '../../../src/xeps/upload/index.js';
import { flushMicrotasks } from '../../support/fake-server.js';
import { fakeServices, featureInput, type FakeServices } from './harness.js';

const ITEMS = `<query xmlns='http://jabber.org/protocol/disco#items'>
  <item jid='upload.capulet.lit' name='HTTP File Upload'/>
  <item jid='conference.capulet.lit' name='Chatroom Service'/>
</query>`;

const uploadInfo = (max = '5242880') => `<query xmlns='http://jabber.org/protocol/disco#info'>
  <identity category='store' type='file' name='HTTP File Upload'/>
  <feature var='urn:xmpp:http:upload:0'/>
  <x type='result' xmlns='jabber:x:data'>
    <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload:0</value></field>
    <field var='max-file-size'><value>${max}</value></field>
  </x>
</query>`;

const MUC_INFO = `<query xmlns='http://jabber.org/protocol/disco#info'>
  <identity category='conference' type='text'/><feature var='http://jabber.org/protocol/muc'/>
</query>`;

const SLOT = (
  put = 'https://upload.capulet.lit/put/a.txt',
  headers = `<header name='Authorization'>Bearer t0ken</header><header name='Host'>evil</header>`,
) => `<slot xmlns='urn:xmpp:http:upload:0'><put url='${put}'>${headers}</put><get url='https://upload.capulet.lit/get/a.txt'/></slot>`;

interface FetchCall {
  url: string;
  init: RequestInit;
  /** The body as sent (read from the stream). */
  bytes: Promise<Uint8Array>;
  respond(status: number): void;
  aborted: () => boolean;
}

/** A `fetch` that records each PUT and answers when the test says so. */
function fakeFetch() {
  const calls: FetchCall[] = [];
  const fetch: FetchLike = (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const body = init.body as ReadableStream<Uint8Array> | Uint8Array | Blob;
      const bytes = (async () => {
        if (body instanceof Uint8Array) return body;
        if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
        const parts: Uint8Array[] = [];
        for await (const part of body as unknown as AsyncIterable<Uint8Array>) parts.push(part);
        return Uint8Array.from(parts.flatMap((p) => [...p]));
      })();
      init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      calls.push({
        url,
        init,
        bytes,
        respond: (status) => resolve(new Response(null, { status })),
        aborted: () => init.signal?.aborted === true,
      });
    });
  return { fetch, calls };
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => (record[name] = value));
  return record;
}

const running: Actor<UploadLogic>[] = [];
afterEach(() => {
  for (const actor of running.splice(0)) actor.stop();
});

function manager(fake = fakeFetch(), options: { chunkSize?: number } = {}) {
  const harness = fakeServices('juliet@capulet.lit/balcony');
  const logic = createUploadLogic(harness.services, { put: { fetch: fake.fetch, stream: true, chunkSize: options.chunkSize ?? 4 } });
  const actor = createActor(logic, { input: featureInput({ domain: 'capulet.lit' }), clock: harness.clock });
  const emitted: UploadSummary[] = [];
  actor.on('upload.finished', (e) => emitted.push(e.upload));
  running.push(actor);
  actor.start();
  return { ...harness, actor, fake, emitted, view: () => connectUploads(actor.getSnapshot()) };
}

const data = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 256);

function start(actor: Actor<UploadLogic>, id: string, size = 10, body: Uint8Array = data(size)) {
  actor.send({ type: 'upload.start', id, file: { filename: 'a.txt', size, contentType: 'text/plain' }, body });
}

/** Plays the server through discovery: items of the domain, info of each item. */
async function discover(h: FakeServices, info = uploadInfo()): Promise<void> {
  const [items] = h.take();
  expect(items?.attrs).toMatchObject({ type: 'get', to: 'capulet.lit' });
  h.reply(items!, ITEMS);
  await flushMicrotasks();
  const infos = h.take();
  expect(infos.map((iq) => iq.attrs.to)).toEqual(['upload.capulet.lit', 'conference.capulet.lit']);
  h.reply(infos[0]!, info);
  h.reply(infos[1]!, MUC_INFO);
  await flushMicrotasks();
}

function slotRequest(h: FakeServices): Element {
  const sent = h.take();
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

describe('upload manager and upload actors (fake server, fake fetch)', () => {
  it('discovers the service, asks for a slot, PUTs with progress and the allowed headers, and ends with the GET URL', async () => {
    const h = manager();
    start(h.actor, 'u1');
    expect(h.view()).toMatchObject({ serviceStatus: 'discovering', uploads: [{ id: 'u1', status: 'waitingForService', sent: 0 }] });
    await discover(h);
    expect(h.view().service).toEqual({ jid: 'upload.capulet.lit', maxFileSize: 5_242_880 });

    const request = slotRequest(h);
    expect(request.attrs).toMatchObject({ type: 'get', to: 'upload.capulet.lit' });
    expect(request.getChild('request', 'urn:xmpp:http:upload:0')?.attrs).toMatchObject({
      filename: 'a.txt',
      size: '10',
      'content-type': 'text/plain',
    });
    expect(h.view().get('u1')?.status).toBe('requestingSlot');
    h.reply(request, SLOT());
    await flushMicrotasks();

    const [call] = h.fake.calls;
    expect(call?.url).toBe('https://upload.capulet.lit/put/a.txt');
    expect(call?.init.method).toBe('PUT');
    const headers = call!.init.headers as Headers;
    expect(headerRecord(headers)).toEqual({ authorization: 'Bearer t0ken', 'content-type': 'text/plain', 'content-length': '10' });
    expect([...(await call!.bytes)]).toEqual([...data(10)]);
    await flushMicrotasks();
    const uploading = h.view().get('u1')!;
    expect(uploading).toMatchObject({ status: 'uploading', sent: 10, progress: 1, active: true });

    call!.respond(201);
    await waitFor(h.actor, (s) => s.context.uploads['u1']?.status === 'done');
    expect(h.view().get('u1')).toMatchObject({ status: 'done', url: 'https://upload.capulet.lit/get/a.txt', active: false });
    expect(h.emitted).toEqual([expect.objectContaining({ id: 'u1', status: 'done', url: 'https://upload.capulet.lit/get/a.txt' })]);
    await flushMicrotasks();
    expect(h.actor.getSnapshot().children['upload:u1']).toBeUndefined();
  });

  it('reports progress chunk by chunk', async () => {
    const h = manager(undefined, { chunkSize: 3 });
    const seen: number[] = [];
    h.actor.on('upload.progress', (e) => seen.push(e.upload.sent));
    start(h.actor, 'p', 10);
    await discover(h);
    h.reply(slotRequest(h), SLOT());
    await flushMicrotasks();
    await h.fake.calls[0]!.bytes;
    await flushMicrotasks();
    expect(seen.filter((n) => n > 0)).toEqual([3, 6, 9, 10]);
  });

  it('keeps the service for the session: a second upload asks for a slot at once; a fresh login discovers again', async () => {
    const h = manager();
    start(h.actor, 'a');
    await discover(h);
    h.reply(slotRequest(h), SLOT());
    await flushMicrotasks();
    start(h.actor, 'b');
    const second = slotRequest(h);
    expect(second.attrs.to).toBe('upload.capulet.lit');

    h.actor.send({ type: 'session.online', jid: 'juliet@capulet.lit/balcony', resumed: true });
    expect(h.actor.getSnapshot().value).toBe('ready');
    h.actor.send({ type: 'session.online', jid: 'juliet@capulet.lit/balcony', resumed: false });
    expect(h.actor.getSnapshot().value).toBe('idle');
    start(h.actor, 'c');
    expect(h.take()[0]?.getChild('query')?.attrs.xmlns).toBe('http://jabber.org/protocol/disco#items');
  });

  it('refuses a file bigger than max-file-size before any slot request', async () => {
    const h = manager();
    start(h.actor, 'big', 101);
    await discover(h, uploadInfo('100'));
    expect(h.take()).toEqual([]);
    expect(h.view().get('big')).toMatchObject({ status: 'failed', failure: { reason: 'file-too-large', maxFileSize: 100 } });
    expect(h.emitted.map((u) => u.status)).toEqual(['failed']);
    // Once the limit is known, the next one fails without waiting.
    start(h.actor, 'big2', 1000);
    expect(h.take()).toEqual([]);
    expect(h.view().get('big2')?.failure?.reason).toBe('file-too-large');
    expect(h.fake.calls).toEqual([]);
  });

  it('fails every upload when the server has no upload service, without asking again this session', async () => {
    const h = manager();
    start(h.actor, 'x');
    const [items] = h.take();
    h.reply(items!, `<query xmlns='http://jabber.org/protocol/disco#items'><item jid='conference.capulet.lit'/></query>`);
    await flushMicrotasks();
    h.reply(h.take()[0]!, MUC_INFO);
    await flushMicrotasks();
    expect(h.view()).toMatchObject({ serviceStatus: 'unavailable', uploads: [{ status: 'failed', failure: { reason: 'no-service' } }] });
    start(h.actor, 'y');
    expect(h.take()).toEqual([]);
    expect(h.view().get('y')?.failure?.reason).toBe('no-service');
  });

  it('retries discovery after it failed', async () => {
    const h = manager();
    start(h.actor, 'x');
    h.reply(h.take()[0]!, `<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await flushMicrotasks();
    expect(h.view().serviceStatus).toBe('failed');
    expect(h.view().get('x')?.failure?.reason).toBe('no-service');
    start(h.actor, 'y');
    await discover(h);
    expect(slotRequest(h).attrs.to).toBe('upload.capulet.lit');
  });

  it('fails on a hostile slot without any HTTP request', async () => {
    const h = manager();
    start(h.actor, 'evil');
    await discover(h);
    h.reply(slotRequest(h), SLOT('http://evil.example/put'));
    await flushMicrotasks();
    start(h.actor, 'inject');
    h.reply(slotRequest(h), SLOT(undefined, `<header name='Authorization'>x&#13;&#10;Host: evil</header>`));
    await flushMicrotasks();
    expect(h.fake.calls).toEqual([]);
    expect(h.view().uploads.map((u) => [u.id, u.status, u.failure?.reason])).toEqual([
      ['evil', 'failed', 'bad-slot'],
      ['inject', 'failed', 'bad-slot'],
    ]);
  });

  it('fails with the stanza error when the service refuses the slot, and on an HTTP error status', async () => {
    const h = manager();
    start(h.actor, 'refused');
    await discover(h);
    h.reply(
      slotRequest(h),
      `<error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>premium only</text></error>`,
      'error',
    );
    await flushMicrotasks();
    expect(h.view().get('refused')?.failure).toEqual({ reason: 'slot-refused', condition: 'not-allowed', text: 'premium only' });

    start(h.actor, 'status');
    h.reply(slotRequest(h), SLOT());
    await flushMicrotasks();
    h.fake.calls[0]!.respond(413);
    await waitFor(h.actor, (s) => s.context.uploads['status']?.status === 'failed');
    expect(h.view().get('status')?.failure).toMatchObject({ reason: 'http-status', status: 413 });
  });

  it('cancels: while waiting for a slot (the IQ is withdrawn) and while uploading (the PUT is aborted)', async () => {
    const h = manager();
    start(h.actor, 'one');
    await discover(h);
    slotRequest(h);
    expect(h.iq.size).toBe(1);
    h.actor.send({ type: 'upload.cancel', id: 'one' });
    expect(h.view().get('one')?.status).toBe('cancelled');
    expect(h.iq.size).toBe(0);

    start(h.actor, 'two');
    h.reply(slotRequest(h), SLOT());
    await flushMicrotasks();
    const call = h.fake.calls[0]!;
    h.actor.send({ type: 'upload.cancel', id: 'two' });
    expect(call.aborted()).toBe(true);
    expect(h.view().get('two')?.status).toBe('cancelled');
    expect(h.emitted.map((u) => [u.id, u.status])).toEqual([
      ['one', 'cancelled'],
      ['two', 'cancelled'],
    ]);
    // Finished uploads stay listed until forgotten.
    h.actor.send({ type: 'upload.forget', id: 'one' });
    expect(h.view().uploads.map((u) => u.id)).toEqual(['two']);
  });

  it('ignores a start without a usable id, name or size, or with an id in use', () => {
    const h = manager();
    h.actor.send({ type: 'upload.start', id: '', file: { filename: 'a', size: 1 }, body: data(1) });
    h.actor.send({ type: 'upload.start', id: 'n', file: { filename: '', size: 1 }, body: data(1) });
    h.actor.send({ type: 'upload.start', id: 's', file: { filename: 'a', size: -1 }, body: data(1) });
    expect(h.view().uploads).toEqual([]);
    start(h.actor, 'same');
    start(h.actor, 'same');
    expect(h.view().uploads).toHaveLength(1);
  });
});

describe('putFile over a real loopback HTTP server', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  async function server(status = 201) {
    const received: { method?: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
    const http = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        received.push({ method: req.method, headers: req.headers, body: Buffer.concat(parts) });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    close = () => http.close();
    return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/put/a.bin`, received };
  }

  it('streams the bytes with Content-Length and the slot headers, counting progress', async () => {
    const { url, received } = await server();
    const bytes = data(200_000);
    const progress: number[] = [];
    const slot = { put: { url, headers: [{ name: 'Authorization', value: 'Bearer x' }] }, get: url };
    await putFile(slot, { filename: 'a.bin', size: bytes.length, contentType: 'application/octet-stream' }, bytes, {
      stream: true,
      onProgress: (sent) => progress.push(sent),
    });
    expect(received).toHaveLength(1);
    expect(received[0]!.method).toBe('PUT');
    expect(received[0]!.headers).toMatchObject({
      'content-length': '200000',
      authorization: 'Bearer x',
      'content-type': 'application/octet-stream',
    });
    expect(received[0]!.body.equals(Buffer.from(bytes))).toBe(true);
    expect(progress.at(-1)).toBe(200_000);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('sends a Blob in one piece when not streaming, and rejects on an error status', async () => {
    const { url, received } = await server(500);
    const slot = { put: { url, headers: [] }, get: url };
    await expect(putFile(slot, { filename: 'a.bin', size: 3 }, new Blob([data(3)]), { stream: false })).rejects.toMatchObject({
      status: 500,
    });
    expect([...received[0]!.body]).toEqual([0, 1, 2]);
  });
});
