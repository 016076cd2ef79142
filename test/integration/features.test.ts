import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type SnapshotFrom } from 'xstate';
import { selectConnection } from '../../src/client/select-connection.js';
import { xml } from '@xmpp/xml';
import { connectCaps, ownCapsElement, type CapsLogic } from '../../src/xeps/caps/index.js';
import { connectDisco, NS_DISCO_INFO, type DiscoLogic } from '../../src/xeps/disco/index.js';
import { connectPing, NS_PING, type PingLogic } from '../../src/xeps/ping/index.js';
import { NS_TIME } from '../../src/xeps/time/index.js';
import { NS_VERSION } from '../../src/xeps/version/index.js';
import { TCP_URL, WS_URL, uniqueUser } from '../../scripts/prosody.js';
import { observedClient, type ObservedClient } from '../support/client.js';

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

async function online(prefix: string, service = TCP_URL, options = {}): Promise<ObservedClient & { jid: string }> {
  const c = observedClient(await uniqueUser(prefix), service, options);
  running.push(c);
  const view = await c.client.start();
  return { ...c, jid: view.jid! };
}

describe('features against the local Prosody', () => {
  it('learns the server features on a fresh session (disco#info)', async () => {
    const a = await online('disco');
    const discoRef = a.client.actor.system.get('disco')!;
    const snapshot = (await waitFor(discoRef, (s) => connectDisco(s as SnapshotFrom<DiscoLogic>).status === 'ready', {
      timeout: 5000,
    })) as SnapshotFrom<DiscoLogic>;
    const view = connectDisco(snapshot);
    expect(view.supports(NS_PING)).toBe(true);
    expect(view.supports(NS_VERSION) && view.supports(NS_TIME)).toBe(true);
    expect(view.supports('urn:example:not-offered')).toBe(false);
  });

  it('answers another client: disco#info, ping, time and version', async () => {
    const [a, b] = await Promise.all([online('asker'), online('answerer', WS_URL)]);
    const info = await a.client.disco.info(b.jid);
    expect(info.identities).toContainEqual(expect.objectContaining({ category: 'client' }));
    for (const ns of [NS_DISCO_INFO, NS_PING, NS_TIME, NS_VERSION, 'http://jabber.org/protocol/caps']) {
      expect(info.features).toContain(ns);
    }
    expect(await a.client.ping(b.jid)).toBeGreaterThanOrEqual(0);
    const time = await a.client.time(b.jid);
    expect(time.tzo).toMatch(/^[+-]\d{2}:\d{2}$|^Z$/);
    expect(Math.abs(new Date(time.utc).getTime() - Date.now())).toBeLessThan(60_000);
    expect(await a.client.version(b.jid)).toMatchObject({ name: 'xmpp-adapter' });
    // A namespace nobody handles gets exactly one service-unavailable.
    await expect(a.client.disco.items(b.jid, 'no-such-node')).rejects.toMatchObject({ condition: 'item-not-found' });
  });

  it('verifies the entity capabilities another client announces', async () => {
    const [a, b] = await Promise.all([online('capsreader'), online('capssender')]);
    const bCaps = (await waitFor(
      b.client.actor.system.get('caps')!,
      (s) => connectCaps(s as SnapshotFrom<CapsLogic>).ownVer !== undefined,
      {
        timeout: 5000,
      },
    )) as SnapshotFrom<CapsLogic>;
    // Directed presence (no roster subscription is needed for it) carrying b's caps.
    const presence = xml('presence', {}, ownCapsElement(connectCaps(bCaps).ownVer));
    presence.attrs.to = a.jid;
    b.client.sendStanza(presence);
    const aCaps = a.client.actor.system.get('caps')!;
    const verified = (await waitFor(aCaps, (s) => connectCaps(s as SnapshotFrom<CapsLogic>).featuresOf(b.jid) !== undefined, {
      timeout: 5000,
    })) as SnapshotFrom<CapsLogic>;
    expect(connectCaps(verified).supports(b.jid, NS_PING)).toBe(true);
  });

  it('keepalive probes the server while online and reconnects when it stops answering', async () => {
    const a = await online('keepalive', TCP_URL, {
      keepalive: { interval: 200, timeout: 1000 },
      reconnect: { minDelay: 100, maxDelay: 300 },
    });
    const pingRef = a.client.actor.system.get('ping')!;
    const probed = (await waitFor(pingRef, (s) => connectPing(s as SnapshotFrom<PingLogic>).lastRttMs !== undefined, {
      timeout: 5000,
    })) as SnapshotFrom<PingLogic>;
    expect(connectPing(probed).lastRttMs).toBeGreaterThanOrEqual(0);

    // Freeze the server: the socket stays open but nothing comes back (a half-dead link).
    const pid = Number(readFileSync(`${process.env.XMPP_ADAPTER_RUN_DIR ?? '/tmp/xmpp-adapter-prosody'}/prosody.pid`, 'utf8').trim());
    process.kill(pid, 'SIGSTOP');
    try {
      await a.waitFor('reconnecting', 5000);
      expect(selectConnection(a.client.getSnapshot()).error).toMatchObject({ kind: 'timeout' });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await a.waitFor('online', 15_000);
    expect(a.statuses.filter((s) => s === 'online').length).toBeGreaterThanOrEqual(2);
  });
});
