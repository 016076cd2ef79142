import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createXmppClient } from '../../../src/client/create-client.js';
import { XmppAdapterError } from '../../../src/errors.js';
import { defaultFeatures, withFeatures } from '../../../src/xeps/registry.js';
import { connectUploads, createUploadFeature, type FetchLike, type UploadLogic } from '../../../src/xeps/upload/index.js';
import { createFakeServer, flushMicrotasks, type FakeServer } from '../../support/fake-server.js';
import { parseXml } from '../../support/xml.js';
import type { SnapshotFrom } from 'xstate';

const OPTIONS = { service: 'wss://example.org/ws', username: 'alice', password: 'x', domain: 'example.org' };

const ITEMS = parseXml(`<query xmlns='http://jabber.org/protocol/disco#items'><item jid='upload.example.org'/></query>`);
const INFO = parseXml(`<query xmlns='http://jabber.org/protocol/disco#info'>
  <identity category='store' type='file'/><feature var='urn:xmpp:http:upload:0'/>
  <x type='result' xmlns='jabber:x:data'>
    <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload:0</value></field>
    <field var='max-file-size'><value>1000</value></field>
  </x></query>`);
const SLOT = parseXml(`<slot xmlns='urn:xmpp:http:upload:0'>
  <put url='https://upload.example.org/put/photo.png'/><get url='https://upload.example.org/get/photo.png'/></slot>`);

function onlineClient(status = 201) {
  const server = createFakeServer({ jid: 'alice@example.org/test' });
  const puts: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = async (url, init) => {
    puts.push({ url, init });
    // Read the stream, as a real HTTP stack would, so that progress is counted.
    for await (const _ of init.body as unknown as AsyncIterable<Uint8Array>);
    return new Response(null, { status });
  };
  const features = withFeatures(defaultFeatures, createUploadFeature({ put: { fetch, stream: true, chunkSize: 100 } }));
  const client = createXmppClient(OPTIONS, { transport: server.logic, clock: new SimulatedClock(), features });
  void client.start().catch(() => {});
  server.acceptConnection();
  return { server, client, puts };
}

/** Plays discovery: the domain's items, the upload service's info. */
async function discover(server: FakeServer): Promise<void> {
  await flushMicrotasks();
  server.replyResult(server.expectOutgoing({ name: 'iq', to: 'example.org', childNs: 'http://jabber.org/protocol/disco#items' }), ITEMS);
  await flushMicrotasks();
  server.replyResult(
    server.expectOutgoing({ name: 'iq', to: 'upload.example.org', childNs: 'http://jabber.org/protocol/disco#info' }),
    INFO,
  );
  await flushMicrotasks();
}

/** Plays discovery and the slot for the first upload. */
async function serve(server: FakeServer): Promise<void> {
  await discover(server);
  server.replyResult(server.expectOutgoing({ name: 'iq', to: 'upload.example.org', childNs: 'urn:xmpp:http:upload:0' }), SLOT);
}

describe('client.files.upload', () => {
  it('uploads bytes, reports progress, resolves with the GET URL and shares it as a chat message', async () => {
    const { server, client, puts } = onlineClient();
    const progress: number[] = [];
    const done = client.files.upload(
      { name: 'photo.png', type: 'image/png', data: new Uint8Array(250) },
      { to: 'bob@example.org', onProgress: ({ sent, total }) => progress.push(sent / total) },
    );
    await serve(server);
    const uploaded = await done;
    expect(uploaded).toMatchObject({
      url: 'https://upload.example.org/get/photo.png',
      filename: 'photo.png',
      size: 250,
      contentType: 'image/png',
    });
    expect(puts.map((p) => p.url)).toEqual(['https://upload.example.org/put/photo.png']);
    expect(progress).toEqual([0, 0.4, 0.8, 1, 1]);
    const message = server.expectOutgoing({ name: 'message', to: 'bob@example.org' });
    expect(message.getChildText('body')).toBe('https://upload.example.org/get/photo.png');
    expect(uploaded.message?.id).toBe(message.attrs.id);
    const view = connectUploads(client.feature('upload')!.getSnapshot() as SnapshotFrom<UploadLogic>);
    expect(view.get(uploaded.id)).toMatchObject({ status: 'done', progress: 1 });
    await client.stop();
  });

  it('takes a Blob or File with its name and type', async () => {
    const { server, client } = onlineClient();
    const done = client.files.upload(new File([new Uint8Array(10)], 'photo.png', { type: 'image/png' }));
    await discover(server);
    await flushMicrotasks();
    const request = server.expectOutgoing({ name: 'iq', childNs: 'urn:xmpp:http:upload:0' });
    expect(request.getChild('request')?.attrs).toMatchObject({ filename: 'photo.png', size: '10', 'content-type': 'image/png' });
    server.replyResult(request, SLOT);
    expect((await done).url).toBe('https://upload.example.org/get/photo.png');
    await client.stop();
  });

  it('refuses an oversized file before asking for a slot, and a bad argument before anything', async () => {
    const { server, client } = onlineClient();
    const big = client.files.upload({ name: 'big.bin', data: new Uint8Array(1001) });
    await discover(server);
    await expect(big).rejects.toMatchObject({ code: 'invalid-argument', failure: { reason: 'file-too-large', maxFileSize: 1000 } });
    expect(server.sent({ name: 'iq', childNs: 'urn:xmpp:http:upload:0' })).toEqual([]);

    for (const [file, options] of [
      [{ name: '', data: new Uint8Array(1) }, {}],
      [{ name: '../etc/passwd', data: new Uint8Array(1) }, {}],
      [{ name: 'a', data: 'text' }, {}],
      [{ name: 'a', type: 'text/plain\r\nX-Evil: 1', data: new Uint8Array(1) }, {}],
      [{ name: 'a', data: new Uint8Array(1) }, { to: 'not a jid@' }],
    ] as const) {
      await expect(client.files.upload(file as never, options)).rejects.toSatisfy(
        (e) => e instanceof XmppAdapterError && e.code === 'invalid-argument',
      );
    }
    await client.stop();
  });

  it('rejects with aborted when the signal fires, and with the StanzaError of a refused slot', async () => {
    const { server, client } = onlineClient();
    const controller = new AbortController();
    const aborted = client.files.upload({ name: 'a.txt', data: new Uint8Array(5) }, { signal: controller.signal });
    await flushMicrotasks();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'aborted' });

    const refused = client.files.upload({ name: 'a.txt', data: new Uint8Array(5) });
    await discover(server);
    await flushMicrotasks();
    server.replyError(server.expectOutgoing({ name: 'iq', childNs: 'urn:xmpp:http:upload:0' }), 'not-allowed');
    await expect(refused).rejects.toMatchObject({ code: 'stanza-error', condition: 'not-allowed' });
    await client.stop();
  });

  it('rejects with stopped when the client stops during an upload', async () => {
    const { server, client } = onlineClient();
    const pending = client.files.upload({ name: 'a.txt', data: new Uint8Array(5) });
    await discover(server);
    server.expectOutgoing({ name: 'iq', childNs: 'urn:xmpp:http:upload:0' });
    await client.stop();
    await expect(pending).rejects.toMatchObject({ code: 'stopped' });
  });
});
