import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type SnapshotFrom } from 'xstate';
import { TCP_URL, UPLOAD_DOMAIN, WS_URL, uniqueUsers, type TestUser } from '../../scripts/prosody.js';
import { XmppAdapterError } from '../../src/errors.js';
import { connectUploads, type UploadLogic } from '../../src/xeps/upload/index.js';
import { connectChat, type ConversationLogic } from '../../src/xeps/chat/index.js';
import { observedClient, type ObservedClient } from '../support/client.js';

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

async function online(user: TestUser, service = TCP_URL): Promise<ObservedClient> {
  const c = observedClient(user, service);
  running.push(c);
  await c.client.start();
  return c;
}

const uploads = (c: ObservedClient) => connectUploads(c.client.feature('upload')!.getSnapshot() as SnapshotFrom<UploadLogic>);

/** Bytes that are not all alike, so that a shifted or truncated download shows. */
const bytesOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) % 256);

describe('HTTP File Upload (XEP-0363) against Prosody (mod_http_file_share, 10 MiB)', () => {
  it('uploads a file with progress, downloads the same bytes from the GET URL and shares the URL in a chat', async () => {
    const [aliceUser, bobUser] = await uniqueUsers(['upalice', 'upbob']);
    const [alice, bob] = await Promise.all([online(aliceUser!), online(bobUser!, WS_URL)]);
    const data = bytesOf(1_500_000);
    const progress: number[] = [];

    const uploaded = await alice.client.files.upload(
      { name: 'photo of us.bin', type: 'application/octet-stream', data },
      { to: `${bobUser!.username}@${bobUser!.domain}`, onProgress: ({ sent }) => progress.push(sent) },
    );

    expect(uploaded).toMatchObject({ filename: 'photo of us.bin', size: data.length });
    expect(uploaded.url).toMatch(/^http:\/\/127\.0\.0\.1:15280\/file_share\/.+\/photo%20of%20us\.bin$/);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(data.length);
    const view = uploads(alice);
    expect(view.service).toEqual({ jid: UPLOAD_DOMAIN, maxFileSize: 10 * 1024 * 1024 });
    expect(view.get(uploaded.id)).toMatchObject({ status: 'done', progress: 1, url: uploaded.url });

    const response = await fetch(uploaded.url);
    expect(response.status).toBe(200);
    const downloaded = new Uint8Array(await response.arrayBuffer());
    expect(downloaded.length).toBe(data.length);
    expect(Buffer.from(downloaded).equals(Buffer.from(data))).toBe(true);

    // Bob gets the URL as the message body.
    const conversation = `chat:${aliceUser!.username}@${aliceUser!.domain}`;
    const deadline = Date.now() + 10_000;
    while (!bob.client.feature(conversation) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const chat = await waitFor(
      bob.client.feature(conversation)!,
      (s) => connectChat(s as SnapshotFrom<ConversationLogic>).messages.some((m) => m.body === uploaded.url),
      { timeout: 10_000 },
    );
    expect(connectChat(chat as SnapshotFrom<ConversationLogic>).messages.at(-1)).toMatchObject({ direction: 'in', body: uploaded.url });
  });

  it('refuses a file over the 10 MiB limit before asking for a slot, and a second upload reuses the service', async () => {
    const [user] = await uniqueUsers(['upbig']);
    const c = await online(user!);
    const before = c.inbound.length;
    await expect(c.client.files.upload({ name: 'big.bin', data: new Uint8Array(10 * 1024 * 1024 + 1) })).rejects.toSatisfy(
      (e) => e instanceof XmppAdapterError && e.code === 'invalid-argument',
    );
    // Only discovery went over the wire: no slot request was answered.
    const answers = c.inbound.slice(before);
    expect(answers.some((s) => s.includes('urn:xmpp:http:upload:0') && s.includes('<slot'))).toBe(false);
    expect(answers.some((s) => s.includes('disco#items'))).toBe(true);
    expect(uploads(c).get(uploads(c).uploads[0]!.id)).toMatchObject({
      status: 'failed',
      failure: { reason: 'file-too-large', maxFileSize: 10 * 1024 * 1024 },
    });

    const small = await c.client.files.upload(new Blob([bytesOf(1000)], { type: 'text/plain' }), { filename: 'note.txt' });
    const text = new Uint8Array(await (await fetch(small.url)).arrayBuffer());
    expect(Buffer.from(text).equals(Buffer.from(bytesOf(1000)))).toBe(true);
    // The service was found once this session.
    expect(c.inbound.slice(before).filter((s) => s.includes(`<item jid="${UPLOAD_DOMAIN}"`))).toHaveLength(1);
  });

  it('cancels a running upload: the PUT is aborted and the upload is listed as cancelled', async () => {
    const [user] = await uniqueUsers(['upcancel']);
    const c = await online(user!);
    const controller = new AbortController();
    const pending = c.client.files.upload(
      { name: 'cancelled.bin', data: bytesOf(8_000_000) },
      {
        signal: controller.signal,
        onProgress: ({ sent }) => {
          if (sent > 0) controller.abort();
        },
      },
    );
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(uploads(c).uploads[0]).toMatchObject({ status: 'cancelled', active: false });
  });
});
