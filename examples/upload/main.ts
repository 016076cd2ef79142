/**
 * HTTP File Upload (XEP-0363) on the local Prosody: alice uploads a file to the server's upload
 * service (found by service discovery) with a progress bar, sends bob the link in a chat message,
 * and bob downloads the same bytes. Then a file over the service's limit, refused before any slot
 * request, and an upload cancelled halfway.
 *
 *   npm run example:upload
 */
import type { SnapshotFrom } from 'xstate';
import { connectUploads, createXmppClient, type UploadLogic, type XmppClient } from '../../src/index.js';
import { PROSODY_DOMAIN, TCP_URL, WS_URL, registerUser, startProsody } from '../../scripts/prosody.js';

async function connect(username: string, service: string): Promise<XmppClient> {
  const client = createXmppClient({ service, domain: PROSODY_DOMAIN, username, password: `${username}-password` });
  await client.start();
  return client;
}

function bar(sent: number, total: number): string {
  const filled = Math.round((sent / total) * 20);
  return `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${String(Math.round((sent / total) * 100)).padStart(3)}%`;
}

async function main() {
  await startProsody();
  const stamp = Date.now().toString(36);
  const [aliceName, bobName] = [`upload-alice-${stamp}`, `upload-bob-${stamp}`];
  for (const name of [aliceName, bobName]) await registerUser(name, `${name}-password`, PROSODY_DOMAIN);
  const [alice, bob] = await Promise.all([connect(aliceName, TCP_URL), connect(bobName, WS_URL)]);

  bob.on('message', ({ message }) => {
    if (message.direction === 'in') console.log(`bob received: ${message.body}`);
  });

  const data = Uint8Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 31) % 256);
  let shown = -1;
  const uploaded = await alice.files.upload(
    { name: 'holiday photo.jpg', type: 'image/jpeg', data },
    {
      to: `${bobName}@${PROSODY_DOMAIN}`,
      onProgress: ({ sent, total }) => {
        const step = Math.floor((sent / total) * 4);
        if (step === shown) return;
        shown = step;
        console.log(`alice uploading ${bar(sent, total)}`);
      },
    },
  );
  console.log(`uploaded ${uploaded.size} bytes → ${uploaded.url}`);

  const downloaded = new Uint8Array(await (await fetch(uploaded.url)).arrayBuffer());
  const same = downloaded.length === data.length && downloaded.every((b, i) => b === data[i]);
  console.log(`bob downloaded ${downloaded.length} bytes: ${same ? 'identical' : 'DIFFERENT'}`);

  const view = () => connectUploads(alice.feature('upload')!.getSnapshot() as SnapshotFrom<UploadLogic>);
  console.log(`upload service: ${view().service?.jid}, limit ${view().service?.maxFileSize} bytes`);
  try {
    await alice.files.upload({ name: 'too big.bin', data: new Uint8Array((view().service?.maxFileSize ?? 0) + 1) });
  } catch (error) {
    console.log(`too big: refused before any slot request (${(error as Error).message})`);
  }

  const controller = new AbortController();
  const cancelled = alice.files.upload(
    { name: 'second thoughts.bin', data: new Uint8Array(8 * 1024 * 1024) },
    {
      signal: controller.signal,
      onProgress: ({ sent }) => {
        if (sent > 0) controller.abort();
      },
    },
  );
  await cancelled.catch((error: Error) => console.log(`cancelled: ${error.message}`));

  console.log("alice's uploads, as connectUploads shows them:");
  for (const u of view().uploads) console.log(`  ${u.filename.padEnd(20)} ${u.status.padEnd(9)} ${bar(u.sent, u.size)}`);
  await Promise.all([alice.stop(), bob.stop()]);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
