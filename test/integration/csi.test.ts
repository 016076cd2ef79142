import { afterEach, describe, expect, it } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import { TCP_URL, WS_URL, uniqueUser } from '../../scripts/prosody.js';
import { observedClient, type ObservedClient } from '../support/client.js';
import { connectCsi, type CsiLogic } from '../../src/xeps/csi/index.js';

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

describe('client state indication (XEP-0352) against Prosody', () => {
  it.each([
    ['TCP', TCP_URL],
    ['WebSocket', WS_URL],
  ])('the server offers it and takes <inactive/> and <active/> over %s without a stream error', async (_name, service) => {
    const c = observedClient(await uniqueUser('csi'), service);
    running.push(c);
    await c.client.start();
    expect(connectCsi(c.client.feature('csi')!.getSnapshot() as SnapshotFrom<CsiLogic>)).toEqual({ active: true, supported: true });
    // A server that did not know the element would end the stream (RFC 6120 §4.9.3.24
    // unsupported-stanza-type); in-order processing (§10.1) means the ping answers after it.
    // What the server then holds back is its own business (XEP-0352 §5), so that is not asserted.
    c.client.csi.setActive(false);
    await c.client.ping();
    c.client.csi.setActive(true);
    await c.client.ping();
    expect(c.statuses.at(-1)).toBe('online');
    expect(c.statuses).not.toContain('reconnecting');
    expect(connectCsi(c.client.feature('csi')!.getSnapshot() as SnapshotFrom<CsiLogic>).active).toBe(true);
  });
});
